"""Lip sync: a video's mouth follows a new audio track (``POST /api/open/v3/content/video/lipsync``, §B.12).

Local videos are checked against the documented limits before anything is sent: at most 60 s (Akool
code 1204), 300 MB (1207) and 60 fps (1210); the docs advise under 25 fps and audio as long as the video.
"""
from __future__ import annotations

from typing import Any

from .._base_client import APIRequest
from .._logging import logger
from ..jobs import Product, _video_info, register
from ..media.inputs import Upload
from ..models.media_jobs import LIP_SYNC_LIMITS, LipSyncRequest, check_video
from ._base import Resource, Steps, operation, webhook

FIND_HINT = "Check client.jobs.recent() and your webhook receiver."
ADVISED_FPS = 25

register(Product(
    "lip_sync", "Lip sync", "video", _video_info, "video_status", ("video",),
    model="media_jobs:LipSyncInfo", find_hint=FIND_HINT, creates=("/api/open/v3/content/video/lipsync",),
))


class LipSync(Resource):
    @operation
    def create(self, video: Any, audio: Any, *, webhook_url: str | None = None) -> Steps[Any]:
        """Make the face in ``video`` (URL, path, bytes or a video result) speak ``audio`` (URL, path,
        bytes or a speech result). The result keeps the video's length: give audio of the same length."""
        video_ref = self._prepare(video, "video", "video")
        audio_ref = self._prepare(audio, "audio", "audio")
        LipSyncRequest.build(video_url="https://x", audio_url="https://x", webhookUrl=webhook(webhook_url))
        if isinstance(video_ref, Upload):
            facts = check_video(video_ref.data, video_ref.filename, "video", LIP_SYNC_LIMITS,
                                LipSyncRequest.endpoint)
            if facts is not None and facts.fps and facts.fps > ADVISED_FPS:
                logger.warning("lip sync: %s runs at %g fps; Akool advises under %d fps for good results",
                               video_ref.filename, facts.fps, ADVISED_FPS)
        body = LipSyncRequest.build(video_url=(yield from self._url(video_ref)),
                                    audio_url=(yield from self._url(audio_ref)),
                                    webhookUrl=webhook(webhook_url)).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/content/video/lipsync", json=body, paid=True, find_hint=FIND_HINT)
        return self._job("lip_sync", data, body)
