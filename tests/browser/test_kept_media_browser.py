"""An executed notebook keeps its media: the quickstart run offline (as scripts/quickstart.sh runs it), its kernel
and offline Akool gone, reopened in a fresh JupyterLab with a new kernel and no cell run: every player and image
loads, from the copies kept beside the notebook."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import ROOT, SCREENSHOTS, _KERNEL_CONNECTED

pytestmark = pytest.mark.browser

MEDIA = "audio, video, img"


@pytest.fixture(scope="module")
def executed(lab, tmp_path_factory):
    build = lab["notebooks"] / "build"
    env = {**os.environ, "AKOOL_NB_OFFLINE": "1", "AKOOL_NB_SIM_FAST": "1",
           "AKOOL_NB_HOME": str(tmp_path_factory.mktemp("quickstart_home")),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    env.pop("AKOOL_NB_KEEP_MEDIA", None)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "run_notebook.py"), str(ROOT / "notebooks" / "01_quickstart.ipynb"),
                    str(build / "01_quickstart.ipynb")], check=True, env=env, cwd=ROOT, timeout=300)
    return build / "01_quickstart.ipynb"


def test_the_saved_notebook_links_copies_beside_it(executed):
    text = executed.read_text()
    kept = sorted((executed.parent / "akool_media").iterdir())
    assert kept, "no media copies were kept beside the notebook"
    assert not [p for p in kept if p.name.endswith(".part")]
    for path in kept:
        assert f'src=\\"akool_media/{path.name}' in text
    import nbformat

    html = [o.get("data", {}).get("text/html", "") for cell in nbformat.read(executed, as_version=4).cells
            for o in cell.get("outputs", [])]
    assert sum("<video" in h for h in html) == 2 and sum("<audio" in h for h in html) == 2


def test_reopened_with_a_new_kernel_every_player_and_image_loads(executed, lab, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    try:
        page.goto(f"{lab['url']}/lab/workspaces/kept_media/tree/build/{executed.name}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        page.wait_for_function(_KERNEL_CONNECTED, timeout=60_000)  # a new kernel; no cell is run
        page.wait_for_selector(".jp-OutputArea-output video", timeout=30_000)
        first_choice = page.evaluate(f"""[...document.querySelectorAll('.jp-OutputArea-output :is({MEDIA})')].map(
            (el) => ({{tag: el.tagName, src: el.src}}))""")
        assert {m["tag"] for m in first_choice} >= {"AUDIO", "VIDEO", "IMG"}
        for media in [m for m in first_choice if not m["src"].startswith("data:")]:  # embedded PIL pictures
            # resolved by JupyterLab to its own file server (no dead 127.0.0.1 port of the offline Akool)
            assert media["src"].startswith(lab["url"] + "/files/"), media
            answer = page.request.get(media["src"])
            assert answer.status == 200, (media, answer.status)
            assert int(answer.headers.get("content-length", "1")) > 0
        # and the browser really loads them: video metadata, decoded images
        page.wait_for_function("""[...document.querySelectorAll('.jp-OutputArea-output video')]
            .every((v) => v.readyState >= 1)""", timeout=30_000)
        page.wait_for_function("""[...document.querySelectorAll('.jp-OutputArea-output img')]
            .every((i) => i.complete && i.naturalWidth > 0)""", timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "kept_media_reopened.png"), full_page=False)
    finally:
        context.close()
