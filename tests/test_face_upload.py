"""A photo or video dropped on a FacePanel (or picked with "Choose file…") arrives as the front end sends it:
base64 chunks in ``upload`` messages. They are reassembled byte for byte under <AKOOL_NB_HOME>/uploads/, checked
(order, size, limit, real image/video content) and detected against the offline Akool. Every refusal names the
problem and the fix, and leaves nothing on disk. (The real browser side: tests/browser/test_upload_browser.py.)"""
from __future__ import annotations

import base64
import hashlib
import io

import pytest

from akool_nb.sim import engines as fe
from akool_nb.widgets import FacePanel
from akool_nb.widgets._upload import MB, ChunkAssembler, UploadError, safe_name


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AKOOL_NB_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def photo() -> bytes:
    buffer = io.BytesIO()
    fe.sample_photo("grace_hopper").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def chunks(data: bytes, name: str, *, size: int = 16 * 1024, upload_id: str = "u1", declared: int | None = None):
    """The messages face_panel.js sends for ``data``, in order."""
    total = max(1, -(-len(data) // size))
    return [{"action": "upload", "upload_id": upload_id, "name": name, "mime": "image/jpeg",
             "size": len(data) if declared is None else declared, "index": i, "total": total,
             "data": base64.b64encode(data[i * size:(i + 1) * size]).decode()} for i in range(total)]


def panel_with_acks(client, **kwargs):
    """A FacePanel whose messages to the front end (chunk acknowledgements) are recorded."""
    panel = FacePanel(client, **kwargs)
    panel.acks = []
    panel.send = lambda content, buffers=None: panel.acks.append(content)
    return panel


def files_in(home):
    uploads = home / "uploads"
    return sorted(p.name for p in uploads.iterdir()) if uploads.exists() else []


def test_a_dropped_photo_is_saved_byte_for_byte_and_its_faces_are_found(client, home, photo):
    panel = panel_with_acks(client)
    messages = chunks(photo, "party photo.jpg")
    assert len(messages) > 3
    for message in messages[:-1]:
        panel._dispatch(panel, message)
    assert panel.uploaded is None and all(name.endswith(".part") for name in files_in(home))
    panel._dispatch(panel, messages[-1])
    saved = home / "uploads" / f"{hashlib.sha256(photo).hexdigest()[:8]}-party_photo.jpg"
    assert panel.uploaded == saved and saved.read_bytes() == photo
    assert files_in(home) == [saved.name]  # the part file became the upload
    assert [(a["index"], a["ok"]) for a in panel.acks] == [(i, True) for i in range(len(messages))]
    assert panel.wait(timeout=60) is panel.detection
    assert panel.kind == "image" and len(panel.faces) == 1 and panel.image.startswith("data:image/jpeg")
    assert panel.label == "party_photo.jpg" and panel.busy == "" and panel.error == {}


def test_a_dropped_video_is_detected_frame_by_frame(client, home, tmp_path):
    clip = fe.make_face_clip(fe.sample_photo("astronaut"), tmp_path / "clip.mp4", seconds=1, fps=6, size=240)
    panel = panel_with_acks(client, num_frames=2)
    for message in chunks(clip.read_bytes(), "clip.mp4"):
        panel._dispatch(panel, message)
    panel.wait(timeout=60)
    assert panel.uploaded.read_bytes() == clip.read_bytes() and panel.uploaded.suffix == ".mp4"
    assert panel.kind == "video" and len(panel.frames) == 2 and panel.faces


def test_a_chunk_out_of_order_drops_the_upload(client, home, photo):
    panel = panel_with_acks(client)
    messages = chunks(photo, "party.jpg")
    panel._dispatch(panel, messages[0])
    panel._dispatch(panel, messages[2])
    assert "chunk 3 arrived where chunk 2" in panel.error["message"]
    assert "again" in panel.error["fix"] and panel.acks[-1] == {"event": "upload_ack", "upload_id": "u1",
                                                                "index": 2, "ok": False}
    assert files_in(home) == [] and panel.uploaded is None
    shown = panel.error
    for message in messages[3:]:  # chunks the front end had in flight: refused, without hiding the reason
        panel._dispatch(panel, message)
    assert panel.error == shown and not any(a["ok"] for a in panel.acks[2:]) and files_in(home) == []


def test_a_file_over_the_limit_is_refused_before_anything_is_written(client, home, photo):
    panel = panel_with_acks(client, max_upload_mb=1)
    panel._dispatch(panel, chunks(photo, "huge.jpg", declared=2 * MB)[0])
    assert panel.error["message"] == "huge.jpg is 2.0 MB; this panel takes files up to 1 MB"
    assert "compressed" in panel.error["fix"] and files_in(home) == [] and not panel.acks[-1]["ok"]
    assert panel.max_upload_mb == 1  # the front end checks the same limit before sending


@pytest.mark.parametrize("declared, problem", [(100, "more data arrived than its declared 100 bytes"),
                                               (None, "bytes arrived of its declared")])
def test_a_size_that_does_not_match_the_bytes_is_refused(client, home, photo, declared, problem):
    panel = panel_with_acks(client)
    messages = chunks(photo, "party.jpg", declared=declared if declared else len(photo) + 10)
    for message in messages:  # the front end stops at the first refusal; the kernel must not rely on that
        panel._dispatch(panel, message)
    assert problem in panel.error["message"] and panel.error["fix"]
    assert files_in(home) == [] and panel.uploaded is None


@pytest.mark.parametrize("content, found", [(b"just some notes, nothing to see\n" * 40, "not a format it recognises"),
                                            (b"GIF89a" + b"\0" * 200, "GIF data")])
def test_content_that_is_not_an_image_or_video_is_refused_whatever_its_name(client, home, content, found):
    panel = panel_with_acks(client)
    panel._dispatch(panel, chunks(content, "holiday.jpg")[0])
    message = panel.error["message"]
    assert message.startswith("holiday.jpg is not an image or a video") and found in message
    assert "JPEG" in panel.error["fix"] and "MP4" in panel.error["fix"]
    assert files_in(home) == [] and panel.uploaded is None


def test_a_chunk_of_an_unknown_upload_is_refused(client, home, photo):
    panel = panel_with_acks(client)
    panel._dispatch(panel, chunks(photo, "party.jpg", upload_id="never-started")[1])
    assert "not receiving" in panel.error["message"] and "again" in panel.error["fix"]
    assert files_in(home) == []


def test_a_new_upload_replaces_an_unfinished_one(client, home, photo):
    panel = panel_with_acks(client)
    first = chunks(photo, "first.jpg", upload_id="a")
    panel._dispatch(panel, first[0])
    for message in chunks(photo, "second.jpg", upload_id="b"):
        panel._dispatch(panel, message)
    panel.wait(timeout=60)
    assert panel.uploaded.name.endswith("-second.jpg") and files_in(home) == [panel.uploaded.name]
    panel._dispatch(panel, first[1])  # a late chunk of the replaced upload
    assert "not receiving" in panel.error["message"] and files_in(home) == [panel.uploaded.name]


def test_file_names_are_sanitised_into_the_uploads_folder(client, home, photo):
    panel = panel_with_acks(client)
    for message in chunks(photo, "../../etc/passwd"):
        panel._dispatch(panel, message)
    assert panel.uploaded.parent == home / "uploads" and panel.uploaded.name.endswith("-passwd.jpg")
    panel.wait(timeout=60)
    assert safe_name("..\\..\\Windows\\win.ini") == "win.ini"
    assert safe_name("ma photo été.JPEG", ".jpg") == "ma_photo_ete.JPEG"  # JPEG under either extension
    assert safe_name("photo.png", ".jpg") == "photo.png.jpg"  # the extension follows the content
    assert safe_name(".bashrc") == "upload.bashrc" and safe_name("照片.jpg") == "upload.jpg"


def test_without_a_client_the_upload_is_refused_at_once(home, photo):
    panel = panel_with_acks(None)
    panel._dispatch(panel, chunks(photo, "party.jpg")[0])
    assert panel.error["kind"] == "MissingCredentialsError" and "ak.connect()" in panel.error["fix"]
    assert files_in(home) == [] and not panel.acks[-1]["ok"]


def test_the_assembler_is_reusable_on_its_own(tmp_path, photo):
    assembler = ChunkAssembler(tmp_path, max_bytes=MB, kinds=("image",))
    messages = chunks(photo, "a.jpg", size=len(photo) // 2 + 1)
    fields = ("upload_id", "name", "size", "index", "total", "data")
    assert assembler.add(**{k: messages[0][k] for k in fields}) is None and assembler.active == "u1"
    path = assembler.add(**{k: messages[1][k] for k in fields})
    assert path.read_bytes() == photo and assembler.active is None
    with pytest.raises(UploadError, match="not an image: its content is MP4 data") as caught:
        assembler.add(upload_id="v", name="v.mp4", size=64, index=0, total=1,
                      data=base64.b64encode(b"\0\0\0\x18ftypisom" + b"\0" * 52).decode())
    assert "PNG" in caught.value.fix
