"""The static copy in a real JupyterLab: hidden while the panels are live, shown in their place when the notebook
is reopened without widget state (JupyterLab's default: it does not save widget state), with no
"Error displaying widget: model not found" line left above it."""
from __future__ import annotations

import json
import time

import httpx
import pytest

from .conftest import SCREENSHOTS, open_notebook

pytestmark = pytest.mark.browser

NAME = "static_copy.ipynb"
CELLS = [
    """import akool_nb as ak
from akool_nb.widgets import VoicePicker, TalkingAvatarComposer
client = ak.connect(fast=True)""",
    """voices = VoicePicker(client)
voices""",
    """composer = TalkingAvatarComposer(client)
composer.add_image("#1d3557")
composer.add_avatar("dvp_Tristan_cloth2_1080P")
composer""",
]

COPIES = "[data-aknb-static]"
MISSING = "text=Error displaying widget"


def _saved(path):
    nb = json.loads(path.read_text())
    outputs = [o for cell in nb["cells"] for o in cell.get("outputs", [])]
    return nb, outputs


@pytest.fixture(scope="module")
def live(lab, browser):
    page, context = open_notebook(lab, browser, NAME, CELLS, [
        ".aknb-voice-picker .aknb-row", ".aknb-composer-panel .aknb-layer"])
    yield page
    context.close()


def test_live_panels_hide_their_static_copies(live):
    live.wait_for_function(f"document.querySelectorAll('{COPIES}').length === 2", timeout=30_000)
    copies = live.locator(COPIES)
    for i in range(2):
        assert not copies.nth(i).is_visible()
    # the whole output (prompt area included) is gone, not just the card
    hidden = live.evaluate(f"""[...document.querySelectorAll('{COPIES}')].map(
        (c) => getComputedStyle(c.closest('.jp-OutputArea-child')).display)""")
    assert hidden == ["none", "none"]
    assert live.locator(".aknb-voice-picker").is_visible() and live.locator(".aknb-composer-panel").is_visible()
    assert not live.errors


def test_reopened_without_widget_state_the_static_copies_stand_in(live, lab, browser):
    path = lab["notebooks"] / NAME
    live.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        nb, outputs = _saved(path)
        if sum("data-aknb-static" in "".join(o.get("data", {}).get("text/html", "")) for o in outputs) == 2:
            break
        time.sleep(0.2)
    nb, outputs = _saved(path)
    assert "application/vnd.jupyter.widget-state+json" not in nb["metadata"].get("widgets", {})
    assert sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs) == 2
    live.evaluate("window.jupyterapp.commands.execute('docmanager:save')")

    # shut every kernel down, then open the saved notebook in a fresh browser context without running it
    for session in httpx.get(f"{lab['url']}/api/sessions").json():
        httpx.delete(f"{lab['url']}/api/sessions/{session['id']}")
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    try:
        page.goto(f"{lab['url']}/lab/workspaces/reopen/tree/{NAME}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        page.wait_for_selector(COPIES, state="visible", timeout=30_000)
        # the widget manager has given up on the models: the outputs' text is final
        page.wait_for_function("[...document.querySelectorAll('.jp-OutputArea-output.jupyter-widgets')]"
                               ".some((n) => n.textContent.includes('model not found'))", timeout=30_000)
        copies = page.locator(COPIES)
        assert copies.count() == 2
        assert copies.nth(0).locator("text=Voice").first.is_visible()
        assert copies.nth(1).locator("text=Talking avatar layout").is_visible()
        assert copies.nth(1).locator("img").first.is_visible()  # the rendered layout still
        print(page.evaluate('''[...document.querySelectorAll('.jp-OutputArea')].map(a => a.innerHTML.slice(0, 1500)).join("\\n=====\\n")'''))
        print(page.evaluate("document.querySelectorAll('style').length"), page.evaluate("window.jupyterapp.shell.currentWidget.context.model.cells.get(1).trusted"))
        assert not page.locator(MISSING).first.is_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "static_copy_reopened.png"), full_page=True)
    finally:
        context.close()
