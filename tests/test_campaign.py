"""Campaigns (issue 12): rows -> jobs -> saved files, previewed before anything is paid, resumable by name.

Everything runs against the offline Akool over real HTTP; the service's own counters (/_sim/stats, /_sim/jobs)
say what was really created.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import time
from pathlib import Path

import pytest

import akool_nb as ak

from .simctl import control, creates


@pytest.fixture
def portrait(tmp_path):
    from akool_nb.media.portraits import make_sample_portrait

    path = tmp_path / "portrait.png"
    make_sample_portrait(path, size=128)
    return path


@pytest.fixture
def voice(client):
    return client.voices.list()[0].voice_id


def talking(voice, portrait):
    def make(c, row):
        speech = c.tts.create(row["text"], voice).wait(timeout=60)
        return c.talking_photo.create(photo=portrait, audio=speech, resolution="720")
    return make


def speech_only(voice):
    return lambda c, row: c.tts.create(row["text"], voice)


def sim_jobs(sim, since):
    return control(sim, f"jobs?since={since}")


def test_rows_from_a_csv_run_to_saved_videos_and_a_manifest(client, sim, voice, portrait, tmp_path):
    rows = tmp_path / "people.csv"
    with open(rows, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "text"])
        writer.writeheader()
        writer.writerows({"id": f"p{i}", "text": f"Welcome aboard, person {i}"} for i in range(5))
    since = time.time() - 1
    campaign = client.campaign("csv-welcome", rows, talking(voice, portrait))
    report = campaign.run(concurrency=3, save_to=tmp_path / "out", progress=False)
    assert report.counts["done"] == 5 and report.saved == 5
    made = sim_jobs(sim, since)
    assert sorted(j["kind"] for j in made).count("talking_photo") == 5
    manifest = list(csv.DictReader(open(tmp_path / "out" / "manifest.csv")))
    assert [m["row"] for m in manifest] == [f"p{i}" for i in range(5)]
    tp_ids = {j["id"] for j in made if j["kind"] == "talking_photo"}
    for line in manifest:
        assert line["status"] == "done" and line["job_id"] in tp_ids and line["product"] == "talking_photo"
        body = Path(line["file"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == line["sha256"]  # content-addressed and whole
        assert Path(line["file"]).name.startswith(line["sha256"][:20]) and line["url"].endswith(".mp4")
        assert line["steps"].startswith("tts:") and line["expires_at"].endswith("UTC")
    assert not list((tmp_path / "out" / ".parts").iterdir())
    frame = campaign.results()
    assert list(frame["row"]) == [f"p{i}" for i in range(5)] and set(frame["status"]) == {"done"}
    parquet_writable = importlib.util.find_spec("pyarrow") is not None  # optional: CSV always, Parquet with it
    assert (tmp_path / "out" / "manifest.parquet").exists() == parquet_writable

    before = control(sim, "stats")["creates"]
    again = client.campaign("csv-welcome", rows, talking(voice, portrait)).run(save_to=tmp_path / "out",
                                                                               progress=False)
    assert again.counts["done"] == 5 and control(sim, "stats")["creates"] == before  # nothing sent twice


def test_preview_sends_no_paid_request_and_names_the_invalid_rows(client, sim, voice, portrait):
    rows = [{"id": "ok1", "text": "Hello"}, {"id": "empty", "text": ""}, {"id": "ok2", "text": "Hi there"},
            {"id": "long", "text": "x" * 100_000}]
    before = control(sim, "stats")["creates"]
    plan = client.campaign("preview-check", rows, talking(voice, portrait)).preview()
    assert control(sim, "stats")["creates"] == before  # validation ran, no create was sent
    assert [r.row for r in plan.invalid] == ["empty", "long"]
    assert plan.invalid[0].field == "text" and "pass the words to speak" in plan.invalid[0].error
    assert [r.jobs for r in plan.todo] == [2, 2] and plan.todo[0].products == ["tts", "talking_photo"]
    assert plan.unknown == ["talking_photo", "tts"] and plan.estimated_credits is None  # no history: said so
    assert plan.balance is not None
    text = repr(plan)
    assert "2 invalid (nothing is sent for them)" in text and "unknown" in text
    html = plan._repr_html_()
    assert "<table" in html and "empty" in html and "<script" not in html

    report = client.campaign("preview-check", rows, talking(voice, portrait)).run(progress=False)
    assert report.counts == {"done": 2, "failed": 2, "ambiguous": 0, "invalid": 0, "not started": 0}
    assert creates(sim, "voice/tts") - before.get("/api/open/v4/voice/tts", 0) == 2  # invalid rows: nothing


def test_preview_checks_ids_against_the_free_lists_and_sends_nothing_for_an_unknown_one(client, sim, voice,
                                                                                      portrait):
    typo = voice[:-1] + ("x" if voice[-1] != "x" else "y")
    rows = [{"id": "good", "voice": voice}, {"id": "typo", "voice": typo}, {"id": "made-up", "voice": "no-such-voice"}]

    def make(c, row):
        speech = c.tts.create("Welcome aboard", row["voice"]).wait(timeout=60)
        return c.talking_photo.create(photo=portrait, audio=speech, resolution="720")

    before = control(sim, "stats")["requests"]
    plan = client.campaign("preview-ids", rows, make).preview()
    new = control(sim, "stats")["requests"] - before
    sent = control(sim, "requests")[-new:] if new else []
    assert sent and all(r["method"] == "GET" for r in sent), sent  # only free lists (and the balance): no POST
    lists = [r["path"] for r in sent if r["path"] == "/api/open/v4/voice/list"]
    assert len(lists) <= 2 + 2 * 2  # the two v4 lists once for all rows, and once more per refused id (fresh)
    assert [r.row for r in plan.invalid] == ["typo", "made-up"] and [r.row for r in plan.todo] == ["good"]
    bad = plan.row("typo")
    assert bad.field == "voice_id" and repr(typo) in bad.error and f"Did you mean {voice!r}" in bad.error
    assert "client.voices.list()" in bad.error and "Nothing was sent or paid for" in bad.error
    assert plan.row("made-up").field == "voice_id" and "'no-such-voice'" in plan.row("made-up").error
    assert "invalid row 'typo': voice_id:" in repr(plan)

    posts = control(sim, "stats")["creates"]
    report = client.campaign("preview-ids", rows, make).run(progress=False, budget=10**6,
                                                            costs={"tts": 1, "talking_photo": 1})
    assert report.counts["done"] == 1 and report.counts["invalid"] == 2  # the budget's preview held them back
    assert creates(sim, "voice/tts") - posts.get("/api/open/v4/voice/tts", 0) == 1


def test_estimates_learn_from_earlier_jobs_and_the_budget_stops_before_it_is_exceeded(client, sim, voice):
    texts = [{"id": f"b{i}", "text": f"Budget line number {i:02d} " + "word " * 20} for i in range(12)]
    client.campaign("budget-learn", texts[:2], speech_only(voice)).run(progress=False)  # learn the cost
    campaign = client.campaign("budget-run", texts[2:], speech_only(voice))
    plan = campaign.preview()
    per_row = plan.todo[0].credits
    assert plan.complete and per_row and per_row > 0 and plan.estimated_credits == pytest.approx(10 * per_row, 0.05)
    before = creates(sim, "voice/tts")
    report = campaign.run(concurrency=2, budget=per_row * 3.5, progress=False)
    assert report.stop is not None and "would exceed budget" in str(report.stop)
    assert 1 <= report.counts["done"] <= 3 and report.counts["not started"] >= 7
    assert creates(sim, "voice/tts") - before == report.counts["done"]
    assert report.credits <= per_row * 3.5 * 1.05


def test_budget_without_any_estimate_is_refused_before_anything_is_sent(client, sim, voice, portrait):
    before = control(sim, "stats")["creates"]
    campaign = client.campaign("budget-unknown", [{"text": "Hello"}], talking(voice, portrait))
    with pytest.raises(ak.InvalidParameterError, match="no cost estimate for talking_photo, tts.*costs="):
        campaign.run(budget=10, progress=False)
    assert control(sim, "stats")["creates"] == before


def test_costs_you_give_let_a_budget_cover_products_whose_records_say_no_price(client, sim, voice, portrait):
    rows = [{"id": f"g{i}", "text": f"Given cost {i}"} for i in range(6)]
    campaign = client.campaign("given-costs", rows, talking(voice, portrait))
    plan = campaign.preview(costs={"tts": 0.1, "talking_photo": 2})
    assert plan.complete and plan.todo[0].credits == pytest.approx(2.1) and "as you gave it" in repr(plan)
    before = creates(sim, "createbytalkingphoto")
    report = campaign.run(concurrency=1, budget=4.5, costs={"tts": 0.1, "talking_photo": 2}, progress=False)
    assert report.counts["done"] == 2 and report.counts["not started"] == 4
    assert creates(sim, "createbytalkingphoto") - before == 2


def test_a_row_still_rate_limited_is_recorded_failed_and_runs_on_the_next_run(client, sim, voice, monkeypatch):
    import akool_nb.campaign.sync as run_module

    monkeypatch.setattr(run_module, "ROW_TRIES", 2)
    monkeypatch.setattr(run_module, "ROW_BACKOFF", 0.01)
    rows = [{"id": "busy", "text": "Rate limited at first"}]
    control(sim, "faults", {"answer_1005": 50, "path_contains": "voice/tts"})
    report = client.campaign("busy", rows, speech_only(voice)).run(progress=False)
    assert report.counts["failed"] == 1
    frame = client.campaign("busy", rows, speech_only(voice)).results()
    assert "Frequent operation" in frame["error"][0] or "1005" in frame["error"][0]
    control(sim, "faults", {"answer_1005": 0})
    report = client.campaign("busy", rows, speech_only(voice)).run(progress=False)
    assert report.counts["done"] == 1


def test_a_job_that_failed_at_akool_is_made_again_on_the_next_run(client, sim, voice):
    rows = [{"id": "flaky", "text": "This one fails once"}]
    control(sim, "faults", {"fail_next_jobs": 1})
    first = client.campaign("flaky", rows, speech_only(voice)).run(progress=False)
    assert first.counts["failed"] == 1
    second = client.campaign("flaky", rows, speech_only(voice)).run(progress=False)
    assert second.counts["done"] == 1
    steps = client.campaign("flaky", rows, speech_only(voice)).results()["steps"][0]
    assert len(client.jobs.recent(None, meta={"campaign": "flaky"})) == 2 and steps.count("tts:") == 1


def test_a_lost_answer_is_found_in_the_list_and_attached_not_resent(client, sim, voice):
    client.reconcile_grace = 0.2
    since = time.time() - 1
    control(sim, "faults", {"drop": 1, "path_contains": "voice/tts"})
    report = client.campaign("dropped", [{"id": "d", "text": "Answer lost"}], speech_only(voice)).run(
        progress=False)
    assert report.counts["done"] == 1
    made = [j for j in sim_jobs(sim, since) if j["params"].get("input_text") == "Answer lost"]
    assert len(made) == 1 and made[0]["kind"] == "tts_v4"


def test_chained_steps_already_made_are_replayed_not_resent(client, sim, voice, portrait):
    """A rerun after the TTS step was made (the kernel died before the talking photo) sends only the rest."""
    rows = [{"id": "half", "text": "Half done"}]
    with client.jobs.tag(campaign="half-done", row="half", step=0):
        client.tts.create("Half done", voice)  # what the first run made before it died
    since = time.time()
    report = client.campaign("half-done", rows, talking(voice, portrait)).run(progress=False)
    assert report.counts["done"] == 1
    assert [j["kind"] for j in sim_jobs(sim, since)] == ["talking_photo"]


def test_rows_keys_from_dicts_dataframes_and_duplicates(client, voice, tmp_path):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([{"text": "a", "n": 1}, {"text": "b", "n": 2}])
    one = client.campaign("keys", frame, speech_only(voice))
    again = client.campaign("keys", frame.to_dict(orient="records"), speech_only(voice))
    assert one._keys == again._keys and len(set(one._keys)) == 2  # hashes of the values: stable
    gaps = client.campaign("keys", pd.DataFrame({"id": [1, 2], "text": ["a", None]}), speech_only(voice))
    assert gaps._keys == ["1", "2"] and gaps.rows[1][1] == {"id": 2, "text": None}  # numpy ints, NaN: plain
    assert type(gaps.rows[0][1]["id"]) is int
    assert client.campaign("keys", [{"id": 7, "text": "x"}], speech_only(voice))._keys == ["7"]
    with pytest.raises(ak.InvalidParameterError, match="same id"):
        client.campaign("keys", [{"id": 1, "text": "x"}, {"id": 1, "text": "y"}], speech_only(voice))
    with pytest.raises(ak.InvalidParameterError, match="no CSV file"):
        client.campaign("keys", "missing.csv", speech_only(voice))
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("id,text\n1,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(ak.InvalidParameterError, match="UTF-8"):
        client.campaign("keys", latin, speech_only(voice))


def test_save_pending_keeps_finished_jobs_that_were_never_saved(client, voice, tmp_path):
    job = client.tts.create("Keep me", voice)
    job.wait(timeout=30)
    client._journal.flush(5)
    saved = client.jobs.save_pending(tmp_path / "kept")
    assert len(saved) >= 1 and all(p.exists() and p.parent == tmp_path / "kept" for p in saved)
    assert client.jobs.save_pending(tmp_path / "kept") == []  # once only
    assert "expires in 7.0 days" in repr(client.jobs.recent(1)[0]) or "expires in 6.9" in repr(
        client.jobs.recent(1)[0])


def test_an_interrupted_download_is_resumed(sim, client, voice, tmp_path):
    from akool_nb.campaign.save import download

    url = client.tts.create("Resume the download", voice).wait(timeout=30).url
    import httpx

    whole = httpx.get(url).content
    part = tmp_path / ".parts" / (hashlib.sha256(url.encode()).hexdigest()[:24] + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(whole[: len(whole) // 2])
    path, sha = download(url, tmp_path)
    assert path.read_bytes() == whole and sha == hashlib.sha256(whole).hexdigest() and not part.exists()


@pytest.mark.anyio
async def test_async_campaign_with_an_async_make(aclient, sim, portrait, tmp_path):
    voice = (await aclient.voices.list())[0].voice_id

    async def make(c, row):
        speech = await (await c.tts.create(row["text"], voice)).wait(timeout=60)
        return await c.talking_photo.create(photo=portrait, audio=speech, resolution="720")

    rows = [{"id": f"a{i}", "text": f"Async hello {i}"} for i in range(4)] + [{"id": "bad", "text": ""}]
    campaign = aclient.campaign("async-welcome", rows, make)
    before = control(sim, "stats")["creates"]
    plan = await campaign.preview()
    assert control(sim, "stats")["creates"] == before and [r.row for r in plan.invalid] == ["bad"]
    report = await campaign.run(concurrency=2, save_to=tmp_path / "out", progress=False)
    assert report.counts["done"] == 4 and report.counts["failed"] == 1 and report.saved == 4
    again = await aclient.campaign("async-welcome", rows, make).run(progress=False)
    assert again.counts["done"] == 4
    assert sum(control(sim, "stats")["creates"].values()) - sum(before.values()) == 8


def test_a_create_no_list_can_settle_holds_its_row_until_settled_by_hand(client, sim, voice, portrait):
    rows = [{"id": "held", "text": "Talking photo answer lost"}]
    since = time.time()
    control(sim, "faults", {"drop": 1, "path_contains": "createbytalkingphoto"})
    first = client.campaign("held", rows, talking(voice, portrait)).run(progress=False)
    assert first.counts["ambiguous"] == 1
    error = client.campaign("held", rows, talking(voice, portrait)).results()["error"][0]
    assert "NOT retried" in error and "reconcile" in error
    second = client.campaign("held", rows, talking(voice, portrait)).run(progress=False)
    assert second.counts["ambiguous"] == 1  # never resent on a rerun
    made = [j for j in sim_jobs(sim, since) if j["kind"] == "talking_photo"]
    assert len(made) == 1  # the dropped create did make its job, once
    entry = next(e for e in client._journal.recent(client._service_key, None, meta={"campaign": "held"})
                 if e.state == "unknown")
    client.jobs.reconcile(entry, job_id=made[0]["id"])  # found by hand (webhook, dashboard)
    third = client.campaign("held", rows, talking(voice, portrait)).run(progress=False)
    assert third.counts["done"] == 1 and len([j for j in sim_jobs(sim, since) if j["kind"] == "talking_photo"]) == 1
    assert client.campaign("held", rows, talking(voice, portrait)).results()["job_id"][0] == made[0]["id"]


def test_the_table_panel_shows_few_rows_and_counts_the_rest(client):
    from akool_nb.widgets import CampaignTable
    from akool_nb.widgets.campaign import SHOWN

    panel = CampaignTable(name="big", total=1000, client=client)
    for i in range(1000):
        panel.set_row(f"r{i}", "running")
        panel.set_row(f"r{i}", "failed" if i % 100 == 7 else "done", thumbnail="https://x.invalid/t.png",
                      error="Akool refused it" if i % 100 == 7 else "")
    panel.set_row("r1", "done")  # a rerun of a row counts once
    panel.finish()
    assert panel.counts == {"done": 990, "failed": 10} and panel.value == panel.counts
    assert len(panel.rows) == SHOWN and panel.rows[0]["status"] == "failed"  # trouble first
    html = panel._static_html()
    assert len(html) < 20_000 and "990 done · 10 failed of 1000 rows" in html and "more rows in the counts" in html
    assert panel.offline and "export default withCommon(panel)" in panel._esm


def test_run_shows_the_panel_when_asked(client, voice):
    shown = []
    import IPython.display

    original = IPython.display.display
    IPython.display.display = lambda obj, *a, **k: shown.append(obj)
    try:
        client.campaign("panel-run", [{"id": "one", "text": "Panel"}], speech_only(voice)).run(panel=True,
                                                                                            progress=False)
    finally:
        IPython.display.display = original
    assert shown and shown[0].counts == {"done": 1} and shown[0].finished and shown[0].rows[0]["row"] == "one"


def test_faults_between_client_and_service_lose_no_row_and_create_nothing_twice(client, sim, voice):
    """Dropped connections after the service processed a request, 500s and 1005s, on every path: each row ends
    done (or held, if a create no list can show was hit) and no text is spoken twice."""
    client.reconcile_grace = 0.2
    rows = [{"id": f"f{i}", "text": f"Fault tolerant line {i}"} for i in range(12)]
    since = time.time()
    control(sim, "faults", {"drop": 3, "answer_500": 3, "answer_1005": 3})
    campaign = client.campaign("faults", rows, speech_only(voice))
    first = campaign.run(concurrency=4, progress=False)
    control(sim, "faults", {"drop": 0, "answer_500": 0, "answer_1005": 0})
    second = client.campaign("faults", rows, speech_only(voice)).run(concurrency=4, progress=False)
    assert second.counts["done"] == 12, (first, second)
    spoken = [j["params"]["input_text"] for j in sim_jobs(sim, since) if j["kind"] == "tts_v4"]
    assert sorted(spoken) == sorted(r["text"] for r in rows)  # each once


def test_any_csv_text_gives_rows_or_a_clear_error(tmp_path):
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    from akool_nb.campaign.rows import keyed, load_rows

    @hypothesis.settings(max_examples=100, deadline=None)
    @hypothesis.given(st.text(max_size=300))
    @hypothesis.example("0\n,")  # more values than header columns (found by this test)
    @hypothesis.example('id,text\n1,"a\n2,b')  # an unclosed quote
    def check(text):
        path = tmp_path / "fuzz.csv"
        path.write_text(text, encoding="utf-8")
        try:
            pairs = keyed(load_rows(path))
        except ak.InvalidParameterError:
            return
        assert len({k for k, _ in pairs}) == len(pairs)
        assert [k for k, _ in keyed(load_rows(path))] == [k for k, _ in pairs]  # stable keys

    check()


@pytest.mark.anyio
async def test_async_budget_stop_and_resume(aclient, sim):
    voice = (await aclient.voices.list())[0].voice_id

    async def make(c, row):
        return await c.tts.create(row["text"], voice)

    texts = [{"id": f"ab{i}", "text": f"Async budget line {i:02d} " + "word " * 20} for i in range(8)]
    await aclient.campaign("abudget-learn", texts[:2], make).run(progress=False)
    campaign = aclient.campaign("abudget", texts[2:], make)
    per_row = (await campaign.preview()).todo[0].credits
    before = creates(sim, "voice/tts")
    report = await campaign.run(concurrency=2, budget=per_row * 2.5, progress=False)
    assert report.stop is not None and 1 <= report.counts["done"] <= 2 and report.counts["not started"] >= 4
    assert creates(sim, "voice/tts") - before == report.counts["done"]
    rest = await aclient.campaign("abudget", texts[2:], make).run(progress=False)  # no budget: the rest
    assert rest.counts["done"] == 6 and creates(sim, "voice/tts") - before == 6


def test_out_of_credits_stops_starting_rows(client, sim):
    pytest.importorskip("dlib")
    from akool_nb.sim import engines as fe
    from akool_nb.sim.api._face import credit_of, set_credit

    before = credit_of(sim.state)
    set_credit(sim.state, 2)  # two image swaps (1 credit each)
    try:
        grace, astronaut = fe.sample_photo("grace_hopper"), fe.sample_photo("astronaut")
        rows = [{"id": f"swap{i}"} for i in range(5)]
        report = client.campaign("swaps", rows, lambda c, row: c.faceswap.image(astronaut, source=grace)).run(
            concurrency=1, progress=False)
    finally:
        set_credit(sim.state, before)
    assert report.counts["done"] == 2 and report.counts["failed"] == 1 and report.counts["not started"] == 2
    assert "out of credits" in str(report.stop) and "rerun" in str(report.stop)


def test_a_row_error_never_keeps_the_api_key(client, tmp_path):
    from .conftest import API_KEY

    def leaky(c, row):
        raise RuntimeError(f"my code printed the key {API_KEY} by mistake")

    report = client.campaign("leaky", [{"id": "x"}], leaky).run(save_to=tmp_path / "out", progress=False)
    assert report.counts["failed"] == 1
    error = client.campaign("leaky", [{"id": "x"}], leaky).results()["error"][0]
    assert "RuntimeError" in error and API_KEY not in error
    assert API_KEY not in (tmp_path / "out" / "manifest.csv").read_text()
    assert API_KEY.encode() not in client._journal.path.with_name("campaigns.sqlite").read_bytes()


@pytest.mark.anyio
async def test_async_row_still_rate_limited_fails_then_runs_next_time(aclient, sim, monkeypatch):
    import akool_nb.campaign.aio as run_module

    monkeypatch.setattr(run_module, "ROW_TRIES", 2)
    monkeypatch.setattr(run_module, "ROW_BACKOFF", 0.01)
    voice = (await aclient.voices.list())[0].voice_id
    make = lambda c, row: c.tts.create(row["text"], voice)  # noqa: E731 - a sync make returning a coroutine
    rows = [{"id": "abusy", "text": "Async rate limited at first"}]
    control(sim, "faults", {"answer_1005": 50, "path_contains": "voice/tts"})
    first = await aclient.campaign("abusy", rows, make).run(progress=False)
    control(sim, "faults", {"answer_1005": 0})
    second = await aclient.campaign("abusy", rows, make).run(progress=False)
    assert first.counts["failed"] == 1 and second.counts["done"] == 1


def test_a_step_made_more_than_7_days_ago_is_made_again(client, sim, voice, portrait):
    rows = [{"id": "old", "text": "Made long ago"}]
    with client.jobs.tag(campaign="old-step", row="old", step=0):
        client.tts.create("Made long ago", voice)
    client._journal.flush(5)
    entry = client._journal.recent(client._service_key, 1, meta={"campaign": "old-step"})[0]
    entry.first_sent = entry.created_at = time.time() - 8 * 86400  # its result is gone at Akool
    client._journal.save(entry)
    client._journal.flush(5)
    since = time.time()
    report = client.campaign("old-step", rows, talking(voice, portrait)).run(progress=False)
    assert report.counts["done"] == 1
    assert sorted(j["kind"] for j in sim_jobs(sim, since)) == ["talking_photo", "tts_v4"]
