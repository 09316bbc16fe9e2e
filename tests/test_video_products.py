"""Character swap, lip sync and video translation against the offline Akool over real HTTP: the media they
make, the documented limits (checked locally first, and by the service with its codes), the shared video
info record, webhooks, and the docs' example bodies on the wire."""
from __future__ import annotations

import http.server
import json
import subprocess
import threading
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

import akool_nb as ak
from akool_nb._base_client import APIRequest
from akool_nb.models.media_jobs import LIP_SYNC_LIMITS, TRANSLATION_LIMITS, LipSyncInfo, VideoLimits

from .conftest import API_KEY
from .docs_examples import example
from .simctl import control, last_body
from .test_image_to_video import decoded, ffmpeg, frame, info, mse, pcm, rms

SWAP_PATH = "/api/open/v4/characterSwap/create"
LIPSYNC_PATH = "/api/open/v3/content/video/lipsync"
TRANSLATE_PATH = "/api/open/v3/content/video/createbytranslate"


def make(path: Path, *inputs: str, seconds: float, extra: tuple[str, ...] = ()) -> Path:
    args = [ffmpeg(), "-v", "error", "-y"]
    for source in inputs:
        args += ["-f", "lavfi", "-i", source]
    subprocess.run([*args, "-t", str(seconds), *extra, "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    d = tmp_path_factory.mktemp("video_products")
    tone = "sine=frequency=440:sample_rate=22050"
    from akool_nb.sim.media import make_sample_portrait, synthesize_speech

    make_sample_portrait(d / "character.png", size=256)
    synthesize_speech("Hello there, general.", d / "speech.wav", language="en", fast=True)
    (d / "cues.srt").write_text("1\n00:00:00,000 --> 00:00:01,500\nHola a todos\n", encoding="utf-8")
    return {
        "character": d / "character.png",
        "speech": d / "speech.wav",
        "srt": d / "cues.srt",
        # a white square crossing a black 4:3 frame from left to right, with a tone
        "motion": make(d / "motion.mp4", "color=black:size=320x240:rate=25[bg];color=white:size=40x40:rate=25[sq];"
                                         "[bg][sq]overlay=x='20+t*80':y=100[out0]", tone, seconds=3,
                       extra=("-shortest",)),
        "pattern": make(d / "pattern.mp4", "testsrc2=size=320x240:rate=25", tone, seconds=3, extra=("-shortest",)),
        "silent": make(d / "silent.mp4", "testsrc2=size=160x120:rate=25", seconds=2),
        "fps31": make(d / "fps31.mp4", "testsrc2=size=64x48:rate=31", tone, seconds=1, extra=("-shortest",)),
        "fps61": make(d / "fps61.mp4", "testsrc2=size=64x48:rate=61", tone, seconds=1, extra=("-shortest",)),
        "long61": make(d / "long61.mp4", "color=gray:size=32x32:rate=2", "sine=sample_rate=8000:duration=1",
                       seconds=61),
        "long121": make(d / "long121.mp4", "color=gray:size=32x32:rate=1", seconds=121),
    }


def host(sim, path: Path, name: str | None = None) -> str:
    """Put a file on the offline Akool's asset host without the client's checks; returns its URL."""
    r = httpx.post(f"{sim.base_url}/_sim/assets", params={"filename": name or path.name}, content=path.read_bytes(),
                   headers={"x-api-key": API_KEY})
    return r.json()["data"]["url"]


def raw(client, path: str, body) -> None:
    client._request(APIRequest("POST", path, json=body))


def column_shift(a: np.ndarray, b: np.ndarray, band: tuple[float, float] = (0.1, 0.7), limit: int = 40) -> int:
    """How many pixels the picture moved right from ``a`` to ``b`` (column brightness profiles)."""
    h = a.shape[0]
    pa, pb = (x[int(h * band[0]):int(h * band[1])].mean(axis=(0, 2)) for x in (a, b))
    n = pa.size
    scores = {d: float(np.mean((pa[max(0, -d):n - max(0, d)] - pb[max(0, d):n - max(0, -d)]) ** 2))
              for d in range(-limit, limit + 1)}
    return min(scores, key=scores.get)


def colourful_centroid_x(img: np.ndarray) -> float:
    top = img[: int(img.shape[0] * 0.75)]
    mask = (top.max(axis=2) - top.min(axis=2)) > 40
    return float(np.nonzero(mask)[1].mean()) / img.shape[1]


# ==================================================================================== character swap
def test_character_swap_animate_moves_the_character_with_the_video(client, clips, tmp_path):
    job = client.character_swap.create(clips["character"], clips["motion"])
    assert job.record["status"] == 1 and "video_status" not in job.record  # the create answers `status`
    assert job.record["video_url"] == job.request["video"]  # ... and video_url is the INPUT
    result = job.wait(timeout=60)
    assert result.url == result.data.video and result.url != result.data.video_url
    assert result.data.mode == "animate" and result.data.resolution == "720p"
    path = result.save(tmp_path / "animate.mp4")
    i = info(path)
    assert (i["width"], i["height"]) == (240, 180) and abs(i["duration"] - 3) < 0.15 and len(i["audio"]) == 1
    early, late = frame(path, 0.4), frame(path, 2.6)
    assert early[30:120, 60:180].mean() > 60  # the character, not the black source frame
    assert column_shift(early, late) >= 4  # it moved right, as the square does


def test_character_swap_replace_puts_the_character_where_the_video_moves(client, clips, tmp_path):
    result = client.character_swap.create(clips["character"], clips["motion"], mode="replace", resolution="480p",
                                          duration=2.5).wait(timeout=60)
    path = result.save(tmp_path / "replace.mp4")
    i = info(path)
    assert i["height"] == 480 // 4 and abs(i["duration"] - 2.5) < 0.15
    early, late = frame(path, 0.4), frame(path, 2.3)
    w = early.shape[1]
    assert early[:20, int(w * 0.85):].mean() < 25  # the source (black) around it is kept
    assert colourful_centroid_x(late) > colourful_centroid_x(early) + 0.05  # the character follows the square
    assert result.data.video_duration == pytest.approx(2.5, abs=0.15)


def test_character_swap_failure_reason(client):
    job = client.character_swap.create("https://unreachable.invalid/c.png", "https://unreachable.invalid/v.mp4")
    with pytest.raises(ak.JobFailedError) as err:
        job.wait(timeout=30)
    assert "could not fetch image" in job.record["faceswap_fail_reason"] and err.value.job_id == job.id


def test_character_swap_limits_before_any_request(client, sim, clips):
    control(sim, "reset", {})
    swap = client.character_swap
    c, v = clips["character"], clips["motion"]
    cases = [
        (lambda: swap.create(c, v, mode="swap"), 'mode=\'swap\': is not allowed; use "animate"'),
        (lambda: swap.create(c, v, resolution="4k"), "resolution='4k': is not allowed; use '480p', '720p', '1080p'"),
        (lambda: swap.create(c, v, duration=0), "duration=0: is outside 1–120 seconds"),
        (lambda: swap.create(c, v, duration=121), "duration=121: is outside 1–120 seconds"),
        (lambda: swap.create(c, v, prompt="x" * 501), "(501 characters): is 501 characters; at most 500"),
        (lambda: swap.create("https://x.com/c.webp", v), "image: .webp is not accepted; character swap takes PNG"),
        (lambda: swap.create(c, "https://x.com/v.mov"), "video: .mov is not accepted; character swap takes MP4"),
        (lambda: swap.create(c, clips["long121"]), "video: long121.mp4 lasts 121.0 s; at most 120 s"),
        (lambda: swap.create(c, v, webhook_url="x"), "webhook_url='x': is not an http(s) URL"),
    ]
    for call, message in cases:
        with pytest.raises(ak.InvalidParameterError) as err:
            call()
        assert message in str(err.value), str(err.value)
    assert control(sim, "stats")["requests"] == 0


def test_character_swap_service_checks(client, sim, clips):
    good = {"image": "https://x.invalid/c.png", "video": "https://x.invalid/v.mp4"}
    for change, field in [({"image": None}, "image"), ({"mode": "dance"}, "mode"), ({"resolution": "4k"}, "resolution"),
                          ({"duration": 200}, "duration"), ({"prompt": "x" * 501}, "prompt"),
                          ({"video": "https://x.invalid/v.mov"}, "video"),
                          ({"video": host(sim, clips["long121"])}, "video must be at most 120 seconds")]:
        body = {k: v for k, v in {**good, **change}.items() if v is not None}
        with pytest.raises(ak.InvalidRequestError) as err:
            raw(client, SWAP_PATH, body)
        assert err.value.code == 1003 and field in str(err.value)


SWAP_EXAMPLES = ["#### B.11.1"] + [json.loads(s) for s in (
    # the overview's examples [s03], which also send model_name (docs §F.29)
    """{"image": "https://example.com/character-image.png", "video": "https://example.com/source-video.mp4",
        "duration": 10, "resolution": "720p", "mode": "animate", "model_name": "wavespeed-ai/wan-2.2/animate",
        "webhookurl": "https://your-callback-url.com/webhook"}""",
    """{"image": "https://example.com/character-face.png", "video": "https://example.com/target-video.mp4",
        "resolution": "720p", "mode": "replace", "model_name": "wavespeed-ai/wan-2.2/animate", "webhookurl": ""}""",
)]


@pytest.mark.parametrize("body", SWAP_EXAMPLES)
def test_character_swap_contract(client, sim, body):
    e = example(body) if isinstance(body, str) else body
    job = client.character_swap.create(e["image"], e["video"], duration=e.get("duration"), resolution=e["resolution"],
                                       mode=e["mode"], prompt=e.get("prompt"), model_name=e.get("model_name"),
                                       webhook_url=e["webhookurl"])
    assert last_body(sim, SWAP_PATH) == e
    assert job.record["webhookUrl"] == e["webhookurl"]


# ========================================================================================= lip sync
def test_lip_sync_revoices_the_video_and_moves_the_mouth(client, clips, tmp_path):
    job = client.lip_sync.create(clips["pattern"], clips["speech"])
    r = job.record
    assert r["video_status"] == 1 and r["lipsync"] is True and r["type"] == 9 and r["input_audio"] == job.request[
        "audio_url"] and r["target_video"] == job.request["video_url"] and r["video_lock_duration"] == 3.0
    result = job.wait(timeout=60)
    assert isinstance(result.data, LipSyncInfo) and result.data.video == result.url
    path = result.save(tmp_path / "lipsync.mp4")
    i = info(path)
    assert abs(i["duration"] - 3) < 0.15 and len(i["audio"]) == 1  # the video's length, the new audio
    speech_len = info(clips["speech"])["duration"]
    audio = pcm(path)
    assert rms(audio[: int(8000 * speech_len * 0.8)]) > 0.02  # the new speech (not the source's tone)...
    assert rms(audio[int(8000 * (speech_len + 0.3)):]) < 0.005  # ...then silence to the video's end
    src = info(clips["pattern"])
    scale = i["height"] / src["height"]
    assert abs(i["width"] / i["height"] - 4 / 3) < 0.02 and scale <= 1

    def mouth_change(t: float) -> float:  # the lower-centre box where the simulated mouth opens
        out = frame(path, t)
        ref = np.asarray(Image.fromarray(frame(clips["pattern"], t).astype(np.uint8)).resize(
            (out.shape[1], out.shape[0])), np.float32)
        h, w = out.shape[:2]
        box = (slice(int(h * 0.56), int(h * 0.68)), slice(int(w * 0.4), int(w * 0.6)))
        return mse(out[box], ref[box])

    talking = max(mouth_change(t) for t in np.arange(0.1, speech_len * 0.8, 0.2))
    quiet = max(mouth_change(t) for t in (speech_len + 0.4, 2.5, 2.8))
    assert talking > 4 * quiet


def test_lip_sync_limits_before_any_request(client, sim, clips, monkeypatch, caplog):
    control(sim, "reset", {})
    cases = [
        (lambda: client.lip_sync.create(clips["long61"], clips["speech"]), "lasts 61.0 s; at most 60 s"),
        (lambda: client.lip_sync.create(clips["fps61"], clips["speech"]), "runs at 61 fps; at most 60 fps"),
        (lambda: client.lip_sync.create(clips["pattern"], clips["character"]), "audio: 'character.png' has an "
                                                                               "unsupported format"),
        (lambda: client.lip_sync.create("not a url", clips["speech"]), "video: 'not a url' has an unsupported"),
    ]
    for call, message in cases:
        with pytest.raises(ak.InvalidParameterError) as err:
            call()
        assert message in str(err.value), str(err.value)
    assert LIP_SYNC_LIMITS.max_megabytes == 300 and TRANSLATION_LIMITS.max_megabytes == 300
    monkeypatch.setattr("akool_nb.resources.lip_sync.LIP_SYNC_LIMITS", VideoLimits(max_megabytes=0))
    with pytest.raises(ak.InvalidParameterError) as err:
        client.lip_sync.create(clips["pattern"], clips["speech"])
    assert "Akool accepts at most 0 MB" in str(err.value)
    assert control(sim, "stats")["requests"] == 0
    monkeypatch.undo()
    caplog.set_level("WARNING", logger="akool_nb")
    client.lip_sync.create(clips["fps31"], clips["speech"])  # allowed, but above the advised 25 fps
    assert "advises under 25 fps" in caplog.text


@pytest.mark.parametrize("clip, code", [("long61", 1204), ("fps61", 1210), ("garbage", 1209)])
def test_lip_sync_service_limit_codes(client, sim, clips, tmp_path, clip, code):
    if clip == "garbage":
        path = tmp_path / "garbage.mp4"
        path.write_bytes(b"this is not a video" * 100)
    else:
        path = clips[clip]
    with pytest.raises(ak.InvalidRequestError) as err:
        raw(client, LIPSYNC_PATH, {"video_url": host(sim, path), "audio_url": host(sim, clips["speech"])})
    assert err.value.code == code


def test_lip_sync_service_requires_both_urls(client):
    for body, field in [({"audio_url": "https://x.invalid/a.wav"}, "video_url"),
                        ({"video_url": "https://x.invalid/v.mp4"}, "audio_url"),
                        ({"video_url": "v.mp4", "audio_url": "https://x.invalid/a.wav"}, "video_url")]:
        with pytest.raises(ak.InvalidRequestError) as err:
            raw(client, LIPSYNC_PATH, body)
        assert err.value.code == 1003 and field in str(err.value)


def test_lip_sync_contract(client, sim):
    e = example("#### B.12.1")
    job = client.lip_sync.create(e["video_url"], e["audio_url"], webhook_url="")
    assert last_body(sim, LIPSYNC_PATH) == e
    with pytest.raises(ak.JobFailedError):  # the docs' URLs cannot be fetched here
        job.wait(timeout=30)
    assert job.record["error_code"] == 1211


# ===================================================================================== translation
def test_languages(client):
    langs = client.translation.languages()
    codes = {lang.lang_code for lang in langs}
    assert {"es-ES", "fr-FR", "zh-CN", "zh-CN-shandong", "af-ZA"} <= codes
    assert all(lang.lang_name for lang in langs)
    assert httpx.get(langs[0].url).content[:4] == b"\x89PNG"


def test_translation_makes_one_job_per_language_with_its_speech_track_and_the_subtitles(client, clips, tmp_path):
    jobs = client.translation.create(clips["pattern"], ["es", "fr"], caption=clips["srt"])
    assert [j.request["language"] for j in jobs] == ["es", "fr"]  # one job per language (all_results)
    assert all(j.request["caption_url"].endswith("cues.srt") for j in jobs)
    results = [j.wait(timeout=60) for j in jobs]
    assert [r.data.language for r in results] == ["es", "fr"] and all(r.data.progress == 100 for r in results)
    path = results[0].save(tmp_path / "translated.mp4")
    i = info(path)
    assert abs(i["duration"] - 3) < 0.15 and i["audio"] == ["spa"] and rms(pcm(path, 0)) > 0.02
    assert info(results[1].save(tmp_path / "fr.mp4"))["audio"] == ["fra"]

    def caption_band(t: float) -> float:
        out = frame(path, t)
        ref = np.asarray(Image.fromarray(frame(clips["pattern"], t).astype(np.uint8)).resize(
            (out.shape[1], out.shape[0])), np.float32)
        h, w = out.shape[:2]
        return mse(out[int(h * 0.66):int(h * 0.82), int(w * 0.25):int(w * 0.75)],
                   ref[int(h * 0.66):int(h * 0.82), int(w * 0.25):int(w * 0.75)])

    assert caption_band(0.5) > 5 * caption_band(2.5)  # "Hola a todos" from 0 to 1.5 s only


def tone_peak(samples: np.ndarray, hz: float = 440) -> float:
    """How much a steady ``hz`` tone stands out of its spectral neighbourhood (1 ≈ not at all)."""
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    off = np.abs(np.fft.rfftfreq(samples.size, 1 / 8000) - hz)
    return float(spectrum[off < 2].mean() / spectrum[(off >= 5) & (off < 40)].mean())


def test_translation_options_change_the_result(client, clips, tmp_path):
    kept = client.translation.create(clips["pattern"], "de").wait(timeout=60)
    removed = client.translation.create(clips["pattern"], "de", remove_bgm=True, caption_type=3, lipsync=True,
                                        studio_voice={"style": "calm", "no_translate_words": ["Akool"]},
                                        speaker_num=1).wait(timeout=60)
    a, b = kept.save(tmp_path / "kept.mp4"), removed.save(tmp_path / "removed.mp4")
    assert tone_peak(pcm(a)) > 3 * tone_peak(pcm(b))  # remove_bgm drops the original soundtrack (its tone)
    assert info(b)["audio"] == ["deu"]
    longer = client.translation.create(clips["pattern"], "it", dynamic_duration=True, studio_voice={
        "fixed_words": {"hello": "buongiorno a tutti quanti"}, "no_translate_words": ["Akool", "API", "notebook"]}
                                       ).wait(timeout=60)
    assert info(longer.save(tmp_path / "longer.mp4"))["duration"] > 3.5  # the speech sets the length


def test_translation_limits_before_any_request(client, sim, clips, tmp_path):
    control(sim, "reset", {})
    tr, v = client.translation, clips["pattern"]
    (tmp_path / "notes.txt").write_text("hi")
    cases = [
        (lambda: tr.create(v, ""), "language='': has an empty language code"),
        (lambda: tr.create(v, "es,,fr"), "has an empty language code"),
        (lambda: tr.create(v, "e s"), "language='e s': is not a language code"),
        (lambda: tr.create(v, ["es", "ES"]), "names a language twice"),
        (lambda: tr.create(v, "es", source_language="spanish!"), "source_language='spanish!': is not allowed"),
        (lambda: tr.create(v, "es", caption_type=5), "caption_type=5: is not allowed; use 0 (no captions)"),
        (lambda: tr.create(v, "es", speaker_num=-1), "speaker_num=-1: is not allowed"),
        (lambda: tr.create(v, "es", studio_voice={"style": "weird"}), "studio_voice.style='weird': is not a studio"),
        (lambda: tr.create(v, "es", studio_voice={"fixed_words": ["a"]}), "studio_voice.fixed_words"),
        (lambda: tr.create(v, "es", merge_interval=1), "merge_interval: is deprecated and no longer supported"),
        (lambda: tr.create(v, "es", face_enhance=True), "face_enhance: is deprecated"),
        (lambda: tr.create(v, "es", caption=tmp_path / "notes.txt"), "caption: 'notes.txt' is not a subtitle file"),
        (lambda: tr.create(clips["silent"], "es"), "silent.mp4 has no audio track"),
        (lambda: tr.create(clips["fps31"], "es"), "runs at 31 fps; at most 30 fps"),
        (lambda: tr.create(clips["long61"], "es"), "lasts 61.0 s; at most 60 s"),
    ]
    for call, message in cases:
        with pytest.raises(ak.InvalidParameterError) as err:
            call()
        assert message in str(err.value), str(err.value)
    assert control(sim, "stats")["requests"] == 0


@pytest.mark.parametrize("clip, code", [("silent", 1203), ("long61", 1204), ("fps31", 1210), ("garbage", 1209)])
def test_translation_service_limit_codes(client, sim, clips, tmp_path, clip, code):
    if clip == "garbage":
        path = tmp_path / "garbage.mp4"
        path.write_bytes(b"\x00" * 4096)
    else:
        path = clips[clip]
    with pytest.raises(ak.InvalidRequestError) as err:
        raw(client, TRANSLATE_PATH, {"url": host(sim, path), "language": "es"})
    assert err.value.code == code


def test_service_size_limit_answers_1207(client, sim, clips, monkeypatch):
    from akool_nb.sim.api import _media, lip_sync, translation

    assert _media.video_limits.__kwdefaults__["max_mb"] == 300
    monkeypatch.setitem(translation.TRANSLATION_LIMITS, "max_mb", 0)  # any file is "too big" now
    monkeypatch.setitem(lip_sync.LIPSYNC_LIMITS, "max_mb", 0)
    url = host(sim, clips["pattern"])
    for path, body in [(TRANSLATE_PATH, {"url": url, "language": "es"}),
                       (LIPSYNC_PATH, {"video_url": url, "audio_url": host(sim, clips["speech"])})]:
        with pytest.raises(ak.InvalidRequestError) as err:
            raw(client, path, body)
        assert err.value.code == 1207 and "300MB" not in str(err.value) and "size limit" in str(err.value)


def test_translation_service_checks_fields_and_repeats(client, sim, clips):
    url = host(sim, clips["pattern"])
    for change, field in [({"language": "xx"}, "language"), ({"language": None}, "language"),
                          ({"source_language": "klingon"}, "source_language"), ({"caption_type": 9}, "caption_type"),
                          ({"caption_url": "https://x.invalid/c.txt"}, "caption_url"),
                          ({"studio_voice": {"style": "grumpy"}}, "studio_voice.style"), ({"url": None}, "url")]:
        body = {k: v for k, v in {"url": url, "language": "es", **change}.items() if v is not None}
        with pytest.raises(ak.InvalidRequestError) as err:
            raw(client, TRANSLATE_PATH, body)
        assert err.value.code == 1003 and field in str(err.value)
    first = client.translation.create(url, "ja", lipsync=True)
    with pytest.raises(ak.InvalidRequestError) as err:  # 1202: lip-synced into the same language once only
        client.translation.create(url, "ko,ja", lipsync=True)
    assert err.value.code == 1202 and "ja" in str(err.value)
    client.translation.create(url, "ja", lipsync=False)  # without lip sync it may be repeated
    first.wait(timeout=60)


def test_translation_limit_found_while_fetching_fails_the_job_with_its_code(client, clips):
    """A URL the service can only check after downloading: the job fails with 1204."""
    data = clips["long61"].read_bytes()

    class Files(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        job = client.translation.create(f"http://127.0.0.1:{server.server_address[1]}/long.mp4", "es")
        with pytest.raises(ak.JobFailedError) as err:
            job.wait(timeout=30)
    finally:
        server.shutdown()
    assert err.value.code == 1204 and "60 seconds" in job.record["error_reason"]


TRANSLATION_EXAMPLES = ["#### B.14.1"] + [json.loads(s) for s in (
    # [s38] "Professional Translation with Advanced Controls" (valid JSON; the single-language one is not)
    """{"url": "https://example.com/business-video.mp4", "source_language": "DEFAULT", "language": "zh-CN",
        "lipsync": true, "studio_voice": {"style": "professional", "no_translate_words": ["AKool", "API"],
        "fixed_words": {"hello": "您好"}}, "caption_type": 3, "webhookUrl": "https://your-server.com/webhook"}""",
)]


@pytest.mark.parametrize("body", TRANSLATION_EXAMPLES)
def test_translation_contract(client, sim, body):
    e = example(body) if isinstance(body, str) else body
    client.translation.create(e["url"], e["language"], source_language=e["source_language"], lipsync=e["lipsync"],
                              caption_type=e["caption_type"], remove_bgm=e.get("remove_bgm"),
                              studio_voice=e.get("studio_voice"), webhook_url=e.get("webhookUrl"))
    assert last_body(sim, TRANSLATE_PATH) == e


# ========================================================================================= webhooks
def test_webhooks_name_each_product(client, sim, clips, hook_server):
    url, received = hook_server
    jobs = {
        "character swap": client.character_swap.create(clips["character"], clips["motion"], duration=1,
                                                       webhook_url=url),
        "lipsync": client.lip_sync.create(clips["pattern"], clips["speech"], webhook_url=url),
        "video translate": client.translation.create(clips["pattern"], "es", webhook_url=url),
    }
    assert jobs["character swap"].request["webhookurl"] == url  # sic: lowercase u
    assert jobs["lipsync"].request["webhookUrl"] == url and jobs["video translate"].request["webhookUrl"] == url
    results = client.jobs.wait_all(list(jobs.values()), timeout=60)
    for (kind, job), result in zip(jobs.items(), results):
        final = decoded(sim, received, job.id, 3)
        assert final["type"] == kind and final["url"] == result.url
    from akool_nb.webhook import verify_and_decrypt

    statuses = {}
    for body in list(received):
        data = verify_and_decrypt(body, client_id=sim.client_id, client_secret=sim.client_secret)
        statuses.setdefault(data["_id"], set()).add(int(data["status"]))
    assert statuses[jobs["character swap"].id] == {3}  # the docs: character swap calls on 3 or 4 only
    assert statuses[jobs["lipsync"].id] == {2, 3}


def test_attach_reads_the_shared_video_record(sim, clips, tmp_path):
    client = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05,
                      journal=tmp_path / "j.sqlite")
    job = client.lip_sync.create(clips["pattern"], clips["speech"])
    fresh = ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05,
                     journal=tmp_path / "j.sqlite")
    again = fresh.jobs.attach(job.id)
    assert again.product.key == "lip_sync"
    result = again.wait(timeout=60)
    assert result.data.lipsync is True and result.data.video == result.url
