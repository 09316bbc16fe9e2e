"""The journal heals, migrates, keeps secrets out, and loses nothing to threads, two processes or kill -9."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import pytest

import akool_nb as ak
from akool_nb._journal import Journal, JournalWarning
from tests.conftest import API_KEY

SERVICE = "offline"
ROOT = Path(__file__).resolve().parents[1]


def _good_journal(path: Path, n: int = 40) -> None:
    journal = Journal(path)
    for i in range(n):
        entry = journal.begin(SERVICE, "tts", "POST /api/open/v4/voice/tts", {"input_text": f"row {i}" * 20})
        journal.save(entry)
    journal.close()  # committed, checkpointed and closed: the file is ours to damage


def _damage(path: Path, mode: str) -> None:
    if mode == "directory":
        path.mkdir()
        return
    if mode in ("half_truncated", "bad_header", "damaged_pages"):
        _good_journal(path)
        for side in ("-wal", "-shm"):
            Path(str(path) + side).unlink(missing_ok=True)
        data = bytearray(path.read_bytes())
        if mode == "half_truncated":
            data = data[: len(data) // 2]
        elif mode == "bad_header":
            data[:16] = b"NotSQLiteAtAll!\x00"
        else:
            for page in range(1, len(data) // 4096):
                data[page * 4096: page * 4096 + 4096] = os.urandom(4096)
        path.write_bytes(bytes(data))
        return
    path.write_bytes({"garbage": os.urandom(5000), "plain_text": b"these are my notes, not a database\n" * 50,
                      "empty": b""}[mode])
    if mode == "foreign_jobs":
        pass


MODES = ["half_truncated", "garbage", "bad_header", "damaged_pages", "directory", "plain_text", "empty",
         "foreign_jobs"]


@pytest.mark.parametrize("mode", MODES)
def test_every_damaged_journal_heals_with_one_warning_and_keeps_working(tmp_path, mode, caplog):
    path = tmp_path / "jobs.sqlite"
    if mode == "foreign_jobs":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, title TEXT, done INTEGER)")
        conn.execute("INSERT INTO jobs (title, done) VALUES ('water the plants', 0)")
        conn.commit()
        conn.close()
    else:
        _damage(path, mode)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        journal = Journal(path)
        assert journal.recent(SERVICE) == []  # no raw sqlite3 error, an empty new journal
        entry = journal.begin(SERVICE, "tts", "POST /api/open/v4/voice/tts", {"input_text": "after healing"})
        assert journal.save(entry, durable=True).result(10) == 1
        assert [e.key for e in journal.recent(SERVICE)] == [entry.key]
        assert journal.get(SERVICE, "nope") is None
    mine = [w for w in seen if issubclass(w.category, JournalWarning)]
    assert len(mine) == 1, [str(w.message) for w in seen]
    moved = sorted(tmp_path.glob("jobs.sqlite.corrupt-*"))
    moved = [m for m in moved if not str(m).endswith(("-wal", "-shm"))]
    assert len(moved) == 1 and str(moved[0]) in str(mine[0].message) and str(path) in str(mine[0].message)
    assert sum("moved aside" in r.getMessage() for r in caplog.records) == 1
    assert path.is_file()


def test_creates_keep_being_journaled_after_a_heal(sim, tmp_path):
    path = tmp_path / "jobs.sqlite"
    _damage(path, "garbage")
    with pytest.warns(JournalWarning):
        client = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=path)
        job = client.tts.create(text="Healed journal", voice_id=client.voices.list()[0])
        client._journal.flush(10)
    assert [j.id for j in client.jobs.recent()] == [job.id]
    assert client.jobs.attach(job.id).product.key == "tts"


def test_an_unwritable_location_turns_the_journal_off_with_one_warning_and_creates_go_on(sim, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        client = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=blocked / "jobs.sqlite")
        job = client.tts.create(text="No journal here", voice_id=client.voices.list()[0])
        assert job.id and client.jobs.recent() == []
    mine = [w for w in seen if issubclass(w.category, JournalWarning)]
    assert len(mine) == 1 and "journal is off" in str(mine[0].message)
    assert client._journal.problem


def test_the_first_journal_is_migrated_and_keeps_its_jobs(tmp_path):
    path = tmp_path / "jobs.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE jobs (base_url TEXT NOT NULL, job_id TEXT NOT NULL, product TEXT NOT NULL, status "
                 "INTEGER, url TEXT, request TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL, "
                 "PRIMARY KEY (base_url, job_id))")
    conn.executemany("INSERT INTO jobs VALUES (?,?,?,?,?,?,?,?)", [
        ("offline", "job-old-1", "tts", 3, "http://x/1.mp3", '{"input_text": "old"}', 100.0, 101.0),
        ("offline", "job-old-2", "talking_photo", 1, None, None, 200.0, 200.0),
        ("https://openapi.akool.com", "job-live", "tts", 2, None, None, 150.0, 150.0)])
    conn.commit()
    conn.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error", JournalWarning)  # a migration is not a heal: no warning
        journal = Journal(path)
        rows = journal.recent("offline")
    assert [(e.job_id, e.product, e.status, e.state) for e in rows] == [
        ("job-old-2", "talking_photo", 1, "created"), ("job-old-1", "tts", 3, "created")]
    assert rows[1].body == {"input_text": "old"} and rows[1].url == "http://x/1.mp3"
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2


def test_no_secret_is_ever_written(sim, tmp_path):
    path = tmp_path / "jobs.sqlite"
    client = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=path)
    journal = client._journal
    entry = journal.begin("offline", "session", "POST /api/open/v4/liveAvatar/session/create", {
        "avatar_id": "a", "echo": f"my key is {API_KEY}", "credentials": {"agora_token": "tok-123456789"},
        "voice_params": {"elevenlabs_settings": {"api_key": "eleven-secret-1234"}}}, meta={"note": API_KEY})
    journal.save(entry, durable=True).result(10)
    journal.flush(10)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("jobs.sqlite*") if p.is_file())
    for secret in (API_KEY, "tok-123456789", "eleven-secret-1234"):
        assert secret.encode() not in raw
    assert journal.entry(entry.key).resendable == 0


def test_reads_see_this_process_own_queued_writes(tmp_path):
    journal = Journal(tmp_path / "jobs.sqlite")
    journal.flush(10)
    entries = []
    for i in range(200):
        entry = journal.begin(SERVICE, "tts", "POST /x", {"i": i})
        journal.save(entry)  # fire and forget
        entries.append(entry)
        assert journal.recent(SERVICE, 1)[0].key == entry.key  # at once, committed or not
    journal.set_status(SERVICE, "no-such-job", 3)
    assert len(journal.recent(SERVICE, None)) == 200


def test_threads_writing_at_once_lose_nothing(tmp_path):
    journal = Journal(tmp_path / "jobs.sqlite")
    keys: list[str] = []
    lock = threading.Lock()

    def work(t: int) -> None:
        for i in range(100):
            entry = journal.begin(SERVICE, "tts", "POST /x", {"t": t, "i": i})
            journal.save(entry, durable=(i % 10 == 0))
            journal.claim(entry, [f"job-{t}-{i}"])
            with lock:
                keys.append(entry.key)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert journal.flush(30)
    rows = sqlite3.connect(tmp_path / "jobs.sqlite").execute("SELECT key, job_id FROM entries").fetchall()
    assert len(rows) == 800 and {k for k, _ in rows} == set(keys) and all(j for _, j in rows)


_WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from akool_nb._journal import Journal
    j = Journal({path!r})
    for i in range({n}):
        e = j.begin("offline", "tts", "POST /x", {{"who": {who!r}, "i": i}})
        j.save(e, durable=(i % 25 == 0))
        j.claim(e, ["{who}-" + str(i), "shared-" + str(i % 50)])
    j.flush(60)
""")


def test_two_processes_writing_the_same_file_lose_nothing(tmp_path):
    path = tmp_path / "jobs.sqlite"
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER.format(root=str(ROOT), path=str(path), n=300,
                                                                    who=who)]) for who in ("a", "b")]
    assert [p.wait(120) for p in procs] == [0, 0]
    rows = sqlite3.connect(path).execute("SELECT job_id FROM entries").fetchall()
    assert len(rows) == 600 and len({r[0] for r in rows}) == 600  # every entry kept, each job claimed once


_KILLED = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    import akool_nb as ak
    client = ak.Akool(api_key={key!r}, base_url={url!r}, offline=True, journal={path!r}, reconcile_grace=0.2)
    voice = client.voices.list()[0]
    for i in range(1000):
        job = client.tts.create(text="killed batch " + str(i), voice_id=voice)
        print("ACK", job.id, flush=True)
""")


def test_a_kernel_killed_mid_batch_loses_no_acknowledged_or_sent_create(sim, tmp_path):
    path = tmp_path / "jobs.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED.format(root=str(ROOT), key=API_KEY, url=sim.base_url,
                                                                  path=str(path))],
                            stdout=subprocess.PIPE, text=True)
    acked = []
    assert proc.stdout is not None
    while len(acked) < 25:
        line = proc.stdout.readline()
        assert line, "the batch ended early"
        acked.append(line.split()[1])
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    time.sleep(0.2)
    sent = {r["json"]["input_text"] for r in __import__("tests.simctl", fromlist=["control"]).control(sim, "requests")
            if r["path"] == "/api/open/v4/voice/tts" and "killed batch" in str((r.get("json") or {}).get("input_text"))}
    fresh = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=path, reconcile_grace=0.2)
    settled = fresh.jobs.reconcile()  # the one in flight at the kill, if any: found (or proven absent)
    assert all(not isinstance(s, ak.Job) or s.id for s in settled)
    known = {j.id for j in fresh.jobs.recent(None) if isinstance(j, ak.Job)}
    assert set(acked) <= known  # 100% of acknowledged creates
    texts = {e.body["input_text"] for e in fresh._journal.recent(fresh._service_key, None) if e.job_id}
    assert sent <= texts  # every create the service received is journaled with its job
    assert not fresh._journal.unsettled(fresh._service_key)


def test_a_journal_damaged_while_in_use_heals_once_and_reads_never_raise(tmp_path):
    path = tmp_path / "jobs.sqlite"
    journal = Journal(path)
    for i in range(30):
        journal.save(journal.begin(SERVICE, "tts", "POST /x", {"i": i}))
    assert journal.flush(10) and len(journal.recent(SERVICE, None)) == 30
    side = sqlite3.connect(path)
    side.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, the WAL empty
    side.close()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with open(path, "r+b") as fh:  # someone scribbles over the file in place (same inode)
            fh.write(os.urandom(path.stat().st_size))
        first = journal.recent(SERVICE, None)  # no raw sqlite3 error
        entry = journal.begin(SERVICE, "tts", "POST /x", {"after": True})
        assert journal.save(entry, durable=True).result(10) == 1
        assert [e.key for e in journal.recent(SERVICE, None)][-1:] == [entry.key] or entry.key in {
            e.key for e in journal.recent(SERVICE, None)}
    assert isinstance(first, list)
    assert len([w for w in seen if issubclass(w.category, JournalWarning)]) == 1


def test_a_sync_create_inside_a_running_event_loop_does_not_wait_for_itself(sim, tmp_path, caplog, monkeypatch):
    """A notebook cell runs inside ipykernel's event loop: the sync client's wait for its intent must not
    depend on that loop coming round."""
    import asyncio

    from akool_nb import client as client_module

    monkeypatch.setattr(client_module, "JOURNAL_WAIT", 3.0)
    client = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=tmp_path / "jobs.sqlite")
    voice = client.voices.list()[0]

    async def cell():
        return client.tts.create(text="Inside a loop", voice_id=voice)

    job = asyncio.run(cell())
    assert job.id and not [r for r in caplog.records if "did not answer" in r.getMessage()]
    assert client.jobs.recent()[0].id == job.id


def test_a_journal_collected_while_another_thread_opens_one_never_deadlocks(tmp_path):
    """CI once hung here: a collection ran a dropped Journal's finalizer inside a thread being
    started while the opener held the stores lock and waited for that thread."""
    import gc

    from akool_nb._journal import store

    dropped = Journal(tmp_path / "dropped.sqlite")
    dropped.flush(10)
    done = threading.Event()

    def collect_elsewhere():
        nonlocal dropped
        dropped = None
        gc.collect()
        done.set()

    with store._STORES_LOCK:  # what an opener in another thread holds while it starts a writer
        worker = threading.Thread(target=collect_elsewhere)
        worker.start()
        assert done.wait(5), "the finalizer waited for the stores lock"
    worker.join(5)
    again = Journal(tmp_path / "dropped.sqlite")  # the dropped store is let go, a fresh one opens
    assert again.enabled and again.flush(10)
    again.close()
