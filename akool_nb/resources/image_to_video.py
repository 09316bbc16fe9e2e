"""Image to video (v4): a still becomes a 5 or 10 s clip, driven by a prompt or an effect (catalog §B.10).

    job = client.image_to_video.create("photo.png", "slow zoom in", resolution="720p", video_length=5)
    clip = job.wait()

Results come from ``POST .../resultsByIds`` with a comma-separated ``_ids`` string, so
``client.jobs.wait_all(jobs)`` follows many image-to-video jobs with one request per poll.
"""
from __future__ import annotations

from typing import Any

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError, NotFoundError
from ..jobs import Product, register
from ..models.image_to_video import (DeleteResult, Effect, IdsRequest, ImageToVideoBatchRequest,
                                     ImageToVideoRequest, ImageToVideoResult, UpdateVideoAudioRequest, ids_string)
from ._base import Page, Resource, Steps, flag, identifier, operation, text, webhook
from ._known import EFFECTS, I2V_MODELS, known

FIND_HINT = ("Look for it with client.image_to_video.results(ids) using ids from client.jobs.recent(), "
             "or wait for your webhook.")


def _records(data: Any) -> dict[str, dict[str, Any]]:
    items = data.get("result") if isinstance(data, dict) else data
    return {str(r.get("_id")): r for r in items or [] if isinstance(r, dict) and r.get("_id")}


def _unwrap(data: Any, job_id: str) -> dict[str, Any]:
    record = _records(data).get(job_id)
    if record is None:
        raise NotFoundError(f"resultsByIds has no image-to-video result {job_id} (deleted, or not this "
                            "account's)", job_id=job_id, endpoint="POST /api/open/v4/image2Video/resultsByIds")
    return record


def _results_request(ids: list[str]) -> APIRequest:
    return APIRequest("POST", "/api/open/v4/image2Video/resultsByIds", json={"_ids": ",".join(ids)})


register(Product(
    "image_to_video", "Image to video", "video", lambda i: _results_request([i]), "status", ("video_url",),
    unwrap=_unwrap, model="image_to_video:ImageToVideoResult", find_hint=FIND_HINT,
    batch_request=_results_request, batch_records=_records,
    creates=("/api/open/v4/image2Video/createBySourcePrompt", "/api/open/v4/image2Video/createBySourcePrompt/batch",
             "/api/open/v4/image2Video/updateVideoAudio"),
))


class BatchJobs(list):  # type: ignore[type-arg]
    """The jobs a batch create started (``successList``), plus ``errors`` (its ``errorList``)."""

    def __init__(self, jobs: list[Any], errors: list[Any], batch_id: str | None) -> None:
        super().__init__(jobs)
        self.errors = errors
        self.batch_id = batch_id

    @property
    def ok(self) -> bool:
        return not self.errors

    def __repr__(self) -> str:
        return f"<BatchJobs batch_id={self.batch_id} jobs={len(self)} errors={len(self.errors)}>"

    def _repr_html_(self) -> str:
        from ..display import e

        refused = ""
        if self.errors:
            items = "".join(f"<li><code>{e(err)}</code></li>" for err in self.errors)
            refused = f' · <span style="color:#eb5757">{len(self.errors)} refused</span><ul>{items}</ul>'
        return (f'<div style="font:13px system-ui,sans-serif"><b>Image to video batch</b> {e(self.batch_id or "")}'
                f" · {len(self)} started{refused}<div>Wait for them with "
                f"<code>client.jobs.wait_all(batch)</code>.</div></div>")


def _effect_code(value: Any) -> str | None:
    return getattr(value, "effect_code", value)


def _negative(value: Any) -> Any:
    """``negative_prompt``: text, or a list of phrases (joined with ", "); "" means none."""
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(text(v, f"negative_prompt[{i}]", required=True)) for i, v in enumerate(value))
    if value == "":
        return value
    return text(value, "negative_prompt")


class ImageToVideo(Resource):
    @operation
    def create(self, image: Any, prompt: str | None = None, *, negative_prompt: Any = "",
               resolution: Any = "720p", video_length: int = 5, audio: Any = None, audio_type: int | None = None,
               effect_code: Any = None, extend_prompt: bool | None = None, is_premium_model: bool | None = None,
               webhook_url: str | None = None, check: bool = False) -> Steps[Any]:
        """Animate ``image`` (URL, path, bytes, PIL image or an image result) for ``video_length`` 5 or 10 s.

        ``prompt`` describes the motion; an ``effect_code`` (from ``effects()``) replaces it. ``audio_type``:
        1 AI-generated audio, 2 your ``audio`` (URL, path, bytes or a speech result), 3 none; by default 2
        when ``audio`` is given, else 3. ``negative_prompt`` (what to avoid; a string or a list) is always
        sent, as the docs require it here (empty by default). ``resolution``: "720p", "1080p" or "4k".
        ``check=True`` first looks ``effect_code`` up in the free effects list and refuses an unknown one
        before anything is uploaded or sent."""
        flag(check, "check", optional=False)
        effect = text(_effect_code(effect_code), "effect_code", max_chars=256)
        if prompt is None and effect is None:
            raise InvalidParameterError("prompt", "is required; describe the motion (e.g. 'slow zoom in') or "
                                                  "pass effect_code= from client.image_to_video.effects()")
        if negative_prompt is None:
            raise InvalidParameterError("negative_prompt", 'is required by createBySourcePrompt; pass "" for none')
        if audio_type is None:
            audio_type = 2 if audio is not None else 3
        image_ref = self._prepare(image, "image", "image")
        audio_ref = self._prepare(audio, "audio", "audio") if audio is not None else None
        fields = dict(prompt="" if prompt is None else prompt, negative_prompt=_negative(negative_prompt),
                      extend_prompt=extend_prompt, resolution=resolution, audio_type=audio_type,
                      video_length=video_length, is_premium_model=is_premium_model, effect_code=effect,
                      webhookurl=webhook(webhook_url))
        # Check every field before anything is uploaded or paid for.
        ImageToVideoRequest.build(image_url="https://x", audio_url="https://x" if audio_ref else None, **fields)
        if check:
            yield from known(self._client, "effect_code", effect, "an effect code", (EFFECTS,))
        body = ImageToVideoRequest.build(
            image_url=(yield from self._url(image_ref)),
            audio_url=(yield from self._url(audio_ref)) if audio_ref is not None else None, **fields,
        ).to_wire()
        data = yield APIRequest("POST", "/api/open/v4/image2Video/createBySourcePrompt", json=body, paid=True, find_hint=FIND_HINT)
        return self._job("image_to_video", data, body)

    @operation
    def create_batch(self, image: Any, prompt: str, *, model_name: Any = None, negative_prompt: Any = None,
                     extend_prompt: bool | None = None, resolution: Any = "720p", video_length: int = 5,
                     last_image: Any = None, count: int | None = None,
                     webhook_url: str | None = None, check: bool = False) -> Steps[BatchJobs]:
        """Make ``count`` (1–10) videos of ``image`` in one request, optionally with a ``model_name`` from
        ``client.ai_models`` (its ``value``) and a ``last_image`` (the final frame, for models that support
        it). Returns the started jobs (a list) with ``.errors`` for the items Akool refused.
        ``check=True`` first looks ``model_name`` up in the free model list and refuses an unknown one
        before anything is uploaded or sent."""
        flag(check, "check", optional=False)
        image_ref = self._prepare(image, "image", "image")
        last_ref = self._prepare(last_image, "last_image", "image") if last_image is not None else None
        fields = dict(prompt=prompt, model_name=text(getattr(model_name, "value", model_name), "model_name", max_chars=256),
                      negative_prompt=_negative(negative_prompt), extend_prompt=extend_prompt,
                      resolution=resolution, video_length=video_length, count=count,
                      webhookurl=webhook(webhook_url))
        ImageToVideoBatchRequest.build(image_url="https://x", last_image_url="https://x" if last_ref else None,
                                       **fields)
        if check:
            yield from known(self._client, "model_name", fields["model_name"], "an image-to-video model_name",
                             (I2V_MODELS,))
        body = ImageToVideoBatchRequest.build(
            image_url=(yield from self._url(image_ref)),
            last_image_url=(yield from self._url(last_ref)) if last_ref is not None else None, **fields,
        ).to_wire()
        data = yield APIRequest("POST", "/api/open/v4/image2Video/createBySourcePrompt/batch", json=body, paid=True, find_hint=FIND_HINT)
        data = data if isinstance(data, dict) else {}
        started = [item for item in data.get("successList") or [] if isinstance(item, dict)]
        jobs = [self._job("image_to_video", item, body) for item in started]
        batch_id = next((str(item["batch_id"]) for item in started if item.get("batch_id")), None)
        return BatchJobs(jobs, list(data.get("errorList") or []), batch_id)

    @operation
    def results(self, ids: Any) -> Steps[list[ImageToVideoResult]]:
        """Records for one id or many (ids, jobs or results), fetched with ONE ``resultsByIds`` request."""
        body = IdsRequest.build(_ids=ids_string(ids)).to_wire()
        data = yield APIRequest("POST", "/api/open/v4/image2Video/resultsByIds", json=body)
        return [ImageToVideoResult.model_validate(r) for r in _records(data).values()]

    @operation
    def effects(self) -> Steps[Page]:
        """The effects you can pass as ``effect_code`` (each has a name, a logo and a preview video)."""
        data = yield APIRequest("GET", "/api/open/v4/image2Video/effects")
        data = data if isinstance(data, dict) else {"result": data}
        items = [Effect.model_validate(e) for e in data.get("result") or [] if isinstance(e, dict)]
        return Page(items, count=data.get("count") if isinstance(data.get("count"), int) else None)

    @operation
    def update_audio(self, video: Any, audio: Any = None, *, audio_type: int | None = None) -> Steps[Any]:
        """Give a finished image-to-video result new audio: ``audio`` (``audio_type`` 2, the default when
        audio is given) or AI-generated audio (``audio_type=1``). ``video`` is the result, its job or its id.
        Returns a NEW job (``only_add_audio``)."""
        pre_video_id = identifier(getattr(video, "id", video), "video", "image-to-video result _id",
                                  field="pre_video_id")
        if audio_type is None:
            audio_type = 2 if audio is not None else 1
        audio_ref = self._prepare(audio, "audio", "audio") if audio is not None else None
        UpdateVideoAudioRequest.build(pre_video_id=pre_video_id, audio_type=audio_type,
                                      audio_url="https://x" if audio_ref else None)
        body = UpdateVideoAudioRequest.build(
            pre_video_id=pre_video_id, audio_type=audio_type,
            audio_url=(yield from self._url(audio_ref)) if audio_ref is not None else None,
        ).to_wire()
        data = yield APIRequest("POST", "/api/open/v4/image2Video/updateVideoAudio", json=body, paid=True, find_hint=FIND_HINT)
        return self._job("image_to_video", data, body)

    @operation
    def delete(self, ids: Any) -> Steps[DeleteResult]:
        """Delete results by id (one, a list, or jobs). Partial success: ``.deleted`` and ``.refused``
        (``{_id: reason}``, e.g. still processing)."""
        body = IdsRequest.build(_ids=ids_string(ids)).to_wire()
        data = yield APIRequest("POST", "/api/open/v4/image2Video/delbyids", json=body)
        return DeleteResult.model_validate(data or {})
