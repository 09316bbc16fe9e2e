"""Background change (catalog §B.8): ``image/bg/replace``, rendered by ``akool_nb.media.background``.

Each handler takes a :class:`~akool_nb.sim.validate.Ctx` and returns the envelope's ``data`` (or raises
``ApiError``).
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path

from ..jobs import Kind, fetch, open_image, register_kind
from ..validate import Ctx, Fields, HEX_COLOUR, ParamError, body_object
from ._image import _image_url, image_record


_SIZE = re.compile(r"^(\d+)x(\d+)$")


def _size(f: Fields, field: str, *, required: bool = False) -> str | None:
    value = f.str(field, required=required)
    if value is None:
        return None
    m = _SIZE.match(value.strip())
    if m is None or int(m.group(1)) <= 0 or int(m.group(2)) <= 0:
        raise ParamError(field, 'must be "WIDTHxHEIGHT" in pixels, e.g. "3840x3840"')
    return value.strip()


# ------------------------------------------------------------------------------- background change
def bg_replace(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    canvas = _size(f, "canvas_size", required=True)
    origin = _image_url(f, "origin_img", required=True)
    origin_size = _size(f, "modify_origin_img_size", required=True)
    x = f.num("overlay_origin_x", required=True, integer=True)
    y = f.num("overlay_origin_y", required=True, integer=True)
    template = _image_url(f, "template_url")
    template_size = _size(f, "modify_template_size")
    tx = f.num("overlay_template_x", integer=True)
    ty = f.num("overlay_template_y", integer=True)
    if template is None:
        for field, value in (("modify_template_size", template_size), ("overlay_template_x", tx),
                             ("overlay_template_y", ty)):
            if value is not None:
                raise ParamError(field, "is only allowed together with template_url")
    colour = f.str("color_code")
    if colour is not None and not HEX_COLOUR.match(colour):
        raise ParamError("color_code", 'must be a hexadecimal colour such as "#aafbe3"')
    remove = f.bool("removeBg")
    # webhookUrl is "required" in the table, yet none of the four examples sends it (catalog §F.5 #39).
    webhook = f.webhook()
    params = {"canvas_size": canvas, "origin_img": origin, "modify_origin_img_size": origin_size,
              "overlay_origin_x": x, "overlay_origin_y": y, "template_url": template,
              "modify_template_size": template_size, "overlay_template_x": tx, "overlay_template_y": ty,
              "color_code": colour, "removeBg": bool(remove), "webhookUrl": webhook}
    params = {k: v for k, v in params.items() if v is not None}
    job = ctx.sim.create_job("bg_change", ctx.path, params, webhook_url=webhook,
                             extra={"image_id": str(uuid.uuid4()), "credit": 4})
    rec = image_record(ctx, job)
    return {k: rec[k] for k in ("create_time", "uid", "type", "faceswap_quality", "image_id", "image_sub_status",
                                "image_status", "deduction_credit", "buttons", "used_buttons", "upscaled_urls",
                                "error_reasons", "_id", "__v", "simulated")}


def render_bg_change(sim, job: dict, work: Path) -> dict:
    from akool_nb.media.background import render_background_change

    from ..media import sim_label
    from ..media_image import BG_MAX_SIDE, BG_MAX_SIDE_FAST

    p = job["params"]

    def load(key: str):
        return open_image(fetch(sim, p[key], work, key), key)

    picture = render_background_change(p, load, BG_MAX_SIDE_FAST if sim.fast else BG_MAX_SIDE)
    out = sim.files_dir / "results" / job["id"] / f"{job['id']}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    sim_label(picture).save(out)
    return {"file": sim.rel_of(out), "width": picture.width, "height": picture.height}


register_kind("bg_change", Kind("image_status", "background change", render_bg_change, 1206))


ROUTES = [
    ("POST", "/api/open/v3/content/image/bg/replace", bg_replace, True),
]
