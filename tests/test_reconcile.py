"""Ambiguous creates are reconciled, not abandoned: found ones attached, proven-absent ones resent once, the
rest journaled as unknown and settled later. Nothing is ever submitted twice (the service's own counts)."""
from __future__ import annotations

import asyncio

import pytest

import akool_nb as ak
from tests.conftest import API_KEY
from tests.simctl import control, creates

KIND = "talking_photo"  # the offline Akool's job kind for talking photos


@pytest.fixture
def rclient(sim, tmp_path):
    with ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05, max_poll_interval=0.2,
                  journal=tmp_path / "jobs.sqlite", reconcile_grace=0.3) as c:
        c._core.retry.initial_delay = c._core.retry.max_delay = 0.01
        yield c


@pytest.fixture
def portrait(tmp_path):
    from akool_nb.media.portraits import make_sample_portrait

    path = tmp_path / "portrait.png"
    make_sample_portrait(path, size=256)
    return path


def _voice(client):
    return client.voices.list()[0]


def test_a_dropped_tts_answer_is_found_and_attached_without_a_second_create(rclient, sim):
    voice = _voice(rclient)
    before = creates(sim, "voice/tts")
    control(sim, "faults", {"drop": 1, "path_contains": "voice/tts"})
    job = rclient.tts.create(text="Dropped but found", voice_id=voice)
    assert creates(sim, "voice/tts") == before + 1  # the service created it once; nothing was resent
    assert job.wait(timeout=30).url
    entry = job.entry
    assert entry.state == "created" and entry.job_id == job.id and entry.attempts == 1
    assert any("found in" in line for line in entry.events)


def test_two_identical_dropped_creates_map_to_two_distinct_jobs(rclient, sim):
    voice = _voice(rclient)
    before = creates(sim, "voice/tts")
    control(sim, "faults", {"drop": 2, "path_contains": "voice/tts"})
    first = rclient.tts.create(text="Twice the same words", voice_id=voice)
    second = rclient.tts.create(text="Twice the same words", voice_id=voice)
    assert creates(sim, "voice/tts") == before + 2
    assert first.id != second.id


def test_an_answer_lost_before_processing_is_resent_exactly_once_after_proof_of_absence(rclient, sim):
    voice = _voice(rclient)
    before = creates(sim, "voice/tts")
    control(sim, "faults", {"answer_500": 1, "path_contains": "voice/tts"})  # nothing processed, HTTP 500
    job = rclient.tts.create(text="Lost before it landed", voice_id=voice)
    assert creates(sim, "voice/tts") == before + 1  # one real create: the resend
    entry = job.entry
    assert entry.attempts == 2 and entry.state == "created"
    assert any("sent again (attempt 2)" in line for line in entry.events)
    sends = [r for r in control(sim, "requests") if r["path"] == "/api/open/v4/voice/tts"]
    lists = [r for r in control(sim, "requests") if r["path"] == "/api/open/v4/voice/resource/list"]
    assert len(lists) >= 1 and sends[-1]["json"]["input_text"] == "Lost before it landed"


def test_a_non_findable_create_is_unknown_in_recent_and_settled_later(rclient, sim, portrait):
    speech = rclient.tts.create(text="For a photo", voice_id=_voice(rclient)).wait(timeout=30)
    before = creates(sim, "createbytalkingphoto")
    control(sim, "faults", {"drop": 1, "path_contains": "createbytalkingphoto"})
    with pytest.raises(ak.AmbiguousSubmitError) as info:
        rclient.talking_photo.create(photo=portrait, audio=speech)
    err = info.value
    assert creates(sim, "createbytalkingphoto") == before + 1  # created once, never resent
    entry = err.entry
    assert entry is not None and entry.state == "unknown" and entry.key in str(err)
    text = str(err)
    for fact in ("createbytalkingphoto", "NOT retried", "sent at", "no list", "reconcile("):
        assert fact in text, fact
    shown = rclient.jobs.recent()
    assert shown[0].key == entry.key and shown[0].state == "unknown"
    assert "Talking photo" in repr(shown[0]) and "unknown" in shown[0]._repr_html_()
    assert rclient.jobs.reconcile()[0].state == "unknown"  # reconcile() alone cannot decide it
    # The user learns the job id (webhook, dashboard; here: the offline Akool's own store) and settles it.
    created = sim.state.store.jobs((KIND,))[0]["id"]
    settled = rclient.jobs.reconcile(entry.key, job_id=created)
    assert settled[0].id == created and settled[0].wait(timeout=60).url
    assert rclient.jobs.recent()[0].id == created
    assert not rclient._journal.unsettled(rclient._service_key)


def test_reconcile_later_attaches_a_never_answered_intent(rclient, sim):
    """An intent whose process died before the answer: a new client finds and attaches the job."""
    voice = _voice(rclient)
    journal = rclient._journal
    # Simulate "sent, then the kernel died": journal an intent by hand from a dead owner, then send it.
    body = {"input_text": "The kernel died", "voice_id": voice.voice_id, "webhookUrl": ""}
    entry = journal.begin(rclient._service_key, "tts", "POST /api/open/v4/voice/tts", body)
    entry.owner = "nowhere-host:1"  # another host: its lease decides
    entry.lease_until = 0
    journal.save(entry, durable=True).result(5)
    rclient._core.request(ak._base_client.APIRequest("POST", "/api/open/v4/voice/tts", json=body, paid=True))
    out = rclient.jobs.reconcile()
    assert len(out) == 1 and isinstance(out[0], ak.Job) and out[0].wait(timeout=30).url
    assert rclient.jobs.recent()[0].id == out[0].id


@pytest.mark.anyio
async def test_async_dropped_creates_are_attached_without_duplicates(sim, tmp_path):
    async with ak.AsyncAkool(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05,
                             journal=tmp_path / "jobs.sqlite", reconcile_grace=0.3) as client:
        voice = (await client.voices.list())[0]
        before = creates(sim, "voice/tts")
        control(sim, "faults", {"drop": 3, "path_contains": "voice/tts"})
        jobs = await asyncio.gather(*(client.tts.create(text=f"Async {i % 2}", voice_id=voice) for i in range(8)))
        assert creates(sim, "voice/tts") == before + 8
        assert len({j.id for j in jobs}) == 8
        entries = client._journal.recent(client._service_key, None)
        assert sorted(e.job_id for e in entries) == sorted(j.id for j in jobs)


def test_journal_off_keeps_the_old_ambiguous_error(sim, portrait):
    client = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=False)
    control(sim, "faults", {"drop": 1, "path_contains": "voice/tts"})
    with pytest.raises(ak.AmbiguousSubmitError) as info:
        client.tts.create(text="No journal", voice_id=client.voices.list()[0])
    assert info.value.entry is None and "NOT retried" in str(info.value)
