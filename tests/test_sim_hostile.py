"""The offline Akool never breaks on input: every documented POST path, fed hostile bodies over raw httpx
(never our client), answers the documented 1003 naming the field (the detection endpoints: their own error
envelope), never a 5xx, stores nothing, and every list and detail endpoint still answers 1000 afterwards.
"""
from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akool_nb.sim import start
from akool_nb.sim.api import route_modules
from akool_nb.sim.validate import MAX_BODY_BYTES, MAX_DEPTH, MAX_TEXT

KEY = "hostile-key-0123456789ab"
ROUTES = [r for module in route_modules() for r in module.ROUTES]
POSTS = sorted({path for method, path, _, _ in ROUTES if method in ("POST", "DELETE")})
DETECTION = {"/interface/detect-api/detect_faces", "/interface/detect-api/faceswap/analyze_frames", "/detect"}
VOICE = "6889b628662160e2caad5dbc"

# (name, raw JSON body, the field the answer must name)
HOSTILE = [
    ("lone surrogate escape", b'{"probe": "a\\ud800b"}', "probe"),
    ("low surrogate escape", b'{"probe": "\\udc80"}', "probe"),
    ("invalid UTF-8 byte", b'{"probe": "caf\xe9"}', "probe"),
    ("truncated UTF-8", b'{"probe": "\xe2\x82"}', "probe"),
    ("surrogate in a field name", b'{"a\\ud800": 1}', "field names"),
    ("NUL character", b'{"probe": "a\\u0000b"}', "probe"),
    ("NUL in a file path", b'{"probe": "http://127.0.0.1:1/_sim/files/a\\u0000.png"}', "probe"),
    ("NUL in a field name", b'{"a\\u0000": 1}', "field names"),
    ("nested too deep", json.dumps({"probe": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}).encode(),
     "probe[0]"),
    ("nested past the parser", b"[" * 100_000 + b"]" * 100_000, "body"),
    ("string over the cap", json.dumps({"probe": "x" * (MAX_TEXT + 1)}).encode(), "probe"),
    ("infinite number", b'{"probe": 1e400}', "probe"),
    ("NaN", b'{"probe": NaN}', "probe"),
    ("huge integer", b'{"probe": ' + b"9" * 400 + b"}", "probe"),
    ("nested surrogate", b'{"voice_options": {"emotion": "\\ud83d"}, "elements": [{"url": "\\udfff"}]}',
     "voice_options.emotion"),
]


@pytest.fixture(scope="module")
def server():
    s = start(fast=True, api_key=KEY)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": KEY, "content-type": "application/json"},
                      timeout=60) as c:
        yield c


def refusal(path: str, response: httpx.Response) -> str:
    """The refusal's message, after checking it has the documented shape for ``path``."""
    assert response.status_code < 500, (path, response.status_code, response.text[:300])
    body = response.json()
    if path in DETECTION:  # face detection: {error_code: 1, error_msg} / analyze_frames: {success: false, error}
        assert body.get("error_code") == 1 or body.get("success") is False, (path, body)
        return body.get("error_msg") or body.get("error")
    assert body["code"] == 1003 and body["msg"].startswith("Parameter error: "), (path, body)
    return body["msg"]


def test_routes_are_enumerated():
    assert len(POSTS) >= 30 and "/api/open/v4/voice/tts" in POSTS and "/api/open/v4/knowledge/delete" in POSTS


@pytest.mark.parametrize("name, raw, field", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_every_post_path_refuses_hostile_bodies_naming_the_field(server, api, name, raw, field):
    before = server.stats()["creates"]
    for path in POSTS:
        method = "DELETE" if path.endswith("/knowledge/delete") else "POST"
        msg = refusal(path, api.request(method, path, content=raw))
        assert field in msg, (path, msg)
    assert server.stats()["creates"] == before  # nothing was created


def test_oversized_body_is_refused_with_the_limit(server, api):
    raw = b'{"input_text": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}'
    for path in ("/api/open/v4/voice/tts", "/interface/detect-api/detect_faces"):
        msg = refusal(path, api.post(path, content=raw))
        assert "body" in msg and f"{MAX_BODY_BYTES // 1048576} MB" in msg, msg


def test_a_60mb_prompt_is_refused_not_echoed(api):
    raw = json.dumps({"image_url": "https://example.com/a.png", "prompt": "p" * 60_000_000}).encode()
    r = api.post("/api/open/v4/image2Video/createBySourcePrompt", content=raw)
    assert len(r.content) < 1000 and "body" in refusal("", r)


def test_a_field_of_a_real_create_names_its_path(api):
    body = b'{"input_text": "Hello \\ud800", "voice_id": "' + VOICE.encode() + b'"}'
    assert "input_text must be valid UTF-8" in refusal("", api.post("/api/open/v4/voice/tts", content=body))
    body = b'{"input_text": "Hello", "voice_id": "' + VOICE.encode() + b'", "voice_options": {"emotion": "\\u0000"}}'
    assert "voice_options.emotion must not contain NUL" in refusal("", api.post("/api/open/v4/voice/tts", content=body))


def test_hostile_query_and_path_parameters(api):
    r = api.get("/api/open/v3/audio/infobymodelid", params={"audio_model_id": "a\x00b"})
    assert "audio_model_id must not contain NUL" in refusal("", r)
    r = api.get("/api/open/v4/voice/resource/detail/a%00b")
    assert "_id must not contain NUL" in refusal("", r)
    r = api.get("/api/open/v4/knowledge/detail", params={"id": "x" * 5000})
    assert "id must be at most" in refusal("", r)


def test_hostile_file_paths_are_not_found_not_errors(server):
    for rel in ("a%00b.png", "x" * 5000, "%2e%2e/%2e%2e/etc/passwd", "..%2f..%2fstate.sqlite"):
        r = httpx.get(f"{server.base_url}/_sim/files/{rel}")
        assert r.status_code == 404, (rel, r.status_code)


# The lists and details that must keep answering after the hostile run (no required ids beyond these).
LISTS = {"/api/open/v3/voice/list": {}, "/api/open/v4/voice/list": {"type": 2},
         "/api/open/v4/voice/resource/list": {"type": 1}, "/api/open/v3/avatar/list": {},
         "/api/open/v3/faceswap/quota/info": {}, "/api/open/v4/aigModel/list": {"types[]": 1501},
         "/api/open/v4/image2Video/effects": {}, "/api/open/v3/language/list": {},
         "/api/open/v4/knowledge/list": {}, "/api/open/v4/liveAvatar/avatar/list": {},
         "/api/open/v4/liveAvatar/session/list": {}}


def _ok(response: httpx.Response):
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert body["code"] == 1000, body
    return body["data"]


@pytest.mark.parametrize("raw", [b'{"input_text": "x\\ud800", "voice_id": "' + VOICE.encode() + b'"}',
                                 b'{"input_text": "x\xff", "voice_id": "' + VOICE.encode() + b'"}'])
def test_every_list_and_detail_still_answers_after_the_hostile_run(server, api, raw):
    tts = _ok(api.post("/api/open/v4/voice/tts", json={"input_text": "Still fine", "voice_id": VOICE}))
    kb = _ok(api.post("/api/open/v4/knowledge/create", json={"name": f"kb-{tts['_id']}"}))
    for path in POSTS:  # every create path, then the two that used to store the poison
        api.post(path, content=raw)
    api.post("/api/open/v4/knowledge/create", content=b'{"name": "\\ud800"}')
    for path, params in LISTS.items():
        _ok(api.get(path, params=params))
    _ok(api.get(f"/api/open/v4/voice/resource/detail/{tts['_id']}"))
    _ok(api.get("/api/open/v4/knowledge/detail", params={"id": kb["_id"]}))
    assert not any("\ud800" in json.dumps(item) for item in _ok(api.get("/api/open/v4/knowledge/list")))
    assert httpx.get(f"{server.base_url}/_sim/requests").status_code == 200


# ------------------------------------------------------------------- fuzz
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(POSTS), body=st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_fuzzed_json_bodies_never_answer_5xx(api, path, body):
    raw = json.dumps(body, allow_nan=True).encode()
    r = api.request("DELETE" if path.endswith("/knowledge/delete") else "POST", path, content=raw)
    assert r.status_code < 500, (path, raw[:200], r.text[:300])
    r.json()  # always a JSON answer


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(POSTS), raw=st.binary(max_size=300))
def test_fuzzed_bytes_never_answer_5xx(api, path, raw):
    r = api.request("DELETE" if path.endswith("/knowledge/delete") else "POST", path, content=raw)
    assert r.status_code < 500, (path, raw[:200], r.text[:300])
    r.json()


def test_a_failed_job_reads_like_akool_not_like_a_traceback(server, api):
    import io
    import time

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, format="PNG")
    photo = _ok(api.post("/_sim/assets", params={"filename": "p.png"}, content=buffer.getvalue()))["url"]
    not_audio = _ok(api.post("/_sim/assets", params={"filename": "a.mp3"}, content=b"this is not audio"))["url"]
    job = _ok(api.post("/api/open/v3/content/video/createbytalkingphoto",
                       json={"talking_photo_url": photo, "audio_url": not_audio}))
    deadline = time.monotonic() + 60
    while (record := _ok(api.get("/api/open/v3/content/video/infobymodelid",
                                 params={"video_model_id": job["_id"]})))["video_status"] != 4:
        assert time.monotonic() < deadline, record
        time.sleep(0.1)
    reason = record["error_reason"]
    assert reason == "audio_url could not be decoded as audio", reason
    for python_text in ("Traceback", "Error:", "Exception", "File \"", "RuntimeError", "ffmpeg"):
        assert python_text not in reason
