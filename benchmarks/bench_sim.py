"""The offline Akool's own throughput: creates/s and polls/s under 64 concurrent clients.

The service runs as its own process (``python -m akool_nb.sim --fast``), the load comes from raw httpx
``AsyncClient`` connections in this process (no akool_nb client code), so client and service never share a
GIL. The baseline, measured in the same run with the same client, is the bare HTTP stack: uvicorn serving a
starlette app that answers every request with a fixed envelope. ``ratio`` says how much of that ceiling the
offline Akool keeps after its own work (auth, validation, SQLite, the job clock).

Each round: ``--jobs`` creates (a mix of five products: TTS v4 and v3, talking photo, faceswap, image to
video), then ``--polls`` status polls spread over the jobs just created. Aim: >= 1000 creates/s, several
thousand polls/s (2 cores, the client takes one).

``--tree A --tree B`` serves the offline Akool from other source trees (e.g. a checkout of main), one after
the other in each round, to compare before and after in the same run.
Run: python benchmarks/bench_sim.py [--jobs 500] [--polls 5000] [--clients 64] [--rounds 3] [--tree PATH ...]
"""
from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

KEY = "bench-key-0123456789abcd"
HEADERS = {"x-api-key": KEY}
BARE_APP = """
import socket, sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def answer(request):
    await request.body()
    return JSONResponse({"code": 1000, "msg": "OK", "data": {"_id": "0" * 24, "status": 1}})

app = Starlette(routes=[Route("/{rest:path}", answer, methods=["GET", "POST"])])
sock = socket.socket(); sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1); sock.bind(("127.0.0.1", 0))
print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")).run(sockets=[sock])
"""


@contextmanager
def service(argv: list[str], env: dict | None = None):
    """A server subprocess that prints its base URL on its first line."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        base_url = proc.stdout.readline().split()[0]
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base_url}/_sim/health", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base_url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far: what a request costs the service, whatever
    else loads the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(pid: int, timeout: float = 20.0) -> float:
    """Wait until the service is idle (its job runner done with what was created); its CPU seconds then."""
    deadline, last = time.monotonic() + timeout, cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = cpu_seconds(pid)
        if now - last < 0.02:
            return now
        last = now
    return last


def sim_service(tree: str | None, data_dir: Path):
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = os.pathsep.join([str(Path(tree).resolve()), env.get("PYTHONPATH", "")])
    return service([sys.executable, "-m", "akool_nb.sim", "--fast", "--port", "0", "--api-key", KEY,
                    "--data-dir", str(data_dir)], env)


# ------------------------------------------------------------------ the job mix
def _ok(response: httpx.Response) -> dict:
    body = response.json()
    assert response.status_code == 200 and body.get("code") == 1000, response.text[:300]
    return body["data"]


def _wait(api: httpx.Client, path: str, params: dict, field: str, pick=lambda d: d) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        record = pick(_ok(api.get(path, params=params)))
        if record[field] in (3, 4):
            assert record[field] == 3, record
            return record
        time.sleep(0.1)
    raise TimeoutError(path)


def products(base_url: str) -> list[tuple]:
    """(create path, body, poll) for five products; each rendered once so the service reuses the media."""
    from PIL import Image

    from akool_nb.sim.engines import sample_photo  # a face photo shipped by a package (setup data only)

    api = httpx.Client(base_url=base_url, headers=HEADERS, timeout=120)

    def upload(image: Image.Image, name: str) -> str:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG")
        return _ok(api.post("/_sim/assets", params={"filename": name}, content=buffer.getvalue()))["url"]

    scene = sample_photo("astronaut")
    scene.thumbnail((256, 256))
    photo_url = upload(scene, "photo.png")
    source = sample_photo("grace_hopper")
    source.thumbnail((256, 256))
    source_url = upload(source, "source.png")

    def opts(url: str) -> str:
        found = api.post("/interface/detect-api/detect_faces", json={"url": url}).json()
        return found["faces_obj"]["0"]["landmarks_str"][0]

    _ok(api.get("/api/open/v3/avatar/list"))  # answers once the catalogue avatars are made (background work)
    voice = _ok(api.get("/api/open/v4/voice/list", params={"type": 2}))["result"][0]["voice_id"]
    tts4 = _ok(api.post("/api/open/v4/voice/tts", json={"input_text": "Benchmark speech", "voice_id": voice}))
    speech_url = _wait(api, f"/api/open/v4/voice/resource/detail/{tts4['_id']}", {}, "status",
                       lambda d: d["result"])["preview"]
    mix = [
        ("/api/open/v4/voice/tts", {"input_text": "Benchmark speech", "voice_id": voice},
         lambda i: ("GET", f"/api/open/v4/voice/resource/detail/{i}", None)),
        ("/api/open/v3/audio/create", {"input_text": "Benchmark speech", "voice_id": voice},
         lambda i: ("GET", "/api/open/v3/audio/infobymodelid", {"audio_model_id": i})),
        ("/api/open/v3/content/video/createbytalkingphoto", {"talking_photo_url": photo_url, "audio_url": speech_url},
         lambda i: ("GET", "/api/open/v3/content/video/infobymodelid", {"video_model_id": i})),
        ("/api/open/v3/faceswap/highquality/specifyimage",
         {"targetImage": [{"path": photo_url, "opts": opts(photo_url)}],
          "sourceImage": [{"path": source_url, "opts": opts(source_url)}], "modifyImage": photo_url},
         lambda i: ("GET", "/api/open/v3/faceswap/result/listbyids", {"_ids": i})),
        ("/api/open/v4/image2Video/createBySourcePrompt",
         {"image_url": photo_url, "prompt": "slow zoom in", "negative_prompt": "", "resolution": "720p",
          "audio_type": 3, "video_length": 5},
         lambda i: ("POST", "/api/open/v4/image2Video/resultsByIds", {"_ids": i})),
    ]
    fields = ["status", "status", "video_status", "faceswap_status", "status"]
    for (path, body, poll), field in zip(mix, fields):  # render each product once (warm the reuse cache)
        job_id = _ok(api.post(path, json=body))["_id"]
        method, poll_path, args = poll(job_id)
        deadline = time.monotonic() + 180
        while True:
            data = _ok(api.request(method, poll_path, **({"json": args} if method == "POST" else {"params": args})))
            record = (data["result"][0] if isinstance(data.get("result"), list) else data.get("result", data))
            if record[field] in (3, 4) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    api.close()
    return mix


# ------------------------------------------------------------------ load
async def load(base_url: str, requests: list[tuple[str, str, dict | None, dict | None]], clients: int):
    """Send ``requests`` (method, path, params, json) from ``clients`` concurrent clients, each its own
    ``httpx.AsyncClient`` with one keep-alive connection (one pool of 64 connections costs httpcore more per
    request than the service does). Returns (seconds, answers' data, per-request latencies)."""
    pool = [httpx.AsyncClient(base_url=base_url, headers=HEADERS, timeout=60) for _ in range(clients)]
    queue = list(reversed(requests))
    out: list = [None] * len(requests)
    latency: list[float] = []

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            index = len(requests) - len(queue)
            method, path, params, body = queue.pop()
            t0 = time.perf_counter()
            response = await client.request(method, path, params=params, json=body)
            latency.append(time.perf_counter() - t0)
            payload = response.json()
            assert response.status_code == 200 and payload.get("code") == 1000, response.text[:300]
            out[index] = payload.get("data")

    try:
        # open the connections first: the figures measure requests, not TCP handshakes
        await asyncio.gather(*(client.get("/_sim/health") for client in pool))
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for client in pool))
        return time.perf_counter() - start, out, latency
    finally:
        await asyncio.gather(*(client.aclose() for client in pool))


def round_on(server: tuple[str, int], mix: list[tuple] | None, jobs: int, polls: int, clients: int) -> dict:
    base_url, pid = server
    if mix is None:  # the bare stack: the same number and shape of requests to a fixed answer
        creates = [("POST", "/c", None, {"input_text": "Benchmark speech"})] * jobs
    else:
        creates = [("POST", mix[i % len(mix)][0], None, mix[i % len(mix)][1]) for i in range(jobs)]
    cpu0 = settle(pid)
    create_s, data, create_lat = asyncio.run(load(base_url, creates, clients))
    cpu1 = settle(pid)  # a create's cost includes the job runner's work for it
    if mix is None:
        requests = [("GET", "/p", {"id": "x"}, None)] * polls
    else:
        requests = []
        for i in range(polls):
            method, path, args = mix[i % jobs % len(mix)][2](data[i % jobs]["_id"])
            requests.append((method, path, args if method == "GET" else None, args if method == "POST" else None))
    poll_s, _, poll_lat = asyncio.run(load(base_url, requests, clients))
    cpu2 = cpu_seconds(pid)
    return {"creates/s": jobs / create_s, "polls/s": polls / poll_s,
            "create p95 ms": 1000 * sorted(create_lat)[int(0.95 * (len(create_lat) - 1))],
            "poll p95 ms": 1000 * sorted(poll_lat)[int(0.95 * (len(poll_lat) - 1))],
            "create cpu ms": 1000 * (cpu1 - cpu0) / jobs, "poll cpu ms": 1000 * (cpu2 - cpu1) / polls}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--polls", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", action="append", default=None,
                        help="serve the offline Akool from this source tree (repeat to compare; default: installed)")
    args = parser.parse_args(argv)
    trees = args.tree or [None]
    results: dict[str, list[dict]] = {"bare HTTP stack": []}
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(args.rounds):
            with service([sys.executable, "-c", BARE_APP]) as server:
                results["bare HTTP stack"].append(round_on(server, None, args.jobs, args.polls, args.clients))
            order = trees if index % 2 == 0 else trees[::-1]  # alternate who goes first
            for tree in order:
                name = f"offline Akool ({tree or 'installed'})"
                with sim_service(tree, Path(tmp) / f"sim{trees.index(tree)}") as server:
                    mix = products(server[0])
                    results.setdefault(name, []).append(round_on(server, mix, args.jobs, args.polls, args.clients))
    medians = {name: {k: statistics.median(r[k] for r in rounds) for k in rounds[0]} for name, rounds in results.items()}
    bare = medians["bare HTTP stack"]
    print(f"{args.jobs} creates then {args.polls} polls, {args.clients} concurrent clients, "
          f"median of {args.rounds} rounds (service and client in separate processes)")
    print("  wall figures depend on what else loads the machine; service CPU per request does not")
    for name, m in medians.items():
        print(f"  {name:36s} creates {m['creates/s']:6.0f}/s (p95 {m['create p95 ms']:5.0f} ms, service CPU "
              f"{m['create cpu ms']:5.2f} ms)   polls {m['polls/s']:6.0f}/s (p95 {m['poll p95 ms']:5.0f} ms, service "
              f"CPU {m['poll cpu ms']:5.2f} ms)   CPU vs bare {m['create cpu ms'] / bare['create cpu ms']:4.1f}x / "
              f"{m['poll cpu ms'] / bare['poll cpu ms']:4.1f}x")
    for name, m in medians.items():
        if name != "bare HTTP stack":
            print(f"RESULT {name}: creates_per_s={m['creates/s']:.0f} (aim >= 1000) polls_per_s={m['polls/s']:.0f} "
                  f"creates_per_cpu_s={1000 / m['create cpu ms']:.0f} polls_per_cpu_s={1000 / m['poll cpu ms']:.0f}")
    return medians


if __name__ == "__main__":
    main()
