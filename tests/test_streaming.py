"""Streaming avatars (catalog §B.17): avatars, uploads, and sessions with their state machine, against the
offline Akool over loopback HTTP. No media is streamed offline: credentials are SIMULATED placeholders, and a
session shows a still preview of the avatar in front of its background.

Session states: 1 queueing → 2 live → 3 ended (closed, or its duration ran out); 1 → 4 failed. Closing an
ended or failed session answers 1219; an unknown session 1216.
"""
from __future__ import annotations

import http.server
import io
import subprocess
import threading
import time
import uuid

import httpx
import numpy as np
import pytest
from PIL import Image

import akool_nb as ak
from akool_nb._base_client import APIRequest
from akool_nb.models.live import Session, SessionClosed
from akool_nb.sim.api import streaming as sim_streaming

from .docs_examples import example
from .simctl import control, last_body

LA = "/api/open/v4/liveAvatar"


@pytest.fixture
def sessions(client):
    """Sessions opened by a test; closed afterwards (the offline account runs a few at once)."""
    opened: list[Session] = []
    yield opened
    for session in opened:
        try:
            client.streaming.close_session(session)
        except ak.APIError:
            pass


@pytest.fixture(scope="module")
def avatar(sim):
    import akool_nb as ak_
    from .conftest import API_KEY

    with ak_.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=False) as c:
        return c.streaming.avatars()[0]


class Stalled:
    """A local web server whose files are answered only after ``release()``: an input the offline Akool is
    still fetching keeps its job (or session) in its early state for as long as the test needs."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.released = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.released.wait(20)
                data = outer.files.get(self.path)
                self.send_response(200 if data is not None else 404)
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, name: str, data: bytes) -> str:
        self.files[f"/{name}"] = data
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}"

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def stalled():
    server = Stalled()
    yield server
    server.release()
    server.server.shutdown()


def png(colour=(10, 200, 30), size=(64, 36)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def image_at(url: str) -> Image.Image:
    r = httpx.get(url, timeout=30)
    assert r.status_code == 200, url
    return Image.open(io.BytesIO(r.content))


def wait_status(client, session, wanted: int, timeout: float = 10.0) -> Session:
    deadline = time.monotonic() + timeout
    while True:
        current = client.streaming.session(session)
        if current.status == wanted or time.monotonic() > deadline:
            return current
        time.sleep(0.05)


# -- avatars ------------------------------------------------------------------------------------------------
def test_streaming_avatars_and_detail(client, sim):
    avatars = client.streaming.avatars()
    assert avatars.count == len(avatars) >= 6
    assert all(a.type == 2 and a.from_ == 2 and a.available and a.voice_id for a in avatars)
    first = avatars[0]
    assert image_at(first.thumbnailUrl).size[0] > 0 and first.url.endswith(".mp4")
    assert client.voices.detail  # the voice ids are catalog voices
    assert first.voice_id in {v.voice_id for v in client.voices.list()}
    detail = client.streaming.avatar(first)
    assert detail.avatar_id == first.avatar_id and detail.platform == "open"
    assert control(sim, "requests")[-1]["query"] == {"avatar_id": first.avatar_id}
    assert [a.avatar_id for a in client.streaming.avatars(page=2, size=2)] == [a.avatar_id for a in avatars[2:4]]
    with pytest.raises(ak.NotFoundError) as info:
        client.streaming.avatar("noSuchAvatar")
    assert info.value.code == 1008
    assert "avatar_id noSuchAvatar" in str(info.value)


def test_uploaded_streaming_avatar_processing_then_usable(client, sim, sessions, stalled, tmp_path):
    import imageio_ffmpeg

    video = tmp_path / "me.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc=size=96x96:rate=5", "-t", "1", "-pix_fmt", "yuv420p", str(video)], check=True)
    avatar_id = "mine" + uuid.uuid4().hex[:8]
    job = client.streaming.upload_avatar(stalled.url("me.mp4", video.read_bytes()), avatar_id, "Me streaming")
    sent = last_body(sim, "/api/open/v3/avatar/create")
    assert sent == {"url": sent["url"], "avatar_id": avatar_id, "name": "Me streaming", "type": 2, "url_from": 1}
    with pytest.raises(ak.APIError) as info:  # the video is still being fetched: processing
        client.streaming.create_session(avatar_id)
    assert info.value.code == 1214 and "still being processed" in str(info.value)
    assert not next(a for a in client.streaming.avatars() if a.avatar_id == avatar_id).available
    stalled.release()
    job.wait(timeout=30)
    mine = next(a for a in client.streaming.avatars() if a.avatar_id == avatar_id)
    assert mine.from_ == 3 and mine.available and mine.thumbnailUrl
    session = client.streaming.create_session(avatar_id, duration=30)
    sessions.append(session)
    live = client.streaming.wait_live(session)
    assert image_at(live.model_extra["preview_url"]).size == (320, 180)


def test_a_failed_upload_cannot_stream(client, sim):
    control(sim, "faults", {"fail_next_jobs": 1, "path_contains": "avatar/create"})
    avatar_id = "broken" + uuid.uuid4().hex[:8]
    job = client.streaming.upload_avatar("https://example.com/me.mp4", avatar_id, "Broken")
    with pytest.raises(ak.JobFailedError):
        job.wait(timeout=30)
    with pytest.raises(ak.APIError) as info:
        client.streaming.create_session(avatar_id)
    assert info.value.code == 1220


# -- the session state machine ---------------------------------------------------------------------------------
def test_queueing_live_closed(client, sim, avatar, sessions, stalled):
    background = stalled.url("bg.png", png())
    session = client.streaming.create_session(avatar, duration=120, background_url=background)
    sessions.append(session)
    assert session.status == 1 and session.state.label == "queueing" and not session.live  # 1 queueing
    time.sleep(sim.timing.queue_s * 2)  # past the queue time: still queueing while the background loads
    assert client.streaming.session(session).status == 1
    stalled.release()
    creds = session.credentials
    assert set(creds) == {"agora_uid", "agora_app_id", "agora_channel", "agora_token"}
    assert creds["agora_token"].startswith("SIMULATED") and session.model_extra["simulated"] is True
    sent = last_body(sim, f"{LA}/session/create")
    assert sent == {"avatar_id": avatar.avatar_id, "duration": 120, "background_url": background}

    live = client.streaming.wait_live(session)  # 1 → 2
    assert live.live and live.status == 2 and live.stream_type == "agora" and live.credentials == creds
    preview = image_at(live.model_extra["preview_url"]).convert("RGB")
    assert preview.size == (320, 180)
    corner = np.asarray(preview)[:20, :20].mean(axis=(0, 1))  # the background image, behind the avatar
    assert corner[1] > 150 and corner[0] < 60 and corner[2] < 80

    closed = client.streaming.close_session(live)  # 2 → 3
    assert isinstance(closed, SessionClosed) and closed.status == "closed" and closed.session_id == session.id
    assert closed.closed_at and last_body(sim, f"{LA}/session/close") == {"id": session.id, "session_id": session.id}
    after = client.streaming.session(session.id)
    assert after.status == 3 and after.ended and after.model_extra["end_reason"] == "closed"

    with pytest.raises(ak.APIError) as info:  # closing twice
        client.streaming.close_session(session)
    assert info.value.code == 1219 and "it was closed" in str(info.value)
    with pytest.raises(ak.AkoolError, match="is ended"):
        client.streaming.wait_live(session)


def test_closing_while_queueing(client, avatar, stalled):
    session = client.streaming.create_session(avatar, duration=60, background_url=stalled.url("bg.png", png()))
    assert client.streaming.session(session).status == 1
    client.streaming.close_session(session.id)  # 1 → 3
    assert client.streaming.session(session).status == 3
    stalled.release()
    assert client.streaming.session(session).status == 3


def test_the_duration_runs_out(client, avatar):
    session = client.streaming.create_session(avatar, duration=1)
    assert client.streaming.wait_live(session).status == 2
    ended = wait_status(client, session, 3)  # 2 → 3 without a close
    assert ended.status == 3 and ended.model_extra["end_reason"] == "duration elapsed"
    with pytest.raises(ak.APIError) as info:
        client.streaming.close_session(session)
    assert info.value.code == 1219 and "duration is over" in str(info.value)


def test_a_session_fails_when_its_background_cannot_be_read(client, sim, avatar):
    session = client.streaming.create_session(avatar, background_url=f"{sim.base_url}/_sim/files/none.png")
    failed = wait_status(client, session, 4)  # 1 → 4
    assert failed.status == 4 and failed.model_extra["error_code"] == 1218
    assert "background_url" in failed.model_extra["error_reason"]
    with pytest.raises(ak.AkoolError, match="failed"):
        client.streaming.wait_live(session)
    with pytest.raises(ak.APIError) as info:
        client.streaming.close_session(session)
    assert info.value.code == 1219


def test_injected_failure(client, sim, avatar):
    control(sim, "faults", {"fail_next_jobs": 1, "path_contains": "session/create"})
    session = client.streaming.create_session(avatar)
    assert wait_status(client, session, 4).status == 4


def test_unknown_sessions_answer_1216(client):
    for call in (lambda: client.streaming.session("0" * 24), lambda: client.streaming.close_session("0" * 24)):
        with pytest.raises(ak.NotFoundError) as info:
            call()
        assert info.value.code == 1216


def test_the_account_runs_a_few_sessions_at_once(client, avatar, sessions, monkeypatch):
    open_now = len(client.streaming.sessions(status=1)) + len(client.streaming.sessions(status=2))
    monkeypatch.setattr(sim_streaming, "MAX_LIVE_SESSIONS", open_now + 1)
    sessions.append(client.streaming.create_session(avatar, duration=60))
    with pytest.raises(ak.APIError) as info:
        client.streaming.create_session(avatar, duration=60)
    assert info.value.code == 1215 and "close one first" in str(info.value)
    client.streaming.close_session(sessions[0])
    sessions.append(client.streaming.create_session(avatar, duration=60))  # a slot is free again


def test_session_list_filters_by_status(client, avatar, sessions):
    live = client.streaming.create_session(avatar, duration=60)
    sessions.append(live)
    client.streaming.wait_live(live)
    ended = client.streaming.create_session(avatar, duration=60)
    client.streaming.close_session(ended)
    everything = client.streaming.sessions()
    assert everything.count >= 2 and [s.id for s in everything][:2] == [ended.id, live.id]  # newest first
    assert live.id in {s.id for s in client.streaming.sessions(status=2)}
    assert {s.status for s in client.streaming.sessions(status=3)} == {3}
    assert ended.id in {s.id for s in client.streaming.sessions(status=3)}
    assert len(client.streaming.sessions(size=1)) == 1


def test_rtc_credentials_per_stream_type(client, avatar, sessions):
    livekit = client.streaming.create_session(avatar, stream_type="livekit")
    sessions.append(livekit)
    assert livekit.stream_type == "livekit" and livekit.credentials["livekit_url"].startswith("wss://simulated")
    trtc = client.streaming.create_session(avatar, stream_type="trtc")
    sessions.append(trtc)
    # Both TRTC spellings of the docs (§F.18) are answered, and either can be asked for.
    assert trtc.credential("trtc_app_id") == trtc.credential("trtc_sdk_app_id") == trtc.credentials["trtc_app_id"]
    assert trtc.credential("trtc_sdk_user_sig").startswith("SIMULATED")
    own = {"agora_uid": 7, "agora_app_id": "my-app", "agora_channel": "my-channel", "agora_token": "my-token"}
    byo = client.streaming.create_session(avatar, credentials=own)
    sessions.append(byo)
    assert byo.credentials == own


def test_a_knowledge_base_gives_the_session_its_context(client, sim, avatar, sessions):
    kb = client.knowledge.create(name=f"Session KB {uuid.uuid4().hex[:6]}", prompt="Be brief.")
    try:
        session = client.streaming.create_session(avatar, knowledge_id=kb, voice_id=client.voices.list()[0],
                                                  mode_type=2, language="en")
        sessions.append(session)
        sent = last_body(sim, f"{LA}/session/create")
        assert sent["knowledge_id"] == kb.id and sent["mode_type"] == 2 and sent["voice_id"]
        assert client.streaming.session(session).knowledge_id == kb.id
    finally:
        client.knowledge.delete(kb)
    with pytest.raises(ak.NotFoundError) as info:
        client.streaming.create_session(avatar, knowledge_id=kb.id)  # deleted
    assert info.value.code == 1232


def test_voice_params_and_fast_dialogue_go_on_the_wire(client, sim, avatar, sessions):
    params = {"speed": 1.1, "stt_language": "en", "pron_map": {"akool": "ai ku er"}, "stt_type": "openai_realtime",
              "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                 "silence_duration_ms": 500},
              "voice_id": "alloy"}
    session = client.streaming.create_session(avatar, scene_mode="fast_dialogue", e2e_type="openai",
                                              voice_params=params)
    sessions.append(session)
    sent = last_body(sim, f"{LA}/session/create")
    assert sent["voice_params"] == params and sent["scene_mode"] == "fast_dialogue" and sent["e2e_type"] == "openai"
    eleven = {"elevenlabs_settings": {"api_key": "el-key", "model_id": "eleven_flash_v2_5", "stability": 0.4,
                                      "similarity_boost": 0.7, "style": 0.1, "use_speaker_boost": True}}
    sessions.append(client.streaming.create_session(avatar, voice_id="el-voice", voice_params=eleven))
    assert last_body(sim, f"{LA}/session/create")["voice_params"] == eleven


@pytest.mark.anyio
async def test_async_session_lifecycle(aclient):
    avatar = (await aclient.streaming.avatars())[0]
    session = await aclient.streaming.create_session(avatar, duration=60)
    live = await aclient.streaming.wait_live(session)
    assert live.status == 2
    assert (await aclient.streaming.close_session(live)).status == "closed"


def test_answers_are_read_leniently():
    # The session id is "_id", "id" or "session_id" depending on the docs page (§F.17); unknown fields are kept.
    for record in ({"_id": "s1"}, {"id": "s1"}, {"session_id": "s1"}):
        assert Session.model_validate({**record, "status": 2, "expires_in": 600}).id == "s1"
    session = Session.model_validate({"_id": "s1", "status": "2", "expires_in": 600,
                                      "credentials": {"trtc_sdk_app_id": "app", "trtc_user_sig": "sig"}})
    assert session.live and session.model_extra["expires_in"] == 600
    assert session.credential("trtc_app_id") == "app" and session.credential("trtc_sdk_user_sig") == "sig"
    assert session.credential("agora_token") is None
    # The close answer: [s24] has data; [SUPPLEMENT] says {code, msg} only.
    assert SessionClosed.model_validate({"session_id": "s1", "status": "closed", "closed_at": 1}).status == "closed"
    from akool_nb.models.moderation import Analysis

    assert Analysis.model_validate({"_id": "a", "video_status": 3, "final_conclusion": "Compliant"}).status == 3
    assert Analysis.model_validate({"final_conclusion": "Unknown"}).compliant is None


# -- validation before any request ------------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda c: c.streaming.create_session(""), "avatar_id='': is empty"),
    (lambda c: c.streaming.create_session("a", duration=0), "duration=0: must be more than 0 and at most 3600"),
    (lambda c: c.streaming.create_session("a", duration=3601), "duration=3601: must be more than 0 and at most 3600"),
    (lambda c: c.streaming.create_session("a", mode_type=3), "mode_type=3: must be one of 1 or 2"),
    (lambda c: c.streaming.create_session("a", stream_type="webrtc"), "stream_type='webrtc': must be one of 'agora'"),
    (lambda c: c.streaming.create_session("a", e2e_type="openai"), "only works with scene_mode='fast_dialogue'"),
    (lambda c: c.streaming.create_session("a", scene_mode="fast_dialogue", voice_params={"voice_id": "bob"}),
     "'bob' is not a fast_dialogue voice"),
    (lambda c: c.streaming.create_session("a", voice_params={"speed": 1.5}), "voice_params.speed=1.5: must be between 0.8 and 1.2"),
    (lambda c: c.streaming.create_session("a", voice_params={"turn_detection": {"threshold": 2}}),
     "voice_params.turn_detection.threshold"),
    (lambda c: c.streaming.create_session("a", voice_params={"turn_detection": {"type": "vad"}}),
     "voice_params.turn_detection.type"),
    (lambda c: c.streaming.create_session("a", voice_params={"elevenlabs_settings": {"style": 3}}),
     "voice_params.elevenlabs_settings.style"),
    (lambda c: c.streaming.create_session("a", voice_params={"stt_type": "whisper"}), "voice_params.stt_type"),
    (lambda c: c.streaming.create_session("a", voice_params={"pitch": 2}), "voice_params.pitch=2: is not a documented"),
    (lambda c: c.streaming.create_session("a", stream_type="livekit", credentials={"agora_token": "t"}),
     "credentials agora_token do not belong to stream_type 'livekit'"),
    (lambda c: c.streaming.create_session("a", background_url="https://x.com/bg.gif"), "background_url: .gif files"),
    (lambda c: c.streaming.create_session("a", voice_url="voice.txt"), "voice_url: 'voice.txt' has an unsupported"),
    (lambda c: c.streaming.avatars(size=101), "size=101: must be a whole number from 1 to 100"),
    (lambda c: c.streaming.avatars(platform="web"), "platform='web': must be one of 'open', 'aigc'"),
    (lambda c: c.streaming.avatar(""), "avatar_id='': is empty"),
    (lambda c: c.streaming.sessions(status=5), "status=5: must be one of 1, 2, 3, 4"),
    (lambda c: c.streaming.sessions(page=0), "page=0: must be a whole number from 1"),
    (lambda c: c.streaming.session(""), "id='': is empty"),
    (lambda c: c.streaming.close_session(None), "id=None: must be the session _id"),
    (lambda c: c.streaming.upload_avatar("https://x.com/me.mp4", "my-id", "Me"), "avatar_id='my-id': must match"),
    (lambda c: c.streaming.upload_avatar("https://x.com/me.png", "me1", "Me"), "video: .png files are not accepted"),
])
def test_bad_input_is_refused_before_any_request(client, sim, call, message):
    control(sim, "reset", {})
    with pytest.raises(ak.InvalidParameterError) as info:
        call(client)
    assert message in str(info.value)
    assert control(sim, "stats")["requests"] == 0


@pytest.mark.parametrize("body, message", [
    ({}, "avatar_id is required"),
    ({"avatar_id": "a", "duration": 4000}, "duration must be between 0 and 3600"),
    ({"avatar_id": "a", "duration": 0}, "duration must be greater than 0"),
    ({"avatar_id": "a", "stream_type": "webrtc"}, 'stream_type must be "agora", "livekit" or "trtc"'),
    ({"avatar_id": "a", "mode_type": 3}, "mode_type must be 1 or 2"),
    ({"avatar_id": "a", "e2e_type": "openai"}, 'e2e_type is only allowed with scene_mode "fast_dialogue"'),
    ({"avatar_id": "a", "background_url": "bg.png"}, "background_url must be an http(s) URL"),
    ({"avatar_id": "a", "stream_type": "livekit", "credentials": {"agora_token": "x"}},
     "credentials.agora_token is not a livekit credential"),
    ({"avatar_id": "a", "voice_params": {"speed": 2}}, "voice_params.speed must be between 0.8 and 1.2"),
    ({"avatar_id": "a", "voice_params": {"turn_detection": {"type": "x"}}},
     'voice_params.turn_detection.type must be "server_vad" or "semantic_vad"'),
    ({"avatar_id": "a", "voice_params": {"elevenlabs_settings": {"use_speaker_boost": 1}}},
     "voice_params.elevenlabs_settings.use_speaker_boost must be a boolean"),
    ({"avatar_id": "a", "voice_params": {"pron_map": {"akool": 1}}}, "voice_params.pron_map.akool must be a string"),
    ({"avatar_id": "a", "scene_mode": "fast_dialogue", "voice_params": {"voice_id": "bob"}},
     "voice_params.voice_id must be one of alloy"),
])
def test_service_answers_1003_naming_the_field(client, body, message):
    with pytest.raises(ak.InvalidRequestError) as info:
        client._request(APIRequest("POST", f"{LA}/session/create", json=body))
    assert info.value.code == 1003 and message in str(info.value)


def test_service_close_reads_id_or_session_id(client, avatar):
    first = client.streaming.create_session(avatar, duration=30)
    # The [s24] samples send only session_id; the guide sends only id (§F.16). Both close the session.
    closed = client._request(APIRequest("POST", f"{LA}/session/close", json={"session_id": first.id}))
    assert closed["status"] == "closed"
    second = client.streaming.create_session(avatar, duration=30)
    assert client._request(APIRequest("POST", f"{LA}/session/close", json={"id": second.id}))["session_id"] == second.id
    for body, message in [({}, "id is required"),
                          ({"id": second.id, "session_id": first.id}, "session_id must name the same session as id")]:
        with pytest.raises(ak.InvalidRequestError) as info:
            client._request(APIRequest("POST", f"{LA}/session/close", json=body))
        assert message in str(info.value)
    for params, message in [({}, "id is required"), ({"status": "9"}, "status must be 1, 2, 3 or 4")]:
        path = f"{LA}/session/detail" if not params else f"{LA}/session/list"
        with pytest.raises(ak.InvalidRequestError, match=message):
            client._request(APIRequest("GET", path, params=params))
    with pytest.raises(ak.InvalidRequestError, match='platform must be "open" or "aigc"'):
        client._request(APIRequest("GET", f"{LA}/avatar/list", params={"platform": "web"}))
    with pytest.raises(ak.InvalidRequestError, match="avatar_id is required"):
        client._request(APIRequest("GET", f"{LA}/avatar/detail"))


# -- contract: the docs' example bodies go on the wire unchanged -------------------------------------------------
def test_create_session_example(client, sim):
    body = example("#### B.17.4")
    with pytest.raises(ak.NotFoundError):  # "avatar_123" is not an avatar offline; the body was sent anyway
        client.streaming.create_session(body["avatar_id"], background_url=body["background_url"],
                                        duration=body["duration"], stream_type=body["stream_type"],
                                        knowledge_id=body["knowledge_id"])
    assert last_body(sim, f"{LA}/session/create") == body


def test_knowledge_workflow_and_guide_examples(client, sim):
    body = {"avatar_id": "your_avatar_id", "knowledge_id": "KNOWLEDGE_ID_FROM_STEP_1"}  # [s21] workflow, step 2
    with pytest.raises(ak.NotFoundError):
        client.streaming.create_session(body["avatar_id"], knowledge_id=body["knowledge_id"])
    assert last_body(sim, f"{LA}/session/create") == body
    body = {"avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600}  # [s46] guide, createSessionInBrowser
    with pytest.raises(ak.NotFoundError):
        client.streaming.create_session(body["avatar_id"], duration=body["duration"])
    assert last_body(sim, f"{LA}/session/create") == body


def test_close_session_example(client, sim):
    body = {"session_id": "session_123456789"}  # [s24] cURL; the client adds "id" (§F.16: send both)
    with pytest.raises(ak.NotFoundError):
        client.streaming.close_session(body["session_id"])
    assert last_body(sim, f"{LA}/session/close") == {"id": body["session_id"], **body}
