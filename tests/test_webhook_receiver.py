"""The webhook receiver finishes jobs: deliveries from the offline Akool over real HTTP, polling only as the
fallback; forged, replayed and malformed deliveries are refused and never recorded."""
from __future__ import annotations

import json
import logging
import threading
import time

import httpx
import pytest
import akool_nb as ak
from akool_nb.webhook import Receiver, sign_and_encrypt

from .conftest import API_KEY, CLIENT_ID
from .simctl import control

AUDIO = "/api/open/v4/voice/tts"


@pytest.fixture
def receiver(tmp_path):
    with Receiver(client_id=CLIENT_ID, client_secret=API_KEY, journal=tmp_path / "jobs.sqlite", service="offline",
                  fallback_after=20).serve() as r:
        yield r


def hooked(sim, tmp_path, receiver, cls=ak.Akool):
    return cls(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05, max_poll_interval=0.2,
               journal=tmp_path / "jobs.sqlite", webhooks=receiver)


@pytest.fixture
def hc(sim, tmp_path, receiver):
    with hooked(sim, tmp_path, receiver) as c:
        yield c


@pytest.fixture(scope="module")
def voice(sim):
    with ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=False) as c:
        return c.voices.list()[0]


@pytest.fixture(scope="module")
def inputs(sim):
    from .chaos.workload import prepare_inputs

    return prepare_inputs(sim.base_url, API_KEY)


def status_polls(sim) -> int:
    """Requests the service saw since the last reset (the creates were sent before it)."""
    return control(sim, "stats")["requests"]


def genuine(data: dict, **kw) -> dict:
    return sign_and_encrypt(data, client_id=CLIENT_ID, client_secret=API_KEY, **kw)


def webhook_lines(client, job) -> list[str]:
    client._journal.flush(5)
    entry = client._journal.get("offline", job.id)
    return [line for line in entry.events if "webhook" in line]


# ------------------------------------------------------------------------------------ completing jobs
def test_a_delivery_completes_the_job_with_no_status_poll(hc, sim, receiver, voice):
    job = hc.tts.create(text="Finished by a webhook", voice_id=voice)
    assert job.request["webhookUrl"] == receiver.url  # filled in: the user gave none
    control(sim, "reset", {})
    result = job.wait(timeout=30)
    assert status_polls(sim) == 0 and job.polls == 0
    assert result.url and result.url.endswith(".mp3") and result.data.status == 3
    lines = webhook_lines(hc, job)
    assert any("status 3 (audio)" in line for line in lines)
    entry = hc._journal.get("offline", job.id)
    assert entry.status == 3 and entry.url == result.url


def test_wait_all_learns_every_completion_from_deliveries(hc, sim, receiver, voice, inputs):
    jobs = [hc.tts.create(text=f"Row {i}", voice_id=voice) for i in range(4)]
    jobs += [hc.talking_photo.create(photo=inputs.photo_url, audio=inputs.speech_url) for _ in range(2)]
    control(sim, "reset", {})
    results = hc.jobs.wait_all(jobs, timeout=60)
    assert status_polls(sim) == 0 and [r.id for r in results] == [j.id for j in jobs]
    assert all(r.url for r in results) and receiver.counts["accepted"] >= 6


@pytest.mark.anyio
async def test_the_async_client_is_finished_by_deliveries_too(sim, tmp_path, receiver, voice):
    async with hooked(sim, tmp_path, receiver, ak.AsyncAkool) as ac:
        jobs = [await ac.tts.create(text=f"Async {i}", voice_id=voice) for i in range(3)]
        control(sim, "reset", {})
        results = await ac.jobs.wait_all(jobs, timeout=30)
        single = await ac.tts.create(text="One more", voice_id=voice)
        control(sim, "reset", {})
        await single.wait(timeout=30)
    assert status_polls(sim) == 0 and all(r.url for r in results) and single.url


# Every webhook ``type`` the offline Akool sends, each through the product's own create.
PRODUCTS = {
    "audio (tts v3)": lambda c, i: c.tts.create_v3(text="v3 speech", voice_id=i.voice_id),
    "audio (voice change)": lambda c, i: c.voices.change(i.speech_url, i.changer_voice_id),
    "talking photo": lambda c, i: c.talking_photo.create(photo=i.photo_url, audio=i.speech_url),
    "avatar": lambda c, i: c.avatars.create(i.video_url, avatar_id=f"hook{time.time_ns() % 10**9}", name="Hooked"),
    "faceswap": lambda c, i: c.faceswap.image(i.scene_url, source=i.source_face, target=i.scene_face),
    "image": lambda c, i: c.images.generate("a lighthouse at dusk"),
    "background change": lambda c, i: c.background.change(i.photo_url, color_code="#c9aafb",
                                                          canvas_size="1920x1080", modify_origin_img_size="600x600",
                                                          overlay_origin_x=660, overlay_origin_y=240),
    "sentiment analysis": lambda c, i: c.moderation.text("What a lovely day"),
    "image to video": lambda c, i: c.image_to_video.create(i.photo_url, "slow zoom in", video_length=5),
    "character swap": lambda c, i: c.character_swap.create(i.photo_url, i.video_url, duration=1),
    "lipsync": lambda c, i: c.lip_sync.create(i.video_url, i.speech_url),
    "video translate": lambda c, i: c.translation.create(i.video_url, "es"),
}


@pytest.mark.parametrize("kind", sorted(PRODUCTS))
def test_every_product_the_service_notifies_for_is_finished_by_its_webhook(kind, hc, sim, inputs):
    job = PRODUCTS[kind](hc, inputs)
    assert job._webhooked, f"{kind}: the create did not carry the receiver's URL"
    control(sim, "reset", {})
    result = job.wait(timeout=90)
    if job.product.media == "data":  # the analysis is in the record, not at a URL: one look fetches it
        assert status_polls(sim) == 1 and job.polls == 1 and result.data.result
    else:
        assert status_polls(sim) == 0 and job.polls == 0, f"{kind} was polled"
        assert result.url and result.data is not None
    assert any(f"status 3 ({kind.split(' (')[0]})" in line for line in webhook_lines(hc, job))


def test_a_receiver_built_from_the_client_takes_its_key_as_the_secret(sim, tmp_path, voice):
    with ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=tmp_path / "jobs.sqlite") as plain:
        receiver = Receiver(plain, client_id=CLIENT_ID).serve()  # the docs: clientSecret is the API key
    with receiver, hooked(sim, tmp_path, receiver) as c:
        assert receiver.journal is plain._journal and receiver.service == "offline"
        job = c.tts.create(text="Keyed by the client", voice_id=voice)
        assert job.wait(timeout=30).url and job.polls == 0 and receiver.counts["accepted"] >= 1


def test_a_webhook_url_the_user_gives_is_kept_and_that_job_is_polled(hc, sim, voice, hook_server):
    url, _ = hook_server
    job = hc.tts.create(text="My own receiver", voice_id=voice, webhook_url=url)
    assert job.request["webhookUrl"] == url and not job._webhooked
    assert job.wait(timeout=30).url and job.polls >= 1


# ------------------------------------------------------------------------------------ de-duplication
def test_the_same_delivery_twice_is_recorded_once(hc, sim, receiver, voice):
    job = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=hc._journal).tts.create(
        text="Delivered twice", voice_id=voice)  # no webhook: this test sends the only deliveries
    body = genuine({"_id": job.id, "status": 3, "type": "audio", "url": "https://cdn.example/a.mp3"})
    first = httpx.post(receiver.url, json=body)
    again = httpx.post(receiver.url, json=body)
    assert (first.status_code, again.status_code) == (200, 200)  # Akool would resend anything but a 200
    assert first.json() == {"ok": True} and again.json() == {"ok": True, "duplicate": True}
    assert webhook_lines(hc, job) == [webhook_lines(hc, job)[0]] and receiver.counts["accepted"] == 1
    assert receiver.counts["replayed"] == 1


def test_the_same_delivery_sent_at_once_from_many_threads_is_recorded_once(receiver):
    body = json.dumps(genuine({"_id": "6a0000000000000000000003", "status": 3, "type": "audio",
                               "url": "https://cdn.example/b.mp3"})).encode()
    answers, lock = [], threading.Lock()

    def send() -> None:
        answer = httpx.post(receiver.url, content=body, headers={"content-type": "application/json"}).json()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=send) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sum(1 for a in answers if not a.get("duplicate")) == 1 and len(answers) == 16
    assert receiver.counts["accepted"] == 1 and receiver.counts["replayed"] == 15


def test_a_restarted_receiver_still_refuses_what_it_took(sim, tmp_path, voice):
    body = genuine({"_id": "6a0000000000000000000001", "status": 3, "type": "audio", "url": ""})
    kw = dict(client_id=CLIENT_ID, client_secret=API_KEY, journal=tmp_path / "jobs.sqlite", service="offline")
    with Receiver(**kw).serve() as first:
        assert httpx.post(first.url, json=body).status_code == 200
    with Receiver(**kw).serve() as second:  # the replay guard lives in webhooks.sqlite beside the journal
        assert httpx.post(second.url, json=body).json()["duplicate"] is True
        assert second.counts["replayed"] == 1 and second.counts["accepted"] == 0
    assert (tmp_path / "webhooks.sqlite").exists()


# ------------------------------------------------------------------------------------ hostile deliveries
def forged_bodies(job_id: str) -> dict[str, object]:
    data = {"_id": job_id, "status": 3, "type": "audio", "url": "https://evil.example/x.mp3"}
    good = genuine(data)
    other_key = sign_and_encrypt(data, client_id=CLIENT_ID, client_secret="another-secret-of-24-chr")
    return {
        "signature altered": {**good, "signature": "0" * 40},
        "encrypted with another key": other_key,
        "stale (an old capture)": genuine(data, timestamp=int((time.time() - 3600) * 1000)),
        "not JSON": b"{not json",
        "a JSON list": b"[1, 2, 3]",
        "missing dataEncrypt": {k: v for k, v in good.items() if k != "dataEncrypt"},
        "genuine but no _id": genuine({"status": 3, "type": "audio"}),
        "genuine but status 9": genuine({"_id": job_id, "status": 9}),
        "too large": b"{" + b" " * 70_000 + b"}",
    }


@pytest.mark.parametrize("case", list(forged_bodies("x")))
def test_forged_and_malformed_deliveries_are_refused_and_never_recorded(case, hc, sim, receiver, voice):
    plain = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=hc._journal)
    job = plain.tts.create(text="Forgery target", voice_id=voice)
    body = forged_bodies(job.id)[case]
    answer = httpx.post(receiver.url, content=body if isinstance(body, bytes) else json.dumps(body).encode(),
                        headers={"content-type": "application/json"})
    assert 400 <= answer.status_code < 500, (case, answer.status_code, answer.text)
    assert webhook_lines(hc, job) == [] and len(receiver.deliveries) == 0 and receiver.counts["accepted"] == 0
    assert "evil.example" not in (hc._journal.get("offline", job.id).url or "")


def test_a_get_is_not_a_delivery(receiver):
    assert httpx.get(receiver.url).status_code == 405


# ------------------------------------------------------------------------------------ polling fallback
def test_a_dropped_delivery_falls_back_to_polling(sim, tmp_path, voice):
    with Receiver(client_id=CLIENT_ID, client_secret=API_KEY, fallback_after=1.0).serve() as receiver, \
            hooked(sim, tmp_path, receiver) as c:
        control(sim, "faults", {"drop_webhooks": 2, "path_contains": AUDIO})  # its status 2 and 3 are lost
        job = c.tts.create(text="Nobody will tell", voice_id=voice)
        others = [c.tts.create_v3(text=f"Told {i}", voice_id=voice) for i in range(2)]
        started = time.monotonic()
        results = c.jobs.wait_all([job, *others], timeout=30)
        assert all(r.url for r in results)
        assert job.polls >= 1 and all(o.polls == 0 for o in others)  # only the silent job was polled
        assert time.monotonic() - started >= 0.5  # not before its fallback time
        dropped = [w for w in control(sim, "stats")["webhooks"] if "dropped" in (w.get("error") or "")]
        assert {w["job_id"] for w in dropped} == {job.id}


def test_job_wait_polls_once_the_delivery_is_overdue(sim, tmp_path, voice):
    with Receiver(client_id=CLIENT_ID, client_secret=API_KEY, fallback_after=1.0).serve() as receiver, \
            hooked(sim, tmp_path, receiver) as c:
        control(sim, "faults", {"drop_webhooks": 2, "path_contains": AUDIO})
        job = c.tts.create(text="Lost on the way", voice_id=voice)
        assert job.wait(timeout=30).url and 1 <= job.polls <= 3


def test_a_failure_delivery_is_followed_by_one_poll_for_the_reason(hc, sim, voice):
    control(sim, "faults", {"fail_next_jobs": 1, "path_contains": AUDIO})
    job = hc.tts.create(text="Doomed", voice_id=voice)
    with pytest.raises(ak.JobFailedError, match="fail_next_jobs"):
        job.wait(timeout=30)
    assert job.polls == 1


def test_a_receiver_in_another_process_reaches_waits_through_the_journal(sim, tmp_path, voice):
    with Receiver(client_id=CLIENT_ID, client_secret=API_KEY, journal=tmp_path / "jobs.sqlite",
                  service="offline").serve() as receiver, \
            ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=tmp_path / "jobs.sqlite",
                     webhooks=receiver.url) as c:  # only the URL: as if the receiver ran on a server
        assert type(c._webhooks).__name__ == "JournalWatch"
        job = c.tts.create(text="Through the journal", voice_id=voice)
        control(sim, "reset", {})
        assert job.wait(timeout=30).url and job.polls == 0 and status_polls(sim) == 0


# ------------------------------------------------------------------------------------ secrets, lifecycle
def test_the_key_never_reaches_logs_reprs_or_files(sim, tmp_path, voice, caplog):
    caplog.set_level(logging.DEBUG, logger="akool_nb")
    with Receiver(client_id=CLIENT_ID, client_secret=API_KEY, journal=tmp_path / "jobs.sqlite",
                  service="offline").serve() as receiver, hooked(sim, tmp_path, receiver) as c:
        c.tts.create(text="Secret keeping", voice_id=voice).wait(timeout=30)
        httpx.post(receiver.url, json=sign_and_encrypt({"_id": "x", "status": 3}, client_id=CLIENT_ID,
                                                       client_secret="another-secret-of-24-chr"))
        shown = [repr(receiver), str(receiver.counts), repr(receiver.deliveries), caplog.text, repr(c)]
        c._journal.flush(5)
    for text_ in shown:
        assert API_KEY not in text_
    for path in tmp_path.glob("*.sqlite*"):
        assert API_KEY.encode() not in path.read_bytes(), path.name
    assert "webhook refused" in caplog.text  # the refusal was logged, with its reason and without the key


def test_close_stops_the_server_and_serve_twice_is_refused(tmp_path):
    receiver = Receiver(client_id=CLIENT_ID, client_secret=API_KEY).serve()
    url = receiver.url
    with pytest.raises(ak.AkoolError, match="already serves"):
        receiver.serve()
    thread = receiver._thread
    receiver.close()
    receiver.close()
    assert not thread.is_alive() and thread.daemon and receiver.url is None
    with pytest.raises(httpx.ConnectError):
        httpx.post(url, json={}, timeout=2)


def test_an_unserved_receiver_is_said_before_a_paid_create(sim, tmp_path, voice):
    receiver = Receiver(client_id=CLIENT_ID, client_secret=API_KEY)
    with hooked(sim, tmp_path, receiver) as c:
        control(sim, "reset", {})
        with pytest.raises(ak.AkoolError, match="not serving"):
            c.tts.create(text="Nowhere to call", voice_id=voice)
    assert status_polls(sim) == 0


@pytest.mark.anyio
async def test_it_is_an_asgi_app_others_can_mount():
    receiver = Receiver(client_id=CLIENT_ID, client_secret=API_KEY, public_url="https://hooks.example/akool")
    assert receiver.url == "https://hooks.example/akool"
    body = genuine({"_id": "6a0000000000000000000002", "status": 2, "type": "lipsync", "url": ""})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver), base_url="http://app") as http:
        assert (await http.post("/anything", json=body)).status_code == 200
        assert (await http.post("/anything", json=body)).json() == {"ok": True, "duplicate": True}
    assert receiver.deliveries._seen("6a0000000000000000000002") == (2, None)
