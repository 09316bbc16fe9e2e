"""The real client against the offline Akool over real loopback HTTP: the issue's user story end to end,
errors, retry rules under injected faults, jobs (deadline, failure, re-attach, progress), async, webhooks."""
from __future__ import annotations

import http.server
import json
import logging
import subprocess
import threading
from pathlib import Path

import httpx
import pytest
from PIL import Image

import akool_nb as ak
from akool_nb._base_client import APIRequest

from .conftest import API_KEY, CLIENT_ID
from .simctl import control, creates


@pytest.fixture
def portrait(tmp_path):
    from akool_nb.media.portraits import make_sample_portrait

    path = tmp_path / "portrait.png"
    make_sample_portrait(path, size=256)
    return path


def streams(path: Path) -> str:
    import imageio_ffmpeg

    out = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                         capture_output=True, text=True)
    return out.stderr


# -- the user story --------------------------------------------------------------------------------------
def test_voices_v4_and_v3(client):
    voices = client.voices.list()
    assert len(voices) >= 5 and all(v.voice_id and v.name for v in voices)
    women = client.voices.list(gender="Female")
    assert women and all(v.gender.lower() == "female" for v in women)
    assert len(women) < len(voices)
    v3 = client.voices.list_v3()
    assert v3 and all(v.voice_id for v in v3)


def test_tts_to_talking_photo_end_to_end(client, portrait, tmp_path):
    voice = client.voices.list()[0]
    speech = client.tts.create(text="Hello from the offline Akool!", voice_id=voice).wait(timeout=30)
    assert speech.media == "audio" and speech.url.startswith(client.base_url)
    html = speech._repr_html_()
    assert "<audio controls" in html and "autoplay" not in html and "data:" not in html

    video = client.talking_photo.create(photo=portrait, audio=speech, resolution="720").wait(timeout=60)
    html = video._repr_html_()
    assert "<video controls" in html and "poster=" in html and "autoplay" not in html and "data:" not in html
    saved = video.save(tmp_path / "hello.mp4")
    assert saved.stat().st_size > 1000
    info = streams(saved)
    assert "Video: h264" in info and "Audio:" in info
    assert video.expires_at > video.created_at
    assert (video.expires_at - video.created_at).days == 7


def test_talking_avatar_with_official_avatar_and_tts_text(client, tmp_path):
    avatar = client.avatars.list(from_=2)[0]
    voice = client.voices.list()[0]
    job = client.talking_avatar.create([
        {"type": "image", "url": "#204080", "width": 3840, "height": 2160, "scale_x": 1, "scale_y": 1,
         "offset_x": 0, "offset_y": 0},
        {"type": "avatar", "avatar_id": avatar, "width": 1080, "height": 1080, "scale_x": 1, "scale_y": 1,
         "offset_x": 1380, "offset_y": 1080},
        {"type": "audio", "input_text": "Welcome to the show.", "voice_id": voice},
    ])
    assert job.request["avatar_from"] == 2 and job.request["elements"][1]["avatar_id"] == avatar.avatar_id
    result = job.wait(timeout=60)
    assert "Audio:" in streams(result.save(tmp_path))


def test_bad_input_is_refused_before_any_request(client, portrait):
    cases = [
        (lambda: client.tts.create(text="   ", voice_id="v"), "text='   ' (sent as input_text): is empty"),
        (lambda: client.tts.create_v3(text="hi", voice_id="v", rate="120%"), "rate='120%': is outside '0%'–'100%'"),
        (lambda: client.talking_avatar.create([{"type": "image", "url": "#fff", "scale_x": 1, "scale_y": 1,
                                                "offset_x": 0, "offset_y": 0}], width=1920),
         "width=1920: must be one of 3840"),
        (lambda: client.avatars.create("https://x.com/me.mp4", avatar_id="my-avatar", name="Me"),
         "avatar_id='my-avatar': must match"),
        (lambda: client.talking_photo.create(photo="https://x.com/p.gif", audio="https://x.com/a.mp3"),
         "photo: .gif files are not accepted"),
        (lambda: client.talking_photo.create(photo=portrait, audio="not a url"), "audio: 'not a url' has an "
                                                                                  "unsupported format"),
        (lambda: client.talking_photo.create(photo=portrait, audio="https://x.com/a.mp3", resolution="4k"),
         "resolution='4k': is not allowed"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError) as info:
            call()
        assert message in str(info.value), str(info.value)


def test_bad_input_sends_nothing(client, sim):
    control(sim, "reset", {})
    with pytest.raises(ak.InvalidParameterError):
        client.tts.create(text="", voice_id="v")
    assert control(sim, "stats")["requests"] == 0


def test_service_errors_become_typed_exceptions(client, sim):
    with pytest.raises(ak.InvalidRequestError) as info:
        client._request(APIRequest("POST", "/api/open/v3/content/video/createbytalkingphoto",
                                   json={"audio_url": "https://x.com/a.mp3"}))
    assert info.value.code == 1003 and "talking_photo_url" in str(info.value)
    wrong = ak.Akool(api_key="wrong-key-wrong-key-1234", base_url=sim.base_url, journal=False)
    with pytest.raises(ak.AuthError) as info:
        wrong.voices.list()
    assert info.value.code == 1101 and info.value.endpoint == "GET /api/open/v4/voice/list"


def test_legacy_client_id_token_auth_and_refresh(sim):
    client = ak.Akool(client_id=CLIENT_ID, client_secret=API_KEY, base_url=sim.base_url, journal=False)
    assert client.avatars.list()
    first = client._core._token
    control(sim, "faults", {"expire_tokens": True})
    assert client.avatars.list()
    assert client._core._token and client._core._token != first


# -- retry rules under injected faults -------------------------------------------------------------------
def fast_retries(client):
    client._core.retry.initial_delay = 0.01
    client._core.retry.max_delay = 0.02
    return client


def test_polls_survive_5xx_and_1005(client, sim):
    fast_retries(client)
    job = client.tts.create(text="Retry me", voice_id=client.voices.list()[0])
    control(sim, "faults", {"answer_500": 1, "answer_1005": 1, "path_contains": "resource/detail"})
    assert job.wait(timeout=30).url


def test_create_answered_1005_is_retried_and_created_once(client, sim, portrait):
    fast_retries(client)
    speech = client.tts.create(text="One", voice_id=client.voices.list()[0]).wait(timeout=30)
    before = creates(sim, "createbytalkingphoto")
    control(sim, "faults", {"answer_1005": 2, "path_contains": "createbytalkingphoto"})
    client.talking_photo.create(photo=portrait, audio=speech)
    assert creates(sim, "createbytalkingphoto") == before + 1


def test_create_is_never_submitted_twice_after_a_dropped_answer(client, sim, portrait):
    fast_retries(client)
    speech = client.tts.create(text="Two", voice_id=client.voices.list()[0]).wait(timeout=30)
    before = creates(sim, "createbytalkingphoto")
    control(sim, "faults", {"drop": 1, "path_contains": "createbytalkingphoto"})
    with pytest.raises(ak.AmbiguousSubmitError) as info:
        client.talking_photo.create(photo=portrait, audio=speech)
    assert "may have reached Akool" in str(info.value) and "NOT retried" in str(info.value)
    assert creates(sim, "createbytalkingphoto") == before + 1  # the service created it exactly once


def test_create_is_retried_when_the_connection_was_refused(sim, tmp_path):
    """The first connection attempt is refused (nothing sent); the create goes through exactly once."""
    real = httpx.HTTPTransport()
    attempts = []

    class RefuseFirst(httpx.BaseTransport):
        def handle_request(self, request):
            attempts.append(request.url.path)
            if len(attempts) == 1:
                raise httpx.ConnectError("connection refused")
            return real.handle_request(request)

    client = fast_retries(ak.Akool(api_key=API_KEY, base_url=sim.base_url, transport=RefuseFirst(),
                                   journal=False, offline=True))
    before = creates(sim, "voice/tts")
    job = client.tts.create(text="Refused once", voice_id=ak.Akool(api_key=API_KEY, base_url=sim.base_url,
                                                                   journal=False).voices.list()[0])
    assert job.id and creates(sim, "voice/tts") == before + 1
    assert attempts[:2] == ["/api/open/v4/voice/tts", "/api/open/v4/voice/tts"]


# -- jobs ---------------------------------------------------------------------------------------------------
def test_wait_deadline_keeps_job_and_reattach_after_restart(sim, tmp_path):
    journal = tmp_path / "jobs.sqlite"
    client = ak.Akool(api_key=API_KEY, base_url=sim.base_url, journal=journal, poll_interval=0.02, offline=True)
    control(sim, "faults", {"delay_s": 0.0})
    job = client.tts.create(text="A sentence long enough to take a moment. " * 3, voice_id=client.voices.list()[0])
    with pytest.raises(ak.JobTimeoutError) as info:
        job.wait(timeout=0.01)
    assert info.value.job_id == job.id and "attach" in str(info.value)
    # "Kernel restart": a brand new client with the same journal re-attaches by id alone.
    fresh = ak.Akool(api_key=API_KEY, base_url=sim.base_url, journal=journal, poll_interval=0.05, offline=True)
    assert [j.id for j in fresh.jobs.recent()] == [job.id]
    again = fresh.jobs.attach(job.id)
    assert again.product.key == "tts"
    assert again.wait(timeout=30).url


def test_failed_job_raises_with_id(client, sim):
    control(sim, "faults", {"fail_next_jobs": 1})
    job = client.tts.create(text="This will fail", voice_id=client.voices.list()[0])
    with pytest.raises(ak.JobFailedError) as info:
        job.wait(timeout=30)
    assert info.value.job_id == job.id and job.status is ak.JobStatus.FAILED
    assert "failed" in job._repr_html_()


def test_progress_callback_sees_every_state(client):
    seen = []
    client.tts.create(text="Progress please", voice_id=client.voices.list()[0]).wait(
        timeout=30, poll=0.01, on_progress=lambda j: seen.append(j.status))
    assert seen[-1] is ak.JobStatus.COMPLETED
    assert ak.JobStatus.PROCESSING in seen or ak.JobStatus.QUEUED in seen


def test_wait_all(client):
    voice = client.voices.list()[0]
    jobs = [client.tts.create(text=f"Number {i}", voice_id=voice) for i in range(3)]
    results = client.jobs.wait_all(jobs, timeout=60)
    assert [r.id for r in results] == [j.id for j in jobs]


def test_avatar_upload_job(client, sim):
    avatar_video = client.avatars.list(from_=2)[0].url
    job = client.avatars.create(avatar_video, avatar_id="myAvatar01", name="Me")
    result = job.wait(timeout=30)
    assert result.url
    mine = client.avatars.list(from_=3)
    assert any(a.avatar_id == "myAvatar01" for a in mine)
    assert client.avatars.detail(job.id).status == 3


def test_avatar_upload_without_a_name_as_akools_demo_sends_it(client, sim):
    from .simctl import last_body

    avatar_video = client.avatars.list(from_=2)[0].url
    job = client.avatars.create(avatar_video, avatar_id="unnamed01")
    assert "name" not in last_body(sim, "/api/open/v3/avatar/create")  # the demo's body, not a made-up name
    assert job.wait(timeout=30).url
    listed = next(a for a in client.avatars.list(from_=3) if a.avatar_id == "unnamed01")
    assert listed.name == "unnamed01"  # the offline Akool names it after its avatar_id (sim/evidence.py)


# -- async ----------------------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_async_client_end_to_end(aclient, portrait):
    import asyncio

    voices = await aclient.voices.list()
    jobs = await asyncio.gather(*(aclient.tts.create(text=f"Async {i}", voice_id=voices[i]) for i in range(3)))
    assert all(isinstance(j, ak.AsyncJob) for j in jobs)
    speeches = await aclient.jobs.wait_all(jobs, timeout=60)
    video = await (await aclient.talking_photo.create(photo=portrait, audio=speeches[0])).wait(timeout=60)
    assert video.url and video.media == "video"


# -- webhooks --------------------------------------------------------------------------------------------------
def test_webhook_is_signed_encrypted_and_retried(client, sim):
    from akool_nb.webhook import verify_and_decrypt

    received, answers = [], iter([500, 200, 200, 200, 200, 200])

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            code = next(answers)
            received.append((code, body))
            self.send_response(code)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        job = client.tts.create(text="Webhook please", voice_id=client.voices.list()[0], webhook_url=url)
        job.wait(timeout=30)
        import time

        for _ in range(100):
            decoded = [verify_and_decrypt(b, client_id=sim.client_id, client_secret=sim.client_secret)
                       for c, b in received if c == 200]
            if any(d["status"] == 3 for d in decoded):
                break
            time.sleep(0.05)
        assert received[0][0] == 500  # the first delivery was refused and then retried
        final = [d for d in decoded if d["status"] == 3][0]
        assert final["_id"] == job.id and final["url"] == job.url and final["type"]
    finally:
        server.shutdown()


# -- secrets over a full run -------------------------------------------------------------------------------
def test_key_never_appears_in_logs_reprs_or_errors(client, caplog):
    caplog.set_level(logging.DEBUG)
    job = client.tts.create(text="Secret keeping", voice_id=client.voices.list()[0])
    result = job.wait(timeout=30)
    texts = [caplog.text, repr(client), client._repr_html_(), repr(job), job._repr_html_(), repr(result),
             result._repr_html_()]
    assert all(API_KEY not in t for t in texts)


def test_connect_without_key_is_loudly_offline(monkeypatch, capsys):
    monkeypatch.delenv("AKOOL_API_KEY", raising=False)
    monkeypatch.setenv("AKOOL_NB_SIM_FAST", "1")
    client = ak.connect()
    err = capsys.readouterr().err
    assert "OFFLINE" in err and "SIMULATED" in err and client.offline
    assert "OFFLINE" in repr(client)
    assert client.voices.list()
    with pytest.raises(ak.MissingCredentialsError):
        ak.connect(offline=False)


def test_errors_while_polling_carry_the_job_id(sim, tmp_path):
    client = ak.Akool(api_key=API_KEY, base_url=sim.base_url, journal=tmp_path / "j.sqlite", offline=True)
    job = client.tts.create(text="Whose error?", voice_id=client.voices.list()[0])
    client._core._credentials = type(client._core._credentials)(api_key=ak._auth.Secret("bad-key-bad-key-bad-key1"))
    with pytest.raises(ak.AuthError) as info:
        job.refresh()
    assert info.value.job_id == job.id and job.id in str(info.value)


def test_wait_all_polls_one_sentinel_per_product_then_each_job_once(tmp_path):
    from akool_nb import sim as sim_module
    from akool_nb.sim.clock import Timing

    # Jobs that take a known 1.5 s, so the schedule (not machine load) decides the number of polls.
    with sim_module.start(api_key=API_KEY, fast=True, timing=Timing(queue_s=0.1, process_s=1.5),
                          data_dir=tmp_path / "sim") as slow:
        client = ak.Akool(api_key=API_KEY, base_url=slow.base_url, journal=False, offline=True)
        voice = client.voices.list()[0]
        jobs = [client.tts.create(text="Batch member", voice_id=voice) for _ in range(8)]
        client.jobs.wait_all(jobs, timeout=60, poll=0.05)
        polls = sum(n for p, n in control(slow, "stats")["requests_by_path"].items() if "resource/detail" in p)
    sentinel_rounds = max(j.polls for j in jobs)
    assert sentinel_rounds >= 5  # the sentinel was watched while the others were left alone
    assert all(j.polls >= 1 for j in jobs)
    # Polling every job every round would cost 8 x rounds; the schedule costs rounds + about one per job.
    assert polls <= sentinel_rounds + 2 * 7, (polls, sentinel_rounds)


def test_equal_jobs_reuse_the_rendered_media(client):
    voice = client.voices.list()[0]
    first, second = (client.tts.create(text="Exactly the same words", voice_id=voice) for _ in range(2))
    a, b = first.wait(timeout=30), second.wait(timeout=30)
    assert a.url != b.url and second.id in b.url
    assert httpx.get(a.url).content == httpx.get(b.url).content


def test_v3_voice_clone_speaks_the_text_from_a_sample(client, tmp_path):
    sample = client.tts.create(text="A voice sample to clone", voice_id=client.voices.list()[0]).wait(timeout=30)
    cloned = client.tts.clone_v3("Now I speak with that voice", voice_url=sample, rate="80%").wait(timeout=30)
    assert cloned.media == "audio" and cloned.url.endswith(".mp3")
    assert cloned.job.request["voice_url"] == sample.url and cloned.job.request["rate"] == "80%"
    with pytest.raises(ak.InvalidParameterError, match="voice_url: pass a voice sample"):
        client.tts.clone_v3("No sample given")


def test_legacy_create_video_renders_like_a_talking_avatar(client, tmp_path):
    avatar = client.avatars.list(from_=2)[0]
    speech = client.tts.create(text="Legacy path", voice_id=client.voices.list()[0]).wait(timeout=30)
    job = client.talking_avatar.create_legacy([{
        "width": 3840, "height": 2160, "duration": 2000, "voice": {"voice_url": speech.url},
        "elements": [{"type": "avatar", "avatar_id": avatar.avatar_id, "scale_x": 1, "scale_y": 1,
                      "offset_x": 1320, "offset_y": 360, "width": 1200, "height": 1200}],
        "background": "#223344", "avatarFrom": 2,
    }])
    video = job.wait(timeout=60)
    assert "Audio:" in streams(video.save(tmp_path))
    with pytest.raises(ak.InvalidParameterError, match="data: needs a list"):
        client.talking_avatar.create_legacy([])
