"""What every family shares: webhook URLs (and which creates take one, under which spelling), hex colours."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

#: The longest URL we send (a webhook, a media link): browsers' and CDNs' common limit.
URL_MAX_CHARS = 2048

#: ``color_code`` / an image element's ``url`` as a colour: "#rgb" or "#rrggbb" (the docs send "#aafbe3").
HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

#: Paid creates that take a webhook, and the field's name: the docs spell it two ways (catalog §F.15).
#: Creates missing here (live faceswap, streaming sessions, knowledge bases, ``updateVideoAudio``) take none.
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
WEBHOOK_SPELLINGS = ("webhookUrl", "webhookurl")


def webhook_problem(value: Any) -> str | None:
    """The one webhook rule: an http(s) URL with a host, at most ``URL_MAX_CHARS``, no spaces; or empty
    (``None`` / "" as the docs' examples send it). Returns what is wrong, or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return "must be an http(s) URL or empty"
    text = value
    if len(text) > URL_MAX_CHARS:
        return f"must be an http(s) URL of at most {URL_MAX_CHARS} characters"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text):
        return "must be an http(s) URL without spaces or control characters"
    try:
        parts = urlsplit(text)
    except ValueError:
        return "must be an http(s) URL or empty"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "must be an http(s) URL or empty"
    return None
