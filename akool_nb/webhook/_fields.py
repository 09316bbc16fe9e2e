"""Filling a create's webhook field (the table of which creates take one: ``akool_nb.spec.common``).

A client given a receiver (``Akool(webhooks=receiver)``) fills that field with the receiver's URL on every
create listed here where the caller gave none. Creates missing from the table (live faceswap, streaming
sessions, knowledge bases, image-to-video's ``updateVideoAudio``) take no webhook: their jobs are polled.
"""
from __future__ import annotations

from typing import Any

from ..spec.common import WEBHOOK_FIELDS, WEBHOOK_SPELLINGS as _SPELLINGS

__all__ = ["WEBHOOK_FIELDS", "fill_webhook", "notifies"]


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
