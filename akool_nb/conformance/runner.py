"""Make the calls against one service and record the shapes of its answers (never a value, never the key).

:class:`Service` wraps one base URL and key in an httpx client; :func:`record` makes a call and returns a
:class:`Recording`. The offline side (:func:`offline_service`) is an offline Akool started in-process with
its own key; :func:`offline_job` makes, for free, a job of the kind a ``--job`` id turned out to be.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator

import httpx

from ..spec.video import TALKING_AVATAR_CANVAS
from .calls import DETAIL_CALLS, DOCS_VOICE, Call, PaidCall, detail_call
from .shapes import shape_of

OFFLINE_KEY = "conformance-offline-key1"  # 24 characters: also a valid webhook key
STATUS_FIELDS = ("status", "image_status", "video_status", "faceswap_status")


@dataclass
class Recording:
    name: str
    request: str
    code: Any = None
    shape: Any = None
    http_status: int | None = None
    error: str = ""
    notes: list[str] = field(default_factory=list)

    def as_json(self, source: str) -> dict:
        return {**asdict(self), "source": source}


class Service:
    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None):
        self._http = httpx.Client(base_url=base_url.rstrip("/"), headers={"x-api-key": api_key}, timeout=timeout,
                                  transport=transport)

    def send(self, call: Call) -> httpx.Response:
        return self._http.request(call.method, call.path, params=call.params or None, json=call.json)

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:  # never the key
        return f"<conformance Service {self._http.base_url}>"


def record(service: Service, call: Call) -> tuple[Recording, Any]:
    """The call's recording and its answer's ``data`` (kept in memory only, to chain a detail call)."""
    rec = Recording(call.name, call.describe())
    try:
        response = service.send(call)
    except httpx.HTTPError as exc:
        rec.error = f"request failed: {type(exc).__name__}"
        return rec, None
    rec.http_status = response.status_code
    try:
        body = response.json()
    except ValueError:
        rec.error = f"the answer is not JSON (HTTP {response.status_code})"
        return rec, None
    rec.code = body.get("code") if isinstance(body, dict) else None
    rec.shape = shape_of(body)
    return rec, body.get("data") if isinstance(body, dict) else None


def _status(data: Any) -> int | None:
    item = data
    if isinstance(item, dict) and isinstance(item.get("result"), (dict, list)):
        item = item["result"]
    if isinstance(item, list):
        item = item[0] if item else None
    if not isinstance(item, dict):
        return None
    return next((item[f] for f in STATUS_FIELDS if isinstance(item.get(f), int)), None)


def poll_detail(service: Service, kind: str, job_id: str, *, every: float, cap: float) -> tuple[Recording, Any]:
    """Poll a job's detail until it finishes (status 3 or 4) or ``cap`` seconds pass; the last recording."""
    deadline = time.monotonic() + cap
    while True:
        rec, data = record(service, detail_call(kind, job_id))
        rec.request = rec.request.replace(job_id, "{id}")  # a job id is a value: not kept
        if rec.error or rec.code != 1000 or _status(data) in (3, 4) or time.monotonic() >= deadline:
            if rec.code == 1000 and _status(data) not in (3, 4):
                rec.notes.append(f"not finished after {cap:g} s")
            return rec, data
        time.sleep(every)


def find_job(service: Service, job_id: str) -> tuple[str, Recording] | None:
    """The first detail endpoint that knows ``job_id`` (free reads): (kind, recording)."""
    for kind, make in DETAIL_CALLS:
        rec, data = record(service, make(job_id))
        rec.request = rec.request.replace(job_id, "{id}")
        found = data.get("result") if isinstance(data, dict) and "result" in data else data
        if rec.code == 1000 and found:
            return kind, rec
    return None


# ------------------------------------------------------------------------------------- the offline side
@contextmanager
def offline_service(**start_options: Any) -> Iterator[Service]:
    """An offline Akool started in-process (fast mode, its own key) for the comparison."""
    from akool_nb import sim

    server = sim.start(api_key=OFFLINE_KEY, fast=True, **start_options)
    service = Service(server.base_url, OFFLINE_KEY, timeout=300)  # a new service makes its avatars on first use
    try:
        yield service
    finally:
        service.close()
        server.stop()


def _create(service: Service, call: Call) -> str:
    rec, data = record(service, call)
    if rec.code != 1000:
        raise RuntimeError(f"the offline Akool refused {call.describe()} (code {rec.code})")
    item = data[0] if isinstance(data, list) and data else data
    if isinstance(item, dict) and isinstance(item.get("successList"), list):
        item = item["successList"][0]
    return item["_id"]


def offline_job(service: Service, kind: str) -> str:
    """A finished-or-running offline job of ``kind`` to read the detail of (creates cost nothing offline)."""
    if kind == "tts":
        return _create(service, Call("c", "POST", "/api/open/v4/voice/tts", json={"input_text": "Hi.",
                                                                                   "voice_id": DOCS_VOICE}))
    if kind == "audio":
        return _create(service, Call("c", "POST", "/api/open/v3/audio/create",
                                     json={"input_text": "Hi.", "voice_id": DOCS_VOICE, "rate": "100%"}))
    if kind == "moderation":
        return _create(service, Call("c", "POST", "/api/open/v3/content/analysis/sentiment",
                                     json={"type": 4, "content": "Hello, friends.", "language": "en"}))
    if kind == "image":
        return _create(service, Call("c", "POST", "/api/open/v3/content/image/createbyprompt",
                                     json={"prompt": "a red circle", "scale": "1:1"}))
    if kind == "video":
        _, avatars = record(service, Call("a", "GET", "/api/open/v3/avatar/list", {"from": 2}))
        items = avatars.get("result") if isinstance(avatars, dict) else avatars
        return _create(service, Call("c", "POST", "/api/open/v3/talkingavatar/create", json={
            "width": TALKING_AVATAR_CANVAS[0], "height": TALKING_AVATAR_CANVAS[1], "avatar_from": 2, "elements": [
                {"type": "avatar", "avatar_id": items[0]["avatar_id"], "scale_x": 1, "scale_y": 1, "offset_x": 0,
                 "offset_y": 0},
                {"type": "audio", "input_text": "Hi.", "voice_id": DOCS_VOICE}]}))
    if kind == "image_to_video":
        _, effects = record(service, Call("e", "GET", "/api/open/v4/image2Video/effects"))
        logo = effects["result"][0]["logo"]
        return _create(service, Call("c", "POST", "/api/open/v4/image2Video/createBySourcePrompt", json={
            "image_url": logo, "prompt": "zoom in", "negative_prompt": "", "resolution": "720p", "audio_type": 1,
            "video_length": 5}))
    raise ValueError(f"no offline recipe for a {kind} job")


def run_paid(service: Service, paid: PaidCall, *, every: float, cap: float) -> list[Recording]:
    """Create one job and poll it to the end: the create's and the final detail's recordings."""
    created, data = record(service, paid.create)
    out = [created]
    job_id = paid.id_of(data) if created.code == 1000 else ""
    if job_id:
        detail, _ = poll_detail(service, paid.detail_kind, job_id, every=every, cap=cap)
        detail.name = f"{paid.create.name}_detail"
        out.append(detail)
    return out
