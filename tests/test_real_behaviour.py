"""The offline Akool as the real service behaves (issue 10): what Akool's own demo apps and other people's code
send and read, tried over real HTTP with raw httpx the way such code is written (never through our client).

Each deviation from the docs' letter tested here is listed with its evidence in docs/api-coverage.md.
"""
from __future__ import annotations

import io
import subprocess
import sys
import time

import httpx
import pytest
from PIL import Image

from .conftest import API_KEY
from .simctl import control, creates

HEADERS = {"x-api-key": API_KEY}
VOICE = "6889b628662160e2caad5dbc"  # the docs' own voice id (B.3.2, B.5.2), in the voice lists


@pytest.fixture
def api(sim):
    with httpx.Client(base_url=sim.base_url, headers=HEADERS, timeout=30) as c:
        yield c


def data(response: httpx.Response):
    body = response.json()
    assert body["code"] == 1000, body
    return body["data"]


def poll(until, timeout: float = 60.0, every: float = 0.05):
    """Poll the way the demos do: call until the condition holds (with a cap)."""
    deadline = time.monotonic() + timeout
    while True:
        value = until()
        if value:
            return value
        assert time.monotonic() < deadline, "gave up polling"
        time.sleep(every)


def upload(sim, content: bytes, name: str) -> str:
    r = httpx.post(f"{sim.base_url}/_sim/assets", params={"filename": name}, content=content, headers=HEADERS)
    return r.json()["data"]["url"]


def png_of(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


# ------------------------------------------------------------------------------------- image generate
def test_a_finished_generation_carries_four_upscaled_files(api):
    created = data(api.post("/api/open/v3/content/image/createbyprompt", json={"prompt": "a red fox", "scale": "1:1"}))
    # Akool's demo: poll infobymodelid until upscaled_urls is non-empty.
    info = poll(lambda: (d := data(api.get("/api/open/v3/content/image/infobymodelid",
                                           params={"image_model_id": created["_id"]})))["upscaled_urls"] and d)
    assert info["image_status"] == 3 and len(info["upscaled_urls"]) == 4 and len(set(info["upscaled_urls"])) == 4
    for url in info["upscaled_urls"]:
        r = httpx.get(url)
        assert r.status_code == 200 and r.content[:4] == b"\x89PNG"
        assert Image.open(io.BytesIO(r.content)).size[0] > 0


# ---------------------------------------------------------------------------------- video translation
def test_comma_separated_languages_give_one_job_per_language(api, sim, tmp_path):
    from .test_image_to_video import ffmpeg

    clip = tmp_path / "talk.mp4"
    subprocess.run([ffmpeg(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-f",
                    "lavfi", "-i", "sine=frequency=440:sample_rate=22050", "-t", "2", "-shortest", "-pix_fmt",
                    "yuv420p", str(clip)], check=True)
    url = upload(sim, clip.read_bytes(), "talk.mp4")
    before = creates(sim, "createbytranslate")
    created = data(api.post("/api/open/v3/content/video/createbytranslate",
                            json={"url": url, "source_language": "DEFAULT", "language": "es,fr", "lipsync": False,
                                  "webhookUrl": ""}))
    results = created["all_results"]
    assert [r["language"] for r in results] == ["es", "fr"] and len({r["_id"] for r in results}) == 2
    assert created["_id"] == results[0]["_id"] and creates(sim, "createbytranslate") - before == 2
    for item in results:
        done = poll(lambda: (d := data(api.get("/api/open/v3/content/video/infobymodelid",
                                               params={"video_model_id": item["_id"]})))["video_status"] == 3 and d)
        assert done["language"] == item["language"] and httpx.head(done["video"]).status_code == 200


def test_per_language_voices_for_translation(api):
    page = data(api.get("/api/open/v4/voice/videoTranslation", params={"language_code": "es-ES", "page": 1,
                                                                       "size": 10}))
    voices = page["result"]
    assert voices and all(v["voice_id"] and v["locale"] == "es" for v in voices)
    assert page["page"] == 1 and page["size"] == 10 and page["count"] == len(voices)
    r = api.get("/api/open/v4/voice/videoTranslation", params={"language_code": "xx-XX", "page": 1, "size": 10})
    assert r.json()["code"] == 1003 and "language_code" in r.json()["msg"]


# ---------------------------------------------------------------------------------------------- avatars
def test_avatar_list_is_the_paginated_object_the_demo_reads(api, client):
    page = data(api.get("/api/open/v3/avatar/list", params={"from": 2, "page": 1, "size": 2}))
    assert isinstance(page["result"], list) and len(page["result"]) == 2 and page["count"] >= 2
    assert {"avatar_id", "url", "name", "gender", "thumbnailUrl", "from"} <= set(page["result"][0])
    ours = client.avatars.list(from_=2, size=2)  # and our client reads it
    assert [a.avatar_id for a in ours] == [a["avatar_id"] for a in page["result"]]


def test_avatar_create_without_name_and_detail_as_one_object(api, sim):
    official = data(api.get("/api/open/v3/avatar/list", params={"from": 2}))["result"][0]
    created = data(api.post("/api/open/v3/avatar/create", json={"url": official["url"], "avatar_id": "demoAvatar1",
                                                                 "type": 1}))
    assert isinstance(created, dict) and created["_id"] and created["status"] == 1
    detail = poll(lambda: (d := data(api.get("/api/open/v3/avatar/detail", params={"id": created["_id"]})))
                  ["status"] in (3, 4) and d)
    assert detail["_id"] == created["_id"] and detail["status"] == 3 and detail["name"] == "demoAvatar1"


# ------------------------------------------------------------------------------------------------ audio
def test_audio_v3_create_answers_from_and_voice_model_id(api):
    created = data(api.post("/api/open/v3/audio/create", json={"input_text": "Hello.", "voice_id": VOICE,
                                                                "rate": "100%", "webhookUrl": ""}))
    assert created["from"] == 3 and created["voice_model_id"] and created["status"] == 1


# ------------------------------------------------------------------------------ legacy detect, live swap
@pytest.fixture(scope="module")
def face_url(sim):
    from akool_nb.sim import engines as fe

    return upload(sim, png_of(fe.sample_photo("astronaut")), "astronaut.png")


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "{{API Key}}"}, {"Authorization": "Bearer {{token}}"}],
                         ids=["no-auth", "placeholder-key", "placeholder-token"])
def test_legacy_detect_without_auth_or_single_face(sim, face_url, headers):
    r = httpx.post(f"{sim.base_url}/detect", json={"image_url": face_url}, headers=headers, timeout=120)
    body = r.json()
    assert r.status_code == 200 and body["error_code"] == 0
    opts = body["landmarks_str"][0]
    assert isinstance(opts, str) and opts.count(":") == 3 and len(body["landmarks_str"]) == 1


def test_live_faceswap_takes_landmarks_str_as_is_and_live_info_polls_to_ready(api, sim, face_url):
    detected = httpx.post(f"{sim.base_url}/detect", json={"image_url": face_url}, timeout=120).json()
    # Real code passes the answer's landmarks_str on unchanged (one face) as opts.
    created = data(api.post("/api/open/v3/faceswap/live/create",
                            json={"sourceImage": [{"path": face_url, "opts": detected["landmarks_str"]}]}))
    try:
        ready = poll(lambda: (d := data(api.post("/api/open/v3/faceswap/live/info", json={"_id": created["_id"]})))
                     ["faceswap_status"] == 2 and d)
        assert ready["_id"] == created["_id"] and ready["channel_id"] and ready["front_rtc_token"]
    finally:
        api.post("/api/open/v3/faceswap/live/close", json={"_id": created["_id"]})
    gone = api.post("/api/open/v3/faceswap/live/info", json={"_id": "0" * 24}).json()
    assert gone["code"] == 1003 and "_id" in gone["msg"]


# ========================================================================== refused before a job exists
def _elements(voice_id: str, avatar_id: str | None = None) -> dict:
    avatar = ({"type": "avatar", "avatar_id": avatar_id} if avatar_id else
              {"type": "avatar", "url": "https://example.com/a.mp4"})
    return {"width": 3840, "height": 2160, "avatar_from": 2 if avatar_id else 3, "webhookUrl": "", "elements": [
        {**avatar, "scale_x": 1, "scale_y": 1, "offset_x": 0, "offset_y": 0},
        {"type": "audio", "input_text": "Hi", "voice_id": voice_id}]}


REFUSED = [
    ("/api/open/v4/voice/tts", {"input_text": "Hi", "voice_id": "typo-voice"}, 1008, "voice_id typo-voice"),
    ("/api/open/v3/audio/create", {"input_text": "Hi", "voice_id": "typo-voice", "rate": "100%"}, 1008,
     "voice_id typo-voice"),
    ("/api/open/v3/talkingavatar/create", _elements("typo-voice"), 1003, "elements[1].voice_id typo-voice"),
    ("/api/open/v3/talkingavatar/create", _elements(VOICE, "typoAvatar"), 1003, "elements[0].avatar_id typoAvatar"),
    ("/api/open/v3/avatar/createVideo", {"data": [{"width": 1920, "height": 1080, "duration": 1000, "elements": [
        {"type": "avatar", "avatar_id": "typoAvatar", "scale_x": 1, "scale_y": 1, "offset_x": 0, "offset_y": 0}]}]},
     1003, "data[0].elements[0].avatar_id typoAvatar"),
    ("/api/open/v4/image2Video/createBySourcePrompt/batch",
     {"image_url": "https://example.com/a.png", "prompt": "p", "model_name": "typo-model", "resolution": "720p",
      "video_length": 5}, 1003, "model_name typo-model"),
    ("/api/open/v4/image2Video/createBySourcePrompt",
     {"image_url": "https://example.com/a.png", "prompt": "", "negative_prompt": "", "resolution": "720p",
      "audio_type": 1, "video_length": 5, "effect_code": "typo_effect"}, 1003, "effect_code typo_effect"),
]


@pytest.mark.parametrize("path,body,code,names", REFUSED, ids=[f"{p.rsplit('/', 1)[-1]}-{n.split()[0]}"
                                                                for p, _, _, n in REFUSED])
def test_unknown_ids_are_refused_before_a_job_exists(api, sim, path, body, code, names):
    before = control(sim, "stats")["creates"]
    r = api.post(path, json=body).json()
    assert r["code"] == code and names in r["msg"], r
    assert control(sim, "stats")["creates"] == before  # nothing was created, nothing would be charged


def test_a_cloned_or_listed_voice_is_still_accepted(api):
    assert api.post("/api/open/v4/voice/tts", json={"input_text": "Hi", "voice_id": VOICE}).json()["code"] == 1000


@pytest.mark.parametrize("body", [None, {}, {"clientId": ""}, {"clientId": "x"}],
                         ids=["no-body", "empty", "blank", "no-secret"])
def test_get_token_without_credentials_answers_a_code_its_page_lists(sim, body):
    r = httpx.post(f"{sim.base_url}/api/open/v3/getToken", json=body) if body is not None else \
        httpx.post(f"{sim.base_url}/api/open/v3/getToken")
    assert r.json()["code"] == 1102  # the page lists 1000, 1101, 1102, 1200
    wrong = httpx.post(f"{sim.base_url}/api/open/v3/getToken", json={"clientId": "x", "clientSecret": "y"}).json()
    assert wrong["code"] == 1101


# ------------------------------------------------------------------------------------ a short api key
def test_a_short_key_says_so_once_at_start_up(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "akool_nb.sim", "--api-key", "KEY123", "--port", "0", "--fast",
                             "--data-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().split()[0]
        assert base.startswith("http://127.0.0.1:")
        time.sleep(0.3)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    warnings = [line for line in err.splitlines() if "webhook" in line]
    assert len(warnings) == 1 and "--client-secret" in warnings[0] and "16, 24 or 32" in warnings[0]
    assert "KEY123" not in err + out  # never the key itself


def test_a_short_key_still_creates_with_a_webhook_and_logs_why_none_is_sent(tmp_path):
    from akool_nb import sim as sim_module

    with sim_module.start(api_key="KEY123", fast=True, data_dir=tmp_path) as server:
        assert "--client-secret" in server.webhook_warning
        headers = {"x-api-key": "KEY123"}
        created = httpx.post(f"{server.base_url}/api/open/v3/audio/create", headers=headers,
                             json={"input_text": "Hi", "voice_id": VOICE, "rate": "100%",
                                   "webhookUrl": "http://127.0.0.1:9/hook"}).json()
        assert created["code"] == 1000  # the real service never refuses a create because of its key
        job_id = created["data"]["_id"]
        poll(lambda: httpx.get(f"{server.base_url}/api/open/v3/audio/infobymodelid", headers=headers,
                               params={"audio_model_id": job_id}).json()["data"]["status"] == 3)
        log = poll(lambda: [w for w in server.stats()["webhooks"] if w["job_id"] == job_id and w["status"] == 3])
        assert not log[0]["delivered"] and "--client-secret" in log[0]["error"] and log[0]["attempts"] == 0


# --------------------------------------------------------------------- the client reads every variant
@pytest.mark.parametrize("landmarks_str", ["10,20:30,20:20,30:20,40", ["10,20:30,20:20,30:20,40"]],
                         ids=["plain-string", "array"])
def test_the_client_reads_landmarks_str_as_a_string_or_an_array(landmarks_str):
    from akool_nb.models.faces import LegacyDetection

    answer = {"error_code": 0, "error_msg": "SUCCESS", "landmarks_str": landmarks_str, "region": [[0, 0, 50, 50]],
              "landmarks": [[[10, 20], [30, 20], [20, 30], [20, 40], [0, 0], [0, 0]]]}
    detection = LegacyDetection.model_validate(answer)
    assert [f.opts for f in detection.faces] == ["10,20:30,20:20,30:20,40"]


def _docs_letter(path: str, data):
    """An Akool answering avatars in the docs' letter: a bare array for the list, one-item arrays otherwise."""
    if path == "/api/open/v3/avatar/list":
        return data["result"]
    if path in ("/api/open/v3/avatar/detail", "/api/open/v3/avatar/create"):
        return [data]
    return data


@pytest.mark.parametrize("letter", [False, True], ids=["as-the-demo-reads", "as-the-docs-say"])
def test_the_client_reads_avatars_in_either_shape(tmp_path, letter):
    import akool_nb as ak
    from akool_nb import sim as sim_module

    with sim_module.start(api_key=API_KEY, fast=True, data_dir=tmp_path / "sim",
                          answer_profile=_docs_letter if letter else None) as server, \
            ak.Akool(api_key=API_KEY, base_url=server.base_url, offline=True, poll_interval=0.05,
                     max_poll_interval=0.2, journal=tmp_path / "jobs.sqlite") as client:
        raw = httpx.get(f"{server.base_url}/api/open/v3/avatar/list", headers=HEADERS,
                        timeout=300).json()["data"]  # a new service makes its avatars first
        assert isinstance(raw, list) is letter
        official = client.avatars.list(from_=2)
        assert len(official) >= 2
        assert client.avatars.detail(official[0].id).avatar_id == official[0].avatar_id
        job = client.avatars.create(official[0].url, avatar_id="either1", name="Either")
        done = job.wait(timeout=60)
        assert done.id == job.id and done.job.status == 3
