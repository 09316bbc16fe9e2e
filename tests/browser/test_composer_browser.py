"""The composers as small editors, in a real JupyterLab 4 at 1400 px: undo/redo over moves, resizes, adds,
deletes and reorders; a layer off the canvas is flagged and submitting it is refused with the reason (nothing is
sent); corner handles keep a photo's aspect ratio (Shift frees it); layers snap to each other's edges; zoom and
fit; the side panel sits beside the stage; a canvas size out of range is refused in its field; the preview says
when it is out of date. Screenshots (light and dark): build/screenshots/editor_*.png."""
from __future__ import annotations

import pytest

from .conftest import PREAMBLE, avatar_of, drag, open_notebook, set_theme, shot, wait_for_file

pytestmark = pytest.mark.browser

CELLS = [
    PREAMBLE + """from akool_nb.widgets import TalkingAvatarComposer, BackgroundComposer""",
    """composer = TalkingAvatarComposer(client)
composer.add_image("#1d3557")
composer.add_avatar(client.avatars.list(from_=2)[0])
composer.add_image("#e76f51", width=800, height=600, offset_x=2800, offset_y=200)
composer.add_speech("Editor test.", client.voices.list()[0])
composer.select(1)
composer.observe(dump("out_payload.json"), "value")
Path("out_payload.json").write_text(json.dumps(composer.value))
composer""",
    """ak.samples.portrait("portrait.png", size=512)
bg = BackgroundComposer(client, "portrait.png", canvas_size="1280x720")
bg.observe(dump("out_bg.json"), "value")
bg.stage.observe(lambda ch: Path("out_canvas.json").write_text(json.dumps(ch["new"])), "canvas")
Path("out_bg.json").write_text(json.dumps(bg.value))
bg""",
]
TA = ".aknb-composer-panel >> nth=0"
BG = ".aknb-composer-panel >> nth=1"


@pytest.fixture(scope="module")
def page(lab, browser):
    page, context = open_notebook(lab, browser, "editor.ipynb", CELLS, [
        ".aknb-composer-panel .aknb-layer[data-type=avatar]", ".aknb-composer-panel .aknb-layer[data-role=origin]"],
        viewport=(1400, 1300))
    yield page
    context.close()


def _layers(payload):
    return [(e["type"], e.get("url") or e.get("avatar_id"), e["offset_x"], e["offset_y"], e["width"], e["height"])
            for e in payload["elements"] if e["type"] != "audio"]


def test_side_panel_sits_beside_the_stage_at_1400_px(page):
    for sidebar in ("collapsed", "file browser open"):
        if sidebar != "collapsed":
            page.evaluate("window.jupyterapp.commands.execute('filebrowser:activate')")
            page.wait_for_timeout(800)
        panel = page.locator(TA)
        panel.scroll_into_view_if_needed()
        stage = panel.locator(".aknb-stage").bounding_box()
        side = panel.locator(".aknb-side").bounding_box()
        assert side["x"] >= stage["x"] + stage["width"] - 1, sidebar  # to the right of the stage …
        assert side["y"] < stage["y"] + stage["height"], sidebar      # … and level with it, not below
        assert stage["width"] >= 480, sidebar
        shot(page, TA, f"editor_1400_{sidebar.split()[0]}")
    page.evaluate("window.jupyterapp.shell.collapseLeft()")
    page.wait_for_timeout(500)


def test_undo_and_redo_moves_resizes_adds_deletes_and_reorders(page, lab):
    out = lab["notebooks"] / "out_payload.json"
    states = [_layers(wait_for_file(out))]
    panel = page.locator(TA)
    avatar = panel.locator(".aknb-layer[data-type=avatar]")

    def changed():
        states.append(_layers(wait_for_file(out, lambda p: p and _layers(p) != states[-1])))

    drag(page, avatar, 60, 20)                                         # move
    changed()
    drag(page, panel.locator(".aknb-layer[data-type=avatar] .aknb-handle.se"), 30, 0)  # resize
    changed()
    panel.locator(".aknb-addform input[aria-label='Source of the layer to add']").fill("#2a9d8f")   # add
    panel.locator(".aknb-addform input[aria-label='Source of the layer to add']").press("Enter")
    changed()
    panel.locator(".aknb-layers .aknb-row").first.click()             # the new layer (top) …
    page.keyboard.press("Delete")                                      # … deleted
    changed()
    panel.locator(".aknb-layers .aknb-row[data-index='1']").click()   # the avatar …
    panel.locator("[data-layer-tool=forward]").click()                # … one step forward
    changed()
    assert len(states) == 6 and all(a != b for a, b in zip(states, states[1:]))
    panel.locator(".aknb-stage").focus()
    for expected in reversed(states[:-1]):
        page.keyboard.press("Control+z")
        assert _layers(wait_for_file(out, lambda p, e=expected: p and _layers(p) == e)) == expected
    for expected in states[1:]:
        page.keyboard.press("Control+Shift+z")
        assert _layers(wait_for_file(out, lambda p, e=expected: p and _layers(p) == e)) == expected
    page.wait_for_selector(".aknb-composer-panel [data-tool=redo]:disabled")  # nothing left to redo
    assert _layers(wait_for_file(out)) == states[-1]


def test_a_layer_off_the_canvas_is_flagged_and_submit_is_refused(page, lab):
    out = lab["notebooks"] / "out_payload.json"
    panel = page.locator(TA)
    panel.locator(".aknb-layer[data-type=avatar]").click()
    x = panel.locator("input[data-field=offset_x]")
    x.fill("5000")
    x.press("Enter")  # Enter commits the field
    assert wait_for_file(out, lambda p: p == {}) == {}  # value is {} while the layout cannot be submitted
    panel.locator(".aknb-layer.offcanvas[data-type=avatar]").wait_for()  # drawn as a flagged marker at the edge
    assert "outside" in panel.locator(".aknb-problem").inner_text()
    shot(page, TA, "editor_offcanvas")
    panel.locator("[data-action=submit]").click()
    page.wait_for_selector(".aknb-composer-panel .aknb-error:has-text('outside')")
    page.wait_for_timeout(1500)
    assert page.locator(".aknb-job-monitor").count() == 0  # nothing was sent
    panel.locator("[data-layer-tool=bring-back]").click()
    back = avatar_of(wait_for_file(out, lambda p: bool(p)))
    assert back["offset_x"] + back["width"] <= 3840
    page.wait_for_selector(".aknb-composer-panel .aknb-layer.offcanvas", state="detached")


def test_corner_handles_keep_the_aspect_ratio_unless_shift(page, lab):
    out = lab["notebooks"] / "out_payload.json"
    panel = page.locator(TA)
    panel.locator(".aknb-layer[data-type=avatar]").click()
    before = avatar_of(wait_for_file(out, lambda p: bool(p)))
    ratio = before["width"] / before["height"]
    drag(page, panel.locator(".aknb-layer[data-type=avatar] .aknb-handle.se"), -40, 5)
    locked = avatar_of(wait_for_file(out, lambda p: p and avatar_of(p)["width"] != before["width"]))
    assert locked["width"] / locked["height"] == pytest.approx(ratio, rel=0.01)
    page.keyboard.down("Shift")
    drag(page, panel.locator(".aknb-layer[data-type=avatar] .aknb-handle.se"), 30, -25)
    page.keyboard.up("Shift")
    free = avatar_of(wait_for_file(out, lambda p: p and avatar_of(p)["width"] != locked["width"]))
    assert free["width"] / free["height"] != pytest.approx(ratio, rel=0.05)


def test_a_layer_snaps_to_another_layers_edge_with_a_guide(page, lab):
    out = lab["notebooks"] / "out_payload.json"
    panel = page.locator(TA)
    stage = panel.locator(".aknb-stage").bounding_box()
    per_px = 3840 / stage["width"]
    other = next(e for e in wait_for_file(out)["elements"] if e.get("url") == "#e76f51")
    avatar = avatar_of(wait_for_file(out))
    # move the avatar's right edge to 3 screen px left of the other layer's left edge: it snaps onto it
    gap = (other["offset_x"] - (avatar["offset_x"] + avatar["width"])) / per_px - 3
    layer = panel.locator(".aknb-layer[data-type=avatar]")
    box = layer.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + gap / 2, box["y"] + box["height"] / 2 + 1, steps=3)
    page.mouse.move(box["x"] + box["width"] / 2 + gap, box["y"] + box["height"] / 2 + 1, steps=3)
    assert panel.locator(".aknb-guide.v").is_visible()  # the guide shows where it snaps
    page.mouse.up()
    snapped = avatar_of(wait_for_file(out, lambda p: p and avatar_of(p)["offset_x"] != avatar["offset_x"]))
    assert snapped["offset_x"] + snapped["width"] == other["offset_x"]


def test_zoom_and_fit(page, lab):
    out = lab["notebooks"] / "out_payload.json"
    panel = page.locator(TA)
    fitted = panel.locator(".aknb-stage").bounding_box()["width"]
    panel.locator(".aknb-layer[data-type=avatar]").click()
    before = avatar_of(wait_for_file(out, lambda p: bool(p)))
    panel.locator(".aknb-stage").focus()
    page.keyboard.press("+")
    zoomed = panel.locator(".aknb-stage").bounding_box()["width"]
    assert zoomed == pytest.approx(fitted * 1.25, abs=2)
    assert avatar_of(wait_for_file(out)) == before  # zoom changes the view, never the layout
    panel.locator(".aknb-layer[data-type=avatar]").scroll_into_view_if_needed()
    drag(page, panel.locator(".aknb-layer[data-type=avatar]"), 50, 0)
    moved = avatar_of(wait_for_file(out, lambda p: p and avatar_of(p)["offset_x"] != before["offset_x"]))
    assert moved["offset_x"] - before["offset_x"] == pytest.approx(50 * 3840 / zoomed, abs=2)
    panel.locator("[data-tool=fit]").click()
    assert panel.locator(".aknb-stage").bounding_box()["width"] == pytest.approx(fitted, abs=1)


def test_the_preview_says_when_it_is_out_of_date(page, lab):
    panel = page.locator(TA)
    panel.locator("button", has_text="Render preview").click()
    page.wait_for_selector(".aknb-composer-panel figure[data-figure=preview]:not(.stale) img", timeout=30_000)
    panel.locator(".aknb-layer[data-type=avatar]").focus()
    page.keyboard.press("ArrowUp")
    page.wait_for_selector(".aknb-composer-panel figure[data-figure=preview].stale .aknb-stale-note", timeout=10_000)
    shot(page, ".aknb-composer-panel figure[data-figure=preview]", "editor_preview_out_of_date")
    panel.locator(".aknb-stale-note button").click()
    page.wait_for_selector(".aknb-composer-panel figure[data-figure=preview]:not(.stale) img", timeout=30_000)


def test_a_canvas_size_out_of_range_is_refused_in_its_field(page, lab):
    panel = page.locator(BG)
    width = panel.locator("input[data-canvas=width]")
    for bad in ("100000", "0"):
        width.fill(bad)
        width.press("Enter")
        assert width.get_attribute("aria-invalid") == "true"
        assert width.input_value() == bad  # the field keeps what was typed and says why it is refused
        assert "out of range" in panel.locator(".aknb-field-error").inner_text()
        assert wait_for_file(lab["notebooks"] / "out_bg.json")["canvas_size"] == "1280x720"
    panel.locator("[data-action=submit]").click()
    panel.locator(".aknb-error:has-text('out of range')").wait_for()
    width.press("Escape")
    assert width.input_value() == "1280" and width.get_attribute("aria-invalid") is None
    width.fill("1600")
    width.press("Enter")
    assert wait_for_file(lab["notebooks"] / "out_bg.json", lambda p: p.get("canvas_size") == "1600x720")


def test_screenshots_light_and_dark(page):
    assert not page.errors, page.errors
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        name = theme.split()[-1].lower()
        shot(page, TA, f"editor_talking_avatar_{name}")
        shot(page, BG, f"editor_background_{name}")
    set_theme(page, "JupyterLab Light")
