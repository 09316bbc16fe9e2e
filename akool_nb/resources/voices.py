"""Voices: the VoiceLab (v4) list, detail, clone, voice changer and delete, and the v3 voice list."""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .._base_client import APIRequest
from .._exceptions import AkoolError, InvalidParameterError
from .._logging import logger
from .._journal.finders import Field, Finder, tags
from ..jobs import Product, _voice_results, register
from ..media.inputs import Upload
from ..models.voices import (CHANGER_MODELS, CLONE_PROMPT_MODEL, Voice, VoiceChangeRequest, VoiceCloneRequest,
                             VoiceDeleteRequest, VoiceDeleteResult, VoiceResource, VoiceV3)
from ._base import (Page, Resource, Steps, choice, csv, flag, identifier, items, operation, page_args, tags,
                    text, voice_id_of)
from ._known import VOICE_SOURCES, known

CLONE_HINT = "List your cloned voices with client.voices.list(mine=True)."
CHANGE_HINT = "List recent voice-changer results with client.voices.changes()."
CLONE_MAX_MB, CLONE_PROMPT_MAX_MB, CHANGE_MAX_MB = 30, 20, 50
_NOT_AUDIO = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".txt"}


def _resource_result(data: Any, _id: str) -> dict[str, Any]:
    """``resource/detail`` wraps the record in ``result`` (docs F.14)."""
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        return data["result"]
    return data or {}


register(Product(
    "voice_clone", "Voice clone", "audio",
    lambda i: APIRequest("GET", f"/api/open/v4/voice/detail/{i}"),
    "status", ("preview",), model="voices:Voice", find_hint=CLONE_HINT, creates=("/api/open/v4/voice/clone",),
    find=Finder("your cloned voices (GET /api/open/v4/voice/list?type=1)",
                lambda page, size: APIRequest("GET", "/api/open/v4/voice/list",
                                              params={"type": "1", "page": str(page), "size": str(size)}),
                (Field("name", identifies=True), Field("voice_model_name"), Field("webhookUrl"),
                 Field("voice_options.style", "style", tags), Field("voice_options.scenario", "scenario", tags),
                 Field("voice_options.age", "age", tags))),
))
register(Product(
    "voice_change", "Voice changer", "audio",
    lambda i: APIRequest("GET", f"/api/open/v4/voice/resource/detail/{i}"),
    "status", ("preview",), unwrap=_resource_result, model="voices:VoiceResource", find_hint=CHANGE_HINT,
    creates=("/api/open/v4/voice/change",),
    # The list's records show no field of the request that identifies it: it can prove absence, not presence.
    find=Finder("the voice-changer results list (GET /api/open/v4/voice/resource/list?type=2)",
                _voice_results("2"), (Field("webhookUrl"),)),
))


class Voices(Resource):
    @operation
    def list(self, *, mine: bool = False, language: str | None = None, gender: Any = None, age: Any = None,
             style: Any = None, scenario: Any = None, name: str | None = None,
             support_stream: bool | None = None, page: int = 1, size: int = 100) -> Steps[Page]:
        """VoiceLab voices: Akool's (``type=2``) or your clones (``mine=True``, ``type=1``).

        ``gender``/``age``/``style``/``scenario`` take a value or a list (sent comma-separated);
        ``language`` filters locally on the voice's language name or locale (the API has no such query).
        """
        flag(mine, "mine", optional=False)
        text(language, "language", max_chars=64)
        text(name, "name", max_chars=256)
        flag(support_stream, "support_stream")
        page_args(page, size)
        params = {
            "type": "1" if mine else "2", "page": str(page), "size": str(size),  # strings, as documented
            "gender": csv(gender, "gender"), "age": csv(age, "age"), "style": csv(style, "style"),
            "scenario": csv(scenario, "scenario"),
            "name": name, "support_stream": None if support_stream is None else (1 if support_stream else 2),
        }
        data = yield APIRequest("GET", "/api/open/v4/voice/list", params=params)
        data = data or {}
        voices = [Voice.model_validate(v) for v in data.get("result") or []]
        if language:
            wanted = language.lower()
            voices = [v for v in voices if wanted in ((v.language or "").lower(), (v.locale or "").lower())
                      or (v.locale or "").lower().startswith(wanted + "-")]
        return Page(voices, count=data.get("count") if not language else len(voices),
                    page=_int(data.get("page")), size=_int(data.get("size")))

    @operation
    def list_v3(self, *, from_: int | None = None) -> Steps[Page]:
        """v3 voices (``GET /api/open/v3/voice/list``): ``from_=3`` Akool's, ``from_=4`` yours, None both."""
        if from_ is not None:
            choice(from_, "from_", (3, 4), field="from", meaning="3 Akool's voices, 4 yours")
        data = yield APIRequest("GET", "/api/open/v3/voice/list", params={"from": from_})
        return Page([VoiceV3.model_validate(v) for v in data or []])

    @operation
    def detail(self, id: Any) -> Steps[Voice]:
        """One VoiceLab voice by its document ``_id`` (a voice record or a clone job also work)."""
        data = yield APIRequest("GET", f"/api/open/v4/voice/detail/{_document_id(id, 'id')}")
        return Voice.model_validate(data or {})

    # -- VoiceLab v4: clone, changer, delete ---------------------------------------------------------
    @operation
    def clone(self, sample: Any, *, name: str | None = None, language: str | None = None,
              gender: Any = None, age: Any = None, style: Any = None, scenario: Any = None,
              remove_background_noise: bool | None = None, clone_prompt: str | None = None,
              need_volume_normalization: bool | None = None, voice_model_name: str | None = None,
              webhook_url: str | None = None) -> Steps[Any]:
        """Clone a voice from ``sample`` (URL, path, bytes or an audio result; mp3, mp4, wav …, at most 30 MB).

        Returns a job; its result is the new voice (``result.data`` is a :class:`Voice` whose ``voice_id``
        works in ``client.tts.create``) and plays the voice's preview. ``gender``/``age``/``style``/``scenario``
        are tags (a value or a list). ``clone_prompt`` (the sample's exact words; the sample must then be an
        mp3/wav under 8 s and 20 MB) and ``need_volume_normalization`` are Akool Multilingual 3 features:
        naming another ``voice_model_name`` with them is refused. ``language`` is the sample's ISO 639-1 code
        (Akool's default "en").
        """
        options = {k: v for k, v in dict(
            style=tags(style, "style"), gender=tags(gender, "gender"), age=tags(age, "age"),
            scenario=tags(scenario, "scenario"),
            remove_background_noise=remove_background_noise, language=language, clone_prompt=clone_prompt,
            need_volume_normalization=need_volume_normalization).items() if v is not None}
        for field in ("clone_prompt", "need_volume_normalization"):
            if field in options and voice_model_name not in (None, CLONE_PROMPT_MODEL):
                raise InvalidParameterError(
                    field, f"only {CLONE_PROMPT_MODEL} supports it; pass voice_model_name="
                           f"{CLONE_PROMPT_MODEL!r} or leave {field} out", endpoint=VoiceCloneRequest.endpoint)
        fields = dict(voice_options=options or None, name=text(name, "name", max_chars=256), webhookUrl=webhook_url,
                      voice_model_name=voice_model_name)
        VoiceCloneRequest.build(source_voice_file="https://x", **fields)  # every check before any upload
        prompt = clone_prompt is not None
        ref = _audio(self._prepare(sample, "sample", "audio", "video", check_extension=False), "sample",
                     CLONE_PROMPT_MAX_MB if prompt else CLONE_MAX_MB, (".mp3", ".wav") if prompt else None,
                     "with clone_prompt" if prompt else "")
        body = VoiceCloneRequest.build(source_voice_file=(yield from self._url(ref)), **fields).to_wire()
        data = yield APIRequest("POST", "/api/open/v4/voice/clone", json=body, paid=True, find_hint=CLONE_HINT)
        return self._job("voice_clone", data, body)

    @operation
    def change(self, audio: Any, voice_id: Any, *, stability: float | None = None,
               similarity_boost: float | None = None, style: float | None = None,
               speaker_boost: bool | None = None, file_format: str | None = None,
               remove_background_noise: bool | None = None, speed: float | None = None,
               voice_model_name: str | None = None, webhook_url: str | None = None,
               check: bool = False) -> Steps[Any]:
        """Voice changer: ``audio`` (URL, path, bytes, an audio or video result; at most 50 MB) spoken again
        in the voice ``voice_id`` (an id, a voice record or a finished clone). Returns a job whose result is
        the new audio.

        Only Akool Multilingual 1 voices can be targets. ``file_format`` "mp3" (default) or "wav";
        ``speed`` 0.7–1.2; ``stability``/``similarity_boost``/``style`` 0–1. ``check=True`` first looks
        ``voice_id`` up in the free voice lists (cached per client) and refuses an unknown one before the
        audio is uploaded or anything is sent.
        """
        flag(check, "check", optional=False)
        voice_id = getattr(voice_id, "data", voice_id) if type(voice_id).__name__ == "Result" else voice_id  # a clone
        model = getattr(voice_id, "voice_model_name", None)
        if model and model not in CHANGER_MODELS:
            raise InvalidParameterError(
                "voice_id", f"{getattr(voice_id, 'name', None) or voice_id_of(voice_id)!r} is an {model} voice; "
                            f"only {CHANGER_MODELS[0]} voices support voice change",
                endpoint=VoiceChangeRequest.endpoint)
        options = {k: v for k, v in dict(
            stability=stability, similarity_boost=similarity_boost, style=style, speaker_boost=speaker_boost,
            file_format=file_format, remove_background_noise=remove_background_noise, speed=speed).items()
            if v is not None}
        fields = dict(voice_id=voice_id_of(voice_id, "voice_id"), voice_options=options or None, webhookUrl=webhook_url,
                      voice_model_name=voice_model_name)
        VoiceChangeRequest.build(source_voice_file="https://x", **fields)
        ref = _audio(self._prepare(audio, "audio", "audio", "video", check_extension=False), "audio",
                     CHANGE_MAX_MB, None, "")
        if check:
            yield from known(self._client, "voice_id", fields["voice_id"], "a voice id", VOICE_SOURCES)
        body = VoiceChangeRequest.build(source_voice_file=(yield from self._url(ref)), **fields).to_wire()
        data = yield APIRequest("POST", "/api/open/v4/voice/change", json=body, paid=True, find_hint=CHANGE_HINT)
        return self._job("voice_change", data, body)

    @operation
    def changes(self, *, page: int = 1, size: int = 10) -> Steps[Page]:
        """Your recent voice-changer results (``resource/list?type=2``), newest first."""
        page_args(page, size)
        data = yield APIRequest("GET", "/api/open/v4/voice/resource/list",
                                params={"type": "2", "page": str(page), "size": str(size)})
        data = data or {}
        return Page([VoiceResource.model_validate(r) for r in data.get("result") or []],
                    count=data.get("count"), page=page, size=size)

    @operation
    def delete(self, voices: Any, *, raise_on_failure: bool = False) -> Steps[VoiceDeleteResult]:
        """Delete cloned voices by document ``_id`` (ids, voice records or clone jobs; one or a list).

        Akool may delete only some of them: the result says which were deleted (``.deleted``) and which
        were not and why (``.failed``); a partial failure is also logged as a warning, and raises
        :class:`AkoolError` with ``raise_on_failure=True``."""
        flag(raise_on_failure, "raise_on_failure", optional=False)
        listed = isinstance(voices, (list, tuple, set, Page))
        wanted = items(list(voices) if isinstance(voices, Page) else voices, "voices")
        if not wanted:
            raise InvalidParameterError("voices", "is empty; pass at least one voice document _id")
        body = VoiceDeleteRequest.build(_ids=[_document_id(v, f"voices[{i}]" if listed else "voices")
                                              for i, v in enumerate(wanted)]).to_wire()
        data = yield APIRequest("POST", "/api/open/v4/voice/del", json=body)
        result = VoiceDeleteResult.model_validate(data or {})
        if not result.ok:
            logger.warning("VoiceLab delete: %s", result)
            if raise_on_failure:
                raise AkoolError(str(result), endpoint=VoiceDeleteRequest.endpoint, body=data)
        return result


def _document_id(value: Any, param: str) -> str:
    """A voice document ``_id`` from an id, a voice record, a clone job or its result."""
    if isinstance(value, str):
        return identifier(value, param, "voice document _id", field="_id")
    if isinstance(value, Voice):
        if not value.id:
            raise InvalidParameterError(param, f"the voice {value.name!r} has no document _id")
        return value.id
    job_id = getattr(value, "id", None)
    if isinstance(job_id, str) and job_id:
        return job_id
    raise InvalidParameterError(param, "must be a voice document _id, a voice record or a clone job", value=value)


def _audio(ref: Any, param: str, limit_mb: int, formats: tuple[str, ...] | None, why: str) -> Any:
    """Checks the docs give for VoiceLab source files: an audio format, size (local data), mp3/wav when asked."""
    name = ref.filename if isinstance(ref, Upload) else urlsplit(ref).path
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in _NOT_AUDIO:
        raise InvalidParameterError(param, f"{suffix} is not an audio file; VoiceLab takes mp3, mp4, wav, etc.")
    if formats is not None and suffix and suffix not in formats:
        raise InvalidParameterError(param, f"must be {' or '.join(f[1:] for f in formats)} {why} (got {suffix})")
    if isinstance(ref, Upload) and len(ref.data) > limit_mb * 1024 * 1024:
        size = len(ref.data) / 1024 / 1024
        raise InvalidParameterError(param, f"is {size:.1f} MB; the limit is {limit_mb} MB {why}".rstrip())
    return ref


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
