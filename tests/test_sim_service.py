"""The offline Akool as a black box: plain httpx over real loopback HTTP (never our client).

Auth, validation, the job clock, real media, webhooks, faults, persistence and the CLI.
"""
from __future__ import annotations

import http.server
import io
import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest
from PIL import Image

from akool_nb.sim import start

KEY = "test-key-0123456789abcdef"
SECRET = "sim-webhook-secret-24chr"  # 24 bytes: the AES-192 webhook key
CLIENT_ID = "akoolnbsimclient"
TTS3, INFO3 = "/api/open/v3/audio/create", "/api/open/v3/audio/infobymodelid"
TTS4 = "/api/open/v4/voice/tts"
TP, TA, VIDEO_INFO = ("/api/open/v3/content/video/createbytalkingphoto", "/api/open/v3/talkingavatar/create",
                      "/api/open/v3/content/video/infobymodelid")
VOICE = "6889b628662160e2caad5dbc"


@pytest.fixture(scope="module")
def server():
    s = start(fast=True, api_key=KEY, client_secret=SECRET)
    yield s
    s.stop()


@pytest.fixture
def api(server):
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": KEY}, timeout=30) as c:
        yield c
    server.reset()


def ok(response: httpx.Response):
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == 1000 and body["msg"] == "OK", body
    return body["data"]


def wait(api, path, params, field="status", timeout=40):
    deadline = time.monotonic() + timeout
    while True:
        data = ok(api.get(path, params=params))
        record = data["result"] if "result" in data else data
        if record[field] in (3, 4):
            return record
        assert time.monotonic() < deadline, record
        time.sleep(0.05)


def upload(api, name: str, data: bytes) -> str:
    return ok(api.post("/_sim/assets", params={"filename": name}, content=data))["url"]


def download(url: str, tmp_path, name: str):
    r = httpx.get(url, timeout=30)
    assert r.status_code == 200, url
    path = tmp_path / name
    path.write_bytes(r.content)
    return path


@pytest.fixture(scope="module")
def inputs(server, tmp_path_factory):
    """A portrait PNG and a speech MP3 hosted by the service, plus the speech's duration."""
    from akool_nb.sim import media

    d = tmp_path_factory.mktemp("inputs")
    media.make_sample_portrait(d / "face.png", size=256)
    seconds = media.synthesize_speech("Hello from the offline Akool test suite.", d / "speech.mp3", fast=True)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": KEY}) as c:
        return {"photo": upload(c, "face.png", (d / "face.png").read_bytes()),
                "audio": upload(c, "speech.mp3", (d / "speech.mp3").read_bytes()), "seconds": seconds}


# ----------------------------------------------------------------------------------------------- auth
def test_auth_headers_and_precedence(server):
    url = f"{server.base_url}/api/open/v3/voice/list"
    assert httpx.get(url).json() == {"code": 1102, "msg": "Authorization cannot be empty"}
    assert httpx.get(url, headers={"x-api-key": "wrong"}).json()["code"] == 1101
    assert httpx.get(url, headers={"x-api-key": KEY}).json()["code"] == 1000
    # Authorization wins over x-api-key when both are sent (catalog §A.2)
    both_bad_bearer = httpx.get(url, headers={"x-api-key": KEY, "Authorization": "Bearer nope"})
    assert both_bad_bearer.status_code == 200 and both_bad_bearer.json()["code"] == 1101
    token = httpx.post(f"{server.base_url}/api/open/v3/getToken", json={"clientId": CLIENT_ID, "clientSecret": KEY}).json()
    good = httpx.get(url, headers={"x-api-key": "wrong", "Authorization": f"Bearer {token['token']}"})
    assert good.json()["code"] == 1000
    assert httpx.post(f"{server.base_url}/_sim/assets", content=b"x").json()["code"] == 1102


def test_get_token_bearer_and_expiry(server):
    url = f"{server.base_url}/api/open/v3/getToken"
    body = httpx.post(url, json={"clientId": CLIENT_ID, "clientSecret": KEY}).json()
    assert body["code"] == 1000 and isinstance(body["token"], str) and "data" not in body  # token at the top level
    assert httpx.post(url, json={"clientId": "other", "clientSecret": KEY}).json()["code"] == 1101
    assert httpx.post(url, json={"clientId": CLIENT_ID, "clientSecret": "nope"}).json()["code"] == 1101
    missing = httpx.post(url, json={"clientId": CLIENT_ID}).json()
    assert missing["code"] == 1102 and "clientSecret is required" in missing["msg"]  # the page lists 1102

    voices = f"{server.base_url}/api/open/v4/voice/list?type=2"
    bearer = {"Authorization": f"Bearer {body['token']}"}
    assert httpx.get(voices, headers=bearer).json()["code"] == 1000
    server.faults.expire_tokens()
    assert httpx.get(voices, headers=bearer).json()["code"] == 1101
    fresh = httpx.post(url, json={"clientId": CLIENT_ID, "clientSecret": KEY}).json()["token"]
    assert httpx.get(voices, headers={"Authorization": f"Bearer {fresh}"}).json()["code"] == 1000
    httpx.post(f"{server.base_url}/_sim/faults", json={"expire_tokens": True}).raise_for_status()
    assert httpx.get(voices, headers={"Authorization": f"Bearer {fresh}"}).json()["code"] == 1101


def test_webhook_key_rules(tmp_path):
    with pytest.raises(ValueError, match="client_secret must be 16, 24 or 32 bytes"):
        start(fast=True, client_secret="short")
    with start(fast=True, api_key=KEY, data_dir=tmp_path) as s:  # a 25-byte api key and no client_secret
        r = httpx.post(f"{s.base_url}{TTS3}", headers={"x-api-key": KEY},
                       json={"input_text": "hi", "voice_id": VOICE, "webhookUrl": "http://127.0.0.1:9/hook"}).json()
        assert r["code"] == 1000  # the real service never refuses a create for its key (webhooks: not sent)
        assert "--client-secret" in s.webhook_warning and "16, 24 or 32" in s.webhook_warning
        assert s.client_secret == KEY
    with start(fast=True, data_dir=tmp_path / "b") as s:
        assert len(s.client_secret) == 24 and s.api_key is None
        assert httpx.get(f"{s.base_url}/api/open/v3/voice/list", headers={"x-api-key": "anything"}).json()["code"] == 1000


# ----------------------------------------------------------------------------------------- validation
TA_BODY = {"width": 3840, "height": 2160, "avatar_from": 3, "elements": [
    {"type": "image", "url": "#00ff00", "width": 3840, "height": 2160, "scale_x": 1, "scale_y": 1, "offset_x": 0, "offset_y": 0},
    {"type": "avatar", "url": "https://example.com/a.mp4", "width": 1080, "height": 1080, "scale_x": 1, "scale_y": 1,
     "offset_x": 1920, "offset_y": 1080},
    {"type": "audio", "input_text": "Hi", "voice_id": VOICE}]}


def _ta(**changes):
    body = json.loads(json.dumps(TA_BODY))
    for key, value in changes.items():
        if key[:2] == "el" and key[2].isdigit():
            index, field = int(key[2]), key[4:]
            if value is None:
                body["elements"][index].pop(field, None)
            else:
                body["elements"][index][field] = value
        elif value is None:
            body.pop(key)
        else:
            body[key] = value
    return body


TP_OK = {"talking_photo_url": "https://example.com/p.jpg", "audio_url": "https://example.com/a.mp3"}
BAD = [
    (TP, {}, "talking_photo_url is required"),
    (TP, {**TP_OK, "talking_photo_url": "photo.jpg"}, "talking_photo_url must be an http(s) URL"),
    (TP, {"talking_photo_url": TP_OK["talking_photo_url"]}, "audio_url is required"),
    (TP, {**TP_OK, "resolution": "720p"}, 'resolution must be "720" or "1080"'),
    (TP, {**TP_OK, "resolution": 720}, 'resolution must be "720" or "1080"'),
    (TP, {**TP_OK, "webhookUrl": "ftp://x"}, "webhookUrl must be an http(s) URL"),
    (TA, _ta(width=1920), "width must be 3840"),
    (TA, _ta(height=None), "height is required"),
    (TA, _ta(avatar_from=1), "avatar_from must be 2 or 3"),
    (TA, _ta(elements=[]), "elements must not be empty"),
    (TA, _ta(el0_scale_x=None), "elements[0].scale_x is required when type is image"),
    (TA, _ta(el1_offset_y=None), "elements[1].offset_y is required when type is avatar"),
    (TA, _ta(el0_url="https://example.com/bg.gif"), "elements[0].url must be an image URL (.png, .jpg, .jpeg, .webp)"),
    (TA, _ta(el0_url="#12345"), "elements[0].url must be an image URL"),
    (TA, _ta(el1_type="video"), 'elements[1].type must be "avatar", "image" or "audio"'),
    (TA, _ta(el1_url=None), "elements[1].url is required when avatar_from is 3"),
    (TA, _ta(avatar_from=2), "elements[1].avatar_id is required when type is avatar and avatar_from is 2"),
    (TA, _ta(el2_voice_id=None), "elements[2].voice_id is required"),
    (TA, _ta(el2_input_text=None, el2_voice_id=None), "elements[2].url or input_text and voice_id is required"),
    (TA, {**TA_BODY, "elements": TA_BODY["elements"] + [TA_BODY["elements"][2]]}, "exactly one audio element"),
    (TTS3, {"voice_id": VOICE}, "input_text is required"),
    (TTS3, {"input_text": "hi", "voice_id": VOICE, "rate": "150%"}, "rate must be a percentage string between 0% and 100%"),
    (TTS3, {"input_text": "hi", "voice_id": VOICE, "rate": 100}, "rate must be a percentage string"),
    ("/api/open/v3/audio/clone", {"input_text": "hi", "rate": "100%"}, "voice_url or voice_id is required"),
    ("/api/open/v3/audio/clone", {"input_text": "hi", "voice_id": VOICE}, "rate is required"),
    (TTS4, {"input_text": "hi"}, "voice_id is required"),
    (TTS4, {"input_text": "hi", "voice_id": VOICE, "voice_options": {"speed": 2}}, "voice_options.speed must be between 0.7 and 1.2"),
    (TTS4, {"input_text": "hi", "voice_id": VOICE, "voice_options": {"emotion": "bored"}}, 'voice_options.emotion must be "happy"'),
    (TTS4, {"input_text": "hi", "voice_id": VOICE, "voice_options": {"volume": 50.5}}, "voice_options.volume must be an integer"),
    (TTS4, {"input_text": "hi", "voice_id": VOICE, "voice_options": {"stability": True}}, "voice_options.stability must be a number"),
    (TTS4, {"input_text": "hi", "voice_id": VOICE, "extra_options": {"timber_weights": [{"voice_id": "a", "weight": 1}] * 5}},
     "extra_options.timber_weights must have at most 4 items"),
    (TTS4, {"input_text": "hi", "voice_id": VOICE, "pitch": 20}, "pitch must be between -12 and 12"),
    (TTS4, {"input_text": "hi", "voice_id": VOICE, "language_code": "English"}, "language_code must be an ISO 639-1"),
    ("/api/open/v3/avatar/create", {"url": "https://e.com/a.mp4", "avatar_id": "bad id!", "name": "n", "type": 1},
     "avatar_id must match ^[a-zA-Z0-9]+$"),
    ("/api/open/v3/avatar/create", {"url": "https://e.com/a.mp4", "avatar_id": "ok1", "name": "n", "type": 3}, "type must be 1 or 2"),
    ("/api/open/v3/avatar/create", {"url": "https://e.com/a.mp4", "avatar_id": "ok1", "name": "n", "type": 1, "url_from": 5},
     "url_from must be 1 or 2"),
]


@pytest.mark.parametrize("path,body,message", BAD, ids=[f"{p.rsplit('/', 1)[-1]}-{m[:40]}" for p, _, m in BAD])
def test_validation_names_field_and_rule(api, path, body, message):
    r = api.post(path, json=body)
    assert r.status_code == 200
    assert r.json()["code"] == 1003 and message in r.json()["msg"], r.json()
    assert r.json()["msg"].startswith("Parameter error: ")
    assert server_creates(api) == {}  # nothing was created


def server_creates(api):
    return api.get("/_sim/stats").json()["creates"]


@pytest.mark.parametrize("path,content", [(TTS3, b"not json"), (TTS3, b"[1, 2]"), (TP, b"")])
def test_body_must_be_a_json_object(api, path, content):
    r = api.post(path, content=content, headers={"content-type": "application/json"}).json()
    assert r == {"code": 1003, "msg": "Parameter error: body must be a JSON object"}


@pytest.mark.parametrize("path,message", [
    ("/api/open/v4/voice/list", "type is required"), ("/api/open/v4/voice/list?type=3", "type must be 1 or 2"),
    ("/api/open/v3/voice/list?from=1", "from must be 3 or 4"), ("/api/open/v3/avatar/list?from=5", "from must be 2 or 3"),
    ("/api/open/v4/voice/list?type=2&page=0", "page must be a positive integer"), (VIDEO_INFO, "video_model_id is required")])
def test_query_validation(api, path, message):
    r = api.get(path).json()
    assert r["code"] == 1003 and message in r["msg"]


def test_unknown_things(api):
    r = api.get("/api/open/v3/nope")
    assert r.status_code == 404 and r.json()["code"] == 1008
    assert api.get(VIDEO_INFO, params={"video_model_id": "0" * 24}).json()["code"] == 1008
    assert api.get("/api/open/v4/voice/resource/detail/" + "0" * 24).json()["code"] == 1008
    bad_avatar = api.post(TA, json=_ta(avatar_from=2, el1_url=None, el1_avatar_id="nosuchavatar")).json()
    assert bad_avatar["code"] == 1003 and "elements[1].avatar_id nosuchavatar" in bad_avatar["msg"]


# ------------------------------------------------------------------------------------------ audio jobs
def test_tts_v3_goes_1_2_3_and_serves_the_mp3(api, tmp_path):
    from akool_nb.sim.media import media_duration

    created = ok(api.post(TTS3, json={"input_text": "Short one.", "voice_id": VOICE, "rate": "100%"}))
    assert set(created) >= {"_id", "status"} and created["status"] == 1 and len(created["_id"]) == 24
    seen = [1]
    while seen[-1] not in (3, 4):
        seen.append(ok(api.get(INFO3, params={"audio_model_id": created["_id"]}))["status"])
        time.sleep(0.02)
    assert seen == sorted(seen) and 2 in seen and seen[-1] == 3
    info = ok(api.get(INFO3, params={"audio_model_id": created["_id"]}))
    assert set(info) >= {"status", "_id", "url"} and info["url"].startswith(str(api.base_url).rstrip("/"))
    head = httpx.head(info["url"])
    assert head.headers["content-type"] == "audio/mpeg"
    part = httpx.get(info["url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100 and part.headers["content-range"].startswith("bytes 0-99/")
    short = media_duration(download(info["url"], tmp_path, "short.mp3"))

    long_job = ok(api.post(TTS3, json={"input_text": "A much longer sentence, with many more words to say out loud "
                                       "so that the speech lasts clearly longer than before.", "voice_id": VOICE}))
    long_url = wait(api, INFO3, {"audio_model_id": long_job["_id"]})["url"]
    longer = media_duration(download(long_url, tmp_path, "long.mp3"))
    assert 0 < short and longer > 1.5 * short


def test_v3_clone_and_voice_list(api, inputs):
    voices = ok(api.get("/api/open/v3/voice/list", params={"from": 3}))
    assert len(voices) >= 10 and all({"voice_id", "preview", "name", "gender", "accent", "from"} <= set(v) for v in voices)
    assert all(v["name"].endswith("(sim)") for v in voices)
    assert ok(api.get("/api/open/v3/voice/list", params={"from": 4})) == []
    preview = httpx.get(voices[1]["preview"])  # synthesized on first request
    assert preview.status_code == 200 and preview.headers["content-type"] == "audio/mpeg" and len(preview.content) > 500
    clone = ok(api.post("/api/open/v3/audio/clone", json={"input_text": "Cloned hello.", "rate": "80%",
                                                          "voice_url": inputs["audio"]}))
    assert set(clone) >= {"_id", "status", "url"} and clone["status"] == 1
    assert wait(api, INFO3, {"audio_model_id": clone["_id"]})["status"] == 3


def test_voicelab_v4_list_tts_and_results(api):
    everything = ok(api.get("/api/open/v4/voice/list", params={"type": "2", "size": "100"}))
    assert set(everything) == {"result", "count", "page", "size"} and everything["count"] >= 12
    v = everything["result"][0]
    for field, kind in [("_id", str), ("voice_id", str), ("gender", str), ("language", str), ("locale", str),
                        ("name", str), ("preview", str), ("status", int), ("style", list), ("scenario", list),
                        ("age", list), ("voice_model_name", str), ("support_stream", bool), ("duration", int)]:
        assert isinstance(v[field], kind), field
    assert {x["voice_model_name"] for x in everything["result"]} <= {f"Akool Multilingual {i}" for i in range(1, 5)}
    women = ok(api.get("/api/open/v4/voice/list", params={"type": "2", "gender": "Female", "size": "100"}))["result"]
    assert women and all(x["gender"] == "Female" for x in women) and len(women) < everything["count"]
    both = ok(api.get("/api/open/v4/voice/list", params={"type": "2", "style": "Calm,Deep", "size": "100"}))["result"]
    assert all({"Calm", "Deep"} & set(x["style"]) for x in both) and len(both) >= 2
    assert [x["name"] for x in ok(api.get("/api/open/v4/voice/list", params={"type": "2", "name": "mArc"}))["result"]] == ["Marcus (sim)"]
    streams = ok(api.get("/api/open/v4/voice/list", params={"type": "2", "support_stream": "2", "size": "100"}))["result"]
    assert streams and not any(x["support_stream"] for x in streams)
    page2 = ok(api.get("/api/open/v4/voice/list", params={"type": "2", "page": "2", "size": "5"}))
    assert page2["page"] == 2 and page2["size"] == 5 and page2["result"][0] == everything["result"][5]
    assert ok(api.get("/api/open/v4/voice/list", params={"type": "1"}))["count"] == 0

    created = ok(api.post(TTS4, json={"input_text": "VoiceLab hello.", "voice_id": VOICE, "language_code": "en",
                                      "voice_options": {"speed": 1.1, "stability": 0.6}, "pitch": -5}))
    for field in ("create_time", "uid", "team_id", "input_text", "preview", "status", "webhookUrl", "duration",
                  "file_name", "gender", "deduction_credit", "name", "_id", "voice_model_id", "voice_id", "voice_options"):
        assert field in created, field
    assert created["status"] == 1 and created["preview"] is None and created["voice_options"]["speed"] == 1.1
    done = wait(api, f"/api/open/v4/voice/resource/detail/{created['_id']}", None)
    assert done["status"] == 3 and done["preview"].endswith(".mp3") and done["duration"] > 0
    listed = ok(api.get("/api/open/v4/voice/resource/list", params={"type": "1"}))
    assert created["_id"] in [r["_id"] for r in listed["result"]]
    assert ok(api.get("/api/open/v4/voice/resource/list", params={"type": "2"}))["result"] == []


# ------------------------------------------------------------------------------------------ video jobs
def _streams(path) -> str:
    import imageio_ffmpeg

    return subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                          capture_output=True, text=True).stderr


def test_talking_photo_makes_an_mp4_as_long_as_the_audio(api, inputs, tmp_path):
    from akool_nb.sim.media import media_duration

    created = ok(api.post(TP, json={"talking_photo_url": inputs["photo"], "audio_url": inputs["audio"],
                                    "resolution": "720", "prompt": "wave"}))
    assert created["video_status"] == 1 and created["video"] == "" and len(created["_id"]) == 24
    done = wait(api, VIDEO_INFO, {"video_model_id": created["_id"]}, "video_status")
    assert done["video_status"] == 3 and set(done) >= {"_id", "video_status", "video", "create_time"}
    mp4 = download(done["video"], tmp_path, "tp.mp4")
    info = _streams(mp4)
    assert "Video:" in info and "Audio:" in info
    assert abs(media_duration(mp4) - inputs["seconds"]) < 0.3
    assert httpx.head(done["video"]).headers["content-type"] == "video/mp4"


def test_talking_photo_with_an_unreachable_input_fails_with_a_reason(api, inputs):
    created = ok(api.post(TP, json={"talking_photo_url": "http://127.0.0.1:9/none.png", "audio_url": inputs["audio"]}))
    done = wait(api, VIDEO_INFO, {"video_model_id": created["_id"]}, "video_status")
    assert done["video_status"] == 4 and done["video"] == "" and "talking_photo_url" in done["error_reason"]


def _is_red(pixel) -> bool:
    r, g, b = pixel[:3]
    return r > 170 and g < 90 and b < 90


def test_talking_avatar_composites_the_elements(api, tmp_path):
    from akool_nb.sim.media import make_poster

    avatars = ok(api.get("/api/open/v3/avatar/list", params={"from": 2}))["result"]
    body = {"width": 3840, "height": 2160, "avatar_from": 2, "webhookUrl": "", "elements": [
        {"type": "image", "url": "#ff0000", "width": 960, "height": 540, "scale_x": 1, "scale_y": 1,
         "offset_x": 960, "offset_y": 540},
        {"type": "avatar", "avatar_id": avatars[0]["avatar_id"], "width": 1080, "height": 1080, "scale_x": 1,
         "scale_y": 1, "offset_x": 2400, "offset_y": 300},
        {"type": "audio", "input_text": "Talking avatar test.", "voice_id": VOICE}]}
    created = ok(api.post(TA, json=body))
    assert set(created) == {"_id", "uid", "video_id", "task_id", "video_status", "video", "create_time"}
    assert created["video_status"] == 1
    done = wait(api, VIDEO_INFO, {"video_model_id": created["_id"]}, "video_status")
    assert done["video_status"] == 3, done
    frame = Image.open(make_poster(download(done["video"], tmp_path, "ta.mp4"), tmp_path / "first.png", max_size=4000))
    w, h = frame.size
    assert abs(w / h - 16 / 9) < 0.02
    assert _is_red(frame.getpixel((int(w * 0.375), int(h * 0.375))))  # inside the red rectangle
    for x, y in [(0.2, 0.2), (0.55, 0.375), (0.375, 0.55)]:  # just outside it
        assert not _is_red(frame.getpixel((int(w * x), int(h * y))))
    avatar_px = frame.getpixel((int(w * (2400 + 540) / 3840), int(h * (300 + 540) / 2160)))
    assert sum(avatar_px[:3]) > 60  # the avatar is drawn there, not the black background


def test_legacy_create_video(api):
    avatars = ok(api.get("/api/open/v3/avatar/list", params={"from": 2}))["result"]
    created = ok(api.post("/api/open/v3/avatar/createVideo", json={"data": [{
        "width": 1920, "height": 1080, "duration": 1500, "background": "#204080", "avatarFrom": 2,
        "elements": [{"type": "avatar", "avatar_id": avatars[1]["avatar_id"], "scale_x": 1, "scale_y": 1,
                      "offset_x": 600, "offset_y": 100, "width": 700, "height": 700, "layer_number": 1}]}]}))
    assert created["video_status"] == 1
    assert wait(api, VIDEO_INFO, {"video_model_id": created["_id"]}, "video_status")["video_status"] == 3


def test_avatars_list_detail_and_upload(api):
    listed = ok(api.get("/api/open/v3/avatar/list", params={"from": 2, "page": 1, "size": 100}))
    official = listed["result"]  # the shape Akool's own demo reads (the docs say a bare array)
    assert isinstance(official, list) and official and listed["count"] == len(official)
    for a in official:
        assert {"name", "avatar_id", "url", "gender", "thumbnailUrl", "from", "type"} <= set(a) and a["from"] == 2
        assert a["name"].endswith("(sim)")
    assert httpx.head(official[0]["url"]).headers["content-type"] == "video/mp4"
    assert httpx.get(official[0]["thumbnailUrl"]).headers["content-type"] == "image/jpeg"
    detail = ok(api.get("/api/open/v3/avatar/detail", params={"id": official[0]["_id"]}))
    assert isinstance(detail, dict) and detail["avatar_id"] == official[0]["avatar_id"]

    created = ok(api.post("/api/open/v3/avatar/create", json={"url": official[0]["url"], "avatar_id": "myAvatar7",
                                                              "name": "Mine", "type": "1", "url_from": 1}))
    assert isinstance(created, dict) and created["status"] == 1 and created["from"] == 3
    assert {"_id", "uid", "type", "from", "status", "name", "avatar_id", "url", "thumbnailUrl"} <= set(created)
    again = api.post("/api/open/v3/avatar/create", json={"url": official[0]["url"], "avatar_id": "myAvatar7",
                                                         "name": "Mine", "type": 1}).json()
    assert again["code"] == 1222
    deadline = time.monotonic() + 30
    while (d := ok(api.get("/api/open/v3/avatar/detail", params={"id": created["_id"]})))["status"] not in (3, 4):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert d["status"] == 3 and d["thumbnailUrl"]
    thumb = Image.open(io.BytesIO(httpx.get(d["thumbnailUrl"]).content))
    assert max(thumb.size) <= 480
    mine = ok(api.get("/api/open/v3/avatar/list", params={"from": 3}))["result"]
    assert [a["avatar_id"] for a in mine] == ["myAvatar7"] and mine[0]["from"] == 3
    assert ok(api.get("/api/open/v3/avatar/list", params={"from": 3, "type": 2}))["result"] == []


# -------------------------------------------------------------------------------------------- webhooks
class Receiver:
    """A tiny webhook receiver on loopback that answers the given HTTP codes, then 200."""

    def __init__(self, codes=()):
        self.codes, self.calls = list(codes), []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                code = outer.codes.pop(0) if outer.codes else 200
                outer.calls.append((code, body))
                self.send_response(code)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def wait_ok(self, n, timeout=20):
        deadline = time.monotonic() + timeout
        while sum(code == 200 for code, _ in self.calls) < n:
            assert time.monotonic() < deadline, self.calls
            time.sleep(0.05)

    def close(self):
        self.httpd.shutdown()


def test_webhooks_are_signed_encrypted_and_retried(api, server):
    from akool_nb.webhook import verify_and_decrypt

    hook = Receiver(codes=[500])
    try:
        created = ok(api.post(TTS3, json={"input_text": "Webhook please.", "voice_id": VOICE, "webhookUrl": hook.url}))
        hook.wait_ok(2)
        assert all(set(body) == {"signature", "dataEncrypt", "timestamp", "nonce"} for _, body in hook.calls)
        data = [verify_and_decrypt(body, client_id=server.client_id, client_secret=server.client_secret)
                for _, body in hook.calls]
        assert [d["status"] for d in data] == [2, 2, 3]  # the first answer was 500: retried
        assert {d["_id"] for d in data} == {created["_id"]} and {d["type"] for d in data} == {"audio"}
        info = ok(api.get(INFO3, params={"audio_model_id": created["_id"]}))
        assert data[-1]["url"] == info["url"] and data[0]["url"] == ""
        log = [w for w in server.stats()["webhooks"] if w["job_id"] == created["_id"]]
        assert [(w["status"], w["attempts"], w["status_code"], w["delivered"]) for w in log] == [(2, 2, 200, True), (3, 1, 200, True)]
    finally:
        hook.close()


def test_failed_job_webhook_and_talking_photo_type(api, server, inputs):
    from akool_nb.webhook import verify_and_decrypt

    hook = Receiver()
    try:
        server.faults.fail_next_jobs = 1
        created = ok(api.post(TP, json={"talking_photo_url": inputs["photo"], "audio_url": inputs["audio"],
                                        "webhookUrl": hook.url}))
        hook.wait_ok(2)
        data = [verify_and_decrypt(b, client_id=CLIENT_ID, client_secret=SECRET) for _, b in hook.calls]
        assert [(d["status"], d["type"]) for d in data] == [(2, "talking photo"), (4, "talking photo")]
        info = ok(api.get(VIDEO_INFO, params={"video_model_id": created["_id"]}))
        assert info["video_status"] == 4 and "fail_next_jobs" in info["error_reason"]
    finally:
        hook.close()


# ---------------------------------------------------------------------------------------------- faults
def test_fail_next_jobs_only_fails_that_many(api, server):
    server.faults.set(fail_next_jobs=1, path_contains="audio/create")
    first = ok(api.post(TTS3, json={"input_text": "one", "voice_id": VOICE}))
    second = ok(api.post(TTS3, json={"input_text": "two", "voice_id": VOICE}))
    assert wait(api, INFO3, {"audio_model_id": first["_id"]})["status"] == 4
    assert wait(api, INFO3, {"audio_model_id": second["_id"]})["status"] == 3


def test_answer_1005_and_500(api, server):
    httpx.post(f"{server.base_url}/_sim/faults", json={"answer_1005": 1, "path_contains": "voice/list"}).raise_for_status()
    busy = api.get("/api/open/v3/voice/list")
    assert busy.status_code == 200 and busy.json()["code"] == 1005 and busy.headers["retry-after"] == "0"
    assert api.get("/api/open/v3/voice/list").json()["code"] == 1000
    server.faults.set(answer_500=1, path_contains="audio/create")
    assert api.get("/api/open/v3/voice/list").json()["code"] == 1000  # other paths untouched
    broken = api.post(TTS3, json={"input_text": "x", "voice_id": VOICE})
    assert broken.status_code == 500 and not broken.headers["content-type"].startswith("application/json")
    assert server_creates(api) == {}  # neither fault processed anything
    assert ok(api.post(TTS3, json={"input_text": "x", "voice_id": VOICE}))["status"] == 1
    assert server.stats()["creates"] == {TTS3: 1} and server.stats()["requests_by_path"][TTS3] == 2


def test_drop_processes_then_closes_the_connection(api, server):
    server.faults.set(drop=1, path_contains="audio/create")
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(TTS3, json={"input_text": "dropped but made", "voice_id": VOICE})
    assert server.stats()["creates"] == {TTS3: 1}  # the job was created exactly once
    assert server.faults.drop == 0
    assert api.get("/api/open/v3/voice/list").json()["code"] == 1000


def test_delay_reset_and_recorded_requests(api, server):
    r = httpx.post(f"{server.base_url}/_sim/faults", json={"delay_s": 0.4, "path_contains": "avatar/list"}).json()
    assert r["data"]["delay_s"] == {"value": 0.4, "path_contains": "avatar/list"}
    t = time.monotonic()
    ok(api.get("/api/open/v3/avatar/list"))
    assert time.monotonic() - t >= 0.4
    t = time.monotonic()
    ok(api.get("/api/open/v3/voice/list"))
    assert time.monotonic() - t < 0.4
    httpx.post(f"{server.base_url}/api/open/v3/getToken", json={"clientId": CLIENT_ID, "clientSecret": KEY})
    recorded = httpx.get(f"{server.base_url}/_sim/requests").json()
    assert [(x["method"], x["path"]) for x in recorded][-1] == ("POST", "/api/open/v3/getToken")
    assert recorded[0]["auth"] == "x-api-key" and recorded[-1]["json"]["clientSecret"] == "***"
    assert KEY not in json.dumps(recorded)
    assert httpx.post(f"{server.base_url}/_sim/reset").json()["code"] == 1000
    assert server.faults.delay_s == 0 and server.stats()["requests"] == 0
    assert httpx.get(f"{server.base_url}/_sim/health").json()["data"]["status"] == "ok"
    assert httpx.post(f"{server.base_url}/_sim/faults", json={"explode": 1}).status_code == 400


# --------------------------------------------------------------------------------------- persistence
def test_restart_keeps_results_and_resumes_unfinished_jobs(tmp_path):
    headers = {"x-api-key": KEY}
    with start(fast=True, api_key=KEY, client_secret=SECRET, data_dir=tmp_path) as first:
        a = httpx.post(f"{first.base_url}{TTS3}", headers=headers, json={"input_text": "Kept.", "voice_id": VOICE}).json()["data"]
        b = httpx.post(f"{first.base_url}{TTS3}", headers=headers, json={"input_text": "Resumed.", "voice_id": VOICE}).json()["data"]
        with httpx.Client(base_url=first.base_url, headers=headers) as c:
            wait(c, INFO3, {"audio_model_id": a["_id"]})
            wait(c, INFO3, {"audio_model_id": b["_id"]})
    db = sqlite3.connect(tmp_path / "state.sqlite")  # pretend the service died while making job b
    db.execute("UPDATE jobs SET media_state = 'pending', result = '{}' WHERE id = ?", (b["_id"],))
    db.commit()
    db.close()
    with start(fast=True, api_key=KEY, client_secret=SECRET, data_dir=tmp_path) as second:
        with httpx.Client(base_url=second.base_url, headers=headers) as c:
            kept = ok(c.get(INFO3, params={"audio_model_id": a["_id"]}))
            assert kept["status"] == 3 and kept["url"].startswith(second.base_url)
            assert httpx.get(kept["url"]).status_code == 200
            resumed = wait(c, INFO3, {"audio_model_id": b["_id"]})
            assert resumed["status"] == 3 and httpx.get(resumed["url"]).status_code == 200


# --------------------------------------------------------------------------------------- packaging
def test_cli_serves_in_the_foreground(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "akool_nb.sim", "--port", "0", "--fast", "--api-key", KEY,
                             "--client-secret", SECRET, "--data-dir", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "offline Akool (simulated results)" in line, proc.stderr.read() if proc.poll() is not None else line
        base = line.split()[0]
        assert httpx.get(f"{base}/api/open/v3/voice/list", headers={"x-api-key": KEY}).json()["code"] == 1000
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_import_is_light():
    code = ("import sys, akool_nb.sim; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'numpy', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    missing = ("import sys; sys.modules['uvicorn'] = None\nfrom akool_nb.sim import start\n"
               "try:\n    start()\nexcept ImportError as exc:\n    print(exc)")
    out = subprocess.run([sys.executable, "-c", missing], capture_output=True, text=True, check=True).stdout
    assert 'pip install "akool_nb[sim]"' in out


def test_sim_jobs_lists_every_job_with_a_fingerprint_of_its_parameters(server, api):
    first = ok(api.post(TTS4, json={"input_text": "Fingerprint me", "voice_id": VOICE}))
    twin = ok(api.post(TTS4, json={"input_text": "Fingerprint me", "voice_id": VOICE}))
    other = ok(api.post(TTS4, json={"input_text": "Something else", "voice_id": VOICE}))
    listed = {j["id"]: j for j in ok(httpx.get(f"{server.base_url}/_sim/jobs"))}
    assert listed[first["_id"]]["path"] == TTS4 and listed[first["_id"]]["kind"] == "tts_v4"
    assert listed[first["_id"]]["fingerprint"] == listed[twin["_id"]]["fingerprint"]  # the same parameters
    assert listed[first["_id"]]["fingerprint"] != listed[other["_id"]]["fingerprint"]
    assert listed[first["_id"]]["created"] <= listed[other["_id"]]["created"]
