"""10,000 jobs in flight in one process (issue 12): memory, the journal's responsiveness, the panels' saved size.

The offline Akool runs in its own process with a long processing time, so every job created stays in flight.
One AsyncAkool (journal on, the default) creates N TTS jobs (default 10,000), ``concurrency`` at a time, and
keeps their Job handles, as a campaign or a notebook following them would. Measured in the same run:

* client memory growth: RSS (with --trace also tracemalloc's peak, Python objects only) after the
  client is warmed up -> after N jobs are in flight; aim <= 300 MB;
* ``client.jobs.recent()`` latency (the default 20 newest, from the journal) with an empty journal (baseline)
  and with N jobs in flight; aim < 50 ms;
* the saved notebook output of the panels over them: the widget state (JSON) plus the static HTML copy of a
  CampaignTable of N rows (running, then some done) and of a JobMonitor of the N jobs; aim < 200 KB.

Run: python benchmarks/bench_scale.py [jobs] [--concurrency 64] [--processing 900]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_jobs import KEY, start_service  # noqa: E402

AIM_MEMORY_MB = 300
AIM_RECENT_MS = 50
AIM_PANEL_KB = 200


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def recent_ms(client, tries: int = 30) -> tuple[float, float]:
    """Median and worst of ``tries`` calls of client.jobs.recent() (sync: it reads the local journal)."""
    times = []
    for _ in range(tries):
        start = time.perf_counter()
        client.jobs.recent()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def saved_size(panel) -> int:
    """Bytes a saved notebook keeps for a displayed panel: its widget state and its static HTML copy."""
    state = panel.get_state()
    state.pop("_esm", None)  # the ES module is code, the same for every panel (saved once per notebook)
    state.pop("_css", None)
    return len(json.dumps(state, default=str)) + len(panel._static_html())


def panel_sizes(jobs: list) -> dict[str, int]:
    from akool_nb.widgets.campaign import CampaignTable
    from akool_nb.widgets.monitor import JobMonitor

    out = {}
    small = CampaignTable("bench-scale", 25)
    for i, job in enumerate(jobs[:25]):
        small.set_row(f"row{i:05d}", "running")
    small._publish()
    out["campaign table, 25 rows (baseline)"] = saved_size(small)
    table = CampaignTable("bench-scale", len(jobs))
    for i, job in enumerate(jobs):
        table.set_row(f"row{i:05d}", "running")
    for i in range(0, len(jobs), 10):  # a tenth finished, some with an error
        table.set_row(f"row{i:05d}", "done" if i % 100 else "failed", error="" if i % 100 else "job failed: x" * 20)
    table._publish()
    out[f"campaign table, {len(jobs)} rows"] = saved_size(table)
    monitor = JobMonitor(jobs[:25], autostart=False)
    out["job monitor, 25 jobs (baseline)"] = saved_size(monitor)
    monitor = JobMonitor(jobs, autostart=False)
    out[f"job monitor, {len(jobs)} jobs"] = saved_size(monitor)
    return out


async def fill(base: str, n: int, concurrency: int, trace: bool) -> dict:
    import akool_nb as ak

    async with ak.AsyncAkool(api_key=KEY, base_url=base, offline=True) as client:
        voice = (await client.voices.list())[0].voice_id
        warm = await client.tts.create("warm up", voice)  # every module loaded, the pool and journal open
        base_recent = recent_ms(client)
        rss0 = rss_mb()
        if trace:
            tracemalloc.start()
        limit = asyncio.Semaphore(concurrency)

        async def create(i: int):
            async with limit:
                return await client.tts.create(f"Customer {i}, welcome to the spring campaign.", voice)

        started = time.perf_counter()
        jobs = await asyncio.gather(*(create(i) for i in range(n)))
        created = time.perf_counter() - started
        traced, peak = tracemalloc.get_traced_memory() if trace else (0, 0)
        tracemalloc.stop()
        rss1 = rss_mb()
        still = sum(1 for j in jobs if not j.done)
        flight_recent = recent_ms(client)
        panels = panel_sizes([warm, *jobs][1:])
        in_flight = sum(1 for j in jobs if not j.done)
    return {"rss": rss1 - rss0, "traced": traced / 2**20, "peak": peak / 2**20, "created": created,
            "still": still, "in_flight": in_flight, "recent0": base_recent, "recent": flight_recent,
            "panels": panels}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("jobs", nargs="?", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--processing", type=float, default=900.0, help="seconds each job takes at the service")
    parser.add_argument("--trace", action="store_true", help="also tracemalloc (slower creates)")
    args = parser.parse_args()
    n = args.jobs
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        os.environ["AKOOL_NB_HOME"] = str(Path(tmp) / "home")  # the default journal, in a temporary home
        proc, base = start_service(Path(tmp) / "sim", args.processing)
        try:
            r = asyncio.run(fill(base, n, args.concurrency, args.trace))
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"bench_scale: {n} TTS jobs in flight in one process (AsyncAkool, journal on), offline Akool in its own "
          f"process, processing {args.processing:g}s; created in {r['created']:.1f}s ({n / r['created']:.0f}/s), "
          f"{r['in_flight']}/{n} still in flight when measured")
    traced = f", Python objects traced {r['traced']:.1f} MB (peak {r['peak']:.1f} MB)" if args.trace else ""
    print(f"  client memory growth: RSS +{r['rss']:.1f} MB ({r['rss'] * 1024 / n:.1f} KB/job){traced}  "
          f"aim <= {AIM_MEMORY_MB} MB  {'OK' if r['rss'] <= AIM_MEMORY_MB else 'MISSED'}")
    (m0, w0), (m1, w1) = r["recent0"], r["recent"]
    print(f"  client.jobs.recent(): empty journal (baseline) median {m0:.2f} ms (worst {w0:.2f}); with {n} in "
          f"flight median {m1:.2f} ms (worst {w1:.2f}) = {m1 / max(m0, 1e-6):.1f}x  aim < {AIM_RECENT_MS} ms  "
          f"{'OK' if m1 < AIM_RECENT_MS else 'MISSED'}")
    for name, size in r["panels"].items():
        aim = "" if "baseline" in name else f"  aim < {AIM_PANEL_KB} KB  " + \
            ("OK" if size < AIM_PANEL_KB * 1024 else "MISSED")
        print(f"  saved panel output, {name}: {size / 1024:.1f} KB{aim}")


if __name__ == "__main__":
    main()
