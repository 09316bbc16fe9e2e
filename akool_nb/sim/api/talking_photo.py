"""Talking photo (catalog §B.2): ``createbytalkingphoto``; results at ``_video``'s ``infobymodelid``."""
from __future__ import annotations

import uuid

from ..validate import Ctx, ParamError, body_object
from ._video import _created


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


ROUTES = [
    ("POST", "/api/open/v3/content/video/createbytalkingphoto", talking_photo_create, True),
]
