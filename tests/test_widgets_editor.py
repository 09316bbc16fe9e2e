"""The composers' pre-flight, undo/redo and the panels' honest feedback, in Python (no browser): a layout the
service would turn into an empty frame, or a canvas out of range, is refused by ``payload`` / ``params`` and
``submit()`` with InvalidParameterError naming the field, before any request; ``value`` is {} meanwhile."""
from __future__ import annotations

import pytest
from PIL import Image

import akool_nb as ak
from akool_nb._exceptions import InvalidParameterError
from akool_nb.widgets import BackgroundComposer, JobMonitor, TalkingAvatarComposer, VoicePicker
from akool_nb.widgets.composer import CANVAS_RANGE, layout_problem


@pytest.fixture(scope="module")
def client():
    with ak.connect(fast=True) as c:
        yield c


def _composer(client):
    composer = TalkingAvatarComposer(client)
    composer.add_image("#1d3557")
    composer.add_avatar(client.avatars.list(from_=2)[0])
    composer.add_speech("Pre-flight.", client.voices.list()[0])
    return composer


@pytest.mark.parametrize("x, y", [(3840, 0), (0, 2160), (-1440, 0), (0, -1440), (99999, 99999)])
def test_a_layer_entirely_off_the_canvas_is_refused_before_any_request(client, x, y):
    composer = _composer(client)
    composer.set_box(1, x=x, y=y)
    with pytest.raises(InvalidParameterError) as info:
        composer.payload
    assert info.value.param == "elements[1]" and "outside the 3840×2160 canvas" in str(info.value)
    assert composer.value == {} and "outside" in composer.problem and composer.stage.problem == composer.problem
    before = len(client.jobs.recent()) if hasattr(client.jobs, "recent") else None
    with pytest.raises(InvalidParameterError):
        composer.submit()
    assert composer.monitor is None and "outside" in composer.error["message"]  # shown in the panel, not sent
    if before is not None:
        assert len(client.jobs.recent()) == before
    composer.bring_back(1)
    assert composer.problem == "" and composer.payload["elements"][1]["offset_x"] + 1440 <= 3840
    assert composer.error == {}  # the refusal clears once the layout is fixed


def test_a_layer_partly_off_the_canvas_is_fine(client):
    composer = _composer(client)
    composer.set_box(1, x=3000, y=1500)  # cropped at the right and bottom edges: a legitimate layout
    assert composer.payload["elements"][1]["offset_x"] == 3000 and composer.problem == ""


def test_a_layer_without_size_is_refused(client):
    composer = _composer(client)
    composer.set_box(1, width=0)
    with pytest.raises(InvalidParameterError, match="no size"):
        composer.payload


@pytest.mark.parametrize("size", [(100000, 720), (0, 720), (1280, 15), (7681, 7681)])
def test_background_canvas_out_of_range_is_refused(client, tmp_path, monkeypatch, size):
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (320, 240), "#888").save("fg.png")
    composer = BackgroundComposer(client, "fg.png", canvas_size="640x360")
    with pytest.raises(InvalidParameterError) as info:
        composer.set_canvas(*size)
    assert info.value.param == "canvas_size" and f"{CANVAS_RANGE[0]}–{CANVAS_RANGE[1]}" in str(info.value)
    assert composer.stage.canvas == [640, 360]  # unchanged
    # a canvas that arrives out of range anyway (from the stage) is refused by params and submit()
    composer.stage.canvas = list(size)
    with pytest.raises(InvalidParameterError, match="canvas"):
        composer.params
    assert composer.value == {}
    with pytest.raises(InvalidParameterError):
        composer.submit()
    assert composer.monitor is None


def test_layout_problem_is_the_one_rule():
    assert layout_problem([], (3840, 2160)) is None
    assert layout_problem([{"type": "audio", "url": "a.mp3"}], (3840, 2160)) is None
    assert layout_problem([], (16, 7680)) is None
    assert layout_problem([], (15, 100))[0] == "canvas_size"


def test_undo_and_redo_cover_moves_adds_deletes_and_reorders(client):
    composer = _composer(client)
    start = composer.elements
    composer.set_box(1, x=100)
    moved = composer.elements
    index = composer.add_image("#ff0000")
    added = composer.elements
    composer.move(index, -1)
    reordered = composer.elements
    composer.remove(0)
    for expected in (reordered, added, moved, start):
        assert composer.undo() and composer.elements == expected
    assert composer.stage.can_redo and composer.stage.can_undo  # (the adds that built the layout are undoable too)
    for expected in (moved, added, reordered):
        assert composer.redo() and composer.elements == expected
    composer.set_box(1, x=5)  # a new change ends the redo line
    assert not composer.redo() and not composer.stage.can_redo


def test_background_load_is_one_undo_step(client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (320, 240), "#888").save("fg.png")
    composer = BackgroundComposer(client)
    composer.load("fg.png", canvas_size="640x360")
    composer.set_canvas(800, 600)
    assert composer.undo() and composer.stage.canvas == [640, 360] and composer.elements
    assert composer.undo() and composer.elements == []


def test_preview_versions_mark_a_stale_preview(client):
    composer = _composer(client)
    composer.render_preview()
    assert composer.stage.preview_version == composer.stage.layout_version
    composer.set_box(1, x=10)
    assert composer.stage.preview_version != composer.stage.layout_version  # the front end says "out of date"


def test_voice_filter_reads_as_it_filters_and_clears(client):
    picker = VoicePicker(client, language="en")
    assert picker.option_labels["language:en"].startswith("English") and len(picker.visible) < len(picker.voices)
    picker.clear_filters()
    assert picker.language == "" and len(picker.visible) == len(picker.voices) and picker.option_labels == {}


def test_elapsed_is_frozen_at_the_finish_and_at_stop(client):
    job = client.tts.create(text="Frozen clock.", voice_id=client.voices.list()[0])
    job.wait(timeout=30)
    monitor = JobMonitor([job], autostart=False)
    first = monitor.rows[0]["elapsed"]
    import time

    time.sleep(0.3)
    monitor._publish()
    assert monitor.rows[0]["elapsed"] == first  # a finished job's time is start → finish
    running = client.tts.create(text="Stopped clock.", voice_id=client.voices.list()[0])
    monitor.add(running)
    monitor.stop(running.id)
    stopped = next(r for r in monitor.rows if r["id"] == running.id)["elapsed"]
    time.sleep(0.3)
    monitor._publish()
    assert next(r for r in monitor.rows if r["id"] == running.id)["elapsed"] == stopped
