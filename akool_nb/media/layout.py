"""The one layout renderer: composer previews and the offline Akool both use it.

Akool describes composited results (talking-avatar ``elements``, background
change templates) as rectangles on a canvas: an upper-left corner plus a size
in canvas pixels.  Everything here works in *canvas* coordinates and renders
at ``scale`` so a 3840x2160 layout previews at 960x540 in a few milliseconds.

Pure Pillow, no numpy: this module is imported by notebook code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Union

from PIL import Image, ImageColor

Colour = Union[str, tuple]
Source = Union[Image.Image, Colour]

#: Akool's talking-avatar canvas ("width must be 3840, height must be 2160").
from ..spec.common import HEX_COLOUR  # noqa: E402
from ..spec.video import TALKING_AVATAR_CANVAS  # noqa: E402,F401  (Akool's talking-avatar canvas, re-exported)

_VISUAL_TYPES = {"image", "avatar", "video"}


@dataclass
class Layer:
    """One rectangle on the canvas.

    ``source`` is a PIL image or a colour ("#1a2b3c", "#1a2b3c80", "red",
    ``(r, g, b[, a])``).  ``x``/``y`` is the upper-left corner and
    ``width``/``height`` the drawn size, all in canvas pixels.  A missing size
    means the image's natural size; for a colour it means "to the canvas edge".
    """

    source: Source
    x: float = 0.0
    y: float = 0.0
    width: float | None = None
    height: float | None = None


def parse_colour(value: Colour) -> tuple[int, int, int, int]:
    """RGBA tuple for a colour string/tuple.  Accepts bare hex ("1a2b3c")
    because Akool users paste colours with and without the '#'."""
    if isinstance(value, tuple):
        if len(value) == 3:
            return (int(value[0]), int(value[1]), int(value[2]), 255)
        if len(value) == 4:
            return tuple(int(c) for c in value)  # type: ignore[return-value]
        raise ValueError(f"not a colour tuple: {value!r}")
    text = str(value).strip()
    if HEX_COLOUR.match("#" + text):  # the documented grammar, "#" left out
        text = "#" + text
    rgba = ImageColor.getcolor(text, "RGBA")
    return rgba  # type: ignore[return-value]


def is_colour(value: object) -> bool:
    """True if ``value`` (e.g. an element ``url``) is a colour, not a link."""
    if isinstance(value, tuple):
        return len(value) in (3, 4)
    if not isinstance(value, str) or "/" in value or "." in value:
        return False
    try:
        parse_colour(value)
    except ValueError:
        return False
    return True


def _box(layer: Layer, canvas: tuple[int, int], scale: float) -> tuple[int, int, int, int] | None:
    """Destination rectangle (x0, y0, w, h) in output pixels, before clipping."""
    x0, y0 = round(layer.x * scale), round(layer.y * scale)
    width, height = layer.width, layer.height
    if isinstance(layer.source, Image.Image):
        width = layer.source.width if width is None else width
        height = layer.source.height if height is None else height
    else:  # colour without a size: run to the canvas edge
        width = canvas[0] - layer.x if width is None else width
        height = canvas[1] - layer.y if height is None else height
    w, h = round(width * scale), round(height * scale)
    if w <= 0 or h <= 0:
        return None
    return x0, y0, w, h


def render_layers(
    canvas_size: tuple[int, int],
    layers: Iterable[Layer],
    *,
    scale: float = 1.0,
    background: Colour = "#000000",
) -> Image.Image:
    """Composite ``layers`` (first = bottom) onto a canvas; returns a new image.

    Output size is ``round(canvas * scale)``; it is RGB unless the background
    is translucent (then RGBA).  Layers are clipped to the canvas and their
    alpha channel is respected.
    """
    if scale <= 0:
        raise ValueError("scale must be > 0")
    out_w, out_h = max(1, round(canvas_size[0] * scale)), max(1, round(canvas_size[1] * scale))
    bg = parse_colour(background)
    mode = "RGB" if bg[3] == 255 else "RGBA"
    canvas = Image.new(mode, (out_w, out_h), bg if mode == "RGBA" else bg[:3])

    for layer in layers:
        box = _box(layer, canvas_size, scale)
        if box is None:
            continue
        x0, y0, w, h = box
        # Clip to the canvas first so huge/off-canvas layers cost nothing.
        cx0, cy0 = max(x0, 0), max(y0, 0)
        cx1, cy1 = min(x0 + w, out_w), min(y0 + h, out_h)
        if cx0 >= cx1 or cy0 >= cy1:
            continue
        src = layer.source
        if not isinstance(src, Image.Image):
            rgba = parse_colour(src)
            if rgba[3] == 255:
                canvas.paste(rgba if mode == "RGBA" else rgba[:3], (cx0, cy0, cx1, cy1))
            elif rgba[3] > 0:
                patch = Image.new("RGBA", (cx1 - cx0, cy1 - cy0), rgba)
                _blend(canvas, patch, (cx0, cy0))
            continue
        # Resize only the visible part: map the clipped box back into source
        # coordinates and let resize() crop with its float ``box`` argument.
        sx, sy = src.width / w, src.height / h
        src_box = ((cx0 - x0) * sx, (cy0 - y0) * sy, (cx1 - x0) * sx, (cy1 - y0) * sy)
        if src.mode not in ("RGB", "RGBA"):
            src = src.convert("RGBA" if _has_alpha(src) else "RGB")
        patch = src.resize((cx1 - cx0, cy1 - cy0), Image.Resampling.BILINEAR, box=src_box, reducing_gap=2.0)
        _blend(canvas, patch, (cx0, cy0))
    return canvas


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info


def _blend(canvas: Image.Image, patch: Image.Image, pos: tuple[int, int]) -> None:
    if patch.mode != "RGBA":
        canvas.paste(patch, pos)
    elif canvas.mode == "RGBA":
        canvas.alpha_composite(patch, pos)
    else:  # paste with the alpha as mask == "over" onto an opaque canvas
        canvas.paste(patch.convert("RGB"), pos, patch.getchannel("A"))


def _num(element: Mapping, key: str, default: float | None) -> float | None:
    value = element.get(key)
    if value is None or value == "":
        return default
    return float(value)


def talking_avatar_layers(
    elements: Iterable[Mapping],
    load: Callable[[Mapping], Image.Image | str | None],
) -> list[Layer]:
    """Akool talking-avatar ``elements`` -> layers, in request order.

    Audio elements are skipped.  Image elements whose ``url`` is a colour code
    become solid rectangles without calling ``load``; for every other visual
    element ``load(element)`` supplies the picture (a frame for avatar/video
    elements) or a colour, or ``None`` to leave the element out.
    Rendered size is ``width*scale_x`` x ``height*scale_y``; a missing
    width/height falls back to the loaded image's natural size.
    """
    layers: list[Layer] = []
    for el in elements:
        kind = str(el.get("type", "")).lower()
        if kind not in _VISUAL_TYPES:
            continue
        url = el.get("url")
        source = url if (kind == "image" and is_colour(url)) else load(el)
        if source is None:
            continue
        sx, sy = _num(el, "scale_x", 1.0), _num(el, "scale_y", 1.0)
        width, height = _num(el, "width", None), _num(el, "height", None)
        if isinstance(source, Image.Image):
            width = source.width if width is None else width
            height = source.height if height is None else height
        layers.append(
            Layer(
                source,
                x=_num(el, "offset_x", 0.0) or 0.0,
                y=_num(el, "offset_y", 0.0) or 0.0,
                width=None if width is None else width * sx,
                height=None if height is None else height * sy,
            )
        )
    return layers


def render_talking_avatar(
    elements: Iterable[Mapping],
    load: Callable[[Mapping], Image.Image | str | None],
    *,
    scale: float = 0.25,
    background: Colour = "#000000",
) -> Image.Image:
    """Render a talking-avatar layout on Akool's 3840x2160 canvas."""
    layers = talking_avatar_layers(elements, load)
    return render_layers(TALKING_AVATAR_CANVAS, layers, scale=scale, background=background)


def _wh(value: object) -> tuple[int, int]:
    w, _, h = str(value).lower().replace("×", "x").partition("x")
    return int(w), int(h)


def background_change_layers(
    params: Mapping,
    load: Callable[[str], Image.Image],
) -> tuple[tuple[int, int], list[Layer], Colour]:
    """Akool background-change parameters (``bg/replace``) -> ``(canvas_size, layers, background)``.

    The canvas is ``canvas_size`` ("WxH"), filled with ``color_code`` or transparent without one. The
    template (``template_url``) is drawn at ``overlay_template_x/y`` with ``modify_template_size`` (its
    natural size if absent), then the foreground (``origin_img``) at ``overlay_origin_x/y`` with
    ``modify_origin_img_size``. ``load(key)`` returns the picture for ``"template_url"`` / ``"origin_img"``
    (already cut out when ``removeBg`` is wanted). Offsets may be negative; layers are clipped to the canvas.
    """
    canvas = _wh(params["canvas_size"])
    layers: list[Layer] = []
    if params.get("template_url"):
        size = _wh(params["modify_template_size"]) if params.get("modify_template_size") else (None, None)
        layers.append(Layer(load("template_url"), x=float(params.get("overlay_template_x") or 0),
                            y=float(params.get("overlay_template_y") or 0), width=size[0], height=size[1]))
    width, height = _wh(params["modify_origin_img_size"])
    layers.append(Layer(load("origin_img"), x=float(params.get("overlay_origin_x") or 0),
                        y=float(params.get("overlay_origin_y") or 0), width=width, height=height))
    return canvas, layers, params.get("color_code") or "#00000000"
