"""Text to speech: VoiceLab v4 (``/v4/voice/tts``) and the v3 audio API (``/v3/audio/create``, ``clone``)."""
from __future__ import annotations

from typing import Any

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError
from ..models.voices import TTSRequest, TTSV3Request, VoiceCloneV3Request, VoiceResource
from ._base import Page, Resource, Steps, flag, operation, page_args, text as text_arg, voice_id_of, webhook
from ._known import VOICE_SOURCES, VOICE_SOURCES_V3, known


class TTS(Resource):
    @operation
    def create(self, text: str, voice_id: Any, *, speed: float | None = None, emotion: str | None = None,
               volume: int | None = None, stability: float | None = None, similarity_boost: float | None = None,
               style: float | None = None, speaker_boost: bool | None = None, language_code: str | None = None,
               pitch: int | None = None, extra_options: dict[str, Any] | None = None,
               webhook_url: str | None = None, check: bool = False) -> Steps[Any]:
        """Speak ``text`` with a VoiceLab voice; returns a job whose result is the audio (``preview``).
        ``check=True`` first looks ``voice_id`` up in the free voice lists (cached per client) and refuses
        an unknown one before anything is sent."""
        flag(check, "check", optional=False)
        text_arg(language_code, "language_code", max_chars=16)
        if extra_options is not None and not isinstance(extra_options, dict):
            raise InvalidParameterError("extra_options", "must be a dict of the documented extra options "
                                                         "(audio_setting, timber_weights, voice_modify, ...)",
                                        value=extra_options)
        options = {k: v for k, v in dict(speed=speed, emotion=emotion, volume=volume, stability=stability,
                                         similarity_boost=similarity_boost, style=style,
                                         speaker_boost=speaker_boost).items() if v is not None}
        body = TTSRequest.build(
            input_text=text, voice_id=voice_id_of(voice_id, "voice_id"),
            voice_options=options or None,  # validated as VoiceOptions, errors naming e.g. speed=
            language_code=language_code, pitch=pitch, extra_options=extra_options, webhookUrl=webhook(webhook_url),
        ).to_wire()
        if check:
            yield from known(self._client, "voice_id", body["voice_id"], "a voice id", VOICE_SOURCES)
        data = yield APIRequest("POST", "/api/open/v4/voice/tts", json=body, paid=True,
                                find_hint="List recent speech results with client.tts.results().")
        return self._job("tts", data, body)

    @operation
    def create_v3(self, text: str, voice_id: Any, *, rate: Any = None, webhook_url: str | None = None,
                  check: bool = False) -> Steps[Any]:
        """v3 TTS (``POST /api/open/v3/audio/create``). ``rate`` is the speaking speed: a percentage string
        "0%"–"100%" ("100%", the default, is normal speed), or a number as a fraction of normal speed (0.5 is
        sent as "50%" and logged at INFO; a number above 1 is refused: for fifty percent write "50%").
        ``check=True``: ``voice_id`` is first looked up in the free voice lists, as in :meth:`create`."""
        flag(check, "check", optional=False)
        body = TTSV3Request.build(input_text=text, voice_id=voice_id_of(voice_id, "voice_id"), rate=rate,
                                  webhookUrl=webhook(webhook_url)).to_wire()
        if check:
            yield from known(self._client, "voice_id", body["voice_id"], "a voice id", VOICE_SOURCES_V3)
        data = yield APIRequest("POST", "/api/open/v3/audio/create", json=body, paid=True,
                                find_hint="Check client.jobs.recent() and your webhook receiver.")
        return self._job("audio", data, body)

    @operation
    def clone_v3(self, text: str, *, voice_url: Any = None, voice_id: Any = None, rate: Any = None,
                 webhook_url: str | None = None) -> Steps[Any]:
        """v3 voice clone (``POST /api/open/v3/audio/clone``): ``text`` in the voice of a sample (``voice_url``)
        or of ``voice_id``. ``rate`` as in :meth:`create_v3` ("100%" by default)."""
        voice_id = voice_id_of(voice_id, "voice_id")
        webhook(webhook_url)
        if voice_url is None and voice_id is None:
            raise InvalidParameterError("voice_url", "pass a voice sample (voice_url=) or a voice_id")
        sample = self._prepare(voice_url, "voice_url", "audio") if voice_url is not None else None
        VoiceCloneV3Request.build(input_text=text, rate=rate, voice_id=voice_id_of(voice_id))  # check first
        url = (yield from self._url(sample)) if sample is not None else None
        body = VoiceCloneV3Request.build(input_text=text, rate=rate, voice_url=url, voice_id=voice_id_of(voice_id),
                                         webhookUrl=webhook(webhook_url)).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/audio/clone", json=body, paid=True,
                                find_hint="Check client.jobs.recent() and your webhook receiver.")
        return self._job("audio", data, body)

    @operation
    def results(self, *, changer: bool = False, page: int = 1, size: int = 10) -> Steps[Page]:
        """Your recent VoiceLab results (``type=1`` TTS, ``type=2`` voice changer), newest first."""
        flag(changer, "changer", optional=False)
        page_args(page, size)
        data = yield APIRequest("GET", "/api/open/v4/voice/resource/list",
                                params={"type": "2" if changer else "1", "page": str(page), "size": str(size)})
        data = data or {}
        return Page([VoiceResource.model_validate(r) for r in data.get("result") or []],
                    count=data.get("count"), page=page, size=size)
