"""Background change (``POST /api/open/v3/content/image/bg/replace``): put a foreground image on a new canvas,
over a colour, a template image, both, or neither; ``preview()`` renders the same layout locally."""
from __future__ import annotations

import io
from typing import Any

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError
from ..jobs import Product, register
from ..media.inputs import Upload
from ..models.images import BackgroundChangeRequest, wh_size
from ._base import Resource, Steps, number, operation

HINT = "Check client.jobs.recent() and your webhook receiver."
_PLACEHOLDER = "https://placeholder.invalid/image.png"
PREVIEW_MAX_SIDE = 8192  # preview(max_side=): a local rendering, kept to a size a notebook can show

register(Product(
    "background_change", "Background change", "image",
    lambda i: APIRequest("GET", "/api/open/v3/content/image/infobymodelid", params={"image_model_id": i}),
    "image_status", ("image", "external_img"), model="images:ImageInfo", find_hint=HINT,
    creates=("/api/open/v3/content/image/bg/replace",),
))


class Background(Resource):
    @operation
    def change(self, origin_img: Any, *, canvas_size: Any = None, modify_origin_img_size: Any = None,
               overlay_origin_x: int = 0, overlay_origin_y: int = 0, template_url: Any = None,
               modify_template_size: Any = None, overlay_template_x: int | None = None,
               overlay_template_y: int | None = None, color_code: Any = None, remove_bg: bool | None = None,
               webhook_url: str | None = None) -> Steps[Any]:
        """Place ``origin_img`` (the foreground: URL, path, bytes, PIL image or an image result) on a canvas.

        Geometry is in canvas pixels, sizes as "WxH" or (w, h): the foreground is scaled to
        ``modify_origin_img_size`` with its upper-left corner at (``overlay_origin_x``, ``overlay_origin_y``);
        offsets may be negative. Optional backdrop: ``color_code`` ("#rrggbb") fills the canvas, and/or
        ``template_url`` (an image) drawn at (``overlay_template_x``, ``overlay_template_y``) with
        ``modify_template_size``. ``remove_bg=True`` cuts the foreground out of its own background first.
        For local images ``modify_origin_img_size`` defaults to the image's size and ``canvas_size`` to
        the foreground's. Returns a job whose result is the picture; ``preview()`` shows it first, for free.
        """
        body, refs = _check(self, origin_img, canvas_size, modify_origin_img_size, overlay_origin_x,
                            overlay_origin_y, template_url, modify_template_size, overlay_template_x,
                            overlay_template_y, color_code, remove_bg, webhook_url)
        for key, ref in refs.items():
            body[key] = yield from self._url(ref)
        body = BackgroundChangeRequest.build(**body).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/content/image/bg/replace", json=body, paid=True,
                                find_hint=HINT)
        return self._job("background_change", data, body)

    def preview(self, origin_img: Any, *, canvas_size: Any = None, modify_origin_img_size: Any = None,
                overlay_origin_x: int = 0, overlay_origin_y: int = 0, template_url: Any = None,
                modify_template_size: Any = None, overlay_template_x: int | None = None,
                overlay_template_y: int | None = None, color_code: Any = None, remove_bg: bool | None = None,
                max_side: int = 1024) -> Any:
        """The layout ``change()`` would send, rendered here (a PIL image, longest side at most ``max_side``).
        Nothing is sent or paid for. It uses the same layout renderer as the offline Akool, so the offline
        result matches it pixel for pixel; ``remove_bg`` is the offline (simulated) cut-out."""
        from ..media.background import render_background_change

        number(max_side, "max_side", 16, PREVIEW_MAX_SIDE, whole=True, example=1024)
        body, refs = _check(self, origin_img, canvas_size, modify_origin_img_size, overlay_origin_x,
                            overlay_origin_y, template_url, modify_template_size, overlay_template_x,
                            overlay_template_y, color_code, remove_bg, None)
        sources = {"origin_img": origin_img, "template_url": template_url}

        def load(key: str) -> Any:
            return _load_image(sources[key], refs[key], key)

        params = {**body, **{key: _PLACEHOLDER for key in refs}}  # the renderer reads media through load()
        return render_background_change(params, load, max_side)


def _check(resource: Resource, origin_img: Any, canvas_size: Any, modify_origin_img_size: Any, x: Any, y: Any,
           template_url: Any, modify_template_size: Any, tx: Any, ty: Any, color_code: Any, remove_bg: Any,
           webhook_url: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate every field (before any upload); returns the body with placeholder URLs and the media refs."""
    if template_url is None:
        for field, value in (("modify_template_size", modify_template_size), ("overlay_template_x", tx),
                             ("overlay_template_y", ty)):
            if value is not None:
                raise InvalidParameterError(field, "only applies with a template; pass template_url= or drop it",
                                            endpoint=BackgroundChangeRequest.endpoint)
    refs = {"origin_img": resource._prepare(origin_img, "origin_img", "image")}
    if modify_origin_img_size is not None:  # checked here: it also stands in for canvas_size
        try:
            wh_size(modify_origin_img_size)
        except ValueError as exc:
            raise InvalidParameterError("modify_origin_img_size", str(exc), value=modify_origin_img_size,
                                        endpoint=BackgroundChangeRequest.endpoint) from None
    if template_url is not None:
        refs["template_url"] = resource._prepare(template_url, "template_url", "image")
    if modify_origin_img_size is None:
        modify_origin_img_size = _natural_size(origin_img, refs["origin_img"])
        if modify_origin_img_size is None:
            raise InvalidParameterError("modify_origin_img_size", "is required when origin_img is a URL (its size "
                                        "is unknown here); pass \"WIDTHxHEIGHT\", the foreground's size on the canvas",
                                        endpoint=BackgroundChangeRequest.endpoint)
    if canvas_size is None:
        canvas_size = modify_origin_img_size
    body = dict(canvas_size=canvas_size, origin_img=_PLACEHOLDER, modify_origin_img_size=modify_origin_img_size,
                overlay_origin_x=x, overlay_origin_y=y,
                template_url=_PLACEHOLDER if template_url is not None else None,
                modify_template_size=modify_template_size, overlay_template_x=tx, overlay_template_y=ty,
                color_code=color_code, removeBg=remove_bg, webhookUrl=webhook_url)
    checked = BackgroundChangeRequest.build(**body).to_wire()
    return {k: v for k, v in checked.items() if k not in refs}, refs


def _natural_size(value: Any, ref: Any) -> tuple[int, int] | None:
    """Size of a local image as the renderer sees it (EXIF-rotated); None for URLs."""
    img = None
    if type(value).__module__.startswith("PIL."):
        img = value
    elif isinstance(ref, Upload):
        from PIL import Image

        try:
            img = Image.open(io.BytesIO(ref.data))
        except Exception:
            raise InvalidParameterError("origin_img", "is not an image Pillow can read") from None
    if img is None:
        return None
    w, h = img.size
    orientation = img.getexif().get(0x0112) if hasattr(img, "getexif") else None
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def _load_image(value: Any, ref: Any, key: str) -> Any:
    from PIL import Image

    if type(value).__module__.startswith("PIL."):
        return value
    if isinstance(ref, Upload):
        data = ref.data
    else:
        import httpx

        response = httpx.get(ref, follow_redirects=True, timeout=60)
        if response.status_code != 200:
            raise InvalidParameterError(key, f"could not fetch {ref} for the preview (HTTP {response.status_code})")
        data = response.content
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception:
        raise InvalidParameterError(key, "is not an image Pillow can read") from None
    return img
