"""FacePanel and FaceSwapPanel: see the faces Akool finds, click the ones you mean, get a ready face swap.

    source = FacePanel(client, "me.jpg", title="New face")             # detection runs at once
    target = FacePanel(client, "party.jpg", title="Faces to replace")
    source.value                                  # the selected faces (``Face`` objects: region, landmarks, opts)
    swap = FaceSwapPanel(client, source, target)  # source[i] replaces target[i]
    swap.value                                    # {"endpoint", "body", "call", "pairs"}: the ready request
    job = swap.submit()                           # client.faceswap.image(...) (or .pro / .video), in a JobMonitor

Boxes, the 6 landmarks and the face numbers are drawn with :mod:`akool_nb.media.annotate` on a small JPEG of
the picture (or of the chosen frame of a video, ``num_frames``); the front end lays clickable boxes over it in
the picture's REAL pixel coordinates (``size``), so a click selects exactly the face drawn there.

A photo or video dropped on the panel (or picked with "Choose file…") arrives in base64 chunks
(:mod:`._upload`), is saved under ``<AKOOL_NB_HOME>/uploads/`` (``panel.uploaded``) and detected in a background
thread, so the kernel stays free; ``panel.wait()`` blocks until that detection is done.

Long because: two panels (FacePanel, FaceSwapPanel) sharing one detection model and the face-selection traits.
"""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import ipywidgets as W
import traitlets as t

from ._base import Panel, PanelMixin, esc, esm, in_background
from ._upload import MB, ChunkAssembler, UploadError

LANDMARKS = ("left eye", "right eye", "nose tip", "mouth centre", "left mouth corner", "right mouth corner")
LOCAL = "(local file: uploaded when you submit)"


def _open_picture(media: Any) -> Any:
    """The full-size picture of ``media`` (PIL image, path, bytes or URL), EXIF-upright, RGB."""
    from PIL import Image, ImageOps

    if type(media).__module__.startswith("PIL."):
        img = media
    elif isinstance(media, (bytes, bytearray)):
        img = Image.open(io.BytesIO(media))
    elif isinstance(media, str) and media.startswith(("http://", "https://")):
        import httpx

        response = httpx.get(media, follow_redirects=True, timeout=60)
        response.raise_for_status()
        img = Image.open(io.BytesIO(response.content))
    else:
        img = Image.open(Path(str(media)).expanduser())
    img = ImageOps.exif_transpose(img)
    return img.convert("RGB") if img.mode != "RGB" else img


def _is_video(media: Any) -> bool:
    from ..media.thumbnails import media_kind

    return isinstance(media, (str, Path)) and media_kind(str(media)) == "video"


def _face_thumb(picture: Any, box: Any, size: int = 44) -> str:
    """A small square crop of one face (with a margin), as a data URI, for the list of faces."""
    if not box:
        return ""
    from ..media.thumbnails import data_uri

    x, y, w, h = (float(v) for v in box)
    side = max(w, h) * 1.3
    cx, cy = x + w / 2, y + h / 2
    crop = picture.crop((round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2)))
    crop.thumbnail((size * 2, size * 2))
    return data_uri(crop, quality=70)


def _label_of(media: Any) -> str:
    if type(media).__module__.startswith("PIL."):
        return "PIL image"
    if isinstance(media, (bytes, bytearray)):
        return f"{len(media)} bytes"
    text = str(media)
    return Path(text.split("?")[0]).name or text


class FacePanel(Panel):
    """Face detection on a picture, or on chosen frames of a video (``num_frames``), drawn with boxes, the 6
    landmarks and face numbers. Click faces to select them (``multiple=False``: one at a time); ``value`` is the
    list of selected faces (:class:`akool_nb.models.faces.Face`) in click order, ``selected`` their indices."""

    _esm = esm("face_panel.js")
    title = t.Unicode("Faces").tag(sync=True)
    label = t.Unicode("").tag(sync=True)  # what was analysed (file name / URL)
    link = t.Unicode("").tag(sync=True)  # its URL, when it has one
    kind = t.Unicode("").tag(sync=True)  # "image" | "video"
    image = t.Unicode("").tag(sync=True)  # the annotated picture/frame, a small JPEG
    size = t.List([0, 0]).tag(sync=True)  # REAL pixel size of the picture/frame (face boxes are in these units)
    faces = t.List().tag(sync=True)  # [{index, box: [x, y, w, h], landmarks, opts, crop}]
    frames = t.List().tag(sync=True)  # videos: [{frame, time, count}]
    frame = t.Int(0).tag(sync=True)  # index into ``frames``
    selected = t.List().tag(sync=True)  # face indices, in click order
    multiple = t.Bool(True).tag(sync=True)
    display_width = t.Int(520).tag(sync=True)
    busy = t.Unicode("").tag(sync=True)
    max_upload_mb = t.Float(300.0).tag(sync=True)  # dropped files; 300 MB is Akool's largest video limit
    uploaded = t.Instance(Path, allow_none=True)  # the last dropped/chosen file, as saved in the kernel
    value = t.List()

    def __init__(self, client: Any = None, media: Any = None, *, num_frames: int | None = None, title: str = "Faces",
                 multiple: bool = True, return_face_url: bool | None = None, detection: Any = None,
                 display_width: int = 520, max_upload_mb: float = 300, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.max_upload_mb = max_upload_mb
        self._assembler = ChunkAssembler(kinds=("image", "video"))
        self._detecting: Any = None  # the background thread detecting an uploaded file
        self.detection: Any = None
        self._frame_list: list[Any] = []
        self.media: Any = None
        self.num_frames = num_frames
        self.return_face_url = return_face_url
        self._pictures: dict[int, Any] = {}
        with self.hold_trait_notifications():
            self.title, self.multiple, self.display_width = title, multiple, display_width
        self.observe(lambda _c: self._show_frame(), names="frame")
        self.observe(lambda _c: self._selection_changed(), names="selected")
        if detection is not None:
            self.set_detection(detection, media)
        elif media is not None:
            self.detect(media)

    # -- programmatic API -------------------------------------------------------------------------
    @property
    def face(self) -> Any:
        """The first selected face, or None."""
        return self.value[0] if self.value else None

    @property
    def all_faces(self) -> list[Any]:
        """Every face of the shown picture/frame (``Face`` objects), in index order."""
        return list(self._frame_faces())

    def detect(self, media: Any, *, num_frames: int | None = None) -> Any:
        """Run face detection on ``media`` (URL, path, bytes, PIL image; videos: ``num_frames`` frames) and
        show it. Returns the detection; errors show in the panel (and are raised)."""
        client = self._require_client()
        frames = num_frames if num_frames is not None else self.num_frames
        video = _is_video(media)
        crops = self.return_face_url if self.return_face_url is not None else (True if video else None)
        self.busy = "Detecting faces…"
        try:
            detection = client.faces.detect(media, num_frames=frames if video else None, return_face_url=crops)
        except Exception as exc:
            self.busy = ""
            self.show_error(exc)
            raise
        self.busy = ""
        self.clear_error()
        self.set_detection(detection, media)
        return detection

    def set_detection(self, detection: Any, media: Any = None) -> None:
        """Show an existing detection (``client.faces.detect(...)``); ``media`` is the picture if the
        detection was of local data that it does not keep."""
        self.detection = detection
        self._frame_list = detection.frames  # built once: the Face objects in ``value`` stay the same objects
        self.media = media if media is not None else detection.media
        self._pictures = {}
        video = bool(getattr(detection, "is_video", False)) or _is_video(self.media)
        frames = [{"frame": index, "time": time, "count": len(faces)} for index, time, faces in self._frame_list]
        if not frames:
            frames = [{"frame": 0, "time": None, "count": 0}]
        first = next((i for i, f in enumerate(frames) if f["count"]), 0)
        url = self.media if isinstance(self.media, str) and "://" in self.media else (detection.source_url or "")
        with self.hold_trait_notifications():
            self.kind = "video" if video else "image"
            self.label = _label_of(self.media) if self.media is not None else ""
            self.link = url or ""
            self.frames = frames
            self.selected = []
            self.frame = first
        self._show_frame()
        if not any(f["count"] for f in frames):
            self.status = "No face was found here: try a clearer, frontal picture."
        else:
            self.status = ""

    def wait(self, timeout: float | None = 60.0) -> Any:
        """Block until the detection of a dropped/chosen file (run in the background) is finished; returns
        ``detection``."""
        thread = self._detecting
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                raise TimeoutError(f"face detection of {self.uploaded} still runs after {timeout} s")
        return self.detection

    def select(self, *indices: int) -> None:
        """Select faces by index (replaces the selection), as clicks do."""
        faces = self._frame_faces()
        for i in indices:
            if not 0 <= int(i) < len(faces):
                raise ValueError(f"no face {i}: this picture has {len(faces)} face(s) (0–{len(faces) - 1})")
        chosen = [int(i) for i in indices]
        self.selected = chosen if self.multiple else chosen[-1:]

    def select_largest(self) -> None:
        faces = self._frame_faces()
        if faces:
            self.select(max(range(len(faces)), key=lambda i: faces[i].area))

    def clear(self) -> None:
        self.selected = []

    def picture(self) -> Any:
        """The shown picture (or video frame) at full size, as a PIL image."""
        index = self.frame
        if index not in self._pictures:
            self._pictures = {index: self._load_picture(index)}  # keep one: 4K frames are big
        return self._pictures[index]

    def annotated(self, max_size: int | None = None) -> Any:
        """The picture with boxes, landmarks and face numbers (selected faces outlined), as PIL."""
        from ..media.annotate import FaceAnnotator
        from ..media.thumbnails import thumbnail

        full = self.picture()
        small = thumbnail(full, max_size or max(round(self.display_width * 1.5), 640))
        scale = small.width / full.width if full.width else 1.0
        faces = []
        for i, f in enumerate(self._frame_faces()):
            if f.region is None:
                continue
            x, y, w, h = f.region
            faces.append({"box": [x * scale, y * scale, w * scale, h * scale], "index": i,
                          "landmarks": [[px * scale, py * scale] for px, py in f.landmarks]})
        return FaceAnnotator(faces, selected=self.selected).annotate(small)

    # -- internals --------------------------------------------------------------------------------
    def _frame_faces(self) -> list[Any]:
        frames = self._frame_list
        if self.detection is None or not frames:
            return []
        index = min(max(self.frame, 0), len(frames) - 1)
        return frames[index][2]

    def _load_picture(self, index: int) -> Any:
        if self.kind == "video":
            from ..media.thumbnails import poster_frame

            time = (self.frames[index].get("time") if index < len(self.frames) else None) or 0.0
            source = self.link or str(self.media)
            return poster_frame(source, max_size=8192, at=float(time))
        media = self.media
        if media is None:
            raise ValueError("this detection keeps no picture: pass media= (the picture you detected)")
        return _open_picture(media)

    def _show_frame(self) -> None:
        faces = self._frame_faces()
        items = []
        for i, f in enumerate(faces):
            items.append({"index": i, "box": list(f.region) if f.region else None,
                          "landmarks": [[round(x, 1), round(y, 1)] for x, y in f.landmarks], "opts": f.opts,
                          "crop": f.face_url or "", "time": f.frame_time})
        with self.hold_trait_notifications():
            self.faces = items
            if self.selected:
                self.selected = []
        try:
            full = self.picture()
            self.size = [full.width, full.height]
            self.faces = [{**item, "thumb": _face_thumb(full, item["box"])} for item in items]
        except Exception as exc:
            self.size = [0, 0]
            self.image = ""
            self.show_error(exc, "The faces are listed below, but the picture itself could not be opened here.")
            self._selection_changed()
            return
        self._selection_changed()

    def _selection_changed(self) -> None:
        faces = self._frame_faces()
        chosen = [faces[i] for i in self.selected if 0 <= i < len(faces)]
        if [id(f) for f in chosen] != [id(f) for f in self.value] or len(chosen) != len(self.value):
            self.value = chosen
        if self.size[0]:
            try:
                from ..media.thumbnails import data_uri

                self.image = data_uri(self.annotated(), quality=74)
            except Exception as exc:
                self.show_error(exc)

    # -- front-end actions ------------------------------------------------------------------------
    def _on_toggle(self, index: int) -> None:
        index = int(index)
        faces = self._frame_faces()
        if not 0 <= index < len(faces):
            raise ValueError(f"no face {index} in this picture")
        current = list(self.selected)
        if index in current:
            current.remove(index)
        elif self.multiple:
            current.append(index)
        else:
            current = [index]
        self.selected = current

    def _on_clear(self) -> None:
        self.clear()

    def _on_detect(self, media: str) -> None:
        media = (media or "").strip()
        if not media:
            raise ValueError("give a picture or video: an https:// URL or a file path")
        if "://" not in media and not Path(media).expanduser().is_file():
            raise FileNotFoundError(f"no such file: {media!r}")
        self.detect(media)

    def _on_upload(self, upload_id: str, name: str, size: int, index: int, total: int, data: str,
                   mime: str = "") -> None:
        """One chunk of a dropped/chosen file; each is acknowledged (the front end sends a few ahead, no more)."""
        self._assembler.max_bytes = int(self.max_upload_mb * MB)
        try:
            if int(index) == 0:
                self._require_client()  # before a 300 MB transfer, not after it
            path = self._assembler.add(upload_id=upload_id, name=name, size=size, index=index, total=total,
                                       data=data)
        except Exception as exc:  # the front end stops sending on ok: False
            self.send({"event": "upload_ack", "upload_id": upload_id, "index": index, "ok": False})
            if not getattr(exc, "repeat", False):  # chunks still in flight after a refusal: said already
                self.show_error(exc, exc.fix if isinstance(exc, UploadError) else None)
            return
        self.send({"event": "upload_ack", "upload_id": upload_id, "index": index, "ok": True})
        if path is None:
            return
        self.clear_error()
        self.uploaded = path
        self.busy = "Detecting faces…"
        self._detecting = in_background(lambda: self._detect_upload(path), "akool-nb-face-upload")

    def _detect_upload(self, path: Path) -> None:
        with self._lock:  # one detection at a time when files are dropped quickly
            try:
                self.detect(str(path))
            except Exception as exc:
                self.busy = ""
                if not self.error:  # detect() shows service errors itself
                    self.show_error(exc)
                return
            self.label = path.name.split("-", 1)[-1]  # the file's own name, not the hash-prefixed one

    def _static_html(self) -> str:
        img = (f'<img src="{esc(self.image)}" style="max-width:{self.display_width}px;width:100%;border-radius:6px;'
               f'display:block">' if self.image else "")
        rows = "".join(f'<tr><td>{f["index"]}{" ✓" if f["index"] in self.selected else ""}</td>'
                       f'<td>{esc(f["box"])}</td><td><code>{esc(f["opts"])}</code></td></tr>' for f in self.faces)
        table = (f'<table style="font-size:12px;margin-top:6px"><tr><th>face</th><th>box x, y, w, h</th>'
                 f'<th>opts</th></tr>{rows}</table>' if rows else "")
        link = (f'<div style="margin-top:4px"><a href="{esc(self.link)}" target="_blank" rel="noopener">'
                f'{esc(self.label)}</a></div>' if self.link else "")
        chosen = f'<div>Selected: {esc(self.selected)}</div>' if self.selected else ""
        return self._static_card(f"{self.title} ({len(self.faces)} found)", img + link + table + chosen)


class SwapBar(Panel):
    """FaceSwapPanel's controls (mode, face enhance, the pairs, the request, "Swap faces"): our own controls,
    keyboard-safe like every panel."""

    _esm = esm("face_swap.js")
    mode = t.Unicode("v3").tag(sync=True)
    face_enhance = t.Bool(False).tag(sync=True)
    summary = t.Dict().tag(sync=True)  # {"problem"} or {"pairs", "endpoint", "call", "body"}
    busy = t.Unicode("").tag(sync=True)

    def __init__(self, owner: FaceSwapPanel, client: Any = None, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.owner = owner

    def _on_mode(self, value: str) -> None:
        if value not in ("v3", "pro"):
            raise ValueError(f"mode {value!r} is not 'v3' or 'pro'")
        self.owner.mode = value

    def _on_enhance(self, value: bool) -> None:
        self.owner.face_enhance = bool(value)

    def _on_submit(self) -> None:
        self.owner._guard(self.owner.submit)

    def _set_error(self, state: dict[str, str]) -> None:
        self.owner._set_error(state)


class FaceSwapPanel(PanelMixin, W.VBox):
    """Two FacePanels, ``source`` (the new faces) and ``target`` (the faces to replace): their selections pair
    up in order (one source face for several targets is repeated) into a ready face swap request, shown live.
    ``mode`` "v3" (``specifyimage`` / ``specifyvideo``: up to 8 faces, with ``opts``) or "pro" (v4 Face Swap
    Pro: a single face, no landmarks). ``value`` = ``{"endpoint", "body", "call", "pairs"}`` or {} while the
    selection is incomplete; ``submit()`` creates the job and follows it in a JobMonitor."""

    value = t.Dict()
    error = t.Dict()
    mode = t.Unicode("v3")
    face_enhance = t.Bool(False)

    def __init__(self, client: Any = None, source: Any = None, target: Any = None, *, mode: str = "v3",
                 face_enhance: bool = False, **kwargs: Any) -> None:
        self.client = client
        self.source = source if isinstance(source, FacePanel) else FacePanel(client, source, title="Source: the new face",
                                                                             multiple=True)
        self.target = target if isinstance(target, FacePanel) else FacePanel(client, target,
                                                                             title="Target: the faces to replace")
        self.job: Any = None
        self.monitor: Any = None
        self.bar = SwapBar(self, client)
        for panel in (self.source, self.target):
            panel.show_badge = False  # the bar carries the panel's one SIMULATED badge
        super().__init__(children=[W.HBox([self.source, self.target], layout=W.Layout(flex_flow="row wrap")),
                                   self.bar], **kwargs)
        self.mode, self.face_enhance = mode, face_enhance
        for panel in (self.source, self.target):
            panel.observe(lambda _c: self._update(), names="value")
        self.observe(lambda _c: self._update(), names=["mode", "face_enhance"])
        self._update()

    @property
    def can_submit(self) -> bool:
        """True when the selections make a request (what enables "Swap faces")."""
        return not self.problem()

    # -- the request ------------------------------------------------------------------------------
    @property
    def pairs(self) -> list[tuple[Any, Any]]:
        """(source face, target face) pairs from the two selections."""
        sources, targets = list(self.source.value), list(self.target.value)
        if len(sources) == 1 and len(targets) > 1:
            sources = sources * len(targets)
        return list(zip(sources, targets))

    def problem(self) -> str:
        """Why there is no request yet ("" when it is ready)."""
        sources, targets = self.source.value, self.target.value
        if self.source.detection is None or self.target.detection is None:
            return "Detect faces in both pictures first."
        if not sources:
            return "Click the new face in the source picture."
        if not targets:
            return "Click the face(s) to replace in the target picture."
        if len(sources) > 1 and len(sources) != len(targets):
            return (f"{len(sources)} source faces and {len(targets)} target faces: select as many of each (they "
                    "pair up in click order), or one source face for all targets.")
        if len(targets) > 8:
            return "At most 8 faces per request (Akool answers 1007): select fewer."
        if self.mode == "pro" and len(targets) != 1:
            return "Face Swap Pro swaps a single face: select one face on each side, or use v3."
        if self.mode == "pro" and self.target.kind == "video":
            return "Face Swap Pro takes pictures; for a video use v3 (specifyvideo)."
        return ""

    @staticmethod
    def _ref(face: Any) -> dict[str, str]:
        ref = face.as_ref()
        return ref if ref is not None else {"path": LOCAL, "opts": face.opts}

    def request(self) -> dict[str, Any]:
        """The request the selection makes (local pictures show as placeholders: submit() uploads them)."""
        problem = self.problem()
        if problem:
            raise ValueError(problem)
        pairs = self.pairs
        media = self.target.link or LOCAL
        if self.mode == "pro":
            src, tgt = pairs[0]
            body = {"targetImage": [{"path": tgt.source_url or LOCAL}],
                    "sourceImage": [{"path": src.face_url or src.source_url or LOCAL}],
                    "model_name": "akool_faceswap_image_hq", "face_enhance": bool(self.face_enhance)}
            return {"endpoint": "POST /api/open/v4/faceswap/faceswapByImage", "body": body,
                    "call": "client.faceswap.pro(target=target.face, source=source.face"
                            f"{', face_enhance=True' if self.face_enhance else ''})", "pairs": [(0, 0)]}
        video = self.target.kind == "video"
        body = {"targetImage": [self._ref(t) for _, t in pairs], "sourceImage": [self._ref(s) for s, _ in pairs],
                "face_enhance": int(self.face_enhance), ("modifyVideo" if video else "modifyImage"): media}
        call = (f"client.faceswap.{'video' if video else 'image'}({'target.media' if video else 'target.detection'}, "
                f"source=source.value, target=target.value{', face_enhance=1' if self.face_enhance else ''})")
        index = {id(f): i for i, f in enumerate(self.source.all_faces)}
        tindex = {id(f): i for i, f in enumerate(self.target.all_faces)}
        return {"endpoint": f"POST /api/open/v3/faceswap/highquality/{'specifyvideo' if video else 'specifyimage'}",
                "body": body, "call": call, "pairs": [(index.get(id(s)), tindex.get(id(t))) for s, t in pairs]}

    def submit(self, *, webhook_url: str | None = None) -> Any:
        """Create the face swap job (uploading local pictures) and follow it in a JobMonitor."""
        from .monitor import JobMonitor

        client = self.client or self.target.client
        if client is None:
            raise ValueError("pass client= to the panel to submit (ak.connect())")
        problem = self.problem()
        if problem:
            self.show_error(problem, "Click faces in both pictures (selected faces get a white outline).")
            raise ValueError(problem)
        pairs = self.pairs
        sources, targets = [s for s, _ in pairs], [t for _, t in pairs]
        try:
            if self.mode == "pro":
                self.job = client.faceswap.pro(target=targets[0], source=sources[0],
                                               face_enhance=bool(self.face_enhance), webhook_url=webhook_url)
            elif self.target.kind == "video":
                self.job = client.faceswap.video(self.target.link or self.target.media, source=sources, target=targets,
                                                 face_enhance=int(self.face_enhance), webhook_url=webhook_url)
            else:
                self.job = client.faceswap.image(self.target.detection, source=sources, target=targets,
                                                 face_enhance=int(self.face_enhance), webhook_url=webhook_url)
        except Exception as exc:
            self.show_error(exc)
            raise
        self.clear_error()
        if self.monitor is None:
            self.monitor = JobMonitor(client=client, title="Face swap", show_badge=False)
            self.children = [*self.children, self.monitor]
        self.monitor.add(self.job)
        return self.job

    def _guard(self, fn: Any) -> None:
        try:
            fn()
        except Exception as exc:
            if not self.error:
                self.show_error(exc)

    def _set_error(self, state: dict[str, str]) -> None:
        self.error = state
        if getattr(self, "bar", None) is not None:
            self.bar.error = state

    def _update(self) -> None:
        if getattr(self, "bar", None) is None:
            return
        problem = self.problem()
        self.value = {} if problem else self.request()
        summary: dict[str, Any] = {"problem": problem}
        if not problem:
            sources = {i: f.get("thumb", "") for i, f in enumerate(self.source.faces)}
            targets = {i: f.get("thumb", "") for i, f in enumerate(self.target.faces)}
            summary = {"problem": "", "endpoint": self.value["endpoint"], "call": self.value["call"],
                       "body": json.dumps(self.value["body"], indent=1),
                       "pairs": [{"source": s, "target": t, "source_thumb": sources.get(s, ""),
                                  "target_thumb": targets.get(t, "")} for s, t in self.value["pairs"]]}
        with self.bar.hold_trait_notifications():
            self.bar.mode, self.bar.face_enhance, self.bar.summary = self.mode, self.face_enhance, summary

    def _summary_html(self, problem: str) -> str:
        err = ""
        if self.error.get("message"):
            err = (f'<div style="border:1px solid rgba(229,72,77,.5);background:rgba(229,72,77,.1);border-radius:8px;'
                   f'padding:6px 10px;margin-bottom:6px"><b style="color:#e5484d">{esc(self.error.get("kind"))}</b> '
                   f'{esc(self.error["message"])}<div>➜ {esc(self.error.get("fix"))}</div></div>')
        if problem:
            body = f'<div style="opacity:.75">{esc(problem)}</div>'
        else:
            pairs = " · ".join(f"source face {s} → target face {t}" for s, t in self.value["pairs"])
            body = (f'<div><b>{esc(pairs)}</b></div><div style="opacity:.75;margin:3px 0">{esc(self.value["endpoint"])}'
                    f' · the same in code: <code>{esc(self.value["call"])}</code></div>'
                    f'<pre style="font-size:11px;max-height:220px;overflow:auto;margin:0;padding:6px;border-radius:6px;'
                    f'background:rgba(128,128,128,.1)">{esc(json.dumps(self.value["body"], indent=1))}</pre>')
        return (f'<div class="aknb-faceswap-summary" style="font-family:system-ui,sans-serif;font-size:13px;'
                f'border:1px solid rgba(128,128,128,.35);border-radius:10px;padding:8px 12px;max-width:1060px">'
                f'{err}{body}</div>')


    def _static_html(self) -> str:
        return (self.source._static_html() + self.target._static_html()
                + self._summary_html(self.problem()))


__all__ = ["FacePanel", "FaceSwapPanel", "SwapBar", "LANDMARKS"]
