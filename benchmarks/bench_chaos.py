"""Chaos at scale: 500 logical creates of eight products (four findable through a list endpoint: TTS v4,
voice change, avatars, knowledge; four not: TTS v3, talking photo, faceswap, image to video) through a
proxy that breaks 20% of requests (tests/chaos/proxy.py: resets before/after forwarding, 502/503, delays
past the client's timeout, 1005 bursts; seeded), then ``client.jobs.reconcile()`` where it exists, then
every figure set against the jobs the service really created.

Aims (issue 8): every job the service created reaches the user as a result or a journal entry; results
>= 98% (490/500) where the API makes the job findable; 0 duplicate creates; 0 undocumented exceptions.

"""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ is a package of this checkout

from akool_nb import sim  # noqa: E402
from tests.chaos import workload  # noqa: E402

KEY = "bench-key-0123456789abcd"


def main(n: int = 500, rate: float = 0.2, seed: int = 1, findable_only: bool = False) -> dict:
    """``findable_only``: only the products whose list endpoint can show a job without its id."""
    kinds = tuple(k for k in workload.KINDS if k.findable) if findable_only else workload.KINDS
    with tempfile.TemporaryDirectory() as tmp:
        with sim.start(api_key=KEY, fast=True, data_dir=Path(tmp) / "sim") as server:
            from akool_nb.sim.api import _face

            from akool_nb.sim.api import knowledge

            _face.set_credit(server.state, 1_000_000)  # the offline balance would stop the faceswaps
            knowledge.MAX_KNOWLEDGE = 1_000_000  # and its 100 knowledge bases per account, the knowledge creates
            inputs = workload.prepare_inputs(server.base_url, KEY)
            start = time.perf_counter()
            run = asyncio.run(workload.chaos_run(server.base_url, KEY, inputs, n, rate=rate, seed=seed,
                                                 journal=Path(tmp) / "jobs.sqlite", client_timeout=3.0,
                                                 concurrency=64, wait_timeout=300, kinds=kinds))
            elapsed = time.perf_counter() - start
    ledger = run.ledger
    print(workload.report(ledger, title=f"{n} jobs{' of findable products' if findable_only else ''} at "
                                        f"{rate:.0%} injected faults (seed {seed}), "
                                        f"{run.requests.get('faultable', 0)} API requests, {elapsed:.0f} s"))
    t = ledger.total
    findable = ledger.results["findable"] / max(1, ledger.n["findable"])
    print(f"RESULT results={t['results']}/{t['n']} findable_results={findable:.1%} (aim >= 98%) "
          f"lost={t['lost']} (aim 0) duplicates={t['duplicates']} (aim 0) "
          f"undocumented={len(ledger.undocumented)} (aim 0)")
    return {"results": t["results"], "lost": t["lost"], "duplicates": t["duplicates"],
            "findable_results": findable, "undocumented": len(ledger.undocumented)}


if __name__ == "__main__":
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 500, float(args[1]) if len(args) > 1 else 0.2,
         int(args[2]) if len(args) > 2 else 1, findable_only="--findable" in flags)
