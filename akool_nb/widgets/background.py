"""BackgroundComposer: lay out a background change by dragging, and see the exact ``bg/replace`` parameters.

    composer = BackgroundComposer(client, "portrait.png", template="beach.jpg")   # foreground + optional template
    composer.set_color("#1d3557")                     # a colour backdrop (or None: transparent)
    composer                                          # drag / resize the layers, arrow keys nudge, snapping
    composer.params                                   # POST /api/open/v3/content/image/bg/replace, field for field
    composer.render_preview()                         # local still, the offline Akool's own renderer
    job = composer.submit()                           # client.background.change(...), followed in a JobMonitor
    BackgroundComposer.from_params(composer.params, client)   # the round trip

Geometry is in REAL canvas pixels: ``overlay_origin_x/y`` is the foreground's upper-left corner and
``modify_origin_img_size`` its drawn size; the same for the template (``overlay_template_x/y``,
``modify_template_size``). Where a host cannot load the drag-and-drop stage, plain ipywidgets fields remain.
"""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Mapping

from .._exceptions import InvalidParameterError
from .._logging import logger
from ._base import esc
from .composer import CANVAS_RANGE, StageComposer

ENDPOINT = "POST /api/open/v3/content/image/bg/replace"
_counter = itertools.count(1)
_FIELDS = ("canvas_size", "origin_img", "modify_origin_img_size", "overlay_origin_x", "overlay_origin_y",
           "template_url", "modify_template_size", "overlay_template_x", "overlay_template_y", "color_code", "removeBg")


def _wh(value: Any) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        return int(value[0]), int(value[1])
    w, _, h = str(value).lower().replace("×", "x").replace("*", "x").partition("x")
    return int(w.strip()), int(h.strip())


class BackgroundComposer(StageComposer):
    """Compose a background change: the foreground (``origin_img``) and an optional template image as layers on
    a canvas of ``canvas_size``, over an optional ``color_code``. ``value`` is ``params`` (updated live)."""

    mode = "background"
    fallback_text = ("Edit the layers below in canvas pixels and render the preview; the canvas size and colour "
                     "are set with set_canvas() / set_color().")

    def __init__(self, client: Any = None, origin_img: Any = None, *, template: Any = None, canvas_size: Any = None,
                 color_code: str | None = None, remove_bg: bool = False, display_width: int = 720,
                 **kwargs: Any) -> None:
        super().__init__(client, display_width=display_width, **kwargs)
        self._sources: dict[str, Any] = {}  # payload string -> what the user gave (PIL image, Result …)
        self.stage.observe(lambda _c: self._elements_changed({"new": self.stage.elements}),
                           names=["canvas", "color", "remove_bg"])
        if color_code:
            self.set_color(color_code)
        self.stage.remove_bg = bool(remove_bg)
        if origin_img is not None:
            self.load(origin_img, template=template, canvas_size=canvas_size)

    # -- building ---------------------------------------------------------------------------------
    def load(self, origin_img: Any, *, template: Any = None, canvas_size: Any = None) -> None:
        """A default layout: the canvas is ``canvas_size`` (else the template's size, else the foreground's); the
        template fills the canvas, the foreground fits it (bottom centre) or fills it when the sizes match."""
        origin = self._ref(origin_img, "origin_img")
        natural = self._natural_size(origin) or (1024, 1024)
        tpl = self._ref(template, "template_url") if template is not None else None
        tpl_size = (self._natural_size(tpl) or natural) if tpl else None
        canvas = _wh(canvas_size) if canvas_size is not None else (tpl_size or natural)
        elements = []
        if tpl:
            elements.append(self._layer("template", tpl, 0, 0, *canvas))
        if natural == canvas:
            elements.append(self._layer("origin", origin, 0, 0, *canvas))
        else:
            factor = min(canvas[0] * 0.8 / natural[0], canvas[1] * 0.9 / natural[1])
            w, h = max(1, round(natural[0] * factor)), max(1, round(natural[1] * factor))
            elements.append(self._layer("origin", origin, (canvas[0] - w) // 2, canvas[1] - h, w, h))
        self._apply(canvas, elements)

    @classmethod
    def from_params(cls, params: Mapping[str, Any], client: Any = None, **kwargs: Any) -> BackgroundComposer:
        """A composer showing existing ``bg/replace`` parameters (``params`` gives them back unchanged)."""
        composer = cls(client, **kwargs)
        composer.load_params(params)
        return composer

    def load_params(self, params: Mapping[str, Any]) -> None:
        unknown = set(params) - set(_FIELDS) - {"webhookUrl"}
        if unknown:
            raise ValueError(f"not bg/replace parameters: {sorted(unknown)} (the fields are {', '.join(_FIELDS)})")
        for needed in ("canvas_size", "origin_img", "modify_origin_img_size"):
            if not params.get(needed):
                raise ValueError(f"{needed} is required in bg/replace parameters")
        canvas = _wh(params["canvas_size"])
        elements = []
        if params.get("template_url"):
            tpl = self._ref(params["template_url"], "template_url")
            size = _wh(params["modify_template_size"]) if params.get("modify_template_size") else \
                (self._natural_size(tpl) or canvas)
            elements.append(self._layer("template", tpl, int(params.get("overlay_template_x") or 0),
                                        int(params.get("overlay_template_y") or 0), *size))
        origin = self._ref(params["origin_img"], "origin_img")
        elements.append(self._layer("origin", origin, int(params.get("overlay_origin_x") or 0),
                                    int(params.get("overlay_origin_y") or 0), *_wh(params["modify_origin_img_size"])))
        with self.stage.hold_trait_notifications():
            self.stage.color = self._colour(params.get("color_code"))
            self.stage.remove_bg = bool(params.get("removeBg"))
        self._apply(canvas, elements)

    def set_template(self, template: Any | None, **box: Any) -> None:
        """Add, replace (keeping its place) or remove (``None``) the template image; ``box``: x, y, width,
        height in canvas pixels (a new template covers the canvas)."""
        elements = [dict(e) for e in self.stage.elements if e.get("role") != "template"]
        old = next((e for e in self.stage.elements if e.get("role") == "template"), None)
        if template is not None:
            ref = self._ref(template, "template_url")
            layer = {**old, "url": ref} if old is not None else self._layer("template", ref, 0, 0, *self.stage.canvas)
            layer.update(_box_fields(box))
            self._describe(layer)
            elements.insert(0, layer)
        self.stage.elements = elements

    def remove(self, index: int) -> None:
        """Only the template can go (the foreground is the point of the request)."""
        if self.stage.elements[index].get("role") != "template":
            raise ValueError("the foreground stays: it is what bg/replace places on the canvas")
        self.set_template(None)

    def set_canvas(self, width: int, height: int | None = None) -> None:
        """The canvas size in pixels (``set_canvas(1920, 1080)`` or ``set_canvas("1920x1080")``)."""
        w, h = _wh(width) if height is None else (int(width), int(height))
        low, high = CANVAS_RANGE
        if not (low <= w <= high and low <= h <= high):
            raise InvalidParameterError("canvas_size", f"{w}x{h} is out of range: each side must be {low}–{high} px "
                                                       f"(the canvas stays {self.stage.canvas[0]}x{self.stage.canvas[1]})")
        self.stage.canvas = [w, h]
        self.stage.nudge = _nudge((w, h))

    def set_color(self, color_code: str | None) -> None:
        """The backdrop colour ("#rrggbb"), or None for a transparent canvas."""
        self.stage.color = self._colour(color_code)

    def set_layer(self, role: str, *, x: float | None = None, y: float | None = None, width: float | None = None,
                  height: float | None = None) -> None:
        """Place the "origin" (foreground) or "template" layer in canvas pixels (what dragging does)."""
        index = self._index(role)
        self.set_box(index, x=x, y=y, width=width, height=height)

    # -- the request ------------------------------------------------------------------------------
    @property
    def elements(self) -> list[dict[str, Any]]:
        import copy

        return copy.deepcopy(self.stage.elements)

    @property
    def params(self) -> dict[str, Any]:
        """The ``bg/replace`` body (local files stay paths: ``submit()`` uploads them); raises
        :class:`InvalidParameterError` (the reason) while a layer lies entirely off the canvas or the canvas size
        is out of range."""
        self.check()
        return self._body()

    def _body(self) -> dict[str, Any]:
        w, h = self.stage.canvas
        body: dict[str, Any] = {"canvas_size": f"{w}x{h}"}
        origin = next((e for e in self.stage.elements if e.get("role") == "origin"), None)
        if origin is not None:
            body.update(origin_img=origin["url"], modify_origin_img_size=_size(origin),
                        overlay_origin_x=round(float(origin.get("offset_x") or 0)),
                        overlay_origin_y=round(float(origin.get("offset_y") or 0)))
        template = next((e for e in self.stage.elements if e.get("role") == "template"), None)
        if template is not None:
            body.update(template_url=template["url"], modify_template_size=_size(template),
                        overlay_template_x=round(float(template.get("offset_x") or 0)),
                        overlay_template_y=round(float(template.get("offset_y") or 0)))
        if self.stage.color:
            body["color_code"] = self.stage.color
        if self.stage.remove_bg:
            body["removeBg"] = True
        return body

    payload = params  # type: ignore[assignment]

    def change_kwargs(self) -> dict[str, Any]:
        """``params`` as keyword arguments of ``client.background.change`` (the programmatic twin)."""
        p = self.params
        if "origin_img" not in p:
            raise ValueError("add a foreground first: BackgroundComposer(client, 'photo.png')")
        kwargs: dict[str, Any] = {k: v for k, v in p.items() if k not in ("origin_img", "removeBg")}
        if "template_url" in kwargs:
            kwargs["template_url"] = self._sources.get(kwargs["template_url"], kwargs["template_url"])
        if p.get("removeBg"):
            kwargs["remove_bg"] = True
        return kwargs

    def render_preview(self, max_side: int | None = None, *, show: bool = True) -> Any:
        """The layout rendered locally (PIL) with the renderer the offline Akool uses for results, longest side
        at most ``max_side`` (default: the stage's display width). Also shown in the panel."""
        from ..media.thumbnails import data_uri
        from ..media.background import render_background_change

        params = self._body()
        if "origin_img" not in params:
            raise ValueError("add a foreground first")
        loader = self._element_loader()
        image = render_background_change(params, lambda key: loader.picture(str(params[key])),
                                          max_side or self.stage.display_width)
        if show:
            with self.stage.hold_trait_notifications():
                self.stage.preview = data_uri(image, max_size=960, quality=74)
                self.stage.preview_version = self.stage.layout_version
            self._show_fallback_preview()
        return image

    def submit(self, *, webhook_url: str | None = None) -> Any:
        """Change the background (``client.background.change``) and follow the job in a JobMonitor."""
        if self.client is None:
            raise ValueError("pass client= to the composer to submit (ak.connect())")
        try:
            origin = self.params.get("origin_img")
            job = self.client.background.change(self._sources.get(origin, origin), webhook_url=webhook_url,
                                                **self.change_kwargs())
        except Exception as exc:
            self.show_error(exc)
            raise
        self.clear_error()
        return self._follow(job, "Background change")

    # -- internals --------------------------------------------------------------------------------
    def _apply(self, canvas: tuple[int, int], elements: list[dict[str, Any]]) -> None:
        for el in elements:
            self._describe(el)
        with self.stage.hold_trait_notifications():
            self.stage.canvas = [int(canvas[0]), int(canvas[1])]
            self.stage.nudge = _nudge(canvas)
            self.stage.elements = elements
            self.stage.selected = len(elements) - 1

    @staticmethod
    def _layer(role: str, url: str, x: int, y: int, w: int, h: int) -> dict[str, Any]:
        return {"type": "image", "role": role, "url": url, "width": int(w), "height": int(h), "scale_x": 1,
                "scale_y": 1, "offset_x": int(x), "offset_y": int(y)}

    def _index(self, role: str) -> int:
        role = {"foreground": "origin", "origin_img": "origin", "template_url": "template"}.get(role, role)
        for i, e in enumerate(self.stage.elements):
            if e.get("role") == role:
                return i
        raise ValueError(f"no {role!r} layer (the layers are 'origin' and, with a template, 'template')")

    @staticmethod
    def _colour(value: Any) -> str:
        if value in (None, ""):
            return ""
        from ..models.images import hex_colour

        return str(hex_colour(value))

    def _ref(self, source: Any, field: str) -> str:
        """A string for the payload: URLs and paths as given; PIL images saved; results by URL."""
        if type(source).__module__.startswith("PIL.") and hasattr(source, "save"):
            path = Path(f"akool_background_{next(_counter)}.png")
            source.save(path)
            self._sources[str(path)] = source
            return str(path)
        if type(source).__name__ in ("Result", "Job", "AsyncJob"):
            url = getattr(source, "url", None)
            if not url:
                raise ValueError(f"{field}: this job has no result URL yet; wait() for it first")
            return str(url)
        text = str(source or "").strip()
        if not text:
            raise ValueError(f"{field}: give an image URL, a file path or a PIL image")
        if not text.startswith(("http://", "https://")) and not Path(text).expanduser().is_file():
            raise FileNotFoundError(f"{field}: no such file: {text!r} (give an http(s) URL or a path)")
        return text

    def _element_loader(self) -> Any:
        from ..media.preview import ElementLoader

        if self._loader is None:
            self._loader = ElementLoader(max_size=2048)
        return self._loader

    def _natural_size(self, ref: str) -> tuple[int, int] | None:
        try:
            from PIL import Image, ImageOps

            if ref.startswith(("http://", "https://")):
                import io

                img = Image.open(io.BytesIO(self._element_loader().fetch(ref)))
            else:
                img = Image.open(Path(ref).expanduser())
            return ImageOps.exif_transpose(img).size
        except Exception as exc:
            logger.info("background composer: size of %s unknown: %s", ref, exc)
            return None

    def _describe(self, element: dict[str, Any]) -> None:
        key = element["url"]
        if key in self.stage.thumbs:
            return
        thumb = key if key.startswith(("http://", "https://")) else ""
        if not thumb:
            try:
                from ..media.thumbnails import data_uri

                thumb = data_uri(self._element_loader().picture(key), max_size=360, quality=72)
            except Exception as exc:
                logger.info("background composer: no thumbnail for %s: %s", key, exc)
        self.stage.thumbs = {**self.stage.thumbs, key: thumb}
        self.stage.labels = {**self.stage.labels, key: Path(key.split("?")[0]).name or key}

    def _elements_changed(self, change: dict[str, Any]) -> None:
        for el in change["new"]:
            if el.get("url") and el["url"] not in self.stage.thumbs:
                self._describe(el)
        self.value = self._current_value()
        self._sync_fallback()

    def _static_html(self) -> str:
        import json

        preview = self.stage.preview
        if not preview and self.stage.elements:
            try:
                from ..media.thumbnails import data_uri

                preview = data_uri(self.render_preview(480, show=False), quality=70)
            except Exception as exc:
                logger.debug("no still for the static copy: %s", exc)
        img = (f'<img src="{esc(preview)}" style="max-width:480px;width:100%;border-radius:6px;display:block">'
               if preview else "")
        w, h = self.stage.canvas
        return self._static_card(f"Background change layout ({w}×{h})",
                                 f'{img}<details style="margin-top:6px" open><summary>Request body · {ENDPOINT}'
                                 f'</summary><pre style="font-size:11px;max-height:260px;overflow:auto">'
                                 f'{esc(json.dumps(self._body(), indent=1))}</pre></details>')


def _size(element: Mapping[str, Any]) -> str:
    w = float(element.get("width") or 0) * float(element.get("scale_x") or 1)
    h = float(element.get("height") or 0) * float(element.get("scale_y") or 1)
    return f"{round(w)}x{round(h)}"


def _box_fields(box: Mapping[str, Any]) -> dict[str, Any]:
    names = {"x": "offset_x", "y": "offset_y", "width": "width", "height": "height"}
    return {names[k]: int(v) for k, v in box.items() if k in names and v is not None}


def _nudge(canvas: Any) -> int:
    """Arrow-key step: 1/384 of the longer side (10 px on 3840), at least 1 px."""
    return max(1, round(max(int(canvas[0]), int(canvas[1])) / 384))


__all__ = ["BackgroundComposer", "ENDPOINT"]
