"""Image generate (catalog §B.9): prompt and U/V buttons, and the shared image result.

Each handler takes a :class:`~akool_nb.sim.validate.Ctx` and returns the envelope's ``data`` (or raises
``ApiError``).
"""
from __future__ import annotations

import secrets
from pathlib import Path

from ..jobs import InputError, Kind, fetch, open_image, register_kind, render_note
from ..validate import ApiError, Ctx, ParamError, body_object, not_found
from ._image import BUTTONS, _image_url, image_record


SCALES = ("1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3")


IMAGE_KINDS = ("bg_change", "image_prompt", "image_button")


# ---------------------------------------------------------------------------------- image generate
def create_by_prompt(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    prompt = f.str("prompt", required=True)
    scale = f.str("scale", choices=SCALES) or "1:1"
    source = _image_url(f, "source_image")
    webhook = f.webhook()
    params = {"prompt": prompt, "scale": scale, "source_image": source or "", "webhookUrl": webhook}
    job = ctx.sim.create_job("image_prompt", ctx.path, params, webhook_url=webhook, extra={"credit": 2})
    rec = image_record(ctx, job)
    return {k: rec[k] for k in ("faceswap_quality", "deduction_credit", "buttons", "used_buttons", "upscaled_urls",
                                "_id", "uid", "create_time", "origin_prompt", "source_image", "prompt", "type",
                                "from", "image_status", "simulated")}


def create_by_button(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    origin_id = f.str("_id", required=True)
    button = f.str("button", required=True, choices=BUTTONS)
    webhook = f.webhook()
    origin = ctx.sim.store.get_job(origin_id, IMAGE_KINDS)
    if origin is None:
        raise not_found(f"_id {origin_id}")
    if origin["kind"] != "image_prompt":
        raise ApiError(1010, "You can not operate this content: buttons apply to images made by createbyprompt")
    if ctx.sim.status_of(origin) != 3:
        raise ApiError(1010, f"You can not operate this content: image {origin_id} is not completed yet")
    params = {"_id": origin_id, "button": button, "webhookUrl": webhook}
    job = ctx.sim.create_job("image_button", ctx.path, params, webhook_url=webhook,
                             extra={"credit": 2, "message_id": secrets.token_urlsafe(15)[:20]})
    rec = image_record(ctx, job)
    return {k: rec[k] for k in ("faceswap_quality", "deduction_credit", "buttons", "used_buttons", "upscaled_urls",
                                "_id", "image_content_model_id", "create_time", "op_button", "op_buttonMessageId",
                                "image_status", "from", "simulated")}


def _source(sim, url: str, work: Path):
    return open_image(fetch(sim, url, work, "source_image"), "source_image").convert("RGB") if url else None


def render_prompt(sim, job: dict, work: Path) -> dict:
    from ..media import sim_label
    from ..media_image import TILE, TILE_FAST, generate_grid

    p = job["params"]
    grid = generate_grid(p["prompt"], p["scale"], TILE_FAST if sim.fast else TILE, _source(sim, p["source_image"], work))
    out = sim.files_dir / "results" / job["id"] / f"{job['id']}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    sim_label(grid).save(out)
    tiles = []
    half_w, half_h = grid.width // 2, grid.height // 2
    for i in range(4):  # the 2x2 grid's candidates, left to right, top to bottom (U1..U4)
        x, y = (i % 2) * half_w, (i // 2) * half_h
        tile = out.with_name(f"{job['id']}_{i + 1}.png")
        sim_label(grid.crop((x, y, x + half_w, y + half_h))).save(tile)
        tiles.append(sim.rel_of(tile))
    return {"file": sim.rel_of(out), "width": grid.width, "height": grid.height, "tiles": tiles}


def render_button(sim, job: dict, work: Path) -> dict:
    from .. import media_image as mi
    from ..media import LABEL, LABEL_FAST, sim_label

    p = job["params"]
    origin = sim.store.get_job(p["_id"])
    if origin is None:
        raise InputError(f"image {p['_id']} no longer exists")
    o = origin["params"]
    index = int(p["button"][1]) - 1
    upscale = p["button"].startswith("U")
    preview = upscale and sim.render == "fast"  # a 4K upscale drawn small: it says so (render_note)
    long_side = (mi.UPSCALE_FAST if preview else mi.UPSCALE) if upscale else (
        mi.VARIATION_FAST if sim.fast else mi.VARIATION)
    size = mi.tile_size(o["scale"], long_side)
    picture = mi.generate_image(o["prompt"], size, mi.tile_seed(o["prompt"], index),
                                jitter=0 if upscale else index + 1, source=_source(sim, o["source_image"], work))
    out = sim.files_dir / "results" / job["id"] / f"{job['id']}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    sim_label(picture, LABEL_FAST if preview else LABEL).save(out, compress_level=1 if upscale else 6)
    note = render_note(sim, picture.size, mi.tile_size(o["scale"], mi.UPSCALE)) if upscale else {}
    return {"file": sim.rel_of(out), "width": picture.width, "height": picture.height, **note}


def image_info(ctx: Ctx) -> dict:
    job_id = ctx.query.get("image_model_id")
    if not job_id:
        raise ParamError("image_model_id", "is required")
    job = ctx.sim.store.get_job(job_id, IMAGE_KINDS)
    if job is None:
        raise not_found(f"image_model_id {job_id}")
    return image_record(ctx, job)


register_kind("image_prompt", Kind("image_status", "image", render_prompt, 1108))
register_kind("image_button", Kind("image_status", "image", render_button, 1108))


ROUTES = [
    ("GET", "/api/open/v3/content/image/infobymodelid", image_info, True),
    ("POST", "/api/open/v3/content/image/createbyprompt", create_by_prompt, True),
    ("POST", "/api/open/v3/content/image/createbybutton", create_by_button, True),
]
