"""Reage (docs §B.13): make faces in a picture or video older (``face_reage`` up to 30) or younger (down to
-30). Results come from the faceswap results endpoint (``faceswap_status``); ``cancel`` stops a job.

    job = client.reage.image("portrait.jpg", 20)          # every face (up to 8) is found for you
"""
from __future__ import annotations

from typing import Any

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError
from ..models.faces import Face, FaceDetection
from ..models.faceswap import MAX_FACES, FaceswapResult, ReageImageRequest, ReageVideoRequest
from ..models._base import id_list
from ._base import Resource, Steps, items, operation
from .faceswap import (_PROBE, FIND_HINT, _new_job, _product, as_list, check_ref, check_video_targets, face_refs, ids_of,
                       modify_and_targets, webhook_or_empty)

_product("reage_image", "Reage", "image", "/api/open/v3/faceswap/highquality/imgreage")
_product("reage_video", "Video reage", "video", "/api/open/v3/faceswap/highquality/vidreage")


def _targets(detection: FaceDetection, param: str) -> list[Face]:
    faces = detection.faces
    if not faces:
        raise InvalidParameterError(param, "no face was found to reage")
    if len(faces) > MAX_FACES:
        raise InvalidParameterError(param, f"{len(faces)} faces were found; at most {MAX_FACES} can be reaged per "
                                           "request (Akool answers 1007): pass target= with the ones you want")
    return faces


class Reage(Resource):
    def _check(self, target: Any, face_reage: Any, webhook_url: Any, model: Any) -> list[Any] | None:
        model.build(targetImage=[_PROBE], face_reage=face_reage, webhookUrl=webhook_or_empty(webhook_url),
                    **{"modifyImage" if model is ReageImageRequest else "modifyVideo": _PROBE["path"]})
        if target is None:
            return None
        targets = as_list(target)
        if not targets or len(targets) > MAX_FACES:
            raise InvalidParameterError("target", f"needs 1 to {MAX_FACES} faces (Akool answers 1007 above "
                                                  f"{MAX_FACES}); got {len(targets)}")
        for i, item in enumerate(targets):
            check_ref(item, f"target[{i}]")
        return targets

    @operation
    def image(self, modify_image: Any, face_reage: int, *, target: Any = None,
              webhook_url: str | None = None) -> Steps[Any]:
        """Reage faces of a picture (``imgreage``). ``face_reage``: -30 (younger) … 30 (older). ``target``: the
        faces (detected ``Face`` objects, ``{"path", "opts"}`` dicts …); ``None``: every face in the picture."""
        targets = self._check(target, face_reage, webhook_url, ReageImageRequest)
        modify, targets = yield from modify_and_targets(
            self, modify_image, "image", targets, lambda scene: _targets(scene, "modify_image"))
        refs = yield from face_refs(self, targets, "target")
        body = ReageImageRequest.build(targetImage=refs, face_reage=face_reage, modifyImage=modify,
                                       webhookUrl=webhook_url).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/faceswap/highquality/imgreage", json=body, paid=True,
                                find_hint=FIND_HINT)
        return _new_job(self, "reage_image", data, body)

    @operation
    def video(self, modify_video: Any, face_reage: int, *, target: Any = None,
              webhook_url: str | None = None) -> Steps[Any]:
        """Reage faces of a video (``vidreage``). ``target``: the video's faces as crops (from
        ``client.faces.detect(video, return_face_url=True)``) or ``None`` to find them for you."""
        targets = self._check(target, face_reage, webhook_url, ReageVideoRequest)
        check_video_targets(targets)
        modify, targets = yield from modify_and_targets(
            self, modify_video, "video", targets, lambda scene: _targets(scene, "modify_video"))
        refs = yield from face_refs(self, targets, "target")
        body = ReageVideoRequest.build(targetImage=refs, face_reage=face_reage, modifyVideo=modify,
                                       webhookUrl=webhook_url).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/faceswap/highquality/vidreage", json=body, paid=True,
                                find_hint=FIND_HINT)
        return _new_job(self, "reage_video", data, body)

    @operation
    def cancel(self, jobs: Any) -> Steps[None]:
        """Cancel reage jobs (``POST /api/open/v3/faceswap/job/del``): jobs, or their ``job_id`` strings (the
        create answer's ``job_id``, not the ``_id``)."""
        job_ids: list[str] = []
        for job in items(jobs, "jobs"):
            if isinstance(job, str) or job is None:
                job_ids += id_list(job, "jobs", "job_id")
                continue
            record = getattr(job, "record", None)
            value = getattr(job, "job_id", None) or (record.get("job_id") if isinstance(record, dict) else None)
            if not value:
                raise InvalidParameterError("jobs", "has no job_id (the create answer's job_id); pass reage jobs or "
                                                    "their job_id strings", value=job)
            job_ids.append(str(value))
        if not job_ids:
            raise InvalidParameterError("jobs", "needs at least one job or job_id")
        yield APIRequest("POST", "/api/open/v3/faceswap/job/del", json={"job_ids": ",".join(job_ids)})
        return None

    @operation
    def results(self, ids: Any) -> Steps[list[FaceswapResult]]:
        """Reage results by ``_id`` (the faceswap ``listbyids`` endpoint)."""
        from .faceswap import _records

        wanted = ids_of(ids)
        data = yield APIRequest("GET", "/api/open/v3/faceswap/result/listbyids", params={"_ids": ",".join(wanted)})
        records = _records(data)
        return [FaceswapResult.model_validate(records[i]) for i in wanted if i in records]
