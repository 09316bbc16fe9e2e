"""Outputs at the documented size (issue 10, item 3), over real HTTP with raw httpx.

The docs: a talking avatar's output video "must be 3840" wide (3840x2160); createbybutton U1-U4 "generate a
single 4k image". ``render="full"`` (the default without ``fast``) makes exactly that. ``render="fast"`` (what
the suite and CI use) renders small, and says so: the job's answer carries ``sim_render`` and the picture's
badge reads "fast preview".
"""
from __future__ import annotations

import io
import subprocess

import httpx
import numpy as np
import pytest
from PIL import Image

from akool_nb import sim as sim_module
from akool_nb.sim.media import LABEL, LABEL_FAST, _badge

from .conftest import API_KEY
from .test_real_behaviour import HEADERS, VOICE, data, poll

BACKDROP = (51, 102, 153)


def talking_avatar_body(text: str = "Hi.") -> dict:
    return {"width": 3840, "height": 2160, "avatar_from": 2, "webhookUrl": "", "elements": [
        {"type": "image", "url": "#336699", "width": 3840, "height": 2160, "scale_x": 1, "scale_y": 1,
         "offset_x": 0, "offset_y": 0},
        {"type": "avatar", "avatar_id": "simAnna01", "width": 1100, "height": 1500, "scale_x": 1, "scale_y": 1,
         "offset_x": 200, "offset_y": 300},  # clear of the badge, bottom right
        {"type": "audio", "input_text": text, "voice_id": VOICE}]}


def finished_video(api: httpx.Client) -> dict:
    created = data(api.post("/api/open/v3/talkingavatar/create", json=talking_avatar_body()))
    return poll(lambda: (d := data(api.get("/api/open/v3/content/video/infobymodelid",
                                           params={"video_model_id": created["_id"]})))["video_status"] in (3, 4)
                and d, timeout=120)


def first_frame(url: str) -> Image.Image:
    from .test_image_to_video import ffmpeg

    video = httpx.get(url, timeout=60).content
    png = subprocess.run([ffmpeg(), "-v", "error", "-i", "-", "-frames:v", "1", "-f", "image2pipe", "-c:v", "png",
                          "-"], input=video, capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png)).convert("RGB")


def badge_matches(frame: Image.Image, text: str) -> float:
    """Mean difference between the frame's bottom-right corner and ``text``'s badge drawn on the backdrop."""
    badge, (x, y) = _badge(frame.size, text)
    expected = Image.new("RGB", badge.size, BACKDROP)
    expected.paste(badge, (0, 0), badge)
    got = frame.crop((x, y, x + badge.width, y + badge.height))
    return float(np.abs(np.asarray(got, float) - np.asarray(expected, float)).mean())


def upscaled(api: httpx.Client, scale: str = "16:9") -> dict:
    made = data(api.post("/api/open/v3/content/image/createbyprompt", json={"prompt": "a red sun", "scale": scale}))
    poll(lambda: data(api.get("/api/open/v3/content/image/infobymodelid",
                              params={"image_model_id": made["_id"]}))["image_status"] == 3, timeout=60)
    pressed = data(api.post("/api/open/v3/content/image/createbybutton", json={"_id": made["_id"], "button": "U1"}))
    return poll(lambda: (d := data(api.get("/api/open/v3/content/image/infobymodelid",
                                           params={"image_model_id": pressed["_id"]})))["image_status"] == 3 and d,
                timeout=120)


@pytest.fixture(scope="module")
def full_sim(tmp_path_factory):
    """The offline Akool at the documented sizes (fast timings: only the rendering is full)."""
    server = sim_module.start(api_key=API_KEY, fast=True, render="full", data_dir=tmp_path_factory.mktemp("full"))
    assert server.render == "full"
    yield server
    server.stop()


@pytest.fixture
def full_api(full_sim):
    with httpx.Client(base_url=full_sim.base_url, headers=HEADERS, timeout=60) as c:
        yield c


@pytest.fixture
def fast_api(sim):
    assert sim.render == "fast"  # the suite's service: fast=True implies the fast render
    with httpx.Client(base_url=sim.base_url, headers=HEADERS, timeout=60) as c:
        yield c


def test_a_full_size_talking_avatar_is_3840x2160_and_says_nothing_extra(full_api):
    done = finished_video(full_api)
    assert done["video_status"] == 3, done
    assert "sim_render" not in done  # the documented size: the answer is shaped as Akool's
    frame = first_frame(done["video"])
    assert frame.size == (3840, 2160)
    assert badge_matches(frame, LABEL) < badge_matches(frame, LABEL_FAST)


def test_a_fast_talking_avatar_says_it_is_a_smaller_preview(fast_api):
    done = finished_video(fast_api)
    assert done["video_status"] == 3, done
    note = done["sim_render"]
    frame = first_frame(done["video"])
    assert note == {"mode": "fast", "size": list(frame.size), "full_size": [3840, 2160]}
    assert frame.width < 3840 and abs(frame.width / frame.height - 16 / 9) < 0.02
    assert badge_matches(frame, LABEL_FAST) < badge_matches(frame, LABEL)  # the picture says "fast preview"


def test_a_full_size_upscale_is_a_single_4k_image(full_api):
    done = upscaled(full_api)
    picture = Image.open(io.BytesIO(httpx.get(done["image"], timeout=60).content))
    assert picture.size == (3840, 2160) and "sim_render" not in done


def test_a_fast_upscale_says_it_is_a_smaller_preview(fast_api):
    done = upscaled(fast_api, "9:16")
    picture = Image.open(io.BytesIO(httpx.get(done["image"], timeout=60).content))
    assert done["sim_render"] == {"mode": "fast", "size": list(picture.size), "full_size": [2160, 3840]}
    assert max(picture.size) < 3840


def test_an_unknown_render_mode_is_refused_at_start_up():
    with pytest.raises(ValueError, match="render must be one of full, fast"):
        sim_module.start(render="4k")


def test_the_command_line_says_which_render_it_serves():
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "akool_nb.sim", "--port", "0", "--fast", "--render", "full"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert any("render: full" in line and "3840x2160" in line for line in lines), lines
