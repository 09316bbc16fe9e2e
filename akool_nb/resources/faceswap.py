"""Face swap (docs §B.7): v3 image and video (``specifyimage``, ``specifyvideo``: several faces, each with its
``opts`` landmarks), v4 Face Swap Pro (``faceswapByImage``: one face, no landmarks), results by ids (one
request for many jobs), deleting results and the credit balance.

The easy path goes from two detections to a ready request::

    me = client.faces.detect("me.jpg")
    scene = client.faces.detect("party.jpg")
    job = client.faceswap.image(scene, source=me, target=scene.faces[1])   # or target=None: the largest face

Faces are given as detected faces (``Face``), detections (their largest face), ``{"path", "opts"}`` dicts, or
just pictures (their largest face is detected for you). Jobs report ``faceswap_status``; ``wait_all`` polls
many of them with one ``listbyids`` request.
"""
from __future__ import annotations

from typing import Any, Callable

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError, NotFoundError
from ..jobs import Product, register
from ..models._base import id_list
from ..models.faces import Face, FaceDetection
from ..models.faceswap import (MAX_FACES, PRO_MODEL, FaceRef, FaceswapImageRequest, FaceswapProRequest,
                               FaceswapResult, FaceswapVideoRequest)
from ._base import Resource, Steps, choice, operation
from .faces import detect_steps

LIST_PATH = "/api/open/v3/faceswap/result/listbyids"
FIND_HINT = "Look it up with client.faceswap.results([...ids]) or client.jobs.recent()."
_PROBE = {"path": "https://example.com/face.png", "opts": "0,0:2,0:1,1:1,2"}  # stands in while checking fields


# ------------------------------------------------------------ job products
def _listbyids(ids: list[str]) -> APIRequest:
    return APIRequest("GET", "/api/open/v3/faceswap/result/listbyids", params={"_ids": ",".join(ids)})


def _records(data: Any) -> dict[str, dict[str, Any]]:
    items = (data or {}).get("result") if isinstance(data, dict) else data
    return {str(r.get("_id")): r for r in items or [] if isinstance(r, dict)}


def _pick(data: Any, job_id: str) -> dict[str, Any]:
    record = _records(data).get(job_id)
    if record is None:
        raise NotFoundError(f"listbyids has no result {job_id}: it was deleted, or it is not a faceswap/reage job",
                            endpoint=f"GET {LIST_PATH}", job_id=job_id)
    return record


def _product(key: str, label: str, media: str, create: str) -> Product:
    return register(Product(key, label, media,
                            lambda i: APIRequest("GET", "/api/open/v3/faceswap/result/listbyids", params={"_ids": i}),
                            "faceswap_status", ("url",), unwrap=_pick,
                            model="faceswap:FaceswapResult", find_hint=FIND_HINT, batch_request=_listbyids,
                            batch_records=_records, creates=(create,)))


_product("faceswap_image", "Face swap", "image", "/api/open/v3/faceswap/highquality/specifyimage")
_product("faceswap_pro", "Face Swap Pro", "image", "/api/open/v4/faceswap/faceswapByImage")
_product("faceswap_video", "Video face swap", "video", "/api/open/v3/faceswap/highquality/specifyvideo")


# ----------------------------------------------------------------- helpers
def webhook_or_empty(value: str | None) -> str | None:
    """``webhook_url``: an http(s) URL, or "" to send the field empty as the docs' examples do."""
    if value is not None and value != "" and not str(value).startswith(("http://", "https://")):
        raise InvalidParameterError("webhook_url", f"{value!r} is not an http(s) URL")
    return value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def ids_of(values: Any, param: str = "ids") -> list[str]:
    """Ids from a comma-separated string, ids, jobs or results."""
    return id_list(values, param)


def check_ref(item: Any, param: str) -> None:
    """Pre-flight check of one face item (no request)."""
    if isinstance(item, FaceDetection):
        if not item.faces:
            raise InvalidParameterError(param, "this detection found no face")
    elif isinstance(item, FaceRef):
        return
    elif isinstance(item, dict):
        unknown = set(item) - {"path", "opts"}
        if unknown or "path" not in item:
            raise InvalidParameterError(param, "a face dict needs exactly \"path\" (face picture) and \"opts\" "
                                               f"(its landmarks_str); got keys {sorted(item)}")
        if "opts" in item:
            FaceRef.build(path=_PROBE["path"], opts=item["opts"])
    elif not isinstance(item, Face):
        Resource._prepare(item, param, "image")


def face_ref(resource: Resource, item: Any, param: str) -> Steps[dict[str, str]]:
    """``{"path", "opts"}`` for one face: a Face, a detection (its largest face), a dict, or a picture whose
    largest face is detected. Local pictures are uploaded through the asset host."""
    if isinstance(item, FaceDetection):
        item = item.face
    if isinstance(item, FaceRef):
        item = item.to_wire()
    if isinstance(item, Face):
        ref = item.as_ref()
        if ref is not None:
            return ref
        if item.source_is_video:
            raise InvalidParameterError(param, "a face found in a video has no picture of its own: detect the video "
                                               "with return_face_url=True and use those faces (their crops)")
        if item.media is None:
            raise InvalidParameterError(param, "this face has no picture: detect it from a URL or a local picture")
        url = yield from resource._url(resource._prepare(item.media, "image", "image"))
        return {"path": url, "opts": item.opts}
    if isinstance(item, dict):
        path = item.get("path")
        if not (isinstance(path, str) and path.startswith(("http://", "https://"))):
            path = yield from resource._url(resource._prepare(path, f"{param}.path", "image"))
        if item.get("opts"):
            return {"path": path, "opts": item["opts"]}
        item = path  # no landmarks: find them
    detection = yield from detect_steps(resource, item, single_face=True, param=param)
    if not detection.faces:
        raise InvalidParameterError(param, "no face was found in this picture")
    url = detection.source_url
    if url is None:
        url = yield from resource._url(resource._prepare(item, "image", "image"))
    return {"path": url, "opts": detection.face.opts}


def face_refs(resource: Resource, items: list[Any], name: str) -> Steps[list[dict[str, str]]]:
    """``face_ref`` for each item, named ``name[i]`` in errors."""
    refs = []
    for i, item in enumerate(items):
        refs.append((yield from face_ref(resource, item, f"{name}[{i}]")))
    return refs


def check_video_targets(targets: list[Any] | None) -> None:
    """A video's faces cannot be found in a still: they come as detected faces or ``{path, opts}`` crops."""
    for i, item in enumerate(targets or []):
        if not isinstance(item, (Face, FaceRef, dict)):
            raise InvalidParameterError(f"target[{i}]", "a video's faces are given as detected faces or "
                                                        "{path, opts} crops; or leave target=None")


def paired(source: Any, target: Any) -> tuple[list[Any], list[Any] | None]:
    """Sources and targets as lists, checked: 1–8 faces each, the same number on both sides."""
    sources, targets = as_list(source), (as_list(target) if target is not None else None)
    _check_count(sources, "source")
    if targets is not None:
        _check_count(targets, "target")
        if len(targets) != len(sources):
            raise InvalidParameterError("target", f"{len(targets)} target faces for {len(sources)} source faces: "
                                                  "they pair up index for index")
    for i, item in enumerate(sources):
        check_ref(item, f"source[{i}]")
    return sources, targets


def prepare_media(resource: Resource, value: Any, param: str, kind: str) -> Any:
    """``value`` checked and ready to send (a URL, or an Upload of local data) before anything is sent; a
    detection stands for what it analysed."""
    if isinstance(value, FaceDetection):
        return resource._prepare(value.media, param if kind == "video" else "image", kind)
    return resource._prepare(value, param, kind)


def modify_and_targets(resource: Resource, media: Any, kind: str, targets: list[Any] | None,
                       pick: Callable[[FaceDetection], list[Face]]) -> Steps[tuple[str, list[Any]]]:
    """The URL of the picture/video to modify (``modify_image`` / ``modify_video``), and the faces to change:
    ``targets``, or ``pick(detection)`` of a face detection of it (a picture's own detection when it is one)."""
    param = f"modify_{kind}"
    modify = yield from resource._url(prepare_media(resource, media, param, kind))
    if targets is None:
        if kind == "image" and isinstance(media, FaceDetection):
            scene = media
        elif kind == "image":
            scene = yield from detect_steps(resource, modify, param=param)
        else:
            scene = yield from detect_steps(resource, modify, num_frames=3, return_face_url=True, param=param)
        targets = pick(scene)
    return modify, targets


def pick_targets(detection: FaceDetection, count: int, param: str) -> list[Face]:
    """``count`` faces of a detection: the largest for one, else all of them (left to right) if they match."""
    faces = detection.faces
    if not faces:
        raise InvalidParameterError(param, "no face was found to modify; pass target= explicitly")
    if count == 1:
        return [detection.face]
    if len(faces) != count:
        raise InvalidParameterError(param, f"{len(faces)} faces were found but {count} source faces were given: "
                                           "pass target= to say which face gets which source, in order")
    return faces


def _check_count(items: list[Any], param: str) -> None:
    if not items:
        raise InvalidParameterError(param, "needs at least one face")
    if len(items) > MAX_FACES:
        raise InvalidParameterError(param, f"has {len(items)} faces; at most {MAX_FACES} faces can be swapped per "
                                           "request (Akool answers 1007): split the work into several requests")


def _new_job(resource: Resource, product: str, data: Any, body: dict[str, Any]) -> Any:
    job = resource._job(product, data, body)
    job.job_id = (data or {}).get("job_id") if isinstance(data, dict) else None  # for client.reage.cancel()
    return job


# ---------------------------------------------------------------- resource
class Faceswap(Resource):
    @operation
    def image(self, modify_image: Any, source: Any, target: Any = None, *, face_enhance: int | bool | None = None,
              webhook_url: str | None = None) -> Steps[Any]:
        """Swap faces in a picture (``specifyimage``, up to 8 faces). ``modify_image``: the picture (URL, path,
        PIL, result, or its detection). ``source``/``target``: one face or aligned lists (``source[i]`` replaces
        ``target[i]``); each a detected ``Face``, a detection (its largest face), a ``{"path", "opts"}`` dict or a
        picture. ``target=None``: the largest face of ``modify_image`` (or all its faces, left to right, when
        as many sources are given). ``face_enhance``: 0 Classic model, 1 HD Optimized."""
        sources, targets = paired(source, target)
        for i, item in enumerate(targets or []):
            check_ref(item, f"target[{i}]")
        FaceswapImageRequest.build(targetImage=[_PROBE], sourceImage=[_PROBE], modifyImage=_PROBE["path"],
                                   face_enhance=face_enhance, webhookUrl=webhook_or_empty(webhook_url))
        modify, targets = yield from modify_and_targets(
            self, modify_image, "image", targets, lambda scene: pick_targets(scene, len(sources), "target"))
        target_refs = yield from face_refs(self, targets, "target")
        source_refs = yield from face_refs(self, sources, "source")
        body = FaceswapImageRequest.build(targetImage=target_refs, sourceImage=source_refs, face_enhance=face_enhance,
                                          modifyImage=modify, webhookUrl=webhook_url).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/faceswap/highquality/specifyimage", json=body, paid=True,
                                find_hint=FIND_HINT)
        return _new_job(self, "faceswap_image", data, body)

    @operation
    def video(self, modify_video: Any, source: Any, target: Any = None, *, face_enhance: int | bool | None = None,
              webhook_url: str | None = None) -> Steps[Any]:
        """Swap faces in a video (``specifyvideo``; best under 60 s, up to 8 faces, H.264). ``source``: the new
        faces (one face per picture). ``target``: the video's faces, as face crops — ``Face`` objects of
        ``client.faces.detect(video, return_face_url=True)`` or ``{"path", "opts"}`` dicts; ``None`` detects
        them for you (the largest face, or all faces when as many sources are given)."""
        sources, targets = paired(source, target)
        check_video_targets(targets)
        FaceswapVideoRequest.build(targetImage=[_PROBE], sourceImage=[_PROBE], modifyVideo=_PROBE["path"],
                                   face_enhance=face_enhance, webhookUrl=webhook_or_empty(webhook_url))
        modify, targets = yield from modify_and_targets(
            self, modify_video, "video", targets, lambda scene: pick_targets(scene, len(sources), "target"))
        target_refs = yield from face_refs(self, targets, "target")
        source_refs = yield from face_refs(self, sources, "source")
        body = FaceswapVideoRequest.build(targetImage=target_refs, sourceImage=source_refs, face_enhance=face_enhance,
                                          modifyVideo=modify, webhookUrl=webhook_url).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/faceswap/highquality/specifyvideo", json=body, paid=True,
                                find_hint=FIND_HINT)
        return _new_job(self, "faceswap_video", data, body)

    @operation
    def pro(self, target: Any, source: Any, *, face_enhance: bool | None = None, model_name: str = PRO_MODEL,
            webhook_url: str | None = None) -> Steps[Any]:
        """Face Swap Pro (v4 ``faceswapByImage``): the face in ``target`` (the picture to change) becomes the
        face in ``source``. One face only, no landmarks needed; ``face_enhance`` is True/False."""
        choice(model_name, "model_name", (PRO_MODEL,))
        FaceswapProRequest.build(targetImage=[{"path": _PROBE["path"]}], sourceImage=[{"path": _PROBE["path"]}],
                                 model_name=model_name, face_enhance=face_enhance,
                                 webhookUrl=webhook_or_empty(webhook_url))
        prepared = []
        for param, value in (("target", target), ("source", source)):
            if isinstance(value, (list, tuple)):
                if len(value) != 1:
                    raise InvalidParameterError(param, f"Face Swap Pro swaps a single face: pass one picture, not "
                                                       f"{len(value)} (client.faceswap.image() takes several)")
                value = value[0]
            if isinstance(value, Face):
                value = value.face_url if param == "source" and value.face_url else (value.source_url or value.media)
            if isinstance(value, dict):
                value = value.get("path")
            prepared.append(prepare_media(self, value, param, "image"))  # both checked before either is sent
        urls = []
        for item in prepared:
            urls.append((yield from self._url(item)))
        body = FaceswapProRequest.build(targetImage=[{"path": urls[0]}], sourceImage=[{"path": urls[1]}],
                                        model_name=model_name, face_enhance=face_enhance,
                                        webhookUrl=webhook_url).to_wire()
        data = yield APIRequest("POST", "/api/open/v4/faceswap/faceswapByImage", json=body, paid=True,
                                find_hint=FIND_HINT)
        return _new_job(self, "faceswap_pro", data, body)

    image_v4 = pro

    @operation
    def results(self, ids: Any) -> Steps[list[FaceswapResult]]:
        """Faceswap and reage results by ``_id`` (ids, jobs or results; one ``listbyids`` request)."""
        wanted = ids_of(ids)
        data = yield APIRequest("GET", "/api/open/v3/faceswap/result/listbyids", params={"_ids": ",".join(wanted)})
        records = _records(data)
        return [FaceswapResult.model_validate(records[i]) for i in wanted if i in records]

    @operation
    def delete(self, ids: Any) -> Steps[None]:
        """Delete results for good (``delbyids``; ids, jobs or results)."""
        body = {"_ids": ",".join(ids_of(ids))}
        yield APIRequest("POST", "/api/open/v3/faceswap/result/delbyids", json=body)
        return None

    @operation
    def credit(self) -> Steps[float]:
        """The account's credit balance (``quota/info``)."""
        data = yield APIRequest("GET", "/api/open/v3/faceswap/quota/info")
        value = (data or {}).get("credit") if isinstance(data, dict) else data
        return float(value) if value is not None else 0.0
