"""Webhooks against polling: N mixed jobs (TTS v4, TTS v3, talking photo, faceswap, image to video; the mix of
bench_jobs.py) with a fixed processing time, against the offline Akool in its own process, twice in one run:

* polling only: AsyncAkool in its default configuration (journal on), ``client.jobs.wait_all``;
* with the receiver: the same client given ``webhooks=Receiver(...).serve()`` (the offline Akool delivers
  to it on loopback); ``wait_all`` completes jobs from the deliveries, polling only what is overdue.

Prints requests per job (creates + status checks, counted by the service), wall time and its ratio to the
processing time (the create phase included: on a loaded machine it dominates), how late each completion was
seen (job created -> result known, minus the processing time) and the receiver's counts. Aims (issue 12): with the receiver <= 1.2 requests/job and
wall <= 1.05x processing; polling only keeps bench_jobs.py's figures.
Run: python benchmarks/bench_webhooks.py [jobs] [processing_seconds]
"""
from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_jobs import CONCURRENCY, KEY, _requests, _reset, akool_makers, prepare, start_service  # noqa: E402

CLIENT_ID = "akoolnbsimclient"  # the offline Akool's default clientId: the webhook IV


async def run(base: str, n: int, inputs: Any, processing: float, webhooks: Any = None) -> dict:
    import akool_nb as ak

    makers = akool_makers(inputs)
    _reset(base)
    async with ak.AsyncAkool(api_key=KEY, base_url=base, offline=True, webhooks=webhooks) as client:
        limit = asyncio.Semaphore(CONCURRENCY)

        async def create(i: int) -> Any:
            async with limit:
                return await makers[i % len(makers)](client)

        start, cpu = time.perf_counter(), time.process_time()
        jobs = await asyncio.gather(*(create(i) for i in range(n)))
        created = time.perf_counter() - start
        await client.jobs.wait_all(jobs, timeout=900)
        wall = time.perf_counter() - start
        polled = sum(1 for j in jobs if j.polls)
        late = sorted(j.finished_at - j.created_at - processing for j in jobs)  # seen after the service finished
    return {"wall": wall, "create": created, "requests": _requests(base), "polled": polled,
            "cpu": time.process_time() - cpu, "late_p50": statistics.median(late), "late_p95": late[int(0.95 * (n - 1))]}


def main(n: int = 500, processing: float = 10.0) -> dict:
    from akool_nb.webhook import Receiver

    with tempfile.TemporaryDirectory() as tmp:
        home = os.environ.get("AKOOL_NB_HOME")
        os.environ["AKOOL_NB_HOME"] = str(Path(tmp) / "home")  # the default journal, in a temporary home
        proc, base = start_service(Path(tmp) / "sim", processing)
        try:
            inputs = prepare(base)
            polling = asyncio.run(run(base, n, inputs, processing))
            with Receiver(client_id=CLIENT_ID, client_secret=KEY).serve() as receiver:
                hooked = asyncio.run(run(base, n, inputs, processing, webhooks=receiver))
                counts = dict(receiver.counts)
        finally:
            proc.terminate()
            proc.wait(10)
            if home is None:
                os.environ.pop("AKOOL_NB_HOME", None)
            else:
                os.environ["AKOOL_NB_HOME"] = home
    print(f"{n} jobs (5 products), processing time {processing:.1f} s, offline Akool in its own process")
    for name, r in (("polling only (defaults)", polling), ("with the webhook receiver", hooked)):
        print(f"  {name:26s} wall {r['wall']:6.1f} s ({r['wall'] / processing:4.2f}x processing)  creates "
              f"{r['create']:5.2f} s  requests/job {r['requests'] / n:5.2f}  jobs polled {r['polled']:4d}  "
              f"client CPU {r['cpu']:5.1f} s  completion seen late p50 {r['late_p50']:5.2f} s p95 {r['late_p95']:5.2f} s")
    print(f"  receiver: {counts}")
    print(f"RESULT webhook_requests_per_job={hooked['requests'] / n:.2f} (aim <= 1.2) "
          f"webhook_wall_ratio={hooked['wall'] / processing:.2f} (aim <= 1.05) "
          f"polling_requests_per_job={polling['requests'] / n:.2f} polling_wall_ratio={polling['wall'] / processing:.2f} "
          f"requests_saved={1 - hooked['requests'] / max(1, polling['requests']):.0%}")
    return {"polling": polling, "webhooks": hooked, "receiver": counts}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 500, float(args[1]) if len(args) > 1 else 10.0)
