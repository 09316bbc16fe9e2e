"""The free pre-check (issue 10, item 2, client side): ``check=True`` on the paid creates that take ids from a
list. Against the offline Akool over real HTTP, its request log the witness: a typo raises
InvalidParameterError naming the argument, the value, close matches and where valid ids are, with zero POSTs;
valid ids go through; a batch fetches each list once (sync and async, concurrent creates included).
"""
from __future__ import annotations

import asyncio

import pytest

import akool_nb as ak

from .conftest import API_KEY
from .simctl import control

VOICE = "6889b628662160e2caad5dbc"  # in the offline Akool's voice lists (the docs' own example id)
IMAGE = "https://example.com/a.png"
AUDIO = "https://example.com/a.mp3"


def since(sim, before: int) -> list[dict]:
    """The API requests the service received after it had counted ``before``."""
    new = control(sim, "stats")["requests"] - before
    return control(sim, "requests")[-new:] if new else []


def mark(sim) -> int:
    return control(sim, "stats")["requests"]


def avatar(**fields):
    return {"type": "avatar", "scale_x": 1, "scale_y": 1, "offset_x": 0, "offset_y": 0, **fields}


def speech(voice_id: str) -> dict:
    return {"type": "audio", "input_text": "Hi", "voice_id": voice_id}


# (what is called, the argument named, the typo, a close match offered, where the valid ids are)
TYPOS = [
    ("tts.create", lambda c, bad: c.tts.create("Hi", bad, check=True),
     "voice_id", VOICE[:-1] + "x", VOICE, "client.voices.list()"),
    ("tts.create_v3", lambda c, bad: c.tts.create_v3("Hi", bad, check=True),
     "voice_id", VOICE + "0", VOICE, "client.voices.list_v3()"),
    ("voices.change", lambda c, bad: c.voices.change(AUDIO, bad, check=True),
     "voice_id", "6889b628662160e2caad5dbd", VOICE, "client.voices.list()"),
    ("talking_avatar.create avatar", lambda c, bad: c.talking_avatar.create(
        [avatar(avatar_id=bad), speech(VOICE)], check=True),
     "elements[0].avatar_id", "simAnna0l", "simAnna01", "client.avatars.list(from_=2)"),
    ("talking_avatar.create voice", lambda c, bad: c.talking_avatar.create(
        [{"type": "image", "url": "#336699", "scale_x": 1, "scale_y": 1, "offset_x": 0, "offset_y": 0},
         avatar(avatar_id="simAnna01"), speech(bad)], check=True),
     "elements[2].voice_id", VOICE.upper(), None, "client.voices.list()"),
    ("image_to_video.create", lambda c, bad: c.image_to_video.create(IMAGE, effect_code=bad, check=True),
     "effect_code", "squish", None, "client.image_to_video.effects()"),
    ("image_to_video.create_batch", lambda c, bad: c.image_to_video.create_batch(
        IMAGE, "slow zoom", model_name=bad, check=True),
     "model_name", "AkoolImage2VideoFastV2", "AkoolImage2VideoFastV1", 'client.ai_models.list("image_to_video")'),
    ("streaming.create_session", lambda c, bad: c.streaming.create_session(bad, check=True),
     "avatar_id", "no_such_streamer", None, "client.streaming.avatars()"),
]


@pytest.mark.parametrize("call,param,bad,close,where", [t[1:] for t in TYPOS], ids=[t[0] for t in TYPOS])
def test_a_typo_in_a_listed_id_is_refused_with_zero_posts(client, sim, call, param, bad, close, where):
    before = mark(sim)
    with pytest.raises(ak.InvalidParameterError) as caught:
        call(client, bad)
    error = caught.value
    assert error.param == param and repr(bad) in str(error) and where in str(error)
    assert "Nothing was sent or paid for" in str(error)
    if close:
        assert f"Did you mean {close!r}" in str(error)
    sent = since(sim, before)
    assert sent and all(r["method"] == "GET" for r in sent), sent  # only the free lists were asked


def test_listed_ids_go_through_and_the_request_is_what_it_would_have_been(client, sim):
    job = client.tts.create("Hi", VOICE, check=True)
    plain = client.tts.create("Hi", VOICE)
    requests = control(sim, "requests")
    posts = [r["json"] for r in requests if r["path"] == "/api/open/v4/voice/tts"][-2:]
    assert posts[0] == posts[1] and job.id != plain.id  # check=True adds nothing on the wire
    session = client.streaming.create_session(client.streaming.avatars()[0], check=True)
    client.streaming.close_session(session)
    batch = client.image_to_video.create_batch(IMAGE, "slow zoom", model_name="AkoolImage2VideoFastV1",
                                               count=1, check=True)
    assert batch.ok and len(batch) == 1


def test_a_batch_fetches_each_list_once(client, sim):
    before = control(sim, "stats")["requests_by_path"]
    jobs = [client.tts.create(f"Line {n}", VOICE, check=True) for n in range(5)]
    after = control(sim, "stats")["requests_by_path"]

    def delta(path):
        return after.get(path, 0) - before.get(path, 0)

    assert len({j.id for j in jobs}) == 5 and delta("/api/open/v4/voice/tts") == 5
    assert delta("/api/open/v4/voice/list") == 1  # found in Akool's voices: the other lists are not needed


def test_a_voice_cloned_after_the_list_was_cached_is_not_refused(client, sim):
    import io
    import wave

    import numpy as np

    client.tts.create("Warm the cache", VOICE, check=True)
    buf = io.BytesIO()
    t = np.arange(16000 * 2) / 16000
    with wave.open(buf, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes((np.sin(2 * np.pi * 180 * t) * 12000).astype("<i2").tobytes())
    clone = client.voices.clone(buf.getvalue(), name="Fresh clone").wait(timeout=60)
    job = client.tts.create("Spoken by a clone made after the lists were cached", clone.data.voice_id, check=True)
    assert job.id


def test_check_is_a_flag(client, sim):
    before = mark(sim)
    with pytest.raises(ak.InvalidParameterError, match="check"):
        client.tts.create("Hi", VOICE, check="yes")
    assert since(sim, before) == []


def test_async_concurrent_creates_share_one_fetch_and_a_typo_costs_nothing(sim, tmp_path):
    async def main():
        async with ak.AsyncAkool(api_key=API_KEY, base_url=sim.base_url, offline=True,
                                 journal=tmp_path / "j.sqlite") as c:
            before = control(sim, "stats")["requests_by_path"]
            results = await asyncio.gather(*[c.tts.create(f"Line {n}", VOICE, check=True) for n in range(6)],
                                           c.tts.create("Hi", "6889b628662160e2caad5dbx", check=True),
                                           return_exceptions=True)
            after = control(sim, "stats")["requests_by_path"]
            return results, {p: after.get(p, 0) - before.get(p, 0) for p in after}

    results, delta = asyncio.run(main())
    *good, typo = results
    assert all(isinstance(j, ak.AsyncJob) for j in good), good
    assert isinstance(typo, ak.InvalidParameterError) and "Did you mean '6889b628662160e2caad5dbc'" in str(typo)
    assert delta.get("/api/open/v4/voice/tts") == 6  # the typo sent nothing
    # 7 concurrent checks share one fetch of each list (without sharing: 7 of each); the typo looks once more
    assert delta.get("/api/open/v4/voice/list", 0) <= 3 and delta.get("/api/open/v3/voice/list", 0) == 1


def test_a_list_that_fails_is_not_cached(client, sim):
    once = client.with_options(max_retries=0)
    sim.faults.answer_1005 = 1  # the next API request (the voice list) answers "Frequent operation"
    before = mark(sim)
    with pytest.raises(ak.AkoolError, match="1005|Frequent"):
        once.tts.create("Hi", VOICE, check=True)
    assert [r["method"] for r in since(sim, before)] == ["GET"]  # the create was not sent
    assert once.tts.create("Hi", VOICE, check=True).id  # the next check fetches the list again


def test_long_lists_are_read_page_by_page_and_threads_share_one_fetch(tmp_path):
    """A unit test on a mock transport: 230 Akool voices in pages of 100, 8 threads checking at once."""
    import threading

    import httpx

    voices = [{"voice_id": f"voice{n:03d}", "_id": f"doc{n:03d}"} for n in range(230)]
    asked: list[str] = []
    gate = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/open/v4/voice/list":
            asked.append(str(request.url))
            gate.wait(5)  # hold the first fetch until every thread has asked
            page, size = int(request.url.params["page"]), int(request.url.params["size"])
            found = voices[(page - 1) * size: page * size] if request.url.params["type"] == "2" else []
            return httpx.Response(200, json={"code": 1000, "msg": "OK", "data": {
                "result": found, "count": len(voices), "page": page, "size": size}})
        return httpx.Response(200, json={"code": 1000, "msg": "OK", "data": {"_id": "6" * 24, "status": 1}})

    with ak.Akool(api_key=API_KEY, base_url="https://mock.invalid", transport=httpx.MockTransport(handler),
                  journal=False) as c:
        errors: list[BaseException] = []

        def create():
            try:
                c.tts.create("Hi", "voice229", check=True)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=create, daemon=True) for _ in range(8)]
        for t in threads:
            t.start()
        threading.Timer(0.3, gate.set).start()
        for t in threads:
            t.join(20)
        assert not errors, errors
        assert len(asked) == 3 and all("type=2" in u for u in asked)  # pages 1-3 once, for all 8 creates
        with pytest.raises(ak.InvalidParameterError, match="Did you mean 'voice229'"):
            c.tts.create("Hi", "voice2299", check=True)
