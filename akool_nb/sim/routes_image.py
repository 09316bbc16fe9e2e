"""Image endpoints: background change, image generate (prompt and U/V buttons), the shared image result, and
the AI model list (catalog §B.8, B.9, B.20).

Each handler takes a :class:`~.validate.Ctx` and returns the envelope's ``data`` (or raises ``ApiError``).
"""
from __future__ import annotations

import re
import secrets
import uuid
from pathlib import Path

from .jobs import IMAGE_EXTS, KINDS, InputError, Kind, fetch, open_image, register_kind, render_note
from .state import UID
from .validate import HEX_COLOUR, ApiError, Ctx, Fields, ParamError, body_object, ext_of, not_found

SCALES = ("1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3")
BUTTONS = ("U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4")
IMAGE_KINDS = ("bg_change", "image_prompt", "image_button")
_SIZE = re.compile(r"^(\d+)x(\d+)$")


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _failure(job: dict, status: int) -> dict:
    return {"error_code": KINDS[job["kind"]].error_code, "error_reason": job["error"]} if status == 4 else {}


def _image_url(f: Fields, field: str, *, required: bool = False) -> str | None:
    url = f.str(field, required=required, url=True)
    if url is not None and ext_of(url) not in ("",) + IMAGE_EXTS:
        raise ParamError(field, f"must be an image URL ({', '.join(IMAGE_EXTS)})")
    return url


def _size(f: Fields, field: str, *, required: bool = False) -> str | None:
    value = f.str(field, required=required)
    if value is None:
        return None
    m = _SIZE.match(value.strip())
    if m is None or int(m.group(1)) <= 0 or int(m.group(2)) <= 0:
        raise ParamError(field, 'must be "WIDTHxHEIGHT" in pixels, e.g. "3840x3840"')
    return value.strip()


def _common(job: dict, status: int) -> dict:
    return {"_id": job["id"], "create_time": _ms(job["created"]), "uid": UID, "image_status": status,
            "faceswap_quality": 2, "deduction_credit": job["extra"].get("credit", 2), "used_buttons": [],
            "upscaled_urls": [], "buttons": [], "__v": 0, "simulated": True, **_failure(job, status)}


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
    from .media import sim_label
    from .media_image import BG_MAX_SIDE, BG_MAX_SIDE_FAST, render_background_change

    p = job["params"]

    def load(key: str):
        return open_image(fetch(sim, p[key], work, key), key)

    picture = render_background_change(p, load, BG_MAX_SIDE_FAST if sim.fast else BG_MAX_SIDE)
    out = sim.files_dir / "results" / job["id"] / f"{job['id']}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    sim_label(picture).save(out)
    return {"file": sim.rel_of(out), "width": picture.width, "height": picture.height}


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


def _button_jobs(ctx: Ctx, origin_id: str) -> list[dict]:
    return [j for j in ctx.sim.store.jobs(("image_button",), newest_first=False) if j["params"]["_id"] == origin_id]


def image_record(ctx: Ctx, job: dict) -> dict:
    """The ``infobymodelid`` data of any image job (background change, createbyprompt, createbybutton)."""
    sim, p, status = ctx.sim, job["params"], ctx.sim.status_of(job)
    rec = _common(job, status)
    url = sim.result_url(job)
    if url:
        rec["image"] = url
    if job["kind"] == "bg_change":
        rec.update(type=3, image_id=job["extra"]["image_id"], image_sub_status=status if status in (1, 3) else 1,
                   error_reasons=[job["error"]] if status == 4 else [], external_img=url)
    elif job["kind"] == "image_prompt":
        pressed = _button_jobs(ctx, job["id"])
        rec.update(type=4, prompt=p["prompt"], origin_prompt=p["prompt"], source_image=p["source_image"],
                   scale=p["scale"], buttons=list(BUTTONS) if status == 3 else [],
                   used_buttons=list(dict.fromkeys(j["params"]["button"] for j in pressed)),
                   upscaled_urls=_upscaled_urls(sim, job, pressed, status), **{"from": 1})
    else:
        rec.update(type=4, image_content_model_id=p["_id"], op_button=p["button"],
                   op_buttonMessageId=job["extra"].get("message_id", ""), **{"from": 1})
    if status == 3 and "sim_render" in job["result"]:  # a fast-mode preview says so (not Akool's size)
        rec["sim_render"] = job["result"]["sim_render"]
    return rec


def _upscaled_urls(sim, job: dict, pressed: list[dict], status: int) -> list[str]:
    """A finished generation carries the 4 candidates as separate files (Akool's own demo polls until this
    list is non-empty: docs/api-coverage.md); a U button pressed later replaces its candidate."""
    if status != 3:
        return []
    urls = [sim.url_for(rel) for rel in job["result"].get("tiles") or []]
    for j in pressed:
        button = j["params"]["button"]
        if button.startswith("U") and (u := sim.result_url(j)) and int(button[1]) <= len(urls):
            urls[int(button[1]) - 1] = u
    return urls


def _source(sim, url: str, work: Path):
    return open_image(fetch(sim, url, work, "source_image"), "source_image").convert("RGB") if url else None


def render_prompt(sim, job: dict, work: Path) -> dict:
    from .media import sim_label
    from .media_image import TILE, TILE_FAST, generate_grid

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
    from . import media_image as mi
    from .media import LABEL, LABEL_FAST, sim_label

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


# ---------------------------------------------------------------------------------- AI model list
def _resolutions(*values: str) -> list[dict]:
    table = {"480p": (854, 480, 3), "720p": (1280, 720, 5), "768p": (1366, 768, 6), "1080p": (1920, 1080, 10),
             "4k": (3840, 2160, 20)}
    return [{"label": v, "value": v, "width": table[v][0], "height": table[v][1], "unit_credit": table[v][2]}
            for v in values]


def _model(sort: int, provider: str, kind: int, label: str, value: str, description: str, resolutions: list,
           durations: list, *, pro: bool = False, audio: bool | None = None, last_frame: bool = False,
           extend: bool = False, images: int = 1, count: int = 10) -> dict:
    return {"sort": sort, "group": provider, "provider": provider, "type": kind, "label": f"{label} (sim)",
            "value": value, "description": description, "resolutionList": resolutions, "isPro": pro,
            "generate_audio": audio, "durationList": durations, "requiresPay": pro, "supportedLastFrame": last_frame,
            "supportedExtendPrompt": extend, "maxImageCount": images, "maxCount": count, "simulated": True}


AI_MODELS = [
    _model(100, "akool", 1501, "Akool Image2Video Fast V1", "AkoolImage2VideoFastV1",
           "Fast image to video generation with Akool's AI", _resolutions("720p", "1080p", "4k"), [5, 10]),
    _model(95, "seedance", 1501, "Seedance Lite Image2Video", "seedance-1-0-lite-i2v-250428",
           "Seedance Lite model for image to video generation", _resolutions("480p", "720p", "1080p"), [5, 10],
           last_frame=True),
    _model(90, "minimax", 1501, "MiniMax Hailuo 02", "MiniMax-Hailuo-02", "Cinematic image to video, with sound",
           _resolutions("768p", "1080p"), [6, 10], pro=True, audio=True, extend=True),
    _model(80, "vidu", 1501, "Vidu Q1", "viduq1", "Vidu image to video with start and end frames",
           _resolutions("1080p"), [5], pro=True, last_frame=True, images=2),
    _model(100, "akool", 1502, "Akool Text2Video V1", "AkoolText2VideoV1", "Text to video with Akool's AI",
           _resolutions("720p", "1080p"), [5, 10], images=0),
    _model(95, "seedance", 1502, "Seedance Lite Text2Video", "seedance-1-0-lite-t2v-250428",
           "Seedance Lite model for text to video generation", _resolutions("480p", "720p", "1080p"), [5, 10],
           images=0),
    _model(100, "wavespeed", 2101, "Wan 2.2 Animate", "wavespeed-ai/wan-2.2/animate",
           "Character swap: animate or replace a character in a video", _resolutions("480p", "720p", "1080p"), [],
           count=1),
]


def ai_model_list(ctx: Ctx) -> list:
    lists = getattr(ctx, "query_lists", None) or {k: [v] for k, v in ctx.query.items()}
    raw = [v for key in ("types[]", "types") for value in lists.get(key, []) for v in value.split(",") if v.strip()]
    if not raw:
        raise ParamError("types", "is required: at least one model type, e.g. types[]=1501")
    if any(not v.strip().isdigit() for v in raw):
        raise ParamError("types", "must be an array of model type numbers (1501, 1502, 2101)")
    wanted = {int(v) for v in raw}  # unimplemented types simply match nothing (docs: an empty array)
    return sorted((m for m in AI_MODELS if m["type"] in wanted), key=lambda m: (-m["sort"], m["type"]))


register_kind("bg_change", Kind("image_status", "background change", render_bg_change, 1206))
register_kind("image_prompt", Kind("image_status", "image", render_prompt, 1108))
register_kind("image_button", Kind("image_status", "image", render_button, 1108))

ROUTES = [
    ("POST", "/api/open/v3/content/image/bg/replace", bg_replace, True),
    ("GET", "/api/open/v3/content/image/infobymodelid", image_info, True),
    ("POST", "/api/open/v3/content/image/createbyprompt", create_by_prompt, True),
    ("POST", "/api/open/v3/content/image/createbybutton", create_by_button, True),
    ("GET", "/api/open/v4/aigModel/list", ai_model_list, True),
]
