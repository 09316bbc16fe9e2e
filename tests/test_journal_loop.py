"""No blocking call in the async create/poll path, during 200 concurrent creates and their polls against the
offline Akool (journal on), watched two ways:

* strictly, with an audit hook: no sqlite3 connection, file open or sleep happens on the event loop's thread;
* by asyncio's debug mode (``slow_callback_duration``): no step of an akool_nb task holds the loop for ``SLOW``
  seconds. On this loaded 2-core machine, steps of 0.3–0.6 s happen with the journal off too (scheduling), so
  the wall-clock threshold is coarse; the audit hook is the precise check.

The harness is shown to catch a journal write that blocks the loop, so the test can fail."""
from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest

import akool_nb as ak
from tests.conftest import API_KEY

SLOW = 1.5  # seconds: above this machine's scheduling noise, far below a commit waiting on a lock (30 s)
BLOCKING = {"sqlite3.connect", "sqlite3.connect/handle", "open", "time.sleep"}  # audit events of blocking calls
_watch: dict = {"thread": None, "seen": []}


def _audit(event: str, args: tuple) -> None:
    if _watch["thread"] is not None and event in BLOCKING and threading.get_ident() == _watch["thread"]:
        if event == "open" and str(args[0]).endswith(".py"):
            return  # asyncio's debug mode reading source lines for its tracebacks (linecache), not ours
        _watch["seen"].append((event, str(args)[:120]))


sys.addaudithook(_audit)  # inert unless a test sets _watch["thread"]


class _Service:
    base_url = ""


@pytest.fixture(scope="module")
def service():
    """The offline Akool in its own process: in this one, its threads would hold the GIL and make every
    callback of the client look slow."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "akool_nb.sim", "--port", str(port), "--api-key", API_KEY,
                             "--fast"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    service = _Service()
    service.base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{service.base_url}/_sim/health", timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.2)
    yield service
    proc.terminate()
    proc.wait(10)


def _run_batch(sim, tmp_path, n: int, caplog) -> tuple[list[str], list[tuple[str, str]]]:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.slow_callback_duration = SLOW
        async with ak.AsyncAkool(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05,
                                 max_poll_interval=0.2, journal=tmp_path / "jobs.sqlite") as client:
            voice = (await client.voices.list())[0]
            await (await client.tts.create(text="warm up", voice_id=voice)).refresh()  # imports, first connects
            caplog.clear()
            _watch["seen"], _watch["thread"] = [], threading.get_ident()
            try:
                jobs = await asyncio.gather(*(client.tts.create(text="Loop check", voice_id=voice)
                                              for _ in range(n)))
                await asyncio.gather(*(job.refresh() for job in jobs))
            finally:
                _watch["thread"] = None
            assert len({j.id for j in jobs}) == n

    with caplog.at_level(logging.WARNING, logger="asyncio"):
        asyncio.run(main(), debug=True)
    slow = [r.getMessage() for r in caplog.records if r.name == "asyncio" and "took" in r.getMessage()]
    return slow, list(_watch["seen"])


def test_no_blocking_call_on_the_loop_during_200_concurrent_creates_and_polls(service, tmp_path, caplog):
    slow, blocking = _run_batch(service, tmp_path, 200, caplog)
    assert not blocking, blocking[:5]  # no sqlite3 connection, file open or sleep on the event loop thread
    assert not [m for m in slow if "akool_nb" in m], slow[:3]


def test_the_harness_catches_a_journal_write_that_blocks_the_loop(service, tmp_path, caplog, monkeypatch):
    from akool_nb._journal import journal as store

    real, calls = store.Journal.begin, []

    def blocking_begin(self, *args, **kwargs):  # what the first journal did: a connection and a commit per job
        if len(calls) == 1:  # the first create after the warm-up
            time.sleep(SLOW * 1.2)
        calls.append(1)
        sqlite3.connect(":memory:").close()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(store.Journal, "begin", blocking_begin)
    slow, blocking = _run_batch(service, tmp_path, 5, caplog)
    assert any(event.startswith("sqlite3.connect") for event, _ in blocking), blocking
    assert any("akool_nb" in m for m in slow), slow
