"""Video and avatar endpoints: talking photo, talking avatar, avatars, the shared video result (catalog §B.2, B.3).

Each handler takes a :class:`~.validate.Ctx` and returns the envelope's ``data`` (or raises ``ApiError``).
"""
from __future__ import annotations

import uuid

from .jobs import IMAGE_EXTS, KINDS, VIDEO_EXTS
from .state import UID, new_id
from .validate import (HEX_COLOUR, ApiError, Ctx, Fields, ParamError, body_object, ext_of, is_http_url, not_found,
                       query_choice, query_int)

VIDEO_KINDS = ("talking_photo", "talking_avatar", "avatar_video")
# Other families whose jobs this endpoint also answers (lip sync, translation, character swap) add
# kind -> fn(ctx, job, record) -> record here; the function shapes that kind's record.
RECORD_HOOKS: dict = {}
TEXT_LIMIT = 50000


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


# ------------------------------------------------------------ video results
def video_record(ctx: Ctx, job: dict) -> dict:
    """The ``infobymodelid`` data for any video job (talking photo, talking avatar, createVideo)."""
    sim, p, extra = ctx.sim, job["params"], job["extra"]
    status = sim.status_of(job)
    done = status == 3
    duration = job["result"].get("duration", 0) if done else 0
    rec = {"_id": job["id"], "create_time": _ms(job["created"]), "uid": UID, "video_id": extra.get("video_id", ""),
           "video_status": status, "video": sim.result_url(job), "deduction_duration": round(duration),
           "video_duration": round(duration, 3), "external_video": "", "storage_loc": 1,
           "thumbnailUrl": sim.result_url(job, "poster"), "webhookUrl": p.get("webhookUrl") or "", "simulated": True}
    if job["kind"] == "talking_photo":
        rec.update(type=5, talking_photo=p["talking_photo_url"], audio_url=p["audio_url"], prompt=p.get("prompt") or "",
                   resolution=p.get("resolution") or "720")
    elif job["kind"] == "talking_avatar":
        rec["task_id"] = extra.get("task_id", "")
    if status == 4:
        rec.update(error_code=KINDS[job["kind"]].error_code, error_reason=job["error"])
    if done and "sim_render" in job["result"]:  # a fast-mode preview says so (not Akool's 3840x2160)
        rec["sim_render"] = job["result"]["sim_render"]
    hook = RECORD_HOOKS.get(job["kind"])
    return hook(ctx, job, rec) if hook else rec


def video_info(ctx: Ctx) -> dict:
    job_id = ctx.query.get("video_model_id")
    if not job_id:
        raise ParamError("video_model_id", "is required")
    job = ctx.sim.store.get_job(job_id, VIDEO_KINDS + tuple(RECORD_HOOKS))
    if job is None:
        raise not_found(f"video_model_id {job_id}")
    return video_record(ctx, job)


def _created(ctx: Ctx, job: dict) -> dict:
    return {**video_record(ctx, job), "video_status": 1, "video": ""}


# ------------------------------------------------------------ talking photo
def talking_photo_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    photo = f.str("talking_photo_url", required=True, url=True)
    audio = f.str("audio_url", required=True, url=True)
    resolution = f.get("resolution", False)
    if resolution is not None and resolution not in ("720", "1080"):
        raise ParamError("resolution", 'must be "720" or "1080"')
    prompt = f.str("prompt", allow_empty=True)
    webhook = f.webhook()
    params = {"talking_photo_url": photo, "audio_url": audio, "resolution": resolution, "prompt": prompt,
              "webhookUrl": webhook}
    job = ctx.sim.create_job("talking_photo", ctx.path, params, webhook_url=webhook,
                             extra={"video_id": uuid.uuid4().hex})
    return _created(ctx, job)


# ----------------------------------------------------------- talking avatar
def _check_url(el: Fields, exts: tuple[str, ...], kinds: str, *, colour: bool = False) -> None:
    url = el.obj["url"]
    if colour and HEX_COLOUR.match(url):
        return
    rule = f"must be {kinds} URL ({', '.join(exts)})" + (" or a hex colour like #rrggbb" if colour else "")
    if not is_http_url(url) or ext_of(url) not in exts:
        raise ParamError(el.name("url"), rule)


def _user_avatar(ctx: Ctx, avatar_id: str) -> dict | None:
    return next((j for j in ctx.sim.store.jobs(("avatar_upload",)) if j["params"]["avatar_id"] == avatar_id), None)


def _element(ctx: Ctx, f: Fields, i: int, avatar_from: int) -> str:
    el = f.item("elements", i)
    kind = el.str("type", required=True, choices=("avatar", "image", "audio"))
    if kind in ("image", "avatar"):
        for field in ("scale_x", "scale_y"):
            el.num(field, required=True, when=f"when type is {kind}", positive=True)
        for field in ("offset_x", "offset_y"):
            el.num(field, required=True, when=f"when type is {kind}")
        el.num("width", positive=True)
        el.num("height", positive=True)
    if kind == "image":
        el.str("url", required=True, when="when type is image")
        _check_url(el, IMAGE_EXTS, "an image", colour=True)
    elif kind == "avatar" and avatar_from == 2:
        avatar_id = el.str("avatar_id", required=True, when="when type is avatar and avatar_from is 2")
        if ctx.sim.catalog.avatar(avatar_id) is None:  # the page lists 1003, not 1008
            raise ParamError(el.name("avatar_id"), f"{avatar_id} is not an official avatar (GET "
                                                    "/api/open/v3/avatar/list?from=2)")
    elif kind == "avatar":
        avatar_id = el.str("avatar_id")
        if el.obj.get("url") is None and avatar_id:  # lenient: a user avatar by id
            if _user_avatar(ctx, avatar_id) is None:
                raise ParamError(el.name("avatar_id"), f"{avatar_id} is not one of your avatars (GET "
                                                        "/api/open/v3/avatar/list?from=3)")
        else:
            el.str("url", required=True, when="when avatar_from is 3")
            _check_url(el, IMAGE_EXTS + VIDEO_EXTS, "an image or video")
    else:
        url = el.str("url")
        if url is not None and not is_http_url(url):
            raise ParamError(el.name("url"), "must be an http(s) URL")
        text = el.str("input_text")
        voice_id = el.str("voice_id")
        if url is None and voice_id is not None:
            from .routes_audio import known_voice

            known_voice(ctx, el, code=1003)
        if url is None:
            if text is None and voice_id is None:
                raise ParamError(el.name("url"), "or input_text and voice_id is required when type is audio")
            if text is None or voice_id is None:
                missing = "input_text" if text is None else "voice_id"
                raise ParamError(el.name(missing), "is required: input_text and voice_id must both be present")
            if len(text) > TEXT_LIMIT:
                raise ParamError(el.name("input_text"), f"must be at most {TEXT_LIMIT} characters")
    return kind


def talking_avatar_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    f.num("width", required=True, equals=3840)
    f.num("height", required=True, equals=2160)
    avatar_from = f.num("avatar_from", required=True, choices=(2, 3))
    elements = f.list("elements", required=True, nonempty=True)
    kinds = [_element(ctx, f, i, avatar_from) for i in range(len(elements))]
    if kinds.count("audio") != 1:
        raise ParamError("elements", "must contain exactly one audio element")
    if "avatar" not in kinds:
        raise ParamError("elements", "must contain an avatar element")
    webhook = f.webhook()
    params = {"width": 3840, "height": 2160, "avatar_from": int(avatar_from), "elements": elements,
              "webhookUrl": webhook}
    job = ctx.sim.create_job("talking_avatar", ctx.path, params, webhook_url=webhook,
                             extra={"video_id": str(uuid.uuid4()), "task_id": new_id()})
    rec = _created(ctx, job)
    return {k: rec[k] for k in ("_id", "uid", "video_id", "task_id", "video_status", "video", "create_time")}


def avatar_create_video(ctx: Ctx) -> dict:
    """Legacy ``/v3/avatar/createVideo`` ([SUPPLEMENT] schema, catalog §B.3.6): lenient, rendered like a talking avatar."""
    f = body_object(ctx.body)
    data = f.list("data", required=True, nonempty=True)
    item = f.item("data", 0)
    elements = item.list("elements") or []
    for i in range(len(elements)):
        el = item.item("elements", i)
        el.str("type", required=True, choices=("avatar", "image", "video"))
        if not el.obj.get("url") and not el.obj.get("avatar_id"):
            raise ParamError(el.name("url"), "or avatar_id is required")
        avatar_id = el.obj.get("avatar_id")
        if not el.obj.get("url") and isinstance(avatar_id, str) and ctx.sim.catalog.avatar(avatar_id) is None \
                and _user_avatar(ctx, avatar_id) is None:  # an unknown avatar costs nothing: refused here
            raise ParamError(el.name("avatar_id"), f"{avatar_id} is not an avatar of GET /api/open/v3/avatar/list")
    voice = item.sub("voice")
    if voice is not None:
        voice.str("voice_url", url=True)
    item.num("duration", positive=True)
    item.num("width", positive=True)
    item.num("height", positive=True)
    webhook = f.webhook()
    params = {"data": data, "duration": f.obj.get("duration"), "webhookUrl": webhook}
    job = ctx.sim.create_job("avatar_video", ctx.path, params, webhook_url=webhook,
                             extra={"video_id": str(uuid.uuid4())})
    return _created(ctx, job)


# ------------------------------------------------------------------ avatars
def user_avatar_item(ctx: Ctx, job: dict) -> dict:
    p, status = job["params"], ctx.sim.status_of(job)
    rec = {"_id": job["id"], "disabled": False, "uid": UID, "type": p["type"], "from": 3, "status": status,
           "sort": 0, "create_time": _ms(job["created"]), "name": p["name"], "avatar_id": p["avatar_id"],
           "url": p["url"], "modify_url": p["url"], "gender": "", "thumbnailUrl": ctx.sim.result_url(job, "poster"),
           "crop_arr": [], "url_from": p["url_from"], "simulated": True}
    if status == 4:
        rec.update(error_code=KINDS["avatar_upload"].error_code, error_reason=job["error"])
    return rec


def avatar_list(ctx: Ctx) -> dict:
    source = query_choice(ctx.query, "from", ("2", "3"))
    kind = query_choice(ctx.query, "type", ("1", "2"))
    page, size = query_int(ctx.query, "page", 1), query_int(ctx.query, "size", 100)
    items = []
    if source in (None, "2"):
        items += [ctx.sim.catalog.avatar_item(a) for a in ctx.sim.catalog.avatars()]
    if source in (None, "3"):
        items += [user_avatar_item(ctx, j) for j in ctx.sim.store.jobs(("avatar_upload",))]
    if kind is not None:
        items = [a for a in items if a["type"] == int(kind)]
    # The docs say an array; Akool's talking-avatar demo reads ``data.result`` of a paginated object, the
    # shape of every other list (docs/api-coverage.md). Our client reads both.
    return {"result": items[(page - 1) * size: page * size], "count": len(items), "page": page, "size": size}


def avatar_detail(ctx: Ctx) -> dict:
    avatar_id = ctx.query.get("id")
    if not avatar_id:
        raise ParamError("id", "is required")
    official = next((a for a in ctx.sim.catalog.avatars() if a["_id"] == avatar_id), None)
    if official is not None:  # one object (the demo reads data._id / data.status; the docs say an array)
        return ctx.sim.catalog.avatar_item(official)
    job = ctx.sim.store.get_job(avatar_id, ("avatar_upload",))
    if job is None:
        raise not_found(f"id {avatar_id}")
    return user_avatar_item(ctx, job)


def avatar_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    url = f.str("url", required=True, url=True)
    avatar_id = f.str("avatar_id", required=True, pattern=r"^[a-zA-Z0-9]+$")
    name = f.str("name") or avatar_id  # Akool's demo leaves it out
    kind = f.get("type", True)
    if kind not in (1, 2, "1", "2") or isinstance(kind, bool):  # [s34] String "1", [v3-AV] Number 1|2 (§F.4 #30)
        raise ParamError("type", "must be 1 or 2")
    url_from = f.num("url_from", choices=(1, 2)) or 1
    webhook = f.webhook()
    if _user_avatar(ctx, avatar_id) is not None or ctx.sim.catalog.avatar(avatar_id) is not None:
        raise ApiError(1222, f"Resource already exist: avatar_id {avatar_id}")
    params = {"url": url, "avatar_id": avatar_id, "name": name, "type": int(kind), "url_from": int(url_from),
              "webhookUrl": webhook}
    job = ctx.sim.create_job("avatar_upload", ctx.path, params, webhook_url=webhook)
    return {**user_avatar_item(ctx, job), "status": 1}


ROUTES = [
    ("POST", "/api/open/v3/content/video/createbytalkingphoto", talking_photo_create, True),
    ("GET", "/api/open/v3/content/video/infobymodelid", video_info, True),
    ("GET", "/api/open/v3/avatar/list", avatar_list, True),
    ("GET", "/api/open/v3/avatar/detail", avatar_detail, True),
    ("POST", "/api/open/v3/avatar/create", avatar_create, True),
    ("POST", "/api/open/v3/talkingavatar/create", talking_avatar_create, True),
    ("POST", "/api/open/v3/avatar/createVideo", avatar_create_video, True),
]
