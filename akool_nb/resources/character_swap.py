"""Character swap (v4): put the character of an image into the motion of a video (catalog §B.11).

``mode="animate"`` moves the character image with the video's motion; ``mode="replace"`` puts the character
into the video. The create answers ``status``; the result comes from the shared video info endpoint
(``video_status``, result at ``video`` — ``video_url`` there is your *input*).
"""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError
from ..jobs import Product, _video_info, register
from ..media.inputs import Upload
from ..models.media_jobs import CHARACTER_SWAP_LIMITS, CharacterSwapRequest, check_video
from ._base import Resource, Steps, operation, text, webhook

FIND_HINT = "Check client.jobs.recent() and your webhook receiver."

register(Product(
    "character_swap", "Character swap", "video", _video_info, "video_status", ("video",),
    model="media_jobs:CharacterSwapInfo", find_hint=FIND_HINT, creates=("/api/open/v4/characterSwap/create",),
))


def _suffix(ref: Any) -> str:
    name = ref.filename if isinstance(ref, Upload) else urlsplit(ref).path
    return PurePosixPath(name).suffix.lower()


def require_formats(ref: Any, param: str, allowed: tuple[str, ...], what: str) -> None:
    """Character swap is stricter than the shared media rules: PNG/JPEG images and MP4 videos only."""
    suffix = _suffix(ref)
    if suffix and suffix not in allowed:
        raise InvalidParameterError(param, f"{suffix} is not accepted; character swap takes {what}",
                                    endpoint=CharacterSwapRequest.endpoint)


class CharacterSwap(Resource):
    @operation
    def create(self, image: Any, video: Any, *, mode: str | None = None, resolution: Any = None,
               duration: float | None = None, prompt: str | None = None, model_name: str | None = None,
               webhook_url: str | None = None) -> Steps[Any]:
        """Swap the character of ``image`` (PNG/JPEG: URL, path, bytes or PIL image) into ``video`` (MP4,
        at most 120 s). ``mode`` "animate" (default) or "replace"; ``resolution`` "480p", "720p" (default)
        or "1080p"; ``duration`` 1–120 s (default: the video's length); ``prompt`` ≤ 500 characters."""
        image_ref = self._prepare(image, "image", "image")
        video_ref = self._prepare(video, "video", "video")
        require_formats(image_ref, "image", (".png", ".jpg", ".jpeg"), "PNG or JPEG images")
        require_formats(video_ref, "video", (".mp4",), "MP4 videos")
        fields = dict(duration=duration, resolution=resolution, mode=mode, prompt=text(prompt, "prompt"),
                      model_name=text(getattr(model_name, "value", model_name), "model_name", max_chars=256),
                      webhookurl=webhook(webhook_url))
        CharacterSwapRequest.build(image="https://x", video="https://x", **fields)  # check first
        if isinstance(video_ref, Upload):
            check_video(video_ref.data, video_ref.filename, "video", CHARACTER_SWAP_LIMITS,
                        CharacterSwapRequest.endpoint)
        body = CharacterSwapRequest.build(image=(yield from self._url(image_ref)),
                                          video=(yield from self._url(video_ref)), **fields).to_wire()
        data = yield APIRequest("POST", "/api/open/v4/characterSwap/create", json=body, paid=True, find_hint=FIND_HINT)
        return self._job("character_swap", data, body)
