"""What rendering at the documented size costs in the offline Akool: a talking avatar (3840x2160, speech of
about 10 s) and a createbybutton U1 upscale (a single 4K image), with ``render="full"`` against
``render="fast"`` (the small previews the suite and CI use), measured in the same run.

Prints, per mode: seconds of video per second of rendering (create to finished over loopback HTTP, the
service's 0.2 s minimum processing included), seconds per 4K upscale, and the peak memory of the service's
process and of its ffmpeg children. Each round uses a new text and prompt (equal jobs would reuse a render).
Run: python benchmarks/bench_render.py [rounds]
"""
from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from akool_nb import sim

KEY = "bench-key-0123456789abcd"
VOICE = "6889b628662160e2caad5dbc"
SPEECH = ("This is the offline Akool rendering a talking avatar at the size the documentation gives, "
          "three thousand eight hundred and forty by two thousand one hundred and sixty pixels. Round {n}.")


def _data(response: httpx.Response) -> dict:
    body = response.json()
    assert body["code"] == 1000, body
    return body["data"]


def _until(fn, timeout: float = 600.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("the job did not finish")
        time.sleep(0.02)


def talking_avatar(api: httpx.Client, n: int) -> tuple[float, float, list]:
    body = {"width": 3840, "height": 2160, "avatar_from": 2, "webhookUrl": "", "elements": [
        {"type": "image", "url": "#336699", "width": 3840, "height": 2160, "scale_x": 1, "scale_y": 1,
         "offset_x": 0, "offset_y": 0},
        {"type": "avatar", "avatar_id": "simAnna01", "width": 1100, "height": 1500, "scale_x": 1, "scale_y": 1,
         "offset_x": 200, "offset_y": 300},
        {"type": "audio", "input_text": SPEECH.format(n=n), "voice_id": VOICE}]}
    start = time.perf_counter()
    job = _data(api.post("/api/open/v3/talkingavatar/create", json=body))["_id"]
    done = _until(lambda: (d := _data(api.get("/api/open/v3/content/video/infobymodelid",
                                              params={"video_model_id": job})))["video_status"] in (3, 4) and d)
    assert done["video_status"] == 3, done
    return time.perf_counter() - start, float(done["video_duration"]), (done.get("sim_render") or {}).get("size")


def upscale(api: httpx.Client, n: int) -> tuple[float, list]:
    made = _data(api.post("/api/open/v3/content/image/createbyprompt",
                          json={"prompt": f"a red sun over blue mountains {n}", "scale": "16:9"}))["_id"]
    _until(lambda: _data(api.get("/api/open/v3/content/image/infobymodelid",
                                 params={"image_model_id": made}))["image_status"] == 3)
    start = time.perf_counter()
    pressed = _data(api.post("/api/open/v3/content/image/createbybutton", json={"_id": made, "button": "U1"}))["_id"]
    done = _until(lambda: (d := _data(api.get("/api/open/v3/content/image/infobymodelid",
                                              params={"image_model_id": pressed})))["image_status"] == 3 and d)
    return time.perf_counter() - start, (done.get("sim_render") or {}).get("size") or [3840, 2160]


def measure(render: str, rounds: int, tmp: Path) -> dict:
    with sim.start(api_key=KEY, fast=True, render=render, data_dir=tmp / render) as server, \
            httpx.Client(base_url=server.base_url, headers={"x-api-key": KEY}, timeout=120) as api:
        talking_avatar(api, -1)  # warm up: catalog media, fonts, ffmpeg in the page cache
        videos = [talking_avatar(api, n) for n in range(rounds)]
        images = [upscale(api, n) for n in range(rounds)]
    return {"render": render, "size": videos[0][2] or [3840, 2160],
            "output_per_render_s": statistics.median(length / wall for wall, length, _ in videos),
            "video_s": statistics.median(length for _, length, _ in videos),
            "upscale_s": statistics.median(wall for wall, _ in images), "image": images[0][1],
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "ffmpeg_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def main(rounds: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        fast = measure("fast", rounds, Path(tmp))  # the baseline first: peak memory only grows
        full = measure("full", rounds, Path(tmp))
    for r in (fast, full):
        print(f"render={r['render']:4}  talking avatar {r['size'][0]}x{r['size'][1]}: "
              f"{r['output_per_render_s']:.2f} s of video per s of rendering ({r['video_s']:.1f} s clips); "
              f"U1 upscale {r['image'][0]}x{r['image'][1]}: {r['upscale_s']:.2f} s; "
              f"peak RSS so far: service {r['rss_mb']:.0f} MB, ffmpeg {r['ffmpeg_mb']:.0f} MB")
    print(f"full size costs {fast['output_per_render_s'] / full['output_per_render_s']:.1f}x the fast mode's "
          f"rendering time per second of talking avatar, {full['upscale_s'] / fast['upscale_s']:.1f}x per upscale")
    return {"fast": fast, "full": full}


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
