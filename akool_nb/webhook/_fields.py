"""Which paid creates take a webhook, and under which field name (the docs spell it two ways, catalog §F.15).

A client given a receiver (``Akool(webhooks=receiver)``) fills that field with the receiver's URL on every
create listed here where the caller gave none. Creates missing from the table (live faceswap, streaming
sessions, knowledge bases, image-to-video's ``updateVideoAudio``) take no webhook: their jobs are polled.
"""
from __future__ import annotations

from typing import Any

WEBHOOK_FIELDS: dict[str, str] = {
    "/api/open/v4/voice/tts": "webhookUrl",
    "/api/open/v3/audio/create": "webhookUrl",
    "/api/open/v3/audio/clone": "webhookUrl",
    "/api/open/v4/voice/clone": "webhookUrl",
    "/api/open/v4/voice/change": "webhookUrl",
    "/api/open/v3/content/video/createbytalkingphoto": "webhookUrl",
    "/api/open/v3/talkingavatar/create": "webhookUrl",
    "/api/open/v3/avatar/createVideo": "webhookUrl",
    "/api/open/v3/avatar/create": "webhookUrl",
    "/api/open/v3/faceswap/highquality/specifyimage": "webhookUrl",
    "/api/open/v3/faceswap/highquality/specifyvideo": "webhookUrl",
    "/api/open/v4/faceswap/faceswapByImage": "webhookUrl",
    "/api/open/v3/faceswap/highquality/imgreage": "webhookUrl",
    "/api/open/v3/faceswap/highquality/vidreage": "webhookUrl",
    "/api/open/v3/content/image/bg/replace": "webhookUrl",
    "/api/open/v3/content/image/createbyprompt": "webhookUrl",
    "/api/open/v3/content/image/createbybutton": "webhookUrl",
    "/api/open/v3/content/analysis/sentiment": "webhookUrl",
    "/api/open/v3/content/video/lipsync": "webhookUrl",
    "/api/open/v3/content/video/createbytranslate": "webhookUrl",
    "/api/open/v4/image2Video/createBySourcePrompt": "webhookurl",  # sic: lowercase u
    "/api/open/v4/image2Video/createBySourcePrompt/batch": "webhookurl",
    "/api/open/v4/characterSwap/create": "webhookurl",
}
_SPELLINGS = ("webhookUrl", "webhookurl")


def fill_webhook(path: str, body: Any, url: str) -> bool:
    """Put ``url`` in ``body``'s webhook field (in place) when ``path`` takes one and the caller left it empty.
    Returns whether the create will notify ``url`` (filled now, or the caller gave that same URL)."""
    name = WEBHOOK_FIELDS.get(path)
    if name is None or not isinstance(body, dict):
        return False
    given = next((body[k] for k in _SPELLINGS if body.get(k)), None)
    if given is None:
        body[name] = url
        return True
    return given == url


def notifies(request: Any, url: str | None) -> bool:
    """Whether a create body (as sent) names ``url`` as its webhook."""
    return bool(url) and isinstance(request, dict) and any(request.get(k) == url for k in _SPELLINGS)
