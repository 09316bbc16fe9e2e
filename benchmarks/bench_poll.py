"""Status-poll overhead: ``job.refresh()`` against a raw httpx GET of the same endpoint on the same loopback
offline Akool, measured in the same run, interleaved in rounds. Aim: ratio ≤ 1.15.
Run: python benchmarks/bench_poll.py [polls_per_round] [rounds]
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

import akool_nb as ak
from akool_nb import sim

KEY = "bench-key-0123456789abcd"


def main(polls: int = 200, rounds: int = 5) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        server = sim.start(api_key=KEY, fast=True, data_dir=Path(tmp) / "sim")
        try:
            client = ak.Akool(api_key=KEY, base_url=server.base_url, journal=Path(tmp) / "j.sqlite", offline=True)
            voice = client.voices.list()[0]
            job = client.tts.create(text="Benchmark", voice_id=voice)
            job.wait(timeout=30, poll=0.05)
            raw = httpx.Client()
            url = f"{server.base_url}/api/open/v4/voice/resource/detail/{job.id}"

            def raw_poll() -> None:
                body = raw.get(url, headers={"x-api-key": KEY}).json()
                assert body["code"] == 1000 and body["data"]["result"]["status"] == 3

            def client_poll() -> None:
                job.refresh()
                assert job.status is ak.JobStatus.COMPLETED

            for fn in (raw_poll, client_poll):  # warm up connections and caches
                for _ in range(20):
                    fn()
            per_round = {"raw httpx": [], "akool_nb job.refresh()": []}
            pair = [("raw httpx", raw_poll), ("akool_nb job.refresh()", client_poll)]
            for index in range(rounds):
                for name, fn in (pair if index % 2 == 0 else pair[::-1]):  # alternate who goes first
                    start = time.perf_counter()
                    for _ in range(polls):
                        fn()
                    per_round[name].append((time.perf_counter() - start) / polls)
            medians = {name: statistics.median(v) for name, v in per_round.items()}
            ratio = medians["akool_nb job.refresh()"] / medians["raw httpx"]
            print(f"status poll on loopback, median of {rounds} rounds x {polls} polls")
            for name, value in medians.items():
                print(f"  {name:26s} {value * 1e6:8.0f} µs/poll")
            print(f"RESULT poll_ratio={ratio:.3f} (aim <= 1.15)")
            client.close()
            raw.close()
            return ratio
        finally:
            server.stop()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
