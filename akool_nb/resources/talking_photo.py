"""Talking photo: a photo speaks an audio track (``createbytalkingphoto``)."""
from __future__ import annotations

from typing import Any

from .._base_client import APIRequest
from ..models.video import TalkingPhotoRequest
from ._base import Resource, Steps, operation, text, webhook


class TalkingPhoto(Resource):
    @operation
    def create(self, photo: Any, audio: Any, *, resolution: Any = None, prompt: str | None = None,
               webhook_url: str | None = None) -> Steps[Any]:
        """Animate ``photo`` (URL, path, bytes or PIL image) speaking ``audio`` (URL, path, bytes or a
        speech result). ``resolution`` "720" or "1080". The video lasts as long as the audio."""
        text(prompt, "prompt")
        photo_ref = self._prepare(photo, "photo", "image")
        audio_ref = self._prepare(audio, "audio", "audio")
        # Check every other field before anything is uploaded or paid for.
        TalkingPhotoRequest.build(talking_photo_url="https://x", audio_url="https://x", resolution=resolution,
                                  prompt=prompt)
        body = TalkingPhotoRequest.build(
            talking_photo_url=(yield from self._url(photo_ref)), audio_url=(yield from self._url(audio_ref)),
            resolution=resolution, prompt=prompt, webhookUrl=webhook(webhook_url),
        ).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/content/video/createbytalkingphoto", json=body, paid=True,
                                find_hint="Check client.jobs.recent() and your webhook receiver.")
        return self._job("talking_photo", data, body)
