"""The panels in a real JupyterLab + Chromium: clicks and drags reach the kernel with the right values.

One notebook holds every panel (one kernel, one offline Akool); each panel writes its ``value`` to a JSON
file from an ``observe`` callback, and the tests read those files. Screenshots of every panel in the light
and dark themes go to build/screenshots/.
"""
from __future__ import annotations

import json
import time

import pytest

from .conftest import PREAMBLE, SCREENSHOTS, avatar_of, drag, open_notebook, shot, wait_for_file

pytestmark = pytest.mark.browser

CELLS = [
    PREAMBLE + """from akool_nb.widgets import AvatarPicker, VoicePicker, MediaPreview, JobMonitor, TalkingAvatarComposer""",
    """voices = VoicePicker(client)
voices.observe(dump("out_voice.json"), "value")
voices""",
    """avatars = AvatarPicker(client, page_size=6)
avatars.observe(dump("out_avatar.json"), "value")
avatars""",
    """composer = TalkingAvatarComposer(client)
composer.add_image("#1d3557")
composer.add_avatar(avatars.items[1]["avatar_id"])
composer.add_speech("Welcome to the composer test.", voices.visible[0])
composer.stage.selected = 1
composer.observe(dump("out_payload.json"), "value")
Path("out_payload.json").write_text(json.dumps(composer.value))
composer""",
    """speech = client.tts.create(text="Monitor test speech.", voice_id=voices.visible[0])
video = client.talking_photo.create(photo=ak.samples.portrait(None, size=256), audio="https://example.invalid/a.mp3")
monitor = JobMonitor([speech])
monitor.observe(lambda ch: Path("out_monitor.json").write_text(json.dumps([r.url for r in ch["new"]])), "value")
monitor""",
    """preview = MediaPreview(speech.wait())
preview""",
    """from akool_nb.media.preview import layout_clip
layout_clip([{"type": "image", "url": "#2a9d8f", "width": 3840, "height": 2160, "scale_x": 1, "scale_y": 1,
              "offset_x": 0, "offset_y": 0}], "local.mp4", seconds=1, width=320)
local = MediaPreview("local.mp4")
local""",
]


@pytest.fixture(scope="module")
def page(lab, browser):
    page, context = open_notebook(lab, browser, "panels.ipynb", CELLS, [
        ".aknb-voice-picker .aknb-row", ".aknb-avatar-picker .aknb-card img",
        ".aknb-composer-panel .aknb-layer[data-type=avatar]"])
    yield page
    context.close()


def test_click_a_voice_sets_value_in_the_kernel(page, lab):
    rows = page.locator(".aknb-voice-picker .aknb-row")
    target = rows.nth(2)
    voice_id = target.get_attribute("data-voice-id")
    target.click()
    assert wait_for_file(lab["notebooks"] / "out_voice.json") == voice_id
    page.wait_for_selector(f".aknb-voice-picker .aknb-row.selected[data-voice-id='{voice_id}']")
    # a filter narrows the list (Python recomputes `visible`, the front end redraws)
    page.select_option(".aknb-voice-picker select[data-filter=language]", "Spanish")
    page.wait_for_function("document.querySelectorAll('.aknb-voice-picker .aknb-row').length === 2")
    page.select_option(".aknb-voice-picker select[data-filter=language]", "")
    page.wait_for_function("document.querySelectorAll('.aknb-voice-picker .aknb-row').length > 2")


def test_click_an_avatar_sets_id_and_from(page, lab):
    card = page.locator(".aknb-avatar-picker .aknb-card").nth(3)
    avatar_id = card.get_attribute("data-avatar-id")
    card.click()
    assert wait_for_file(lab["notebooks"] / "out_avatar.json") == {"avatar_id": avatar_id, "from": 2}
    # the poster loads by URL (no base64 thumbnails for catalogue avatars)
    src = page.locator(".aknb-avatar-picker .aknb-card img").first.get_attribute("src")
    assert src.startswith("http://127.0.0.1:")


def test_drag_and_resize_in_the_composer_move_real_canvas_pixels(page, lab):
    out = lab["notebooks"] / "out_payload.json"
    before = avatar_of(wait_for_file(out))
    shot(page, ".aknb-composer-panel", "composer_before_drag")
    stage = page.locator(".aknb-composer-panel .aknb-stage").bounding_box()
    per_px = 3840 / stage["width"]  # canvas pixels per screen pixel (4.0 on a 960 px stage)
    assert stage["width"] == pytest.approx(960, abs=1)
    # the fallback (plain ipywidgets) hides once the custom front end has loaded
    page.wait_for_function("[...document.querySelectorAll('.widget-dropdown')].every(n => n.offsetParent === null)")

    layer = page.locator(".aknb-composer-panel .aknb-layer[data-type=avatar]")
    drag(page, layer, 100, -50)
    moved = avatar_of(wait_for_file(out, lambda p: avatar_of(p)["offset_x"] != before["offset_x"]))
    assert moved["offset_x"] - before["offset_x"] == round(100 * per_px)  # 100 px drag = 400 canvas px
    assert moved["offset_y"] - before["offset_y"] == round(-50 * per_px)
    assert (moved["width"], moved["height"]) == (before["width"], before["height"])

    # a corner handle keeps the avatar's aspect ratio (Shift frees it: test_composer_browser)
    drag(page, page.locator(".aknb-composer-panel .aknb-layer[data-type=avatar] .aknb-handle.se"), 40, 20)
    resized = avatar_of(wait_for_file(out, lambda p: avatar_of(p)["width"] != before["width"]))
    assert resized["width"] - moved["width"] == round(40 * per_px)
    assert resized["height"] - moved["height"] == round(40 * per_px)  # square stays square
    assert (resized["offset_x"], resized["offset_y"]) == (moved["offset_x"], moved["offset_y"])

    # arrow keys nudge by 10 canvas px (Shift: 100)
    page.locator(".aknb-composer-panel .aknb-stage").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    nudged = avatar_of(wait_for_file(out, lambda p: avatar_of(p)["offset_x"] == resized["offset_x"] + 10))
    assert nudged["offset_y"] == resized["offset_y"] + 100
    # the live payload view shows the same numbers
    shown = json.loads(page.locator(".aknb-composer-panel .aknb-payload").inner_text())
    assert avatar_of(shown)["offset_x"] == nudged["offset_x"]

    page.locator(".aknb-composer-panel button", has_text="Render preview").click()
    page.wait_for_selector(".aknb-composer-panel img[data-role=preview]", timeout=30_000)
    # the preview clip is a local file: the front end finds it under Jupyter's /files/
    page.locator(".aknb-composer-panel button", has_text="Preview clip").click()
    clip = page.wait_for_selector(".aknb-composer-panel video[data-role=clip]", timeout=60_000)
    assert page.evaluate("src => fetch(src).then(r => r.status)", clip.get_attribute("src")) == 200
    # submitting follows the job in a monitor under the stage, which ends with the video and its poster
    page.locator(".aknb-composer-panel button", has_text="Create video").click()
    page.wait_for_selector(".jp-OutputArea-output .aknb-job-monitor >> nth=1", timeout=30_000)
    page.wait_for_selector(".aknb-job.completed video[poster]", timeout=90_000)


def test_job_monitor_completes_and_shows_the_result(page, lab):
    urls = wait_for_file(lab["notebooks"] / "out_monitor.json", lambda v: len(v) == 1, timeout=60)
    assert urls[0].endswith(".mp3")
    page.wait_for_selector(".aknb-job-monitor .aknb-job.completed audio", timeout=30_000)
    assert "completed" in page.locator(".aknb-job-monitor .aknb-badge.completed").first.inner_text()
    page.wait_for_selector(".aknb-media-preview audio", timeout=30_000)
    page.wait_for_selector(".aknb-media-preview img.aknb-wave", timeout=30_000)
    # a local file plays from Jupyter's /files/ and shows a small poster (no file data in the notebook)
    local = page.wait_for_selector(".aknb-media-preview video[poster^='data:image/jpeg']", timeout=30_000)
    assert page.evaluate("src => fetch(src).then(r => r.status)", local.get_attribute("src")) == 200


def test_screenshots_light_and_dark(page):
    assert not page.errors, page.errors
    panels = {"voice_picker": ".aknb-voice-picker", "avatar_picker": ".aknb-avatar-picker",
              "composer": ".aknb-composer-panel", "job_monitor": ".aknb-job-monitor:has([data-product=tts])",
              "composer_job": ".aknb-job-monitor:has([data-product=talking_avatar])",
              "local_preview": ".aknb-media-preview >> nth=1",
              "media_preview": ".aknb-media-preview"}
    for theme, command_theme in (("light", "JupyterLab Light"), ("dark", "JupyterLab Dark")):
        page.evaluate(f"window.jupyterapp.commands.execute('apputils:change-theme', {{theme: '{command_theme}'}})")
        page.wait_for_function(f"document.body.dataset.jpThemeName === '{command_theme}'", timeout=20_000)
        time.sleep(0.5)
        for name, selector in panels.items():
            shot(page, selector, f"{name}_{theme}")
    page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")


def test_saved_notebook_keeps_a_static_copy_of_every_panel(page, lab, browser):
    """Reopened without a kernel (nbviewer, GitHub, VS Code, Colab), each panel leaves its HTML copy: posters
    and players by URL, the selection, the layout."""
    import nbformat

    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    path = lab["notebooks"] / "panels.ipynb"
    deadline = time.monotonic() + 20
    copies: list[str] = []
    while time.monotonic() < deadline and len(copies) < 5:
        time.sleep(0.5)
        nb = nbformat.read(path, as_version=4)
        copies = [out["data"]["text/html"] for cell in nb.cells for out in cell.get("outputs", [])
                  if "data-aknb-static" in out.get("data", {}).get("text/html", "")]
    assert len(copies) >= 5
    joined = "".join(copies)
    assert "<audio" in joined and "<img" in joined and "avatar_from" in joined
    assert "completed" in joined  # the monitor refreshed its copy when the jobs were done
    assert path.stat().st_size < 400_000  # media by URL: the notebook stays small
    static = browser.new_page(viewport={"width": 1100, "height": 900})
    static.set_content(f"<html><body style='font-family:sans-serif'>{joined}</body></html>")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    static.screenshot(path=str(SCREENSHOTS / "static_copy.png"), full_page=True)
    assert static.locator("img").count() >= 3
    static.close()
