"""What moderation, knowledge, streaming and live face swap share."""
from __future__ import annotations

import re


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


KB_COLLECTION = "knowledge"


OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
