"""The journal's cost: event-loop time spent in journal calls per job, and ``recent()`` latency.

AsyncAkool creates N TTS jobs (64 at a time) against the offline Akool (in its own process, so its threads do
not share our GIL) and polls each once; every journal call made on the event loop's thread is timed
(``Journal.begin/save/set_status`` and waiting on the intent's commit). The same run with ``journal=False``
is the baseline for wall time. Then ``recent()`` is timed on the journal the big run left behind.

Aims: ≤ 0.1 ms of loop time per job at 500 and 10,000 jobs; ``recent()`` < 50 ms at 10,000 entries.
Run: python benchmarks/bench_journal.py [small] [big]   (default 500 10000)
"""
from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

import akool_nb as ak
from akool_nb import client as client_module
from akool_nb._journal import journal as store

KEY = "bench-key-0123456789abcd"


class LoopClock:
    """Accumulates the time spent in wrapped functions when they run on the event loop's thread."""

    def __init__(self) -> None:
        self.seconds, self.cpu, self.calls, self.loop_thread = 0.0, 0.0, 0, None
        self._patches: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, name: str) -> None:
        real = getattr(owner, name)
        clock = self

        def timed(*args, **kwargs):
            if threading.get_ident() != clock.loop_thread:
                return real(*args, **kwargs)
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return real(*args, **kwargs)
            finally:
                clock.seconds += time.perf_counter() - start
                clock.cpu += time.thread_time() - cpu
                clock.calls += 1

        self._patches.append((owner, name, real))
        setattr(owner, name, timed)

    def wrap_async(self, owner: object, name: str) -> None:
        """Time the synchronous parts of a coroutine function (its steps), not the time it waits."""
        real = getattr(owner, name)
        clock = self

        async def timed(*args, **kwargs):
            coro = real(*args, **kwargs)
            value = None
            try:
                while True:
                    start, cpu = time.perf_counter(), time.thread_time()
                    try:
                        future = coro.send(value)
                    finally:
                        clock.seconds += time.perf_counter() - start
                        clock.cpu += time.thread_time() - cpu
                    value = await _Yield(future)
            except StopIteration as stop:
                clock.calls += 1
                return stop.value

        self._patches.append((owner, name, real))
        setattr(owner, name, timed)

    def undo(self) -> None:
        for owner, name, real in reversed(self._patches):
            setattr(owner, name, real)
        self._patches.clear()


class _Yield:
    def __init__(self, future):
        self.future = future

    def __await__(self):
        return (yield self.future)


def start_service(data_dir: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "akool_nb.sim", "--port", str(port), "--api-key", KEY, "--fast",
                             "--data-dir", data_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{url}/_sim/health", timeout=1).raise_for_status()
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the offline Akool did not start")


async def run(url: str, n: int, journal) -> dict:
    clock = LoopClock()
    async with ak.AsyncAkool(api_key=KEY, base_url=url, offline=True, journal=journal) as client:
        voice = (await client.voices.list())[0]
        await (await client.tts.create(text="warm up", voice_id=voice)).refresh()
        clock.loop_thread = threading.get_ident()
        for name in ("begin", "save", "set_status"):
            clock.wrap(store.Journal, name)
        clock.wrap_async(client_module, "_await")
        limit = asyncio.Semaphore(64)

        async def one(i: int):
            async with limit:
                return await client.tts.create(text=f"Journal benchmark {i % 7}", voice_id=voice)

        start = time.perf_counter()
        outcomes = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
        created = time.perf_counter() - start
        jobs = [j for j in outcomes if isinstance(j, ak.AsyncJob)]
        errors = [repr(e)[:80] for e in outcomes if isinstance(e, BaseException)]
        for job in jobs:  # the status update a finished job writes, without waiting for n renders
            job.status = ak.JobStatus.COMPLETED
            client._journal_update(job) if journal else None
        total = time.perf_counter() - start
        clock.undo()
        if journal:
            client._journal.flush(120)
    return {"n": n, "errors": errors, "creates_s": created, "wall_s": total, "loop_ms_per_job": clock.seconds * 1000 / n, "cpu_ms_per_job": clock.cpu * 1000 / n,
            "journal_calls": clock.calls, "journal": journal}


def time_recent(path: Path, service: str) -> dict:
    out = {}
    for label, limit in (("recent(20)", 20), ("recent(limit=None)", None)):
        times = []
        for _ in range(5):
            journal = ak._journal.Journal(path)
            journal.flush(60)
            start = time.perf_counter()
            entries = journal.recent(service, limit)
            times.append(time.perf_counter() - start)
        out[label] = (statistics.median(times) * 1000, len(entries))
    client = ak.Akool(api_key=KEY, base_url="http://127.0.0.1:9", offline=True, journal=path)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        shown = client.jobs.recent()
        times.append(time.perf_counter() - start)
    out["client.jobs.recent()"] = (statistics.median(times) * 1000, len(shown))
    return out


def main(sizes: list[int]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-journal-"))
    proc, url = start_service(str(tmp / "sim"))
    try:
        print("preliminary figures: the machine is shared; wall times vary run to run")
        print("loop ms/job: wall time of journal calls on the event loop's thread (includes being descheduled by a "
              "busy machine and GIL waits); cpu: that thread's CPU time in them")
        print(f"{'jobs':>6} {'journal':>8} {'creates s':>10} {'creates/s':>10} {'loop ms/job':>12} {'cpu ms/job':>11} "
              f"{'calls':>7}")
        for n in sizes:
            for journal in (False, tmp / f"jobs-{n}.sqlite"):
                r = asyncio.run(run(url, n, journal))
                print(f"{n:>6} {'on' if journal else 'off':>8} {r['creates_s']:>10.2f} {n / r['creates_s']:>10.0f} "
                      f"{r['loop_ms_per_job'] if journal else float('nan'):>12.4f} "
                      f"{r['cpu_ms_per_job'] if journal else float('nan'):>11.4f} {r['journal_calls']:>7}")
                if r["errors"]:  # lost answers the service itself caused under load (counted, not hidden)
                    print(f"        {len(r['errors'])} creates raised: {r['errors'][:2]}")
        big = tmp / f"jobs-{sizes[-1]}.sqlite"
        for label, (ms, count) in time_recent(big, "offline").items():
            print(f"{label:>22}: {ms:7.2f} ms ({count} entries; journal holds {sizes[-1] + 1})")
        print("aims: loop ms/job <= 0.1; recent() < 50 ms at 10,000 entries")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [500, 10000])
