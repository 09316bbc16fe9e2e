"""AI model list (``GET /api/open/v4/aigModel/list``): models for image to video, text to video, character swap."""
from __future__ import annotations

from typing import Any

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError
from ..models.images import MODEL_TYPES, AIModel
from ._base import Page, Resource, Steps, operation

TYPE_NAMES = {"image_to_video": 1501, "text_to_video": 1502, "character_faceswap": 2101,
              "character_swap": 2101}


class AIModels(Resource):
    @operation
    def list(self, types: Any = None) -> Steps[Page]:
        """Models for one or more ``types``: 1501 (or "image_to_video"), 1502 ("text_to_video"), 2101
        ("character_faceswap"); default all three. Each model's ``value`` is the ``model_name`` to pass,
        ``resolutions`` and ``durations`` what it accepts, ``pro`` whether it is a premium model."""
        wanted = [_type(t) for t in (types if isinstance(types, (list, tuple, set)) else [types])] \
            if types is not None else list(MODEL_TYPES)
        if not wanted:
            raise InvalidParameterError("types", "needs at least one model type: "
                                                 + ", ".join(f"{k} ({v})" for k, v in MODEL_TYPES.items()))
        data = yield APIRequest("GET", "/api/open/v4/aigModel/list", params={"types[]": wanted})
        items = data if isinstance(data, list) else (data or {}).get("result") or []
        return Page([AIModel.model_validate(m) for m in items])


def _type(value: Any) -> int:
    if isinstance(value, str) and value.strip().lower() in TYPE_NAMES:
        return TYPE_NAMES[value.strip().lower()]
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        number = None
    if isinstance(value, bool) or number not in MODEL_TYPES:
        known = ", ".join(f"{k} ({n.lower().replace(' ', '_')})" for k, n in MODEL_TYPES.items())
        raise InvalidParameterError("types", f"{value!r} is not a model type; use {known}")
    return number
