"""Image to video (v4) against the offline Akool over real HTTP: create (prompt or effect), batch, results for
many ids in one request, effects, update audio, delete; the media it makes; every documented limit; the
docs' example bodies on the wire."""
from __future__ import annotations

import functools
import http.server
import re
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

import akool_nb as ak
from akool_nb._base_client import APIRequest

from .conftest import API_KEY
from .docs_examples import example
from .simctl import control, last_body

BASE = "/api/open/v4/image2Video"


# ------------------------------------------------------------------------------------ media helpers
def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def info(path: Path) -> dict:
    """Duration, size, fps and the audio streams' languages of a media file (ffmpeg's own report)."""
    return dict(_info(str(path), Path(path).stat().st_mtime_ns))


@functools.lru_cache(maxsize=256)
def _info(path: str, _mtime: int) -> dict:
    text = subprocess.run([ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    m = re.search(r"Duration: (\d+):(\d+):([\d.]+)", text)
    video = re.search(r"Video: .*?, (\d+)x(\d+).*?, ([\d.]+) fps", text)
    audio = re.findall(r"Stream #0:\d+(?:\[\w+\])?(?:\((\w+)\))?: Audio", text)
    return {"duration": int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else None,
            "width": int(video.group(1)) if video else None, "height": int(video.group(2)) if video else None,
            "fps": float(video.group(3)) if video else None, "audio": audio, "text": text}


def frame(path: Path, t: float) -> np.ndarray:
    i = info(path)
    raw = subprocess.run([ffmpeg(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1", "-f",
                          "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(i["height"], i["width"], 3).astype(np.float32)


def pcm(path: Path, stream: int = 0) -> np.ndarray:
    raw = subprocess.run([ffmpeg(), "-v", "error", "-i", str(path), "-map", f"0:a:{stream}", "-ac", "1", "-ar",
                          "8000", "-f", "s16le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, "<i2").astype(np.float32) / 32768


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x * x))) if x.size else 0.0


def mse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean((a - b) ** 2))


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """A 16:9 picture with a clear centre, a solid red 'last frame', and a 3 s sine tone."""
    folder = tmp_path_factory.mktemp("i2v_media")
    img = Image.new("RGB", (640, 360), (30, 60, 140))
    d = ImageDraw.Draw(img)
    for x in range(0, 640, 40):
        d.line((x, 0, x, 360), fill=(200, 200, 200), width=3)
    d.ellipse((260, 120, 380, 240), fill=(250, 200, 40))
    img.filter(ImageFilter.GaussianBlur(5)).save(folder / "scene.png")  # soft: pixel comparisons measure motion
    Image.new("RGB", (640, 360), (220, 20, 20)).save(folder / "red.png")
    subprocess.run([ffmpeg(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050", "-t", "3",
                    str(folder / "tone.wav")], check=True)
    return folder




def decoded(sim, received: list[bytes], job_id: str, status: int, timeout: float = 10.0) -> dict:
    from akool_nb.webhook import verify_and_decrypt

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for body in list(received):
            data = verify_and_decrypt(body, client_id=sim.client_id, client_secret=sim.client_secret)
            if data["_id"] == job_id and int(data["status"]) == status:
                return data
        time.sleep(0.05)
    raise AssertionError(f"no webhook with status {status} for {job_id}")


# ------------------------------------------------------------------------------------------ create
def test_prompt_zoom_in_makes_a_5s_video_at_the_resolution_with_generated_audio(client, media, tmp_path):
    job = client.image_to_video.create(media / "scene.png", "Slow zoom in on the sun", resolution="1080p",
                                       video_length=5, audio_type=1)
    assert job.product.key == "image_to_video" and job.status is ak.JobStatus.QUEUED
    result = job.wait(timeout=60)
    assert result.data.status == 3 and result.url == result.data.video_url
    assert result.data.resolution == "1080p" and abs(result.data.video_duration - 5) < 0.2
    path = result.save(tmp_path / "zoom.mp4")
    i = info(path)
    assert abs(i["duration"] - 5) < 0.2
    assert i["height"] == 1080 // 4 and abs(i["width"] / i["height"] - 16 / 9) < 0.02  # fast mode: a quarter
    assert len(i["audio"]) == 1 and rms(pcm(path)) > 0.02  # audio_type 1: a generated music bed
    first, last = frame(path, 0), frame(path, 4.8)
    # The last frame is the first frame's centre, enlarged: the camera zoomed in (about 1.5x).
    errors = {f: mse(last, centre_enlarged(first, f)) for f in (1.0, 0.9, 0.8, 0.7, 0.6)}
    best = min(errors, key=errors.get)
    assert best <= 0.7 and errors[best] < errors[1.0] / 2, errors


def centre_enlarged(img: np.ndarray, fraction: float) -> np.ndarray:
    h, w = img.shape[:2]
    ch, cw = int(h * fraction), int(w * fraction)
    y, x = int(h * 0.47 - ch / 2), (w - cw) // 2
    y = min(max(0, y), h - ch)
    crop = Image.fromarray(img[y:y + ch, x:x + cw].astype(np.uint8))
    return np.asarray(crop.resize((w, h), Image.Resampling.BILINEAR), np.float32)


def test_audio_types_user_audio_and_none(client, media, tmp_path):
    with_audio = client.image_to_video.create(media / "scene.png", "pan left", audio=media / "tone.wav")
    silent = client.image_to_video.create(media / "scene.png", "pan left", audio_type=3)
    assert with_audio.request["audio_type"] == 2 and with_audio.request["audio_url"].startswith("http")
    assert silent.request["audio_type"] == 3 and "audio_url" not in silent.request
    loud, quiet = client.jobs.wait_all([with_audio, silent], timeout=60)
    a, b = loud.save(tmp_path / "a.mp4"), quiet.save(tmp_path / "b.mp4")
    assert len(info(a)["audio"]) == 1 and len(info(b)["audio"]) == 0
    samples = pcm(a)
    assert rms(samples[:8000 * 2]) > 0.05 and rms(samples[8000 * 4:]) < 0.01  # the 3 s tone, then silence


def test_effects_list_and_effect_drives_the_motion(client, media, tmp_path):
    effects = client.image_to_video.effects()
    codes = {e.effect_code: e for e in effects}
    assert {"squish_89244231312", "cakeify_24743216", "samurai_99757865"} <= set(codes)
    assert effects.count == len(effects) == 10
    squish = codes["squish_89244231312"]
    import httpx

    assert httpx.get(squish.logo).content[:4] == b"\x89PNG"
    assert b"ftyp" in httpx.get(squish.video_url).content[:16]
    job = client.image_to_video.create(media / "scene.png", effect_code=squish, video_length=10, audio_type=3,
                                       resolution="720p")
    assert job.request["prompt"] == "" and job.request["effect_code"] == "squish_89244231312"
    result = job.wait(timeout=60)
    assert result.data.effect_name == "Squish"
    path = result.save(tmp_path / "squish.mp4")
    assert abs(info(path)["duration"] - 10) < 0.2
    assert mse(frame(path, 0), frame(path, 1.2)) > 100  # it moves


@pytest.mark.parametrize("prompt, negative, motion", [
    ("Slow zoom in on the sun", "", "zoom_in"),
    ("gentle pan to the right, then zoom out", "", "pan_right"),
    ("camera panning towards the left", "", "pan_left"),
    ("rotate and shake", "shaky footage, rotation", "ken_burns"),  # the negative prompt rules both out
    ("Animate this image with smooth camera movement and subtle object motion.", "blurry", "ken_burns"),
])
def test_the_offline_service_reads_the_motion_from_the_prompt(prompt, negative, motion):
    from akool_nb.sim.media_video import motion_for_prompt

    assert motion_for_prompt(prompt, negative) == motion


def test_failed_job_when_the_image_cannot_be_fetched(client):
    job = client.image_to_video.create("https://unreachable.invalid/photo.png", "zoom in")
    with pytest.raises(ak.JobFailedError) as err:
        job.wait(timeout=30)
    assert "image_url" in str(err.value) and err.value.job_id == job.id
    assert job.record["error_code"] == 1015


# ------------------------------------------------------------------------------ many ids, one request
def test_wait_all_polls_many_jobs_with_one_results_request(client, sim, media):
    jobs = [client.image_to_video.create(media / "scene.png", f"zoom out {i}", audio_type=3) for i in range(3)]
    control(sim, "reset", {})
    results = client.jobs.wait_all(jobs, timeout=60)
    assert [r.id for r in results] == [j.id for j in jobs]
    polls = [r for r in control(sim, "requests") if r["path"] == f"{BASE}/resultsByIds"]
    assert polls and all(isinstance(r["json"]["_ids"], str) for r in polls)
    assert polls[0]["json"]["_ids"].split(",") == [j.id for j in jobs]  # one request asked for all three
    assert len(polls) < 3 * max(j.polls for j in jobs)


def test_results_for_several_ids_in_one_request(client, media):
    jobs = [client.image_to_video.create(media / "scene.png", "tilt up", audio_type=3) for _ in range(2)]
    client.jobs.wait_all(jobs, timeout=60)
    records = client.image_to_video.results(jobs + ["000000000000000000000000"])
    assert sorted(r.id for r in records) == sorted(j.id for j in jobs)  # unknown ids are simply absent
    assert all(r.status == 3 and r.video_url for r in records)


def test_batch_makes_count_videos_ending_on_the_last_image(client, media, tmp_path):
    batch = client.image_to_video.create_batch(media / "scene.png", "gentle pan right", count=3,
                                               model_name="seedance-1-0-lite-i2v-250428",
                                               last_image=media / "red.png", resolution="480p")
    assert len(batch) == 3 and batch.ok and batch.batch_id
    assert all(j.record["batch_count"] == 3 and j.record["batch_id"] == batch.batch_id for j in batch)
    results = client.jobs.wait_all(list(batch), timeout=60)
    path = results[0].save(tmp_path / "batch.mp4")
    i = info(path)
    assert i["height"] == 480 // 4 and len(i["audio"]) == 0
    end = frame(path, 4.8)
    assert end[..., 0].mean() > 150 and end[..., 1].mean() < 80  # the requested last frame (red)
    assert mse(frame(results[0].save(tmp_path / "b0.mp4"), 2), frame(results[1].save(tmp_path / "b1.mp4"), 2)) > 1


def test_batch_reports_the_items_it_could_not_start(client, sim, media):
    """More than 10 unfinished image-to-video tasks: the excess items come back in errorList."""
    from akool_nb.sim.api.image_to_video import _active_i2v

    deadline = time.monotonic() + 30
    while _active_i2v(sim.state) and time.monotonic() < deadline:  # earlier tests' jobs hold no slot
        time.sleep(0.05)
    release = threading.Event()

    class SlowImage(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # holds the service's workers until released, then fails the fetch (cheap)
            release.wait(20)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowImage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/scene.png"
    first = []
    try:
        first = client.image_to_video.create_batch(url, "zoom in", count=10)
        second = client.image_to_video.create_batch(url, "zoom in", count=2)
        assert len(first) == 10 and first.ok
        assert len(second) == 0 and not second.ok and len(second.errors) == 2
        assert "try again" in second.errors[0]["msg"] and second.errors[1]["index"] == 1
    finally:
        release.set()
        deadline = time.monotonic() + 30
        while first and time.monotonic() < deadline and not all(r.status == 4 for r in
                                                                  client.image_to_video.results(first)):
            time.sleep(0.05)
        server.shutdown()


# ------------------------------------------------------------------------------- audio, delete
def test_update_audio_gives_a_finished_video_new_audio(client, media, tmp_path):
    silent = client.image_to_video.create(media / "scene.png", "shake", audio_type=3).wait(timeout=60)
    job = client.image_to_video.update_audio(silent, media / "tone.wav")
    assert job.id != silent.id and job.request == {"pre_video_id": silent.id, "audio_type": 2,
                                                   "audio_url": job.request["audio_url"]}
    result = job.wait(timeout=60)
    assert result.data.only_add_audio is True and result.data.pre_video_id == silent.id
    before, after = silent.save(tmp_path / "before.mp4"), result.save(tmp_path / "after.mp4")
    assert len(info(before)["audio"]) == 0 and len(info(after)["audio"]) == 1
    assert rms(pcm(after)[:8000 * 2]) > 0.05
    assert mse(frame(before, 1), frame(after, 1)) < 1  # the same picture
    generated = client.image_to_video.update_audio(silent.id, audio_type=1).wait(timeout=60)
    assert rms(pcm(generated.save(tmp_path / "gen.mp4"))) > 0.02


def test_update_audio_of_unknown_or_unfinished_videos(client, media):
    with pytest.raises(ak.NotFoundError) as err:
        client.image_to_video.update_audio("000000000000000000000000", audio_type=1)
    assert err.value.code == 1008
    running = client.image_to_video.create(media / "scene.png", "spin", audio_type=3)
    with pytest.raises(ak.APIError) as err:
        client.image_to_video.update_audio(running, audio_type=1)
    assert err.value.code == 1010 and "processing" in str(err.value)
    running.wait(timeout=60)


def test_delete_is_a_partial_success(client, sim, media):
    done = client.image_to_video.create(media / "scene.png", "zoom in", audio_type=3)
    result = done.wait(timeout=60)
    running = client.image_to_video.create(media / "scene.png", "zoom in", audio_type=3)
    answer = client.image_to_video.delete([done, running, "000000000000000000000000"])
    assert last_body(sim, f"{BASE}/delbyids") == {"_ids": f"{done.id},{running.id},000000000000000000000000"}
    assert answer.deleted == [done.id] and not answer.ok
    assert answer.refused[running.id] == "video resource is processing, please try again later"
    assert "000000000000000000000000" in answer.refused
    assert client.image_to_video.results(done) == []
    with pytest.raises(ak.NotFoundError) as err:
        done.refresh()
    assert err.value.job_id == done.id
    import httpx

    assert httpx.get(result.url).status_code == 404
    running.wait(timeout=60)


# --------------------------------------------------------------------------------------- webhooks
def test_webhook_uses_the_lowercase_field_and_reports_the_video(client, sim, media, hook_server):
    url, received = hook_server
    job = client.image_to_video.create(media / "scene.png", "zoom in", audio_type=3, webhook_url=url)
    assert job.request["webhookurl"] == url and "webhookUrl" not in job.request
    assert job.record["webhookUrl"] == url  # the record echoes it as webhookUrl
    result = job.wait(timeout=60)
    final = decoded(sim, received, job.id, 3)
    assert final["type"] == "image to video" and final["url"] == result.url


@pytest.mark.anyio
async def test_async_client_batches_its_polls(aclient, media):
    jobs = [await aclient.image_to_video.create(media / "scene.png", "pan right", audio_type=3) for _ in range(2)]
    results = await aclient.jobs.wait_all(jobs, timeout=60)
    assert [r.id for r in results] == [j.id for j in jobs] and all(r.url for r in results)


# -------------------------------------------------------------------------------- pre-flight checks
def test_documented_limits_are_checked_before_any_request(client, sim, media):
    control(sim, "reset", {})
    i2v = client.image_to_video
    img = media / "scene.png"
    cases = [
        (lambda: i2v.create(img, "x", video_length=7), "video_length=7: is not allowed; use 5 or 10"),
        (lambda: i2v.create(img, "x", resolution="2k"), "resolution='2k': is not allowed; use '720p', '1080p', '4k'"),
        (lambda: i2v.create(img, "x", audio_type=2), "(sent as audio_url): is required when audio_type is 2"),
        (lambda: i2v.create(img, "x", audio=media / "tone.wav", audio_type=3), "(sent as audio_url): is only used when "
                                                                                  "audio_type is 2"),
        (lambda: i2v.create(img, "x", audio_type=4), "audio_type=4: is not allowed; use 1 or 2 or 3"),
        (lambda: i2v.create(img, "x", negative_prompt=None), "negative_prompt: is required"),
        (lambda: i2v.create(img), "prompt: is required"),
        (lambda: i2v.create(img, "   "), "prompt='   ': is empty"),
        (lambda: i2v.create(img, "x", webhook_url="ftp://x"), "webhook_url='ftp://x': is not an http(s) URL"),
        (lambda: i2v.create(media / "tone.wav", "x"), "image: 'tone.wav' has an unsupported format"),
        (lambda: i2v.create_batch(img, "x", count=11), "count=11: is outside 1–10"),
        (lambda: i2v.create_batch(img, "x", count=0), "count=0: is outside 1–10"),
        (lambda: i2v.create_batch(img, "x", video_length=0), "video_length=0: is not allowed"),
        (lambda: i2v.create_batch(img, "x", resolution="8k"), "resolution='8k': is not allowed"),
        (lambda: i2v.create_batch(img, " "), "prompt=' ': is empty"),
        (lambda: i2v.update_audio("abc", audio_type=3), "audio_type=3: is not allowed; use 1 or 2"),
        (lambda: i2v.update_audio("abc", audio_type=2), "(sent as audio_url): is required when audio_type is 2"),
        (lambda: i2v.update_audio("", audio_type=1), "video='' (sent as pre_video_id): is empty"),
        (lambda: i2v.delete([]), "ids=[]: needs at least one id"),
        (lambda: i2v.results(""), "ids='': needs at least one id"),
    ]
    for call, message in cases:
        with pytest.raises(ak.InvalidParameterError) as err:
            call()
        assert message in str(err.value), str(err.value)
    assert control(sim, "stats")["requests"] == 0


def test_friendly_values_are_sent_as_documented(client, sim, media):
    job = client.image_to_video.create(media / "scene.png", "zoom in", resolution=1080, video_length="10",
                                       negative_prompt=["blurry", "static"], audio_type=3)
    body = last_body(sim, f"{BASE}/createBySourcePrompt")
    assert body["resolution"] == "1080p" and body["video_length"] == 10 and body["negative_prompt"] == "blurry, static"
    assert job.request == body
    client.image_to_video.create(media / "scene.png", "zoom in", resolution="4K", audio_type=3)
    assert last_body(sim, f"{BASE}/createBySourcePrompt")["resolution"] == "4k"


# --------------------------------------------------------------------------- the service's own checks
def raw(client, path: str, body) -> None:
    client._request(APIRequest("POST", path, json=body))


GOOD = {"image_url": "https://x.invalid/a.png", "prompt": "zoom in", "negative_prompt": "", "resolution": "720p",
        "audio_type": 3, "video_length": 5}


@pytest.mark.parametrize("change, field", [
    ({"negative_prompt": None}, "negative_prompt"),  # required here (docs §F.40)
    ({"image_url": None}, "image_url"),
    ({"image_url": "https://x.invalid/a.gif"}, "image_url"),
    ({"prompt": ""}, "prompt"),
    ({"resolution": "2k"}, "resolution"),
    ({"video_length": 7}, "video_length"),
    ({"audio_type": 2}, "audio_url"),
    ({"audio_type": 5}, "audio_type"),
    ({"effect_code": "nope_1"}, "effect_code"),
    ({"webhookurl": "not-a-url"}, "webhookurl"),
])
def test_service_answers_1003_naming_the_field(client, change, field):
    body = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(ak.InvalidRequestError) as err:
        raw(client, f"{BASE}/createBySourcePrompt", body)
    assert err.value.code == 1003 and field in str(err.value)


def test_service_checks_batch_results_and_delete_bodies(client):
    batch = {"image_url": "https://x.invalid/a.png", "prompt": "zoom", "resolution": "720p", "video_length": 5}
    for change, field in [({"count": 11}, "count"), ({"resolution": "4k", "model_name": "seedance-1-0-lite-i2v-250428"},
                                                        "resolution"),
                          ({"last_image_url": "https://x.invalid/b.png", "model_name": "AkoolImage2VideoFastV1"},
                           "last_image_url"), ({"video_length": 7}, "video_length")]:
        with pytest.raises(ak.InvalidRequestError) as err:
            raw(client, f"{BASE}/createBySourcePrompt/batch", {**batch, **change})
        assert field in str(err.value)
    for path in ("resultsByIds", "delbyids"):
        with pytest.raises(ak.InvalidRequestError) as err:
            raw(client, f"{BASE}/{path}", {"_ids": ["a", "b"]})  # an array, not the documented string
        assert "_ids must be a string" in str(err.value)
    with pytest.raises(ak.InvalidRequestError) as err:
        raw(client, f"{BASE}/updateVideoAudio", {"pre_video_id": "x", "audio_type": 2})
    assert "audio_url is required when audio_type is 2" in str(err.value)


# ------------------------------------------------------------------------- the docs' example bodies
# The catalog's example bodies (§B.10), parsed from its text.
CREATE, BATCH, RESULTS, AUDIO, DELETE = "#### B.10.1", "#### B.10.2", "#### B.10.3", "#### B.10.5", "#### B.10.6"


def test_contract_create(client, sim):
    e = example(CREATE)
    job = client.image_to_video.create(e["image_url"], e["prompt"], negative_prompt=e["negative_prompt"],
                                       extend_prompt=True, resolution="4k", audio=e["audio_url"], audio_type=2,
                                       video_length=10, is_premium_model=True, effect_code="squish_89244231312",
                                       webhook_url="")
    assert last_body(sim, f"{BASE}/createBySourcePrompt") == e
    assert job.record["effect_name"] == "Squish" and job.record["deduction_credit"] == 60  # 4k, 10 s


def test_contract_batch(client, sim):
    e = example(BATCH)
    batch = client.image_to_video.create_batch(e["image_url"], e["prompt"], model_name=e["model_name"],
                                               negative_prompt=e["negative_prompt"], extend_prompt=True,
                                               resolution="720p", video_length=5, last_image=e["last_image_url"],
                                               count=3)
    assert last_body(sim, f"{BASE}/createBySourcePrompt/batch") == e
    assert len(batch) == 3


def test_contract_results_update_audio_and_delete(client, sim):
    results, audio, delete = example(RESULTS), example(AUDIO), example(DELETE)
    assert client.image_to_video.results(results["_ids"].split(",")) == []
    assert last_body(sim, f"{BASE}/resultsByIds") == results
    with pytest.raises(ak.NotFoundError):  # the docs' id does not exist here; the body is what counts
        client.image_to_video.update_audio(audio["pre_video_id"], audio["audio_url"], audio_type=audio["audio_type"])
    assert last_body(sim, f"{BASE}/updateVideoAudio") == audio
    answer = client.image_to_video.delete(delete["_ids"])
    assert last_body(sim, f"{BASE}/delbyids") == delete
    assert answer.deleted == [] and len(answer.refused) == 3


def test_reattach_by_product_name(sim, media, tmp_path):
    client = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05, journal=False)
    job = client.image_to_video.create(media / "scene.png", "zoom in", audio_type=3)
    fresh = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05, journal=False)
    again = fresh.jobs.attach(job.id, product="image_to_video")
    assert again.wait(timeout=60).url
