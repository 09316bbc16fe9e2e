"""Video translation: a video re-voiced in other languages, optionally lip-synced and captioned (§B.14).

    job = client.translation.create("talk.mp4", language="es")          # or ["es", "fr"]
    video = job.wait()

Local videos are checked against the documented limits first: at most 60 s (Akool code 1204), 300 MB
(1207), 30 fps (1210) and with an audio track (1203). Codes for ``language`` come from ``languages()``.
"""
from __future__ import annotations

import mimetypes
import os
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError
from ..jobs import Product, _video_info, register
from ..media.inputs import Upload, check_url
from ..models.media_jobs import TRANSLATION_LIMITS, Language, StudioVoice, TranslationRequest, check_video
from ._base import Page, Resource, Steps, operation, webhook

FIND_HINT = "Check client.jobs.recent() and your webhook receiver."
SUBTITLE_FORMATS = (".srt", ".ass")
DEPRECATED = ("merge_interval", "face_enhance")

register(Product(
    "translation", "Video translation", "video", _video_info, "video_status", ("video",),
    model="media_jobs:TranslationInfo", find_hint=FIND_HINT, creates=("/api/open/v3/content/video/createbytranslate",),
))


def _caption(value: Any) -> str | Upload:
    """``caption_url``: an SRT/ASS subtitle file as a URL or a local path."""
    if isinstance(value, str) and "://" in value:
        url = check_url(value, "caption", ("video",), check_extension=False)
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
        if suffix and suffix not in SUBTITLE_FORMATS:
            raise InvalidParameterError("caption", f"{suffix} is not a subtitle file; pass an .srt or .ass file")
        return url
    if not isinstance(value, (str, os.PathLike)):
        raise InvalidParameterError("caption", "must be an .srt or .ass subtitle file (a URL or a path)", value=value)
    path = Path(value).expanduser()
    if path.suffix.lower() not in SUBTITLE_FORMATS:
        raise InvalidParameterError("caption", f"{path.name!r} is not a subtitle file; pass an .srt or .ass file")
    try:
        data = path.read_bytes()
    except OSError:
        raise InvalidParameterError("caption", f"cannot read {str(path)!r}") from None
    return Upload("caption", data, path.name, mimetypes.types_map.get(path.suffix.lower(), "text/plain"))


class Translation(Resource):
    @operation
    def create(self, video: Any, language: Any, *, source_language: str | None = None,
               lipsync: bool | None = None, speaker_num: int | None = None, remove_bgm: bool | None = None,
               caption_type: int | None = None, caption: Any = None, studio_voice: Any = None,
               dynamic_duration: bool | None = None, webhook_url: str | None = None, **deprecated: Any) -> Steps[Any]:
        """Translate ``video`` (URL, path, bytes or a video result) into ``language``: a code or several
        (a list or "es,fr,de"). ``source_language`` "DEFAULT" detects it. ``caption_type``: 0 none, 1 the
        original subtitle, 2 target subtitle, 3 translate and replace, 4 add translated; ``caption`` an
        .srt/.ass file (URL or path). ``studio_voice``: a dict with ``style``, ``no_translate_words``,
        ``fixed_words``, ``pronounced_words``. Returns a job (or a list of jobs, should Akool answer one
        record per language)."""
        for name in deprecated:
            if name in DEPRECATED:
                raise InvalidParameterError(name, "is deprecated and no longer supported by Akool; drop it")
            raise TypeError(f"create() got an unexpected keyword argument {name!r}")
        video_ref = self._prepare(video, "video", "video")
        caption_ref = _caption(caption) if caption is not None else None
        voice = studio_voice.model_dump(exclude_none=True) if isinstance(studio_voice, StudioVoice) else studio_voice
        fields = dict(source_language=source_language, language=language, lipsync=lipsync,
                      webhookUrl=webhook(webhook_url), speaker_num=speaker_num, remove_bgm=remove_bgm,
                      caption_type=caption_type, studio_voice=voice, dynamic_duration=dynamic_duration)
        TranslationRequest.build(url="https://x", caption_url="https://x" if caption_ref else None, **fields)
        if isinstance(video_ref, Upload):
            check_video(video_ref.data, video_ref.filename, "video", TRANSLATION_LIMITS, TranslationRequest.endpoint)
        body = TranslationRequest.build(
            url=(yield from self._url(video_ref)),
            caption_url=(yield from self._url(caption_ref)) if caption_ref is not None else None, **fields,
        ).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/content/video/createbytranslate", json=body, paid=True, find_hint=FIND_HINT)
        # Several languages (undocumented, §F.49): one job per language, in ``all_results`` (Akool's demo reads
        # it), a bare list, or one record for them all: accept each.
        results = data.get("all_results") if isinstance(data, dict) else data
        if isinstance(results, list) and len([i for i in results if isinstance(i, dict)]) > 1:
            return [self._job("translation", item, {**body, "language": item.get("language") or body["language"]})
                    for item in results if isinstance(item, dict)]
        return self._job("translation", data, body)

    @operation
    def languages(self) -> Steps[Page]:
        """The target languages (``lang_code`` goes into ``language=``)."""
        data = yield APIRequest("GET", "/api/open/v3/language/list")
        items = data.get("lang_list") if isinstance(data, dict) else data
        return Page([Language.model_validate(x) for x in items or [] if isinstance(x, dict)])
