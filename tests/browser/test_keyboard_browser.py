"""Keys pressed inside a panel stay in the panel, in JupyterLab 4 and Notebook 7: with focus inside every panel,
the command-mode shortcuts `m`, `a`, `b`, `d d`, `x`, the arrows, Enter and Escape leave the notebook's cells as
they were (their number and types). A picker, the composer and a FacePanel are used with the keyboard alone up to
`.value` in the kernel, and axe-core finds no serious or critical accessibility violation in any panel, light
and dark."""
from __future__ import annotations

import pytest

from .test_hosts_browser import _ours  # Notebook 7's own page-load race is not ours
from .conftest import PREAMBLE, avatar_of, axe_scan, cell_types, open_notebook, set_theme, shot, wait_for_file

pytestmark = pytest.mark.browser

CELLS = [
    PREAMBLE + """from akool_nb.widgets import *
from akool_nb.sim import engines as fe""",
    """voices = VoicePicker(client, language="en")
voices.observe(dump("out_voice.json"), "value")
voices""",
    """avatars = AvatarPicker(client, page_size=6)
avatars""",
    """effects = EffectPicker(client)
effects""",
    """models = ModelPicker(client, kind="image_to_video")
models""",
    """composer = TalkingAvatarComposer(client)
composer.add_image("#1d3557")
composer.add_avatar(avatars.items[1]["avatar_id"])
voices.select(voices.visible[0])
composer.add_speech("Keyboard test.", voices)
composer.stage.selected = -1
composer.observe(dump("out_payload.json"), "value")
Path("out_payload.json").write_text(json.dumps(composer.value))
composer""",
    """ak.samples.portrait("portrait.png", size=256)
bg = BackgroundComposer(client, "portrait.png", canvas_size="640x360")
bg""",
    """faces = FacePanel(client, fe.sample_group(), title="Faces")
faces.observe(lambda ch: Path("out_faces_keys.json").write_text(json.dumps(faces.selected)), "value")
faces""",
    """swap = FaceSwapPanel(client, fe.sample_photo("grace_hopper"), fe.sample_group())
swap""",
    """speech = client.tts.create(text="Keyboard monitor.", voice_id=voices.visible[0])
monitor = JobMonitor([speech])
monitor""",
    """preview = MediaPreview(speech.wait())
preview""",
    """studio = Studio(client, avatar_page_size=3)
studio""",
]
READY = [".aknb-voice-picker .aknb-row", ".aknb-avatar-picker .aknb-card img", ".aknb-effect-picker .aknb-card",
         ".aknb-model-picker .aknb-model", ".aknb-composer-panel .aknb-layer[data-type=avatar]",
         ".aknb-face-panel .aknb-face-chip", ".aknb-swap-bar", ".aknb-job-monitor .aknb-job.completed audio",
         ".aknb-media-preview audio", ".aknb-studio textarea"]

# Where the focus is when the keys are pressed: an element inside each panel.
TARGETS = {
    "voice row": ".aknb-voice-picker .aknb-row >> nth=0",
    "voice filter": ".aknb-voice-picker select[data-filter=gender] >> nth=0",
    "avatar card": ".aknb-avatar-picker .aknb-card >> nth=0",
    "effect card": ".aknb-effect-picker .aknb-card >> nth=0",
    "model row": ".aknb-model-picker .aknb-model >> nth=0",
    "composer stage": ".aknb-composer-panel .aknb-stage >> nth=0",
    "composer layer": ".aknb-composer-panel .aknb-layer[data-type=avatar] >> nth=0",
    "composer layer list": ".aknb-composer-panel .aknb-layers .aknb-row >> nth=0",
    "background composer field": ".aknb-composer-panel input[data-canvas=width] >> nth=0",
    "face chip": ".aknb-face-panel .aknb-face-chip >> nth=0",
    "swap mode": ".aknb-swap-bar [role=radio] >> nth=0",
    "job monitor player": ".aknb-job-monitor audio >> nth=0",
    "media preview player": ".aknb-media-preview audio >> nth=0",
    "studio text": ".aknb-studio textarea >> nth=0",
}
KEYS = ["m", "a", "b", "d", "d", "x", "z", "y", "ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", "Enter", "Escape"]


@pytest.fixture(scope="module", params=["lab", "notebook7"])
def host(request):
    return request.param, request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def page(host, browser):
    name, server = host
    page, context = open_notebook(server, browser, f"keys_{name}.ipynb", CELLS, READY, host=name,
                                  viewport=(1400, 1400))
    yield page
    context.close()


def test_no_key_inside_a_panel_changes_the_notebook(page):
    before = cell_types(page)
    assert len(before) == len(CELLS)
    for what, selector in TARGETS.items():
        target = page.locator(selector)
        target.scroll_into_view_if_needed()
        target.focus()
        assert page.evaluate("document.activeElement.closest('.aknb') !== null"), what
        for key in KEYS:  # checked after every key: a cut (x) undone by z would otherwise go unseen
            inside = page.evaluate("document.activeElement.closest('.aknb') !== null")
            page.keyboard.press(key)
            page.wait_for_timeout(60)
            assert cell_types(page) == before, f"{key!r} pressed on the {what} (focus inside: {inside}) changed the notebook"
    errors = [e for e in page.errors if _ours(e)]
    assert not errors, errors


def _tab_until(page, predicate: str, limit: int = 30) -> None:
    for _ in range(limit):
        if page.evaluate(predicate):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {predicate}")


def test_keyboard_only_picks_a_voice(page, host):
    page.locator(".aknb-voice-picker input[type=search]").first.focus()
    _tab_until(page, "document.activeElement.getAttribute('role') === 'option'")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    voice_id = page.evaluate("document.activeElement.dataset.voiceId")
    page.keyboard.press("Enter")
    assert wait_for_file(host[1]["notebooks"] / "out_voice.json", lambda v: v == voice_id) == voice_id
    # the focus stays on the chosen row across the redraw, and the filter says what it filters by
    page.wait_for_function("document.activeElement.classList.contains('selected')")
    assert "English" in page.locator(".aknb-voice-picker select[data-filter=language]").first.evaluate(
        "s => s.options[s.selectedIndex].textContent")


def test_keyboard_only_moves_and_resizes_a_composer_layer(page, host):
    out = host[1]["notebooks"] / "out_payload.json"
    before = avatar_of(wait_for_file(out))
    page.locator(".aknb-composer-panel .aknb-stage").first.focus()
    _tab_until(page, "document.activeElement.dataset.type === 'avatar'")
    page.keyboard.press("ArrowRight")
    moved = avatar_of(wait_for_file(out, lambda p: p and avatar_of(p)["offset_x"] == before["offset_x"] + 10))
    page.keyboard.press("Tab")  # the avatar's first corner handle
    _tab_until(page, "document.activeElement.dataset.handle === 'se'", limit=5)
    page.keyboard.press("ArrowRight")
    resized = avatar_of(wait_for_file(out, lambda p: p and avatar_of(p)["width"] != moved["width"]))
    assert resized["width"] == moved["width"] + 10 and resized["height"] == moved["height"] + 10  # aspect kept


def test_keyboard_only_selects_faces(page, host):
    out = host[1]["notebooks"] / "out_faces_keys.json"
    panel = page.locator(".aknb-face-panel").first
    if panel.locator(".aknb-face-chip[aria-selected=true]").count():  # the keys test's Enter selected a face
        panel.locator("button", has_text="Clear selection").focus()
        page.keyboard.press("Enter")
        wait_for_file(out, lambda v: v == [])
    panel.locator(".aknb-face-chip").first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press(" ")
    assert wait_for_file(host[1]["notebooks"] / "out_faces_keys.json", lambda v: v == [1]) == [1]
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    assert wait_for_file(host[1]["notebooks"] / "out_faces_keys.json", lambda v: v == [1, 0]) == [1, 0]


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_accessibility_scan_finds_nothing_serious(page, theme):
    set_theme(page, theme)
    try:
        violations = axe_scan(page)
        name = theme.split()[-1].lower()
        for panel in ("voice-picker", "composer-panel", "face-panel", "job-monitor", "studio"):
            shot(page, f".aknb-{panel}", f"{page.host}_keys_{panel}_{name}")
    finally:
        set_theme(page, "JupyterLab Light")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    for v in violations:
        print(theme, v["id"], v["impact"], v["help"], *v["nodes"], sep="\n  ")
    assert not serious, serious
