"""The AI model list, ``GET /api/open/v4/aigModel/list`` (catalog §B.20)."""
from __future__ import annotations

from ... import spec
from ..validate import Ctx, ParamError


# ---------------------------------------------------------------------------------- AI model list
def _resolutions(*values: str) -> list[dict]:
    credits = {"480p": 3, "720p": 5, "768p": 6, "1080p": 10, "4k": 20}
    table = {name: (*spec.VIDEO_RESOLUTIONS[name], credit) for name, credit in credits.items()}
    return [{"label": v, "value": v, "width": table[v][0], "height": table[v][1], "unit_credit": table[v][2]}
            for v in values]


def _model(sort: int, provider: str, kind: int, label: str, value: str, description: str, resolutions: list,
           durations: list, *, pro: bool = False, audio: bool | None = None, last_frame: bool = False,
           extend: bool = False, images: int = 1, count: int = 10) -> dict:
    return {"sort": sort, "group": provider, "provider": provider, "type": kind, "label": f"{label} (sim)",
            "value": value, "description": description, "resolutionList": resolutions, "isPro": pro,
            "generate_audio": audio, "durationList": durations, "requiresPay": pro, "supportedLastFrame": last_frame,
            "supportedExtendPrompt": extend, "maxImageCount": images, "maxCount": count, "simulated": True}


AI_MODELS = [
    _model(100, "akool", 1501, "Akool Image2Video Fast V1", "AkoolImage2VideoFastV1",
           "Fast image to video generation with Akool's AI", _resolutions("720p", "1080p", "4k"), [5, 10]),
    _model(95, "seedance", 1501, "Seedance Lite Image2Video", "seedance-1-0-lite-i2v-250428",
           "Seedance Lite model for image to video generation", _resolutions("480p", "720p", "1080p"), [5, 10],
           last_frame=True),
    _model(90, "minimax", 1501, "MiniMax Hailuo 02", "MiniMax-Hailuo-02", "Cinematic image to video, with sound",
           _resolutions("768p", "1080p"), [6, 10], pro=True, audio=True, extend=True),
    _model(80, "vidu", 1501, "Vidu Q1", "viduq1", "Vidu image to video with start and end frames",
           _resolutions("1080p"), [5], pro=True, last_frame=True, images=2),
    _model(100, "akool", 1502, "Akool Text2Video V1", "AkoolText2VideoV1", "Text to video with Akool's AI",
           _resolutions("720p", "1080p"), [5, 10], images=0),
    _model(95, "seedance", 1502, "Seedance Lite Text2Video", "seedance-1-0-lite-t2v-250428",
           "Seedance Lite model for text to video generation", _resolutions("480p", "720p", "1080p"), [5, 10],
           images=0),
    _model(100, "wavespeed", 2101, "Wan 2.2 Animate", "wavespeed-ai/wan-2.2/animate",
           "Character swap: animate or replace a character in a video", _resolutions("480p", "720p", "1080p"), [],
           count=1),
]


def ai_model_list(ctx: Ctx) -> list:
    lists = getattr(ctx, "query_lists", None) or {k: [v] for k, v in ctx.query.items()}
    raw = [v for key in ("types[]", "types") for value in lists.get(key, []) for v in value.split(",") if v.strip()]
    if not raw:
        raise ParamError("types", "is required: at least one model type, e.g. types[]=1501")
    if any(not v.strip().isdigit() for v in raw):
        raise ParamError("types", "must be an array of model type numbers (1501, 1502, 2101)")
    wanted = {int(v) for v in raw}  # unimplemented types simply match nothing (docs: an empty array)
    return sorted((m for m in AI_MODELS if m["type"] in wanted), key=lambda m: (-m["sort"], m["type"]))


ROUTES = [
    ("GET", "/api/open/v4/aigModel/list", ai_model_list, True),
]
