"""Avatars (catalog §B.3): list, detail and create (an uploaded avatar is a job).

Each handler takes a :class:`~akool_nb.sim.validate.Ctx` and returns the envelope's ``data`` (or raises
``ApiError``).
"""
from __future__ import annotations

from ..jobs import KINDS
from ..state import UID
from ..validate import ApiError, Ctx, ParamError, body_object, not_found, query_choice, query_int
from ._video import _ms, _user_avatar


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
    ("GET", "/api/open/v3/avatar/list", avatar_list, True),
    ("GET", "/api/open/v3/avatar/detail", avatar_detail, True),
    ("POST", "/api/open/v3/avatar/create", avatar_create, True),
]
