"""Dropping or choosing a file on a FacePanel in a real JupyterLab + Chromium: the file reaches the kernel in
base64 chunks (panel.uploaded, byte for byte), faces appear on it; a file that is not a photo or video (or is over
the panel's limit) is refused in the browser and the kernel receives nothing. Screenshot of the drop-zone
highlight: build/screenshots/face_upload_dropzone*.png."""
from __future__ import annotations

import base64
import io
import json

import pytest

from .conftest import PREAMBLE, open_notebook, shot, wait_for_file

pytestmark = pytest.mark.browser

CELLS = [
    PREAMBLE + """from akool_nb.widgets import FacePanel
received = []  # every action the front end sends, in order (the data itself is not kept)

def watch(panel, name):
    def record(_widget, content, _buffers=None):
        received.append([name, content.get("action"), content.get("index")])
        Path("out_msgs.json").write_text(json.dumps(received))

    def report(_change=None):
        up = panel.uploaded
        Path(f"out_{name}.json").write_text(json.dumps({
            "uploaded": str(up) if up else None, "exists": bool(up and up.is_file()),
            "size": up.stat().st_size if up and up.is_file() else 0, "faces": len(panel.faces),
            "label": panel.label, "busy": panel.busy, "error": panel.error}))

    panel.on_msg(record)
    panel.observe(report, ["faces", "uploaded", "label", "busy", "error"])
    return panel""",
    """panel = watch(FacePanel(client, title="Drop a photo"), "panel")
panel""",
    """small = watch(FacePanel(client, title="Small files only", max_upload_mb=0.02), "small")
small""",
]


def _photo(name: str) -> bytes:
    from akool_nb.sim import engines as fe

    buffer = io.BytesIO()
    if name == "group":  # two faces in a 2.3 MB PNG: several chunks (JPEG artefacts can add a doubtful third face)
        fe.sample_group(2400, 1333).save(buffer, format="PNG")
    else:
        fe.sample_photo(name).save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def page(lab, browser):
    page, context = open_notebook(lab, browser, "upload.ipynb", CELLS,
                                  [".aknb-face-panel .aknb-face-empty", ".aknb-face-panel >> nth=1"])
    yield page
    context.close()


def _panel(page, index: int = 0):
    return page.locator(".aknb-face-panel").nth(index)


# A drag of a file from the desktop, as the browser delivers it: DataTransfer with a File, on the drop zone.
_DRAG = """([panelIndex, target, events, name, type, b64]) => {
  const panel = document.querySelectorAll(".aknb-face-panel")[panelIndex];
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type }));
  const node = panel.querySelector(target);
  for (const kind of events)
    node.dispatchEvent(new DragEvent(kind, { bubbles: true, cancelable: true, dataTransfer: data }));
}"""


def _drag(page, events, name, content: bytes, *, mime="image/jpeg", target=".aknb-face-drop", panel=0):
    page.evaluate(_DRAG, [panel, target, events, name, mime, base64.b64encode(content).decode()])


def _messages(lab) -> list:
    out = lab["notebooks"] / "out_msgs.json"
    return json.loads(out.read_text()) if out.is_file() else []


def test_dragging_a_file_over_the_empty_panel_highlights_the_drop_zone(page):
    hint = _panel(page).locator(".aknb-face-drophint")
    assert not hint.is_visible()
    _drag(page, ["dragenter", "dragover"], "grace.jpg", b"\xff\xd8\xff", target=".aknb-face-empty")
    assert hint.is_visible() and hint.inner_text() == "Drop a photo or video to find faces"
    shot(page, _panel(page), "face_upload_dropzone")
    _drag(page, ["dragleave"], "grace.jpg", b"\xff\xd8\xff", target=".aknb-face-empty")
    assert not hint.is_visible()


def test_choose_file_sends_the_photo_and_faces_appear(page, lab, tmp_path):
    photo = tmp_path / "grace.jpg"
    photo.write_bytes(_photo("grace_hopper"))
    _panel(page).locator("input.aknb-face-file").set_input_files(str(photo))
    _panel(page).locator(".aknb-face-hit[data-face='0']").wait_for(timeout=60_000)
    state = wait_for_file(lab["notebooks"] / "out_panel.json",
                          lambda s: s["faces"] == 1 and s["label"] == "grace.jpg" and not s["busy"])
    assert state["uploaded"].endswith("-grace.jpg") and "/uploads/" in state["uploaded"]
    assert state["exists"] and state["size"] == photo.stat().st_size and not state["error"]
    assert "grace.jpg" in _panel(page).locator(".aknb-face-source").inner_text()
    assert _panel(page).locator(".aknb-face-progress").inner_text() == ""  # the progress line is gone when done


def test_dropping_a_photo_on_the_picture_detects_again(page, lab):
    group = _photo("group")
    _drag(page, ["dragenter", "dragover"], "group.png", group, mime="image/png", target=".aknb-face-stage")
    assert _panel(page).locator(".aknb-face-drophint").is_visible()  # over the picture too
    shot(page, _panel(page), "face_upload_dropzone_picture")
    _drag(page, ["drop"], "group.png", group, mime="image/png", target=".aknb-face-stage")
    assert not _panel(page).locator(".aknb-face-drophint").is_visible()
    _panel(page).locator(".aknb-face-hit[data-face='1']").wait_for(timeout=60_000)
    state = wait_for_file(lab["notebooks"] / "out_panel.json",
                          lambda s: s["faces"] == 2 and s["label"] == "group.png" and not s["busy"])
    assert state["uploaded"].endswith("-group.png") and state["exists"] and state["size"] == len(group)
    chunks = [i for name, action, i in _messages(lab) if (name, action) == ("panel", "upload")]
    assert chunks == [0] + [0, 1, 2, 3]  # the chosen photo in one chunk, the dropped one in 4, in order


def _kernel_received_nothing_more(page, lab, before: int, panel: int) -> None:
    # the kernel handles messages in order: once the "clear" sent after the drop is in, anything the drop sent
    # would be in too
    _panel(page, panel).locator("button", has_text="Clear selection").click()
    name = ["panel", "small"][panel]
    messages = wait_for_file(lab["notebooks"] / "out_msgs.json", lambda m: m[-1][:2] == [name, "clear"])
    assert [m[1] for m in messages[before:]] == ["clear"]


def test_a_dropped_file_that_is_not_a_photo_or_video_is_refused_in_the_browser(page, lab):
    before = len(_messages(lab))
    _drag(page, ["dragenter", "dragover", "drop"], "notes.txt", b"shopping list\n", mime="text/plain")
    error = _panel(page).locator(".aknb-face-localerr .aknb-error")
    error.wait_for(timeout=10_000)
    assert "notes.txt is not a photo or a video (text/plain)" in error.inner_text()
    assert "MP4" in error.locator(".aknb-fix").inner_text()
    shot(page, _panel(page), "face_upload_refused")
    _kernel_received_nothing_more(page, lab, before, panel=0)
    error.locator("button", has_text="Dismiss").click()
    assert _panel(page).locator(".aknb-face-localerr .aknb-error").count() == 0


def test_a_file_over_the_panels_limit_is_refused_in_the_browser(page, lab):
    before = len(_messages(lab))
    photo = _photo("grace_hopper")
    assert len(photo) > 0.02 * 1024 * 1024
    _drag(page, ["dragenter", "dragover", "drop"], "grace.jpg", photo, panel=1)
    error = _panel(page, 1).locator(".aknb-face-localerr .aknb-error")
    error.wait_for(timeout=10_000)
    assert "this panel takes files up to 0.02 MB" in error.inner_text()
    _kernel_received_nothing_more(page, lab, before, panel=1)
    assert not page.errors, page.errors
