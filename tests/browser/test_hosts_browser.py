"""The panels in the other notebook hosts, in a real Chromium: Notebook 7, and the classic Notebook 6 with the
ipywidgets 7 front end (the widget line Colab ships; only in the environment scripts/check_ipywidgets7.sh
builds, skipped elsewhere). In each host a voice click reaches ``.value`` in the kernel, a composer drag moves
the payload by the expected real canvas pixels, a face click selects that face, and the page logs no error.
Screenshots go to build/screenshots/<host>_*.png.
"""
from __future__ import annotations

import pytest

from .conftest import PREAMBLE, SCREENSHOTS, avatar_of, click_face, drag, open_notebook, shot, wait_for_file

pytestmark = pytest.mark.browser

CELLS = [
    PREAMBLE + """from akool_nb.widgets import VoicePicker, TalkingAvatarComposer, FacePanel
from akool_nb.sim import engines as fe""",
    """voices = VoicePicker(client)
voices.observe(dump("out_voice.json"), "value")
voices""",
    """composer = TalkingAvatarComposer(client)
composer.add_image("#1d3557")
composer.add_avatar(client.avatars.list(from_=2)[0])
composer.add_speech("Hello from another notebook host.", voices.visible[0])
composer.stage.selected = 1
composer.observe(dump("out_payload.json"), "value")
Path("out_payload.json").write_text(json.dumps(composer.value))
composer""",
    """faces = FacePanel(client, fe.sample_group(), title="Faces")
faces.observe(lambda ch: Path("out_faces.json").write_text(json.dumps(
    {"selected": faces.selected, "regions": [f.region for f in ch["new"]]})), "value")
faces""",
]
READY = [".aknb-voice-picker .aknb-row", ".aknb-composer-panel .aknb-layer[data-type=avatar]",
         ".aknb-face-panel .aknb-face-hit"]

@pytest.fixture(scope="module", params=["notebook7", "classic_notebook"])
def host(request):
    """``(name, server)`` for each host; a host that is not installed here skips with its reason."""
    return request.param, request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def page(host, browser):
    name, server = host
    page, context = open_notebook(server, browser, f"hosts_{name}.ipynb", CELLS, READY, host=name)
    yield page
    context.close()


def test_click_a_voice_sets_value_in_the_kernel(page, host):
    target = page.locator(".aknb-voice-picker .aknb-row").nth(2)
    voice_id = target.get_attribute("data-voice-id")
    target.click()
    assert wait_for_file(host[1]["notebooks"] / "out_voice.json") == voice_id
    page.wait_for_selector(f".aknb-voice-picker .aknb-row.selected[data-voice-id='{voice_id}']")
    shot(page, ".aknb-voice-picker", f"{page.host}_voice_picker")


def test_drag_a_composer_layer_moves_real_canvas_pixels(page, host):
    out = host[1]["notebooks"] / "out_payload.json"
    before = avatar_of(wait_for_file(out))
    stage_node = page.locator(".aknb-composer-panel .aknb-stage")
    stage_node.scroll_into_view_if_needed()
    stage = stage_node.bounding_box()
    per_px = 3840 / stage["width"]  # canvas pixels per screen pixel, whatever width this host gives the stage
    assert stage["width"] >= 480 and stage["height"] == pytest.approx(stage["width"] * 2160 / 3840, abs=1)
    # the plain-ipywidgets fallback hides once the custom front end has loaded
    page.wait_for_function("[...document.querySelectorAll('.widget-dropdown')].every(n => n.offsetParent === null)")
    layer = page.locator(".aknb-composer-panel .aknb-layer[data-type=avatar]")
    drag(page, layer, 100, -50)
    moved = avatar_of(wait_for_file(out, lambda p: avatar_of(p)["offset_x"] != before["offset_x"]))
    assert moved["offset_x"] - before["offset_x"] == round(100 * per_px)
    assert moved["offset_y"] - before["offset_y"] == round(-50 * per_px)
    assert (moved["width"], moved["height"]) == (before["width"], before["height"])
    shot(page, ".aknb-composer-panel", f"{page.host}_composer")


def test_click_a_face_selects_it_in_the_kernel(page, host):
    panel = page.locator(".aknb-face-panel")
    # the hit area lies on that face: the panel's CSS is loaded in this host too
    click_face(panel, 1, host[1]["notebooks"] / "out_faces.json", 900)
    shot(page, ".aknb-face-panel", f"{page.host}_face_panel")


# Errors of the host itself, also on a notebook with no widget at all (not ours to fix): Notebook 7's shortcut
# settings handler runs before its plugin is registered (jupyter/notebook#7862, a race on page load).
KNOWN_HOST_ERRORS = [("reading 'schema'", "/static/notebook/notebook_core.")]


def _ours(error: str) -> bool:
    return not any(message in error and origin in error for message, origin in KNOWN_HOST_ERRORS)


def test_live_panels_hide_their_static_copies(page):
    page.wait_for_function("document.querySelectorAll('[data-aknb-static]').length === 3", timeout=30_000)
    copies = page.locator("[data-aknb-static]")
    assert [copies.nth(i).is_visible() for i in range(3)] == [False, False, False]


def test_no_page_errors(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{page.host}_page.png"))
    errors = [e for e in page.errors if _ours(e)]
    assert not errors, errors
