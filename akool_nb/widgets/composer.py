"""TalkingAvatarComposer: lay out a talking avatar on Akool's 3840×2160 stage by dragging, and see the exact
``elements`` of ``POST /api/open/v3/talkingavatar/create`` change as you go.

    composer = TalkingAvatarComposer(client)
    composer.add_image("#1d3557")                      # a background colour (or an image URL / path)
    composer.add_avatar(picker)                        # from an AvatarPicker, an Avatar, an avatar_id or a URL
    composer.add_speech("Hello!", voice_picker)         # or add_audio(url_or_result)
    composer                                            # drag, resize, nudge with the arrow keys
    composer.payload                                    # the request body, ready for the API
    composer.render_preview()                           # a local still (the offline Akool's own renderer)
    job = composer.submit()                             # client.talking_avatar.create(...)

The stage is an anywidget with a hand-written ES module. Where a host cannot load it, the panel says so and
offers plain ipywidgets instead: numeric fields in canvas pixels and a rendered preview.

Long because: one widget: its traits, the conversion to and from Akool's ``elements`` and their checks read
together (the drawing is in composer.js).
"""
from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any, Iterable

import ipywidgets as W
import traitlets as t

from ._base import Panel, PanelMixin, esc, esm
from .._exceptions import InvalidParameterError
from .._logging import logger
from ..spec.video import TALKING_AVATAR_CANVAS

CANVAS = TALKING_AVATAR_CANVAS
VISUAL = ("image", "avatar", "video")
CANVAS_RANGE = (16, 7680)  # pixels per side the composers accept (8K UHD at most)
MIN_SIZE = 16  # a layer's smallest side in canvas pixels (as the stage enforces)
HISTORY = 100  # undo steps kept
_counter = itertools.count(1)


def layout_problem(elements: Iterable[dict[str, Any]], canvas: Iterable[int]) -> tuple[str, str] | None:
    """Why this layout cannot be submitted, as ``(param, message)``, or None: the canvas size out of range,
    or a layer that lies entirely outside the canvas (it would make an empty frame) or has no size. The stage
    checks the same before it sends anything (composer.js, ``problemOf``)."""
    w, h = (int(v) for v in canvas)
    low, high = CANVAS_RANGE
    for name, side in (("width", w), ("height", h)):
        if not low <= side <= high:
            return ("canvas_size", f"the canvas {name} is {side} px; it must be {low}–{high} px")
    for i, el in enumerate(elements):
        if el.get("type") not in VISUAL:
            continue
        x, y = float(el.get("offset_x") or 0), float(el.get("offset_y") or 0)
        lw = float(el.get("width") or 0) * float(el.get("scale_x") or 1)
        lh = float(el.get("height") or 0) * float(el.get("scale_y") or 1)
        what = f"layer {i} ({el.get('role') or el.get('type')})"
        if lw < 1 or lh < 1:
            return (f"elements[{i}]", f"{what} has no size ({lw:g}×{lh:g} px); give it a width and height")
        if x >= w or y >= h or x + lw <= 0 or y + lh <= 0:
            return (f"elements[{i}]", f"{what} lies entirely outside the {w}×{h} canvas (at x={x:g}, y={y:g}, "
                                      f"{lw:g}×{lh:g} px): move it back onto the canvas (the layer list's "
                                      "\"Bring back\") or remove it")
    return None


def avatar_from_of(elements: Iterable[dict[str, Any]]) -> int:
    """2 when the avatar is an official one given by ``avatar_id``, else 3 (your own avatar by URL)."""
    avatar = next((e for e in elements if e.get("type") == "avatar"), None)
    return 2 if avatar is not None and avatar.get("avatar_id") and not avatar.get("url") else 3


def source_key(element: dict[str, Any]) -> str:
    return str(element.get("url") or element.get("avatar_id") or "")


class ComposerStage(Panel):
    """The drag-and-drop stage of :class:`TalkingAvatarComposer` (all geometry in canvas pixels)."""

    _esm = esm("composer.js")
    elements = t.List().tag(sync=True)
    thumbs = t.Dict().tag(sync=True)
    labels = t.Dict().tag(sync=True)
    selected = t.Int(-1).tag(sync=True)
    canvas = t.List([*CANVAS]).tag(sync=True)
    avatar_from = t.Int(3).tag(sync=True)
    display_width = t.Int(960).tag(sync=True)
    snap = t.Bool(True).tag(sync=True)
    preview = t.Unicode("").tag(sync=True)
    clip = t.Unicode("").tag(sync=True)
    default_voice = t.Unicode("").tag(sync=True)
    busy = t.Unicode("").tag(sync=True)
    # The payload view per composer: "talking_avatar" (elements) or "background" (bg/replace parameters).
    mode = t.Unicode("talking_avatar").tag(sync=True)
    color = t.Unicode("").tag(sync=True)  # background mode: color_code ("" = transparent canvas)
    remove_bg = t.Bool(False).tag(sync=True)  # background mode: removeBg
    nudge = t.Int(10).tag(sync=True)  # arrow-key step in canvas pixels (Shift: ×10)
    problem = t.Unicode("").tag(sync=True)  # why the layout cannot be submitted ("" when it can)
    can_undo = t.Bool(False).tag(sync=True)
    can_redo = t.Bool(False).tag(sync=True)
    # the layout's version, and the versions the preview still and clip were rendered from: the front end
    # marks a preview "out of date" when they differ
    layout_version = t.Int(0).tag(sync=True)
    preview_version = t.Int(-1).tag(sync=True)
    clip_version = t.Int(-1).tag(sync=True)

    def __init__(self, owner: StageComposer, client: Any = None, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.owner = owner

    def _set_error(self, state: dict[str, str]) -> None:
        self.error = state
        self.owner.error = state

    def _on_add(self, kind: str, value: str = "", voice_id: str = "") -> None:
        value = (value or "").strip()
        if kind == "speech":
            self.owner.add_speech(value, voice_id or self.default_voice)
        elif kind == "audio":
            self.owner.add_audio(value)
        elif kind == "avatar":
            self.owner.add_avatar(value)
        elif kind == "video":
            self.owner.add_video(value)
        elif kind == "image":
            self.owner.add_image(value)
        else:
            raise ValueError(f"cannot add a {kind!r}; use image, video, avatar, audio or speech")

    def _on_remove(self, index: int) -> None:
        self.owner.remove(int(index))

    def _on_zorder(self, index: int, delta: int) -> None:
        self.owner.move(int(index), int(delta))

    def _on_undo(self) -> None:
        self.owner.undo()

    def _on_redo(self) -> None:
        self.owner.redo()

    def _on_bring_back(self, index: int) -> None:
        self.owner.bring_back(int(index))

    def _on_render_preview(self) -> None:
        self.owner.render_preview()

    def _on_render_clip(self) -> None:
        self.owner.render_clip()

    def _on_submit(self) -> None:
        self.owner.submit()

    def _static_html(self) -> str:
        return self.owner._static_html()


class StageComposer(PanelMixin, W.VBox):
    """What the layout composers share: the drag-and-drop stage (:class:`ComposerStage`, geometry in REAL canvas
    pixels), the plain-ipywidgets fallback (numeric fields + rendered preview), errors and the static copy.
    Subclasses set ``mode`` (the stage's payload view) and define ``payload``, ``render_preview`` and ``submit``."""

    value = t.Dict()
    error = t.Dict()
    mode = "talking_avatar"
    fallback_text = ("Edit positions below in canvas pixels (3840×2160) and render the preview; everything else "
                     "works the same.")

    def __init__(self, client: Any = None, *, display_width: int = 960, **kwargs: Any) -> None:
        self.stage = ComposerStage(self, client, display_width=display_width, mode=self.mode)
        self.client = client
        self.job: Any = None
        self.monitor: Any = None
        self._loader: Any = None
        self._syncing = False
        self._undo: list[tuple[list[dict[str, Any]], list[int]]] = []
        self._redo: list[tuple[list[dict[str, Any]], list[int]]] = []
        self._replaying = False
        self._state: tuple[list[dict[str, Any]], list[int]] = ([], list(self.stage.canvas))
        self._build_fallback()
        super().__init__(children=[self.stage, self.fallback], **kwargs)
        self.stage.observe(self._remember, names=["elements", "canvas"])
        self.stage.observe(self._elements_changed, names="elements")
        self.stage.observe(self._selection_changed, names="selected")
        self.stage.observe(self._frontend_ready, names="ready")
        self.stage.observe(self._layout_changed, names=["elements", "canvas", "color", "remove_bg"])

    @property
    def payload(self) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def problem(self) -> str:
        """Why the layout cannot be submitted ("" when it can): what ``payload`` and ``submit()`` refuse."""
        found = layout_problem(self.stage.elements, self.stage.canvas)
        return found[1] if found else ""

    def check(self) -> None:
        """Raise :class:`InvalidParameterError` if the layout cannot be submitted (nothing is sent)."""
        found = layout_problem(self.stage.elements, self.stage.canvas)
        if found:
            raise InvalidParameterError(*found)

    def _current_value(self) -> dict[str, Any]:
        """``payload``, or {} while the layout cannot be submitted (``problem`` says why)."""
        try:
            return self.payload
        except InvalidParameterError:
            return {}

    def _elements_changed(self, change: dict[str, Any]) -> None:
        self.value = self._current_value()
        self._sync_fallback()

    def _layout_changed(self, _change: Any = None) -> None:
        self.stage.problem = self.problem
        self.stage.layout_version += 1
        if not self.stage.problem and self.error.get("kind") == "InvalidParameterError":
            self.clear_error()  # the refusal it showed is fixed

    # -- undo / redo: every change of the layers (moves, resizes, adds, deletes, reorders) and the canvas ----
    def _remember(self, _change: Any = None) -> None:
        # Changes made together (a load sets canvas and elements at once) make one step: the state before them.
        current = (copy.deepcopy(self.stage.elements), list(self.stage.canvas))
        if not self._replaying and current != self._state:
            self._undo = [*self._undo[-(HISTORY - 1):], self._state]
            self._redo = []
            self._history_changed()
        self._state = current

    def _history_changed(self) -> None:
        self.stage.can_undo, self.stage.can_redo = bool(self._undo), bool(self._redo)

    def _replay(self, source: list[Any], target: list[Any]) -> bool:
        if not source:
            return False
        elements, canvas = source.pop()
        target.append(self._state)
        self._replaying = True
        try:
            with self.stage.hold_trait_notifications():
                self.stage.canvas = canvas
                self.stage.elements = elements
                if self.stage.selected >= len(elements):
                    self.stage.selected = len(elements) - 1
        finally:
            self._replaying = False
        self._history_changed()
        return True

    def undo(self) -> bool:
        """Undo the last change of the layout (Ctrl/Cmd+Z in the panel); False when there is nothing to undo."""
        return self._replay(self._undo, self._redo)

    def redo(self) -> bool:
        """Redo what ``undo`` undid (Shift+Ctrl/Cmd+Z); False when there is nothing to redo."""
        return self._replay(self._redo, self._undo)

    def bring_back(self, index: int) -> None:
        """Move layer ``index`` back onto the canvas (inside it where it fits), keeping its size."""
        el = self.stage.elements[index]
        cw, ch = self.stage.canvas
        w = float(el.get("width") or 0) * float(el.get("scale_x") or 1)
        h = float(el.get("height") or 0) * float(el.get("scale_y") or 1)
        x = min(max(float(el.get("offset_x") or 0), 0), max(cw - w, 0))
        y = min(max(float(el.get("offset_y") or 0), 0), max(ch - h, 0))
        self.set_box(index, x=round(x), y=round(y))

    def _follow(self, job: Any, title: str) -> Any:
        """Show ``job`` in the composer's JobMonitor (made on first use, under the stage)."""
        from .monitor import JobMonitor

        self.job = job
        if self.monitor is None:
            self.monitor = JobMonitor(client=self.client, title=title, show_badge=False)
            self.children = [*self.children, self.monitor]
        self.monitor.add(job)
        return job

    def set_box(self, index: int, *, x: float | None = None, y: float | None = None, width: float | None = None,
                height: float | None = None) -> None:
        """Place element ``index`` in canvas pixels (what dragging does)."""
        elements = [dict(e) for e in self.stage.elements]
        el = elements[index]
        for key, value in (("offset_x", x), ("offset_y", y), ("width", width), ("height", height)):
            if value is not None:
                el[key] = _num(value)
        self._set_elements(elements)

    def select(self, index: int) -> None:
        self.stage.selected = index

    def _set_elements(self, elements: list[dict[str, Any]]) -> None:
        self.stage.elements = elements

    def _selection_changed(self, _change: dict[str, Any]) -> None:
        self._sync_fallback()

    def _build_fallback(self) -> None:
        self.fallback_note = W.HTML(
            '<div style="border:1px solid #f2994a;border-radius:8px;padding:6px 10px;background:rgba(242,153,74,.1)">'
            "<b>Simple mode.</b> The drag-and-drop stage has not loaded on this host (it needs anywidget "
            f"support in the front end). {esc(self.fallback_text)}</div>")
        self.fallback_select = W.Dropdown(description="Element", options=[], layout=W.Layout(width="360px"))
        style = {"description_width": "60px"}
        self.fallback_fields = {name: W.IntText(description=label, style=style, layout=W.Layout(width="170px"))
                                for name, label in (("offset_x", "x"), ("offset_y", "y"), ("width", "width"),
                                                    ("height", "height"))}
        render = W.Button(description="Render preview", icon="image")
        render.on_click(lambda _b: self._guard(self.render_preview))
        # an <img> with a data URI, not a W.Image: Colab drops binary widget data
        self.fallback_preview = W.HTML()
        self.fallback_payload = W.HTML()
        self.fallback = W.VBox([self.fallback_note, self.fallback_select,
                                W.HBox(list(self.fallback_fields.values())), render, self.fallback_preview,
                                self.fallback_payload])
        self.fallback_select.observe(self._fallback_pick, names="value")
        for name, field in self.fallback_fields.items():
            field.observe(lambda change, name=name: self._fallback_edit(name, change["new"]), names="value")

    def _guard(self, fn: Any) -> None:
        try:
            fn()
        except Exception as exc:
            self.show_error(exc)

    def _frontend_ready(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.fallback.layout.display = "none"

    def _show_fallback_preview(self) -> None:
        self.fallback_preview.value = (f'<img src="{esc(self.stage.preview)}" alt="layout preview" '
                                       f'style="max-width:640px;width:100%;border-radius:6px">')

    def _sync_fallback(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            elements = self.stage.elements
            options = [(f"{i}: {e.get('type')} {self.stage.labels.get(source_key(e), source_key(e))[:40]}", i)
                       for i, e in enumerate(elements) if e.get("type") in VISUAL]
            self.fallback_select.options = options
            index = self.stage.selected
            if index not in [o[1] for o in options]:
                index = options[-1][1] if options else None
            self.fallback_select.value = index
            if index is not None:
                for name, field in self.fallback_fields.items():
                    field.value = int(round(float(elements[index].get(name) or 0)))
            import json

            problem = self.problem
            self.fallback_payload.value = ((f'<div style="color:#e5484d">Cannot submit: {esc(problem)}</div>'
                                            if problem else "") +
                                           f'<pre style="font-size:11px;max-height:180px;overflow:auto">'
                                           f'{esc(json.dumps(self._current_value(), indent=1))}</pre>')
        finally:
            self._syncing = False

    def _fallback_pick(self, change: dict[str, Any]) -> None:
        if not self._syncing and change["new"] is not None:
            self.stage.selected = change["new"]

    def _fallback_edit(self, name: str, value: int) -> None:
        index = self.fallback_select.value
        if self._syncing or index is None:
            return
        self._syncing = True
        try:
            self.set_box(index, **{{"offset_x": "x", "offset_y": "y"}.get(name, name): value})
        finally:
            self._syncing = False

    def _set_error(self, state: dict[str, str]) -> None:
        self.error = state
        self.stage.error = state



class TalkingAvatarComposer(StageComposer):
    """Compose a talking-avatar layout; ``value`` is the request body (``payload``), updated live."""

    def __init__(self, client: Any = None, elements: Iterable[dict[str, Any]] | None = None, *,
                 display_width: int = 960, avatars: Any = None, **kwargs: Any) -> None:
        self.clip_path: Path | None = None
        self._avatar_urls: dict[str, str] = {}
        self._avatar_names: dict[str, str] = {}
        self._avatar_thumbs: dict[str, str] = {}
        super().__init__(client, display_width=display_width, **kwargs)
        if avatars is not None:
            self._index_avatars(avatars)
        if elements:
            self.load_payload(elements)

    # -- construction from / to payloads -----------------------------------------------------------
    @classmethod
    def from_payload(cls, payload: dict[str, Any] | Iterable[dict[str, Any]], client: Any = None,
                     **kwargs: Any) -> TalkingAvatarComposer:
        """A composer showing an existing request body (or its ``elements`` list): the round trip."""
        return cls(client, payload, **kwargs)  # type: ignore[arg-type]

    def load_payload(self, payload: dict[str, Any] | Iterable[dict[str, Any]]) -> None:
        elements = payload.get("elements", []) if isinstance(payload, dict) else list(payload)
        for el in elements:
            if not isinstance(el, dict) or el.get("type") not in (*VISUAL, "audio"):
                raise ValueError(f"not a talking-avatar element: {el!r}")
        self._set_elements([dict(e) for e in elements])
        for el in self.stage.elements:
            self._describe(el)

    @property
    def elements(self) -> list[dict[str, Any]]:
        """The ``elements`` list exactly as it will be sent (a copy)."""
        return copy.deepcopy(self.stage.elements)

    @property
    def payload(self) -> dict[str, Any]:
        """The body of ``POST /api/open/v3/talkingavatar/create``; raises :class:`InvalidParameterError` (the
        reason) while a layer lies entirely off the canvas."""
        self.check()
        return self._body()

    def _body(self) -> dict[str, Any]:
        return {"width": CANVAS[0], "height": CANVAS[1], "avatar_from": avatar_from_of(self.stage.elements),
                "elements": self.elements}

    # -- adding elements --------------------------------------------------------------------------
    def _next_box(self, kind: str, natural: tuple[int, int] | None = None) -> dict[str, Any]:
        visual = [e for e in self.stage.elements if e.get("type") in VISUAL]
        if kind == "image" and not visual:
            w, h, x, y = CANVAS[0], CANVAS[1], 0, 0
        elif kind == "avatar":
            w = h = 1440
            x, y = (CANVAS[0] - w) // 2, CANVAS[1] - h
        else:
            w, h = natural or (1280, 720)
            if w > 1600 or h > 900:
                factor = min(1600 / w, 900 / h)
                w, h = round(w * factor), round(h * factor)
            step = 80 * (len(visual) % 6)
            x, y = 160 + step, 160 + step
        return {"width": w, "height": h, "scale_x": 1, "scale_y": 1, "offset_x": x, "offset_y": y}

    def _local(self, source: Any, kind: str) -> str:
        """Local media stays a path in the payload (the client uploads it on submit); PIL images are saved."""
        if type(source).__module__.startswith("PIL.") and hasattr(source, "save"):
            path = Path(f"akool_composer_{next(_counter)}.png")
            source.save(path)
            return str(path)
        if type(source).__name__ in ("Result", "Job", "AsyncJob"):
            url = getattr(source, "url", None)
            if not url:
                raise ValueError("this job has no result URL yet; wait() for it first")
            return str(url)
        text = str(source)
        if not text:
            raise ValueError(f"give the {kind} as a URL, a file path or a PIL image")
        if not text.startswith(("http://", "https://", "#")) and not Path(text).expanduser().is_file():
            from ..media.layout import is_colour

            if not (kind == "image" and is_colour(text)):
                raise FileNotFoundError(f"no such file: {text!r} (give an http(s) URL or a path)")
        return text

    def add_image(self, source: Any, **box: Any) -> int:
        """An image layer (URL, path, PIL image, or a colour such as "#1d3557" for a backdrop)."""
        url = self._local(source, "image")
        from ..media.layout import is_colour

        natural = None if is_colour(url) else self._natural_size(url)
        return self._add({"type": "image", "url": url, **self._next_box("image", natural), **box})

    def add_video(self, source: Any, **box: Any) -> int:
        """A video layer. Akool's talking avatar has no "video" element type (avatar, image, audio): a video
        plays as an ``avatar`` element with the video's ``url`` (your own avatar, ``avatar_from`` 3)."""
        url = self._local(source, "video")
        return self._add({"type": "avatar", "url": url, **self._next_box("video"), **box})

    def add_avatar(self, avatar: Any, **box: Any) -> int:
        """The presenter: an ``AvatarPicker`` (its selection), an ``Avatar``, an ``avatar_id``, or a URL of your
        own avatar video. Replaces the current avatar, keeping its place and size."""
        avatar_id, url = None, None
        if hasattr(avatar, "avatar") and hasattr(avatar, "value") and not isinstance(avatar, dict):  # a picker
            if not avatar.value:
                raise ValueError("nothing is selected in the AvatarPicker yet: click an avatar first")
            record = avatar.avatar
            if record is not None:
                self._index_avatars([record])
            avatar_id = avatar.value.get("avatar_id")
        elif hasattr(avatar, "avatar_id"):
            self._index_avatars([avatar])
            avatar_id = avatar.avatar_id
        elif isinstance(avatar, dict):
            avatar_id, url = avatar.get("avatar_id"), avatar.get("url")
        else:
            text = str(avatar or "").strip()
            if not text:
                raise ValueError("give an avatar_id (e.g. from AvatarPicker) or a URL of your avatar video")
            if text.startswith(("http://", "https://")) or Path(text).expanduser().is_file():
                url = self._local(text, "avatar")
            else:
                avatar_id = text
        element: dict[str, Any] = {"type": "avatar"}
        if avatar_id and not url:
            element["avatar_id"] = avatar_id
            self._ensure_avatar(avatar_id)
        else:
            element["url"] = url
        elements = self.stage.elements
        current = next((i for i, e in enumerate(elements) if e.get("type") == "avatar"), None)
        if current is not None:
            keep = {k: elements[current][k] for k in ("width", "height", "scale_x", "scale_y", "offset_x", "offset_y")
                    if k in elements[current]}
            new = [dict(e) for e in elements]
            new[current] = {**element, **keep, **box}
            self._describe(new[current])
            self._set_elements(new)
            self.stage.selected = current
            return current
        return self._add({**element, **self._next_box("avatar"), **box})

    def add_audio(self, source: Any) -> int:
        """The soundtrack from a file: a URL, a path, or a speech Result. Replaces any audio element."""
        url = self._local(source, "audio")
        return self._set_audio({"type": "audio", "url": url})

    def add_speech(self, text: str, voice: Any) -> int:
        """Speech made by Akool from ``text`` in ``voice`` (a voice_id, a Voice or a VoicePicker)."""
        voice_id = getattr(voice, "value", None) if hasattr(voice, "voices") else getattr(voice, "voice_id", voice)
        if not text or not str(text).strip():
            raise ValueError("type the words the avatar should say")
        if not voice_id:
            raise ValueError("pick a voice first (a voice_id, or a VoicePicker with a selection)")
        record = getattr(voice, "voice", None) if hasattr(voice, "voices") else voice
        name = getattr(record, "name", None)
        if name:
            self.stage.labels = {**self.stage.labels, str(voice_id): str(name)}
        return self._set_audio({"type": "audio", "input_text": str(text), "voice_id": str(voice_id)})

    def _set_audio(self, element: dict[str, Any]) -> int:
        new = [dict(e) for e in self.stage.elements if e.get("type") != "audio"] + [element]
        self._set_elements(new)
        return len(new) - 1

    def _add(self, element: dict[str, Any]) -> int:
        self._describe(element)
        audio = [e for e in self.stage.elements if e.get("type") == "audio"]
        visual = [dict(e) for e in self.stage.elements if e.get("type") != "audio"]
        new = visual + [element] + audio  # audio stays last; new layers go on top
        self._set_elements(new)
        index = len(visual)
        self.stage.selected = index
        return index

    def remove(self, index: int) -> None:
        elements = [dict(e) for e in self.stage.elements]
        if not 0 <= index < len(elements):
            raise IndexError(f"no element {index}")
        del elements[index]
        self._set_elements(elements)
        self.stage.selected = min(self.stage.selected, len(elements) - 1) if self.stage.selected != index else -1

    def move(self, index: int, delta: int) -> None:
        """Z-order: ``delta`` +1 brings the element one step forward (drawn later), -1 sends it back."""
        elements = [dict(e) for e in self.stage.elements]
        target = index + delta
        if not (0 <= index < len(elements) and 0 <= target < len(elements)):
            return
        elements[index], elements[target] = elements[target], elements[index]
        self._set_elements(elements)
        self.stage.selected = target

    def link(self, *pickers: Any) -> None:
        """Follow an AvatarPicker (its selection becomes the avatar) and/or a VoicePicker (the default voice
        for speech)."""
        for picker in pickers:
            if hasattr(picker, "voices"):
                picker.on_select(lambda value: setattr(self.stage, "default_voice", value or ""))
                if picker.value:
                    self.stage.default_voice = picker.value
            else:
                picker.on_select(lambda _value, p=picker: self.add_avatar(p))

    # -- rendering --------------------------------------------------------------------------------
    def _element_loader(self) -> Any:
        from ..media.preview import ElementLoader

        if self._loader is None:
            self._loader = ElementLoader(self._avatar_urls)
        self._loader.avatars.update(self._avatar_urls)
        return self._loader

    def render_preview(self, scale: float | None = None, *, show: bool = True) -> Any:
        """The layout as a PIL image, rendered locally like the offline Akool renders results (default: the
        stage's display width). Also shown in the panel."""
        from ..media.preview import layout_still
        from ..media.thumbnails import data_uri

        width = None if scale is not None else self.stage.display_width
        image = layout_still(self.stage.elements, loader=self._element_loader(), scale=scale or 0.25, width=width)
        if show:
            with self.stage.hold_trait_notifications():
                self.stage.preview = data_uri(image, max_size=960, quality=72)
                self.stage.preview_version = self.stage.layout_version
            self._show_fallback_preview()
            self._report_loader_errors()
        return image

    def render_clip(self, path: str | Path | None = None, *, seconds: float = 3.0, fps: int = 12,
                    width: int = 640) -> Path:
        """A short local preview clip (MP4) of the layout; avatar videos move, audio files are muxed in."""
        from ..media.preview import layout_clip

        target = Path(path) if path is not None else Path(f"akool_preview_{id(self) % 100000}.mp4")
        self.stage.busy = "Rendering the preview clip…"
        version = self.stage.layout_version
        try:
            self.clip_path = layout_clip(self.stage.elements, target, loader=self._element_loader(), seconds=seconds,
                                         fps=fps, width=width)
        finally:
            self.stage.busy = ""
        with self.stage.hold_trait_notifications():
            self.stage.clip = f"{self.clip_path.as_posix()}?v={next(_counter)}"
            self.stage.clip_version = version
        self._report_loader_errors()
        return self.clip_path

    def _report_loader_errors(self) -> None:
        if self._loader is not None and self._loader.errors:
            source, problem = next(iter(self._loader.errors.items()))
            self.show_error(f"could not load {source}: {problem}",
                            "That layer shows as a grey box; check its URL or file.")
            self._loader.errors.clear()

    def submit(self, *, webhook_url: str | None = None) -> Any:
        """Create the talking avatar (``client.talking_avatar.create``) and follow it in a JobMonitor."""
        if self.client is None:
            raise ValueError("pass client= to the composer to submit (ak.connect())")
        try:
            self.check()
            self.job = self.client.talking_avatar.create(self.elements, avatar_from=avatar_from_of(self.stage.elements),
                                                         webhook_url=webhook_url)
        except Exception as exc:
            self.show_error(exc)
            raise
        self.clear_error()
        return self._follow(self.job, "Talking avatar")

    # -- helpers ----------------------------------------------------------------------------------
    def _natural_size(self, url: str) -> tuple[int, int] | None:
        try:
            if url.startswith(("http://", "https://")):
                return self._element_loader().picture(url).size
            from PIL import Image

            with Image.open(Path(url).expanduser()) as img:
                return img.size
        except Exception:
            return None

    def _index_avatars(self, avatars: Iterable[Any]) -> None:
        for a in avatars:
            aid = getattr(a, "avatar_id", None) or (a.get("avatar_id") if isinstance(a, dict) else None)
            if not aid:
                continue
            get = (lambda k: a.get(k)) if isinstance(a, dict) else (lambda k: getattr(a, k, None))
            if get("url"):
                self._avatar_urls[aid] = get("url")
            self._avatar_names[aid] = get("name") or aid
            thumb = get("thumbnailUrl") or ""
            if thumb:
                self._avatar_thumbs[aid] = thumb

    def _ensure_avatar(self, avatar_id: str) -> None:
        if avatar_id in self._avatar_urls or self.client is None:
            return
        try:
            self._index_avatars(self.client.avatars.list(from_=2))
            if avatar_id not in self._avatar_urls:
                self._index_avatars(self.client.avatars.list(from_=3))
        except Exception as exc:
            logger.info("composer: could not look up avatar %s: %s", avatar_id, exc)

    def _describe(self, element: dict[str, Any]) -> None:
        """Thumbnail and label for the stage (never part of the payload)."""
        key = source_key(element)
        if not key or key in self.stage.thumbs:
            return
        kind = element.get("type")
        label, thumb = key, ""
        from ..media.layout import is_colour
        from ..media.thumbnails import media_kind

        if kind == "audio":
            return
        if is_colour(key):
            label = f"colour {key}"
        elif element.get("avatar_id") and not element.get("url"):
            self._ensure_avatar(key)
            label = self._avatar_names.get(key, key)
            thumb = self._avatar_thumbs.get(key, "")
            if not thumb and key in self._avatar_urls:
                thumb = self._poster_uri(self._avatar_urls[key])
        else:
            label = Path(key.split("?")[0]).name or key
            is_url = key.startswith(("http://", "https://"))
            if media_kind(key) == "image" or (kind == "image" and not media_kind(key)):
                thumb = key if is_url else self._poster_uri(key)
            else:
                thumb = self._poster_uri(key)
        self.stage.thumbs = {**self.stage.thumbs, key: thumb}
        self.stage.labels = {**self.stage.labels, key: label}

    def _poster_uri(self, source: str) -> str:
        from ..media.thumbnails import data_uri, poster_frame

        try:
            return data_uri(poster_frame(source, max_size=320), quality=72)
        except Exception as exc:
            logger.info("composer: no thumbnail for %s: %s", source, exc)
            return ""

    def _elements_changed(self, change: dict[str, Any]) -> None:
        elements = change["new"]
        self.stage.avatar_from = avatar_from_of(elements)
        for el in elements:
            if source_key(el) and source_key(el) not in self.stage.thumbs and el.get("type") != "audio":
                self._describe(el)
        self.value = self._current_value()
        self._sync_fallback()

    # -- the static copy ----------------------------------------------------------------------------
    def _static_html(self) -> str:
        import json

        preview = self.stage.preview
        if not preview and any(e.get("type") in VISUAL for e in self.stage.elements):
            try:  # a small rendered still, so the saved notebook shows the layout
                from ..media.preview import layout_still
                from ..media.thumbnails import data_uri

                preview = data_uri(layout_still(self.stage.elements, loader=self._element_loader(), width=480),
                                   quality=70)
            except Exception as exc:
                logger.debug("no still for the static copy: %s", exc)
        img = (f'<img src="{esc(preview)}" style="max-width:480px;width:100%;border-radius:6px;display:block">'
               if preview else "")
        return self._static_card("Talking avatar layout (3840×2160)",
                                 f'{img}<details style="margin-top:6px"><summary>Request body · POST '
                                 f'/api/open/v3/talkingavatar/create</summary><pre style="font-size:11px;'
                                 f'max-height:260px;overflow:auto">{esc(json.dumps(self._body(), indent=1))}</pre>'
                                 f'</details>')


def _num(value: Any) -> Any:
    number = float(value)
    return int(number) if number.is_integer() else number


__all__ = ["TalkingAvatarComposer", "StageComposer", "ComposerStage", "avatar_from_of", "layout_problem", "CANVAS_RANGE"]
