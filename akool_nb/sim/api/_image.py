"""What background change and image generate share: the image record and its fields."""
from __future__ import annotations

from ..jobs import IMAGE_EXTS, KINDS
from ..state import UID
from ..validate import Ctx, Fields, ParamError, ext_of


BUTTONS = ("U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4")


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _failure(job: dict, status: int) -> dict:
    return {"error_code": KINDS[job["kind"]].error_code, "error_reason": job["error"]} if status == 4 else {}


def _image_url(f: Fields, field: str, *, required: bool = False) -> str | None:
    url = f.str(field, required=required, url=True)
    if url is not None and ext_of(url) not in ("",) + IMAGE_EXTS:
        raise ParamError(field, f"must be an image URL ({', '.join(IMAGE_EXTS)})")
    return url


def _common(job: dict, status: int) -> dict:
    return {"_id": job["id"], "create_time": _ms(job["created"]), "uid": UID, "image_status": status,
            "faceswap_quality": 2, "deduction_credit": job["extra"].get("credit", 2), "used_buttons": [],
            "upscaled_urls": [], "buttons": [], "__v": 0, "simulated": True, **_failure(job, status)}


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
