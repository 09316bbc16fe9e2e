"""The Akool contract as data: the documented limits, enums, sizes and grammars, each written once.

Written by us from the vendor's documentation (facts, not prose; section references are to the docs catalog).
The client's request models (``akool_nb.models``), its argument checks (``akool_nb.resources._base``) and the
offline Akool's validation (``akool_nb.sim.validate``) read these definitions, so client and service cannot
drift apart. ``tests/test_spec.py`` fails on a stray copy of a limit elsewhere in ``akool_nb/`` and drives each
limit through the offline Akool (just inside and just outside) to check both sides agree.

One small module per endpoint family; :mod:`.common` holds what every family shares (URLs, webhooks, colours).
"""
from __future__ import annotations

from .audio import LIVE_VOICE_SPEED, TTS_SPEED
from .common import HEX_COLOUR, URL_MAX_CHARS, WEBHOOK_FIELDS, WEBHOOK_SPELLINGS, webhook_problem
from .faceswap import LANDMARKS_STR, LIVE_LANDMARKS_STR, MAX_FACES
from .video import TALKING_AVATAR_CANVAS, TALKING_AVATAR_ELEMENT_TYPES, TALKING_AVATAR_VISUAL_TYPES, VIDEO_RESOLUTIONS

__all__ = ["HEX_COLOUR", "LANDMARKS_STR", "LIVE_LANDMARKS_STR", "LIVE_VOICE_SPEED", "MAX_FACES", "TALKING_AVATAR_CANVAS",
           "TALKING_AVATAR_ELEMENT_TYPES", "TALKING_AVATAR_VISUAL_TYPES", "TTS_SPEED", "VIDEO_RESOLUTIONS", "URL_MAX_CHARS",
           "WEBHOOK_FIELDS", "WEBHOOK_SPELLINGS", "webhook_problem"]
