"""Talking avatar (catalog §B.3): ``talkingavatar/create`` and ``avatar/createVideo``.

Each handler takes a :class:`~akool_nb.sim.validate.Ctx` and returns the envelope's ``data`` (or raises
``ApiError``).
"""
from __future__ import annotations

import uuid

from ... import spec
from ..jobs import IMAGE_EXTS, VIDEO_EXTS
from ..state import new_id
from ..validate import Ctx, Fields, HEX_COLOUR, ParamError, body_object, ext_of, is_http_url
from ._video import _created, _user_avatar


TEXT_LIMIT = 50000


# ----------------------------------------------------------- talking avatar
def _check_url(el: Fields, exts: tuple[str, ...], kinds: str, *, colour: bool = False) -> None:
    url = el.obj["url"]
    if colour and HEX_COLOUR.match(url):
        return
    rule = f"must be {kinds} URL ({', '.join(exts)})" + (" or a hex colour like #rrggbb" if colour else "")
    if not is_http_url(url) or ext_of(url) not in exts:
        raise ParamError(el.name("url"), rule)


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
            from .voices import known_voice

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
    width, height = spec.TALKING_AVATAR_CANVAS
    f.num("width", required=True, equals=width)
    f.num("height", required=True, equals=height)
    avatar_from = f.num("avatar_from", required=True, choices=(2, 3))
    elements = f.list("elements", required=True, nonempty=True)
    kinds = [_element(ctx, f, i, avatar_from) for i in range(len(elements))]
    if kinds.count("audio") != 1:
        raise ParamError("elements", "must contain exactly one audio element")
    if "avatar" not in kinds:
        raise ParamError("elements", "must contain an avatar element")
    webhook = f.webhook()
    params = {"width": width, "height": height, "avatar_from": int(avatar_from), "elements": elements,
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


ROUTES = [
    ("POST", "/api/open/v3/talkingavatar/create", talking_avatar_create, True),
    ("POST", "/api/open/v3/avatar/createVideo", avatar_create_video, True),
]
