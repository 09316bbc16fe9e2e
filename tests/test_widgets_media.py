"""The media layer behind the panels: posters, probing, waveforms, annotation, layout previews."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from akool_nb.media import annotate, preview, thumbnails, waveform
from akool_nb.media.layout import render_talking_avatar


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory):
    from akool_nb.sim import media as sim_media

    out = tmp_path_factory.mktemp("media")
    made = sim_media.make_avatar_assets(out / "avatars", fast=True)
    sim_media.synthesize_speech("Testing the waveform picture.", out / "speech.mp3", fast=True)
    return {"video": made[0]["video"], "image": made[0]["image"], "speech": out / "speech.mp3", "dir": out}


def test_poster_frame_is_the_first_frame_and_cached(media_dir):
    first = thumbnails.poster_frame(media_dir["video"], max_size=128)
    assert first.size == (128, 128) and first.mode == "RGB"
    start = time.perf_counter()
    again = thumbnails.poster_frame(media_dir["video"], max_size=128)
    assert time.perf_counter() - start < 0.05  # memory cache: no ffmpeg run
    assert list(again.getdata())[:50] == list(first.getdata())[:50]
    thumbnails._MEMORY.clear()
    from_disk = thumbnails.poster_frame(media_dir["video"], max_size=128)  # disk cache
    assert from_disk.size == first.size
    assert any(thumbnails._cache_dir().glob("*.jpg"))


def test_poster_of_a_broken_file_names_the_file(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(ValueError, match="broken.mp4"):
        thumbnails.poster_frame(bad)


def test_probe_video_audio_image(media_dir):
    video = thumbnails.probe(media_dir["video"])
    assert (video.kind, video.width, video.height) == ("video", 256, 256)
    assert video.duration == pytest.approx(2.0, abs=0.2) and video.fps == pytest.approx(10)
    assert video.size_bytes == Path(media_dir["video"]).stat().st_size and video.resolution == "256×256"
    audio = thumbnails.probe(media_dir["speech"])
    assert audio.kind == "audio" and audio.duration > 0.5 and audio.has_audio
    image = thumbnails.probe(media_dir["image"])
    assert (image.kind, image.width) == ("image", 512)


def test_data_uri_is_small(media_dir):
    uri = thumbnails.data_uri(thumbnails.poster_frame(media_dir["video"], max_size=240))
    assert uri.startswith("data:image/jpeg;base64,") and len(uri) < 40_000
    rgba = Image.new("RGBA", (20, 20), (255, 0, 0, 128))
    assert thumbnails.data_uri(rgba).startswith("data:image/png")


def test_waveform_image(media_dir):
    img = waveform.waveform_image(media_dir["speech"], width=300, height=40)
    assert img.size == (300, 40) and img.mode == "RGBA"
    assert img.getbbox() is not None  # something is drawn
    peaks = waveform.waveform_peaks(media_dir["speech"], 50)
    assert len(peaks) == 50 and max(peaks) == pytest.approx(1.0)


FACES = [
    {"box": [100, 100, 200, 240], "landmarks": [[150, 180], [250, 180], [200, 230], [160, 280], [240, 280], [200, 300]]},
    annotate.Face((110, 90, 190, 230), [(160, 170)]),
    {"x": 900, "y": 0, "w": 100, "h": 100},
]


def test_annotator_draws_on_a_copy_scaled_to_the_image():
    small = Image.new("RGB", (640, 360), "#334455")
    out = annotate.FaceAnnotator(FACES).annotate(small)
    assert out is not small and small.getcolors() == [(640 * 360, (0x33, 0x44, 0x55))]
    assert len(out.getcolors(100000)) > 3
    assert annotate._unit((3840, 2160)) == pytest.approx(4.0) and annotate._unit((640, 360)) == 1.0
    inplace = annotate.BoxAnnotator(FACES).annotate(small, inplace=True)
    assert inplace is small


def test_face_from_any_shapes():
    face = annotate.Face.from_any({"bbox": [1, 2, 3, 4], "landmarks_str": "10,20:30,40"})
    assert face.box == (1, 2, 3, 4) and face.landmarks == [(10, 20), (30, 40)]
    with pytest.raises(TypeError):
        annotate.Face.from_any(object())


def test_index_labels_never_overlap():
    # Eight faces stacked on the same spot: every tag still gets its own place.
    placed = []
    for _ in range(8):
        placed.append(annotate._place((100, 100, 50, 50), (40, 16), (1000, 1000), placed, 2))
    for i, a in enumerate(placed):
        for b in placed[i + 1:]:
            assert not annotate._overlaps(a, b)
        assert 0 <= a[0] and a[2] <= 1000 and 0 <= a[1] and a[3] <= 1000


def test_annotate_4k_is_fast_enough_for_a_panel():
    image = Image.new("RGB", (3840, 2160), "#202020")
    annotator = annotate.FaceAnnotator(FACES * 3)
    annotator.annotate(image)
    start = time.perf_counter()
    annotator.annotate(image)
    assert time.perf_counter() - start < 0.5  # generous bound; benchmarks/bench_widgets.py has the real aim


ELEMENTS = [
    {"type": "image", "url": "#1d3557", "width": 3840, "height": 2160, "scale_x": 1, "scale_y": 1, "offset_x": 0, "offset_y": 0},
    {"type": "avatar", "avatar_id": "simAnna01", "width": 1440, "height": 1440, "scale_x": 1, "scale_y": 1,
     "offset_x": 1200, "offset_y": 720},
    {"type": "audio", "input_text": "hi", "voice_id": "v"},
]


def test_layout_still_matches_the_shared_renderer(media_dir):
    loader = preview.ElementLoader({"simAnna01": str(media_dir["video"])})
    still = preview.layout_still(ELEMENTS, loader=loader, scale=0.1)
    assert still.size == (384, 216)
    same = render_talking_avatar(ELEMENTS, loader, scale=0.1)
    assert list(still.getdata()) == list(same.getdata())
    assert preview.layout_still(ELEMENTS, loader=loader, width=960).size == (960, 540)
    assert still.getpixel((5, 5)) == (0x1d, 0x35, 0x57)


def test_loader_placeholder_and_error_for_a_missing_source(tmp_path):
    loader = preview.ElementLoader()
    assert loader({"type": "avatar", "avatar_id": "unknown"}) == preview.PLACEHOLDER
    assert loader({"type": "image", "url": str(tmp_path / "missing.png")}) == preview.PLACEHOLDER
    assert "missing.png" in next(iter(loader.errors))


@pytest.mark.slow
def test_layout_clip_moves_and_carries_the_audio(media_dir, tmp_path):
    elements = [*ELEMENTS[:2], {"type": "audio", "url": str(media_dir["speech"])}]
    loader = preview.ElementLoader({"simAnna01": str(media_dir["video"])})
    clip = preview.layout_clip(elements, tmp_path / "clip.mp4", loader=loader, seconds=1.0, fps=8, width=320)
    info = thumbnails.probe(clip)
    assert (info.width, info.height) == (320, 180) and info.has_audio
    assert info.duration == pytest.approx(1.0, abs=0.2)
