"""Displaying a panel leaves a static copy for every viewer without the live panel.

``display(panel)`` makes two outputs: the widget view, then an HTML copy marked with the display's model id. The
panels that render live are told that id (``_static_copies``) before the view is shown, so their front end hides
the copy; nbviewer, GitHub, a kernel-less VS Code/Colab and JupyterLab without saved widget state show it. The
copy follows ``value``, so a saved notebook shows the last selection. (In a real browser: tests/browser.)
"""
from __future__ import annotations

import time

import pytest

from akool_nb.widgets import FacePanel, FaceSwapPanel, JobMonitor, TalkingAvatarComposer, VoicePicker
from akool_nb.widgets import _base

VIEW = "application/vnd.jupyter.widget-view+json"


class Handle:
    def __init__(self, log):
        self.log = log

    def update(self, data, **kwargs):
        self.log.append(("update", data))


@pytest.fixture
def shown(monkeypatch):
    """What ``display`` published, in order: ("display", data, display_id?) and ("update", data)."""
    import IPython.display

    log = []

    def display(data, raw=False, metadata=None, display_id=None, **kwargs):
        assert raw, "panels publish raw bundles"
        log.append(("display", data, display_id))
        return Handle(log) if display_id else None

    monkeypatch.setattr(IPython.display, "display", display)
    return log


def test_display_makes_the_live_view_then_a_marked_static_copy(client, shown):
    picker = VoicePicker(client)
    picker._ipython_display_()
    (_, view, view_id), (_, copy, copy_id) = shown
    assert view[VIEW]["model_id"] == picker.model_id and "text/html" not in view
    assert view_id is None and copy_id is True  # the copy keeps a display id: it is refreshed later
    assert f'data-aknb-static="{picker.model_id}"' in copy["text/html"]
    assert picker.visible[0] in copy["text/html"] and "run the cell" in copy["text/plain"]
    assert picker._static_copies == [picker.model_id]


def test_every_live_part_of_a_composite_panel_learns_the_display_id(client, shown):
    composer = TalkingAvatarComposer(client)
    composer._ipython_display_()
    assert composer.stage._static_copies == [composer.model_id]
    source, target = FacePanel(client), FacePanel(client)
    swap = FaceSwapPanel(client, source, target)
    swap._ipython_display_()
    assert source._static_copies == target._static_copies == [swap.model_id]
    source._ipython_display_()  # the same FacePanel shown again on its own: it hides both copies
    assert source._static_copies == [swap.model_id, source.model_id]


def test_the_static_copy_follows_the_selection(client, shown, monkeypatch):
    monkeypatch.setattr(_base, "STATIC_REFRESH_DELAY", 0.05)
    picker = VoicePicker(client)
    picker._ipython_display_()
    choice = picker.visible[3]
    picker._dispatch(picker, {"action": "select", "voice_id": choice})
    picker._dispatch(picker, {"action": "select", "voice_id": choice})  # a burst refreshes once
    deadline = time.monotonic() + 5
    while not any(kind == "update" for kind, *_ in shown) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    updates = [entry[1] for entry in shown if entry[0] == "update"]
    assert len(updates) == 1
    assert "Selected" in updates[0]["text/html"] and choice in updates[0]["text/html"]
    assert f'data-aknb-static="{picker.model_id}"' in updates[0]["text/html"]


def test_a_job_monitor_copy_carries_the_results_once_done(client, shown):
    job = client.tts.create(text="Static copy test.", voice_id="6889b628662160e2caad5dbc")
    monitor = JobMonitor([job])
    monitor._ipython_display_()
    monitor.wait(60)
    deadline = time.monotonic() + 5
    while not any(kind == "update" for kind, *_ in shown) and time.monotonic() < deadline:
        time.sleep(0.02)
    last = [entry[1] for entry in shown if entry[0] == "update"][-1]
    assert "<audio" in last["text/html"] and job.id in last["text/html"]


def test_a_broken_static_copy_never_hides_the_live_view(client, shown, monkeypatch):
    picker = VoicePicker(client)
    monkeypatch.setattr(VoicePicker, "_static_html", lambda self: 1 / 0)
    picker._ipython_display_()
    assert len(shown) == 1 and shown[0][1][VIEW]["model_id"] == picker.model_id


def test_a_closed_panel_displays_as_closed(client, shown):
    picker = VoicePicker(client)
    picker.close()
    if picker._ipython_display_ is None:  # ipywidgets 7's close() switches display off by itself
        return
    picker._ipython_display_()
    assert shown == [("display", {"text/plain": "VoicePicker (closed)"}, None)]


def test_the_front_end_module_wraps_every_panel_render():
    module = _base.esm("voice_picker.js")
    assert module.count("export default") == 1 and module.rstrip().endswith("export default withCommon(panel);")
    assert "function liveStatic(model)" in module and '"_static_copies"' in module


def test_in_colab_every_panel_switches_on_the_custom_widget_manager(client, shown, monkeypatch):
    # Colab renders third-party widgets only after output.enable_custom_widget_manager(), and only in outputs
    # whose metadata names that manager; a box of panels (the composer) needs it as much as an anywidget.
    import sys
    import types

    import anywidget._util

    calls = []
    colab_output = types.ModuleType("google.colab.output")
    colab_output.enable_custom_widget_manager = lambda: calls.append("enabled")
    colab_output._widgets = types.SimpleNamespace(_installed_url="https://ssl.gstatic.com/colaboratory-static/wm.js")
    monkeypatch.setitem(sys.modules, "google.colab.output", colab_output)
    anywidget._util.enable_custom_widget_manager_once.cache_clear()
    try:
        composer = TalkingAvatarComposer(client)
        data, meta = composer._view_bundle()
        assert calls == ["enabled"]
        assert meta[VIEW]["colab"]["custom_widget_manager"]["url"].endswith("/wm.js")
        assert data[VIEW]["model_id"] == composer.model_id
    finally:
        anywidget._util.enable_custom_widget_manager_once.cache_clear()
