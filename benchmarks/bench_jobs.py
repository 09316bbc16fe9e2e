"""Many jobs, honestly: 500 mixed jobs (TTS v4, TTS v3, talking photo, faceswap, image to video) with a
fixed 10 s processing time, measured three ways in the same run against the same offline Akool, which runs
in its own process (``python -m akool_nb.sim``) so client and service do not share a GIL:

* akool_nb in its DEFAULT configuration: the journal on (in a temporary AKOOL_NB_HOME), default polling
  intervals, AsyncAkool creates under a semaphore of 64, then ``client.jobs.wait_all``;
* naive raw httpx, no akool_nb code: sequential creates, then every pending job polled each second (the
  docs' samples);
* best-effort raw httpx, no akool_nb code: concurrent creates under a semaphore of 64, each job polled at
  its expected completion (created + processing time), then every 0.5 s (what a careful engineer writes).

Prints wall time (and its ratio to the processing time), create throughput, requests per job, job latency
p50/p95 (create sent -> completion seen) and the ratios. Aims (issue 13): akool_nb wall <= 1.05x processing,
<= best-effort wall, < naive wall; requests/job <= 2.5; create throughput >= 0.9x best-effort's.
Run: python benchmarks/bench_jobs.py [jobs] [processing_seconds] [--profile]
"""
from __future__ import annotations

import asyncio
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import httpx

KEY = "bench-key-0123456789abcd"
QUEUE_S = 0.2
CONCURRENCY = 64


# ------------------------------------------------------------------------------ the service, in its own process
def start_service(data_dir: Path, processing: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "akool_nb.sim", "--fast", "--port", "0", "--api-key", KEY, "--data-dir", str(data_dir),
         "--queue-seconds", str(QUEUE_S), "--process-seconds", str(processing - QUEUE_S)],
        stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()
    if not line or not line[0].startswith("http://"):
        proc.kill()
        raise RuntimeError("the offline Akool did not start")
    return proc, line[0]


def _requests(base: str) -> int:
    return int(httpx.get(f"{base}/_sim/stats").json()["requests"])


def _reset(base: str) -> None:
    httpx.post(f"{base}/_sim/reset", json={})


# ------------------------------------------------------------------------------ inputs (untimed; akool_nb may help)
@dataclass
class Inputs:
    voice_id: str
    photo_url: str
    speech_url: str
    scene_url: str
    source_url: str
    scene_opts: str
    source_opts: str
    scene_face: Any
    source_face: Any


def prepare(base: str) -> Inputs:
    import akool_nb as ak
    from akool_nb.sim import engines

    with ak.Akool(api_key=KEY, base_url=base, journal=False, offline=True, poll_interval=0.2) as setup:
        def upload(image: Any, name: str) -> str:
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            return setup._assets.upload(buffer.getvalue(), name, "image/png")

        voice = setup.voices.list()[0].voice_id
        photo_url = upload(ak.samples.portrait(None, size=256), "p.png")
        speech = setup.tts.create(text="Benchmark speech", voice_id=voice)
        scene_url = upload(engines.sample_photo("astronaut"), "scene.png")
        source_url = upload(engines.sample_photo("grace_hopper"), "source.png")
        scene, source = setup.faces.detect(scene_url).face, setup.faces.detect(source_url).face
        speech_url = speech.wait(timeout=120).url
        inputs = Inputs(voice, photo_url, speech_url, scene_url, source_url, scene.landmarks_str,
                        source.landmarks_str, scene, source)
        warm = [make(setup) for make in akool_makers(inputs)]  # the service's render cache: measure waiting
        setup.jobs.wait_all(warm, timeout=300, poll=0.5)
        return inputs


# ------------------------------------------------------------------------------ akool_nb, default configuration
def akool_makers(i: Inputs) -> list[Callable[[Any], Any]]:
    return [
        lambda c: c.tts.create(text="Benchmark speech", voice_id=i.voice_id),
        lambda c: c.tts.create_v3(text="Benchmark speech", voice_id=i.voice_id),
        lambda c: c.talking_photo.create(photo=i.photo_url, audio=i.speech_url),
        lambda c: c.faceswap.image(i.scene_url, source=i.source_face, target=i.scene_face),
        lambda c: c.image_to_video.create(i.photo_url, "slow zoom in", resolution="720p", video_length=5),
    ]


async def run_akool_nb(base: str, n: int, inputs: Inputs) -> dict:
    import akool_nb as ak

    makers = akool_makers(inputs)
    _reset(base)
    async with ak.AsyncAkool(api_key=KEY, base_url=base, offline=True) as client:  # defaults: journal on
        limit = asyncio.Semaphore(CONCURRENCY)
        sent: dict[int, float] = {}

        async def create(i: int) -> Any:
            async with limit:
                sent[i] = time.time()
                return await makers[i % len(makers)](client)

        start = time.perf_counter()
        jobs = await asyncio.gather(*(create(i) for i in range(n)))
        created = time.perf_counter() - start
        await client.jobs.wait_all(jobs, timeout=900)
        wall = time.perf_counter() - start
        latency = [job.finished_at - sent[i] for i, job in enumerate(jobs)]
    return {"wall": wall, "create": created, "requests": _requests(base), "latency": latency}


# ------------------------------------------------------------------------------ raw httpx: no akool_nb code
@dataclass(frozen=True)
class Raw:
    """One product as a hand-written loop sees it: the create call and the status call of the docs."""

    path: str
    body: dict
    status: Callable[[str], tuple[str, str, dict]]  # job id -> (method, path, httpx kwargs)
    done: Callable[[Any], bool]  # the status answer's data -> finished (completed or failed)


def raw_products(i: Inputs) -> list[Raw]:
    def finished(value: Any) -> bool:
        return value in (3, 4)

    return [
        Raw("/api/open/v4/voice/tts", {"input_text": "Benchmark speech", "voice_id": i.voice_id},
            lambda j: ("GET", f"/api/open/v4/voice/resource/detail/{j}", {}),
            lambda d: finished(d["result"]["status"])),
        Raw("/api/open/v3/audio/create", {"input_text": "Benchmark speech", "voice_id": i.voice_id, "rate": "100%"},
            lambda j: ("GET", "/api/open/v3/audio/infobymodelid", {"params": {"audio_model_id": j}}),
            lambda d: finished(d["status"])),
        Raw("/api/open/v3/content/video/createbytalkingphoto",
            {"talking_photo_url": i.photo_url, "audio_url": i.speech_url},
            lambda j: ("GET", "/api/open/v3/content/video/infobymodelid", {"params": {"video_model_id": j}}),
            lambda d: finished(d["video_status"])),
        Raw("/api/open/v3/faceswap/highquality/specifyimage",
            {"targetImage": [{"path": i.scene_url, "opts": i.scene_opts}],
             "sourceImage": [{"path": i.source_url, "opts": i.source_opts}], "modifyImage": i.scene_url},
            lambda j: ("GET", "/api/open/v3/faceswap/result/listbyids", {"params": {"_ids": j}}),
            lambda d: finished(d["result"][0]["faceswap_status"])),
        Raw("/api/open/v4/image2Video/createBySourcePrompt",
            {"image_url": i.photo_url, "prompt": "slow zoom in", "negative_prompt": "", "resolution": "720p",
             "audio_type": 3, "video_length": 5},
            lambda j: ("POST", "/api/open/v4/image2Video/resultsByIds", {"json": {"_ids": j}}),
            lambda d: finished(d["result"][0]["status"])),
    ]


def _data(response: httpx.Response) -> Any:
    body = response.json()
    if body.get("code") != 1000:
        raise RuntimeError(f"{response.request.url.path}: {body}")
    return body["data"]


def run_naive(base: str, n: int, inputs: Inputs) -> dict:
    products = raw_products(inputs)
    _reset(base)
    with httpx.Client(base_url=base, headers={"x-api-key": KEY}, timeout=60) as http:
        start = time.perf_counter()
        jobs = []
        for i in range(n):
            product, sent = products[i % len(products)], time.time()
            jobs.append((product, _data(http.post(product.path, json=product.body))["_id"], sent))
        created = time.perf_counter() - start
        latency, pending = [], jobs
        while pending:
            round_start, still = time.perf_counter(), []
            for product, job_id, sent in pending:
                method, path, kwargs = product.status(job_id)
                if product.done(_data(http.request(method, path, **kwargs))):
                    latency.append(time.time() - sent)
                else:
                    still.append((product, job_id, sent))
            pending = still
            if pending:
                time.sleep(max(0.0, 1.0 - (time.perf_counter() - round_start)))
        wall = time.perf_counter() - start
    return {"wall": wall, "create": created, "requests": _requests(base), "latency": latency}


async def run_best_effort(base: str, n: int, inputs: Inputs, processing: float) -> dict:
    products = raw_products(inputs)
    _reset(base)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, headers={"x-api-key": KEY}, timeout=60, limits=limits) as http:
        limit = asyncio.Semaphore(CONCURRENCY)
        created_at: list[float] = []

        async def one(i: int) -> float:
            product = products[i % len(products)]
            async with limit:
                sent = time.time()
                job_id = _data(await http.post(product.path, json=product.body))["_id"]
            created_at.append(time.perf_counter())
            await asyncio.sleep(processing)  # its expected completion
            method, path, kwargs = product.status(job_id)
            while not product.done(_data(await http.request(method, path, **kwargs))):
                await asyncio.sleep(0.5)
            return time.time() - sent

        start = time.perf_counter()
        latency = await asyncio.gather(*(one(i) for i in range(n)))
        wall = time.perf_counter() - start
    return {"wall": wall, "create": max(created_at) - start, "requests": _requests(base), "latency": latency}


# ------------------------------------------------------------------------------ report
def main(n: int = 500, processing: float = 10.0, profile: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        home = os.environ.get("AKOOL_NB_HOME")
        os.environ["AKOOL_NB_HOME"] = str(Path(tmp) / "home")  # the default journal, in a temporary home
        proc, base = start_service(Path(tmp) / "sim", processing)
        try:
            inputs = prepare(base)
            if profile:
                return _profile(base, n, inputs)
            runs = {
                "akool_nb (defaults, journal on)": asyncio.run(run_akool_nb(base, n, inputs)),
                "best-effort raw httpx (sem 64)": asyncio.run(run_best_effort(base, n, inputs, processing)),
                "naive raw httpx (sequential, 1 s)": run_naive(base, n, inputs),
            }
        finally:
            proc.terminate()
            proc.wait(10)
            if home is None:
                os.environ.pop("AKOOL_NB_HOME", None)
            else:
                os.environ["AKOOL_NB_HOME"] = home
    print(f"{n} jobs (5 products), processing time {processing:.1f} s, offline Akool in its own process")
    report = {}
    for name, r in runs.items():
        lat = sorted(r["latency"])
        p50, p95 = statistics.median(lat), lat[int(0.95 * (len(lat) - 1))]
        report[name] = {"wall": r["wall"], "creates_per_s": n / r["create"], "requests_per_job": r["requests"] / n}
        print(f"  {name:34s} wall {r['wall']:6.1f} s ({r['wall'] / processing:4.2f}x)  creates {n / r['create']:6.0f}/s "
              f"({r['create']:5.2f} s)  requests/job {r['requests'] / n:5.2f}  latency p50 {p50:5.1f} s p95 {p95:5.1f} s")
    ours, best, naive = (report[k] for k in runs)
    print(f"  ratios akool_nb/best-effort: wall {ours['wall'] / best['wall']:.2f}, create throughput "
          f"{ours['creates_per_s'] / best['creates_per_s']:.2f};  akool_nb/naive: wall {ours['wall'] / naive['wall']:.2f}, "
          f"create throughput {ours['creates_per_s'] / naive['creates_per_s']:.2f}")
    print(f"RESULT wall_ratio={ours['wall'] / processing:.2f} (aim <= 1.05) "
          f"wall_vs_best_effort={ours['wall'] / best['wall']:.2f} (aim <= 1.0) "
          f"wall_vs_naive={ours['wall'] / naive['wall']:.2f} (aim < 1.0) "
          f"requests_per_job={ours['requests_per_job']:.2f} (aim <= 2.5) "
          f"create_throughput_vs_best_effort={ours['creates_per_s'] / best['creates_per_s']:.2f} (aim >= 0.9)")
    return report


def _profile(base: str, n: int, inputs: Inputs) -> dict:
    """Where akool_nb's run spends its CPU (one akool_nb run under cProfile)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    result = asyncio.run(run_akool_nb(base, n, inputs))
    profiler.disable()
    print(f"akool_nb run: wall {result['wall']:.1f} s, creates {result['create']:.2f} s")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return result


if __name__ == "__main__":
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 500, float(args[1]) if len(args) > 1 else 10.0, profile="--profile" in flags)
