"""Many jobs: 500 mixed jobs created and waited with AsyncAkool against the offline Akool with a fixed
processing time, next to the docs' pattern (sequential creates, then a fixed-interval poll of each job)
measured in the same run on a second service with the same settings.

Reports requests per job (aim ≤ 2.5) and wall time against the processing time (aim ≤ 1.1×).
Run: python benchmarks/bench_jobs.py [jobs] [processing_seconds]
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

import akool_nb as ak
from akool_nb import sim
from akool_nb.sim.clock import Timing

KEY = "bench-key-0123456789abcd"
DOCS_POLL_INTERVAL = 1.0  # the docs' samples poll each job on a fixed interval


def _requests(server) -> int:
    stats = httpx.get(f"{server.base_url}/_sim/stats").json()
    stats = stats.get("data", stats)
    return int(stats["requests"])


def _reset(server) -> None:
    httpx.post(f"{server.base_url}/_sim/reset", json={})


def _makers(voice_id: str, photo_url: str, speech_url: str, scene_url: str, scene_face, source_face):
    """Create calls for a mix of products (a coroutine on AsyncAkool, a job on Akool). Faceswap and image to
    video have many-ids result endpoints; the others are polled job by job."""
    return [
        lambda c: c.tts.create(text="Benchmark speech", voice_id=voice_id),
        lambda c: c.tts.create_v3(text="Benchmark speech", voice_id=voice_id),
        lambda c: c.talking_photo.create(photo=photo_url, audio=speech_url),
        lambda c: c.faceswap.image(scene_url, source=source_face, target=scene_face),
        lambda c: c.image_to_video.create(photo_url, "slow zoom in", resolution="720p", video_length=5),
    ]


async def run_toolkit(server, n: int, makers) -> dict:
    async with ak.AsyncAkool(api_key=KEY, base_url=server.base_url, journal=False, offline=True,
                             poll_interval=0.1, max_poll_interval=0.25) as client:
        _reset(server)
        limit = asyncio.Semaphore(64)

        async def create(i: int):
            async with limit:
                return await makers[i % len(makers)](client)

        start = time.perf_counter()
        jobs = await asyncio.gather(*(create(i) for i in range(n)))
        created = time.perf_counter() - start
        await client.jobs.wait_all(jobs, timeout=600)
        wall = time.perf_counter() - start
        latency = [j.finished_at - j.created_at for j in jobs]
        return {"wall": wall, "create": created, "requests": _requests(server), "latency": latency}


def run_docs_pattern(server, n: int, makers) -> dict:
    client = ak.Akool(api_key=KEY, base_url=server.base_url, journal=False, offline=True)
    _reset(server)
    start = time.perf_counter()
    jobs = [makers[i % len(makers)](client) for i in range(n)]  # one create after the other
    created = time.perf_counter() - start
    pending = list(jobs)
    while pending:
        round_start = time.perf_counter()
        for job in pending:
            job.refresh()
        pending = [j for j in pending if not j.done]
        if pending:
            time.sleep(max(0.0, DOCS_POLL_INTERVAL - (time.perf_counter() - round_start)))
    wall = time.perf_counter() - start
    latency = [j.finished_at - j.created_at for j in jobs]
    client.close()
    return {"wall": wall, "create": created, "requests": _requests(server), "latency": latency}


def main(n: int = 500, processing: float = 4.0) -> dict:
    timing = Timing(queue_s=0.2, process_s=processing - 0.2)
    with tempfile.TemporaryDirectory() as tmp:
        with sim.start(api_key=KEY, fast=True, timing=timing, data_dir=Path(tmp) / "a") as server:
            setup = ak.Akool(api_key=KEY, base_url=server.base_url, journal=False, offline=True, poll_interval=0.1)
            voice = setup.voices.list()[0].voice_id
            photo = ak.samples.portrait(Path(tmp) / "p.png", size=256)
            photo_url = setup._assets.upload(Path(tmp, "p.png").read_bytes(), "p.png", "image/png")
            speech_url = setup.tts.create(text="Benchmark speech", voice_id=voice).wait(timeout=60).url
            from akool_nb.sim import face_engine, routes_face

            routes_face.set_credit(server.state, 100_000)  # the offline balance would stop 500 faceswaps
            def upload(image, name):
                import io

                buffer = io.BytesIO()
                image.save(buffer, format="PNG")
                return setup._assets.upload(buffer.getvalue(), name, "image/png")

            scene_url = upload(face_engine.sample_photo("astronaut"), "scene.png")
            source_url = upload(face_engine.sample_photo("grace_hopper"), "source.png")
            scene_face = setup.faces.detect(scene_url).face
            source_face = setup.faces.detect(source_url).face
            makers = _makers(voice, photo_url, speech_url, scene_url, scene_face, source_face)
            for make in makers:  # warm the service's render cache: the benchmark measures waiting, not ffmpeg
                make(setup).wait(timeout=120)
            ours = asyncio.run(run_toolkit(server, n, makers))
            theirs = run_docs_pattern(server, n, makers)
    print(f"{n} jobs ({len(makers)} products), processing time {processing:.1f} s")
    report = {}
    for name, r in (("akool_nb AsyncAkool + wait_all", ours), ("docs pattern (sequential, 1 s poll)", theirs)):
        per_job = r["requests"] / n
        p50, p95 = statistics.median(r["latency"]), sorted(r["latency"])[int(0.95 * (n - 1))]
        print(f"  {name:36s} requests/job {per_job:5.2f}   wall {r['wall']:6.1f} s ({r['wall'] / processing:4.2f}x)"
              f"   creates {r['create']:5.1f} s   job latency p50 {p50 / processing:4.2f}x p95 {p95 / processing:4.2f}x")
        report[name] = {"requests_per_job": per_job, "wall_ratio": r["wall"] / processing}
    print(f"RESULT requests_per_job={ours['requests'] / n:.2f} (aim <= 2.5) "
          f"wall_ratio={ours['wall'] / processing:.2f} (aim <= 1.1)")
    return report


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 500, float(args[1]) if len(args) > 1 else 4.0)
