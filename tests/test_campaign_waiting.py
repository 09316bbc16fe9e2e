"""A campaign run waits for its rows' jobs in one loop (akool_nb/campaign/waiter.py) over the shared polling
schedule, and with ``webhooks=receiver`` the deliveries finish them: no status poll at all.

Against the offline Akool over real HTTP; the service's own counters say which requests it received.
"""
from __future__ import annotations

import pytest

import akool_nb as ak
import akool_nb.campaign.sync as campaign_sync
from akool_nb.webhook import Receiver

from .conftest import API_KEY, CLIENT_ID
from .simctl import control

CREATE_PATHS = ("/api/open/v4/voice/tts",)


@pytest.fixture
def voice(client):
    return client.voices.list()[0].voice_id


def two_speeches(voice):
    def make(c, row):  # a chained row: the first job is waited for inside make, the second by the run
        first = c.tts.create(f"Hello {row['id']}", voice).wait(timeout=60)
        assert first.url
        return c.tts.create(f"Goodbye {row['id']}", voice)
    return make


def status_requests(sim, before: dict) -> int:
    """Requests since ``before`` (stats' requests_by_path) that were not creates."""
    after = control(sim, "stats")["requests_by_path"]
    return sum(n - before.get(p, 0) for p, n in after.items() if p not in CREATE_PATHS)


def test_one_waiting_loop_asks_no_more_than_each_row_polling_its_own(client, sim, voice, monkeypatch):
    rows = [{"id": f"r{i}"} for i in range(12)]
    measured = {}
    for shared in (False, True):
        monkeypatch.setattr(campaign_sync, "SHARED_WAIT", shared)
        before = control(sim, "stats")["requests_by_path"]
        report = client.campaign(f"waiting-{shared}", rows, two_speeches(voice)).run(concurrency=6, progress=False)
        assert report.counts["done"] == 12
        measured[shared] = status_requests(sim, before)
    assert 0 < measured[True] <= measured[False], measured


def test_a_campaign_with_the_receiver_is_finished_by_deliveries_with_no_status_poll(sim, tmp_path, voice):
    with Receiver(client_id=CLIENT_ID, client_secret=API_KEY, journal=tmp_path / "jobs.sqlite", service="offline",
                  fallback_after=30).serve() as receiver, \
            ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05,
                     max_poll_interval=0.2, journal=tmp_path / "jobs.sqlite", webhooks=receiver) as hooked:
        before = control(sim, "stats")["requests_by_path"]
        report = hooked.campaign("hooked", [{"id": f"h{i}"} for i in range(6)], two_speeches(voice)) \
            .run(concurrency=3, progress=False)
        assert report.counts["done"] == 6
        assert status_requests(sim, before) == 0  # 12 jobs, 12 creates, every completion from a delivery
        assert receiver.counts


def test_a_job_that_fails_at_akool_fails_its_row_and_the_others_go_on(client, sim, voice):
    rows = [{"id": f"f{i}"} for i in range(4)]
    control(sim, "faults", {"fail_next_jobs": 1})  # the first job created ends in status 4
    report = client.campaign("waiting-fail", rows, lambda c, row: c.tts.create("Hello", voice)) \
        .run(concurrency=4, progress=False)
    assert report.counts["failed"] == 1 and report.counts["done"] == 3
    failed = [s for s in client.campaign("waiting-fail", rows, speech_none)._row_states().values()
              if s["status"] == "failed"]
    assert len(failed) == 1 and "job failed" in failed[0]["error"]


def speech_none(c, row):
    return []


def test_the_table_panel_of_thousands_of_rows_in_flight_saves_as_small_as_of_25(client):
    """bench_scale.py's panel figure, small: the saved output (widget state + static copy) does not grow with
    the rows in flight (only SHOWN are synced; the rest are counted)."""
    import json

    from akool_nb.widgets.campaign import SHOWN, CampaignTable

    def saved(n: int) -> int:
        panel = CampaignTable(name="scale", total=n, client=client)
        for i in range(n):
            panel.set_row(f"row{i:05d}", "running")
        panel._publish()
        state = {k: v for k, v in panel.get_state().items() if k not in ("_esm", "_css")}
        assert len(panel.rows) == min(n, SHOWN)
        return len(json.dumps(state, default=str)) + len(panel._static_html())

    small, big = saved(25), saved(3000)
    assert big < small + 200 and big < 20_000, (small, big)  # "3000" vs "25" in the counts: a few bytes


@pytest.mark.anyio
async def test_an_async_campaign_waits_in_one_loop_and_the_receiver_finishes_it(sim, tmp_path, voice):
    async def make(c, row):
        first = await (await c.tts.create(f"Hello {row['id']}", voice)).wait(timeout=60)
        assert first.url
        return await c.tts.create(f"Goodbye {row['id']}", voice)

    with Receiver(client_id=CLIENT_ID, client_secret=API_KEY, journal=tmp_path / "jobs.sqlite", service="offline",
                  fallback_after=30).serve() as receiver:
        async with ak.AsyncAkool(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05,
                                 max_poll_interval=0.2, journal=tmp_path / "jobs.sqlite", webhooks=receiver) as c:
            before = control(sim, "stats")["requests_by_path"]
            report = await c.campaign("async-hooked", [{"id": f"a{i}"} for i in range(5)], make) \
                .run(concurrency=5, progress=False)
    assert report.counts["done"] == 5
    assert status_requests(sim, before) == 0  # 10 jobs: 10 creates and nothing else


@pytest.mark.anyio
async def test_an_async_campaign_polls_in_one_loop_without_a_receiver(aclient, sim, voice):
    control(sim, "faults", {"fail_next_jobs": 1})
    report = await aclient.campaign("async-polled", [{"id": f"p{i}"} for i in range(4)],
                                    lambda c, row: c.tts.create(f"Hi {row['id']}", voice)).run(progress=False)
    assert report.counts["done"] == 3 and report.counts["failed"] == 1


def test_a_wait_that_times_out_fails_its_row_with_the_job_id_and_the_run_goes_on(client, sim, voice):
    def make(c, row):
        speech = c.tts.create(f"Hello {row['id']}", voice)
        if row["id"] == "slow":
            speech.wait(timeout=0.001)  # nothing is done in a millisecond
        return speech

    rows = [{"id": "slow"}, {"id": "fine"}]
    report = client.campaign("waiting-timeout", rows, make).run(progress=False)
    assert report.counts["failed"] == 1 and report.counts["done"] == 1
    error = client.campaign("waiting-timeout", rows, make)._row_states()["slow"]["error"]
    assert "not done within timeout=0.001s" in error and "client.jobs.attach(" in error
