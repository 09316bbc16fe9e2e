"""Phase-2 panels in a real JupyterLab + Chromium: clicking a face selects it in the kernel (in the picture's
real pixels), dragging and resizing a BackgroundComposer layer moves the bg/replace parameters by the expected
real-pixel amounts, the pickers select, and the JobMonitor deletes a face swap result. Screenshots (light and
dark) go to build/screenshots/."""
from __future__ import annotations

import json
import time

import pytest

from .conftest import PREAMBLE, click_face, drag, open_notebook, shot, wait_for_file

pytestmark = pytest.mark.browser

CELLS = [
    PREAMBLE + """from akool_nb.widgets import FacePanel, FaceSwapPanel, BackgroundComposer, EffectPicker, ModelPicker
from akool_nb.sim import engines as fe""",
    """source = FacePanel(client, fe.sample_photo("grace_hopper"), title="Source: the new face", display_width=380)
target = FacePanel(client, fe.sample_group(), title="Target: the faces to replace")
target.observe(lambda ch: Path("out_faces.json").write_text(json.dumps(
    {"selected": target.selected, "regions": [f.region for f in ch["new"]]})), "value")
swap = FaceSwapPanel(client, source, target)
swap.observe(dump("out_swap.json"), "value")
swap""",
    """ak.samples.portrait("portrait.png", size=512)
from PIL import Image
Image.new("RGB", (1280, 720), "#2a9d8f").save("template.png")
bg = BackgroundComposer(client, "portrait.png", template="template.png", color_code="#1d3557")
bg.observe(dump("out_bg.json"), "value")
Path("out_bg.json").write_text(json.dumps(bg.value))
bg""",
    """effects = EffectPicker(client)
effects.observe(dump("out_effect.json"), "value")
effects""",
    """models = ModelPicker(client, kind="image_to_video")
models.observe(lambda ch: Path("out_model.json").write_text(json.dumps(models.params)), ["value", "resolution"])
models""",
]


@pytest.fixture(scope="module")
def page(lab, browser):
    page, context = open_notebook(lab, browser, "panels2.ipynb", CELLS, [
        ".aknb-face-panel .aknb-face-hit", ".aknb-composer-panel .aknb-layer[data-role=origin]",
        ".aknb-effect-picker .aknb-card img", ".aknb-model-picker .aknb-model"])
    yield page
    context.close()


def test_click_a_face_selects_it_in_the_kernel(page, lab):
    panel = page.locator(".aknb-face-panel").nth(1)
    # the hit area sits on the face drawn in the picture (900×500): its box in real picture pixels
    click_face(panel, 1, lab["notebooks"] / "out_faces.json", 900)
    # the source face, then the request is ready and submits; the result can be deleted from the monitor
    page.locator(".aknb-face-panel").nth(0).locator(".aknb-face-hit[data-face='0']").click()
    swap = wait_for_file(lab["notebooks"] / "out_swap.json", lambda v: bool(v))
    assert swap["endpoint"].endswith("/specifyimage") and swap["body"]["targetImage"][0]["opts"]
    assert swap["pairs"] == [[0, 1]]
    shot(page, ".jp-OutputArea-output:has(.aknb-face-panel)", "face_swap_selected_light")
    page.locator(".jp-OutputArea-output:has(.aknb-face-panel) button", has_text="Swap faces").click()
    page.wait_for_selector(".aknb-job-monitor .aknb-job.completed img", timeout=60_000, state="attached")
    page.locator(".aknb-job-monitor .aknb-job.completed button[title^='Delete the result']").click()
    # Delete asks first; "Keep it" keeps the result, "Delete for good" deletes it
    page.locator(".aknb-job-monitor .aknb-job.completed [data-confirm=no]").click()
    assert page.locator(".aknb-job-monitor .aknb-badge.deleted").count() == 0
    page.locator(".aknb-job-monitor .aknb-job.completed button[title^='Delete the result']").click()
    page.locator(".aknb-job-monitor .aknb-job.completed [data-confirm=yes]").click()
    page.wait_for_selector(".aknb-job-monitor .aknb-badge.deleted", timeout=30_000)
    assert "Deleted at Akool" in page.locator(".aknb-job-monitor .aknb-job").first.inner_text()
    assert not page.locator(".aknb-job-monitor .aknb-job.deleted .aknb-progress").is_visible()  # no full bar


def test_drag_and_resize_a_background_layer_moves_real_pixels(page, lab):
    out = lab["notebooks"] / "out_bg.json"
    before = wait_for_file(out)
    assert before["canvas_size"] == "1280x720" and before["color_code"] == "#1d3557"
    stage_node = page.locator(".aknb-composer-panel .aknb-stage")
    stage_node.scroll_into_view_if_needed()
    stage = stage_node.bounding_box()
    per_px = 1280 / stage["width"]
    layer = page.locator(".aknb-composer-panel .aknb-layer[data-role=origin]")
    drag(page, layer, 100, -50)
    moved = wait_for_file(out, lambda p: p["overlay_origin_x"] != before["overlay_origin_x"])
    assert moved["overlay_origin_x"] - before["overlay_origin_x"] == round(100 * per_px)
    assert moved["overlay_origin_y"] - before["overlay_origin_y"] == round(-50 * per_px)
    assert moved["modify_origin_img_size"] == before["modify_origin_img_size"]

    page.keyboard.down("Shift")  # Shift frees the photo's aspect ratio
    drag(page, page.locator(".aknb-composer-panel .aknb-layer[data-role=origin] .aknb-handle.se"), 40, 20)
    page.keyboard.up("Shift")
    resized = wait_for_file(out, lambda p: p["modify_origin_img_size"] != before["modify_origin_img_size"])
    w0, h0 = map(int, moved["modify_origin_img_size"].split("x"))
    w1, h1 = map(int, resized["modify_origin_img_size"].split("x"))
    assert (w1 - w0, h1 - h0) == (round(40 * per_px), round(20 * per_px))
    assert (resized["overlay_origin_x"], resized["overlay_origin_y"]) == (moved["overlay_origin_x"], moved["overlay_origin_y"])
    # arrow keys nudge by the canvas's step (3 px on 1280, Shift ×10)
    stage_node.focus()
    page.keyboard.press("ArrowLeft")
    nudged = wait_for_file(out, lambda p: p["overlay_origin_x"] == resized["overlay_origin_x"] - 3)
    # the live parameter view shows the same numbers, under the documented field names
    shown = json.loads(page.locator(".aknb-composer-panel .aknb-payload").inner_text())
    assert shown["overlay_origin_x"] == nudged["overlay_origin_x"] and shown["template_url"] == "template.png"
    # canvas size from the side panel
    width = page.locator(".aknb-composer-panel input[data-canvas=width]")
    width.fill("1600")
    width.press("Enter")
    wait_for_file(out, lambda p: p["canvas_size"] == "1600x720")
    page.locator(".aknb-composer-panel button", has_text="Render preview").click()
    page.wait_for_selector(".aknb-composer-panel img[data-role=preview]", timeout=30_000)
    page.locator(".aknb-composer-panel button", has_text="Change background").click()
    page.wait_for_selector(".aknb-job-monitor:has([data-product=background_change]) .aknb-job.completed img",
                           timeout=60_000, state="attached")


def test_pickers_select_in_the_kernel(page, lab):
    card = page.locator(".aknb-effect-picker .aknb-card").nth(1)
    code = card.get_attribute("data-effect-code")
    card.click()
    assert wait_for_file(lab["notebooks"] / "out_effect.json") == code
    assert page.locator(".aknb-effect-picker video").count() == 0  # nothing plays (or even loads) by itself
    row = page.locator(".aknb-model-picker .aknb-model").nth(0)
    name = row.get_attribute("data-model")
    row.click()
    page.wait_for_selector(".aknb-model-picker .aknb-model-settings button.aknb-chip")
    page.locator(".aknb-model-picker .aknb-model-settings button.aknb-chip", has_text="1080p").click()
    params = wait_for_file(lab["notebooks"] / "out_model.json", lambda p: p.get("resolution") == "1080p")
    assert params["model_name"] == name and params["video_length"] in (5, 10)


def test_screenshots_light_and_dark(page):
    assert not page.errors, page.errors
    panels = {"face_swap": ".jp-OutputArea-output:has(.aknb-face-panel)", "background_composer": ".aknb-composer-panel",
              "effect_picker": ".aknb-effect-picker", "model_picker": ".aknb-model-picker"}
    for theme, command_theme in (("light", "JupyterLab Light"), ("dark", "JupyterLab Dark")):
        page.evaluate(f"window.jupyterapp.commands.execute('apputils:change-theme', {{theme: '{command_theme}'}})")
        page.wait_for_function(f"document.body.dataset.jpThemeName === '{command_theme}'", timeout=20_000)
        time.sleep(0.5)
        for name, selector in panels.items():
            shot(page, selector, f"{name}_{theme}")
    page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
