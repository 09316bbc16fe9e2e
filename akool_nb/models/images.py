"""Images: background change, image generate (prompt and U/V buttons), the shared image result, AI model list."""
from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ..spec.common import HEX_COLOUR
from ._base import RequestModel, ResponseModel, check_id

SCALES = ("1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3")
BUTTONS = ("U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4")
MODEL_TYPES = {1501: "Image to Video", 1502: "Text to Video", 2101: "Character Faceswap"}
_SIZE = re.compile(r"^\s*(\d+)\s*[xX×*]\s*(\d+)\s*$")


def wh_size(value: Any) -> str:
    """A ``"WxH"`` size string from "3840x2160", (3840, 2160) or [3840, 2160]; both sides positive."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        w, h = value
    else:
        m = _SIZE.match(str(value)) if isinstance(value, str) else None
        if m is None:
            raise ValueError(f"{value!r} is not a size; pass \"WIDTHxHEIGHT\" such as \"3840x2160\" or a (w, h) tuple")
        w, h = m.groups()
    try:
        w, h = int(w), int(h)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a size; width and height must be whole pixels") from None
    if w <= 0 or h <= 0:
        raise ValueError(f"{value!r} is not a size; width and height must be greater than 0")
    return f"{w}x{h}"


def parse_wh(value: str) -> tuple[int, int]:
    w, h = wh_size(value).split("x")
    return int(w), int(h)


def hex_colour(value: Any) -> str:
    """``color_code``: "#rrggbb" (also "#rgb", without "#", or an (r, g, b) tuple)."""
    if isinstance(value, (tuple, list)) and len(value) == 3 and all(isinstance(c, int) and 0 <= c <= 255
                                                                     for c in value):
        return "#{:02x}{:02x}{:02x}".format(*value)
    text = ("#" + value.lstrip("#")) if isinstance(value, str) else ""  # "aafbe3" is meant as "#aafbe3"
    if not HEX_COLOUR.match(text):
        raise ValueError(f"{value!r} is not a hex colour; pass \"#rrggbb\" such as \"#aafbe3\"")
    return text


class ImageInfo(ResponseModel):
    """``GET /api/open/v3/content/image/infobymodelid``: background change and image generate results.
    The picture is at ``image``; ``buttons`` lists the U/V operations allowed on a generated image."""

    id: str | None = Field(None, alias="_id")
    image_status: int | None = None
    image: str | None = None
    external_img: str | None = None
    buttons: list[str] | None = None
    used_buttons: list[str] | None = None
    upscaled_urls: list[str] | None = None
    create_time: int | None = None
    type: int | None = None
    prompt: str | None = None
    source_image: str | None = None
    image_content_model_id: str | None = None  # a button result: the image it was made from
    op_button: str | None = None
    deduction_credit: float | None = None


class BackgroundChangeRequest(RequestModel):
    """``POST /api/open/v3/content/image/bg/replace`` (all four documented combinations: template, colour,
    both, neither). Sizes are ``"WxH"`` strings, positions the upper-left corner in canvas pixels."""

    endpoint: ClassVar[str] = "POST /api/open/v3/content/image/bg/replace"
    arguments: ClassVar[dict[str, str]] = {"removeBg": "remove_bg"}
    canvas_size: str
    origin_img: str
    modify_origin_img_size: str
    overlay_origin_x: int
    overlay_origin_y: int
    template_url: str | None = None
    modify_template_size: str | None = None
    overlay_template_x: int | None = None
    overlay_template_y: int | None = None
    color_code: str | None = None
    removeBg: bool | None = None
    webhookUrl: str | None = None  # "required" in the table, sent by none of the examples (docs F.39)

    _sizes = field_validator("canvas_size", "modify_origin_img_size", "modify_template_size",
                             mode="before")(wh_size)
    _colour = field_validator("color_code", mode="before")(hex_colour)

    @field_validator("overlay_origin_x", "overlay_origin_y", "overlay_template_x", "overlay_template_y",
                     mode="before")
    @classmethod
    def _whole(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or value != int(value) or abs(value) > 1_000_000:
            raise ValueError(f"{value!r} is not a whole number of pixels (negative is fine)")
        return int(value)

    @model_validator(mode="after")
    def _template_fields(self) -> "BackgroundChangeRequest":
        if self.template_url is None:
            extra = [f for f in ("modify_template_size", "overlay_template_x", "overlay_template_y")
                     if getattr(self, f) is not None]
            if extra:
                raise ValueError(f"{', '.join(extra)}: only with template_url; pass template_url= or drop them")
        return self


class ImagePromptRequest(RequestModel):
    """``POST /api/open/v3/content/image/createbyprompt`` (text to image; image to image with ``source_image``)."""

    endpoint: ClassVar[str] = "POST /api/open/v3/content/image/createbyprompt"
    prompt: str
    scale: Literal[SCALES] | None = None  # type: ignore[valid-type]
    source_image: str | None = None
    webhookUrl: str | None = None


    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; describe the image, e.g. prompt='a red sun over blue mountains'")
        return value


class ImageButtonRequest(RequestModel):
    """``POST /api/open/v3/content/image/createbybutton``: U1–U4 upscale / V1–V4 vary image n of a grid."""

    endpoint: ClassVar[str] = "POST /api/open/v3/content/image/createbybutton"
    arguments: ClassVar[dict[str, str]] = {"_id": "image"}
    id: Annotated[str, BeforeValidator(check_id)] = Field(alias="_id")
    button: Literal[BUTTONS]  # type: ignore[valid-type]
    webhookUrl: str | None = None



# --------------------------------------------------------------------------- AI model list
class ModelResolution(ResponseModel):
    label: str | None = None
    value: str | None = None  # "720p": pass as ``resolution``
    width: int | None = None
    height: int | None = None
    unit_credit: float | None = None


class AIModel(ResponseModel):
    """An item of ``GET /api/open/v4/aigModel/list``; pass ``value`` as ``model_name``."""

    sort: int | None = None
    group: str | None = None
    provider: str | None = None
    type: int | None = None
    label: str | None = None
    value: str | None = None
    description: str | None = None
    resolutionList: list[ModelResolution] = Field(default_factory=list)
    isPro: bool | None = None
    generate_audio: bool | None = None
    durationList: list[int] = Field(default_factory=list)
    requiresPay: bool | None = None
    supportedLastFrame: bool | None = None
    supportedExtendPrompt: bool | None = None
    maxImageCount: int | None = None
    maxCount: int | None = None

    @property
    def resolutions(self) -> list[str]:
        return [r.value for r in self.resolutionList if r.value]

    @property
    def durations(self) -> list[int]:
        return list(self.durationList)

    @property
    def pro(self) -> bool:
        return bool(self.isPro)

    def _repr_html_(self) -> str:
        from ..display import e

        kind = MODEL_TYPES.get(self.type or 0, self.type)
        pro = (' <span style="background:#9b51e0;color:#fff;border-radius:10px;padding:1px 7px;font-size:11px">'
               'PRO</span>') if self.isPro else ""
        return (f'<div style="font-family:system-ui,sans-serif;font-size:13px;border:1px solid rgba(128,128,128,.35);'
                f'border-radius:8px;padding:8px 10px;margin:3px 0;max-width:420px"><b>{e(self.label)}</b>{pro}'
                f'<div style="opacity:.72">{e(kind)} · {e(self.provider)} · model_name <code>{e(self.value)}</code>'
                f'</div><div>resolutions {e(", ".join(self.resolutions) or "-")} · durations '
                f'{e(", ".join(f"{d} s" for d in self.durations) or "-")}</div></div>')
