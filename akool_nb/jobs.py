"""One job handle for every asynchronous Akool product.

Akool names the status differently per product (``video_status``, ``image_status``, ``faceswap_status``,
``status``) and fetches results from different endpoints (docs §A.5). A :class:`Product` row describes
that once; :class:`Job` (sync) and :class:`AsyncJob` (async) do the rest the same way for all of them:
``refresh()``, ``wait()`` paced by :mod:`._polling` with a deadline, progress callbacks, re-attach by id, and a
:class:`Result` that renders inline and saves to disk.

A ``timeout`` given to ``wait``/``wait_all``/``refresh`` is a deadline for everything they do, every status
check's connect, reads, retries and Retry-After waits included (see ``_base_client``'s docstring).

On a client given a webhook receiver (``Akool(webhooks=...)``) the waits learn completions from deliveries and
poll only what is overdue (the schedule's ``listener``: ``akool_nb.webhook._listen``).

Long because: the Product table of every asynchronous product and the sync and async Job handles that read it are
one unit.
"""
from __future__ import annotations

import asyncio
import contextlib
import enum
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ._base_client import APIRequest
from ._deadline import after, remaining
from ._exceptions import AkoolError, APITimeoutError, JobFailedError, JobTimeoutError
from ._journal.finders import Field, Finder, register_create
from ._polling import BATCH_SIZE, PollPolicy, Schedule

if TYPE_CHECKING:
    from .client import _ClientBase

RESULT_LIFETIME = timedelta(days=7)  # "generated resources expire after 7 days" (every docs page)


class JobStatus(enum.IntEnum):
    QUEUED = 1
    PROCESSING = 2
    COMPLETED = 3
    FAILED = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def done(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED)


@dataclass(frozen=True)
class Product:
    """How one asynchronous product reports its status and result."""

    key: str
    label: str
    media: str  # "audio" | "video" | "image" | "data"
    status_request: Callable[[str], APIRequest]
    status_field: str
    url_fields: tuple[str, ...]
    unwrap: Callable[[Any, str], dict[str, Any]] = field(default=lambda data, _id: data or {})
    model: str | None = None  # "module:Class" of the typed result record, imported lazily
    find_hint: str = ""
    # Products with a many-ids result endpoint (faceswap listbyids, image2Video resultsByIds): one request
    # answers for many jobs. ``batch_request(ids)`` builds it, ``batch_records(data)`` maps id -> record.
    batch_request: Callable[[list[str]], APIRequest] | None = None
    batch_records: Callable[[Any], dict[str, dict[str, Any]]] | None = None
    # The create endpoints that make this product's jobs (the journal names entries by them), and, where the
    # API lists recent jobs, how to find the job of a create whose answer was lost (see _journal.finders).
    creates: tuple[str, ...] = ()
    find: Finder | None = None


def _first_of_list(data: Any, job_id: str) -> dict[str, Any]:
    if isinstance(data, list):
        for item in data:
            if isinstance(item, dict) and item.get("_id") == job_id:
                return item
        return data[0] if data and isinstance(data[0], dict) else {}
    return data or {}


def _result_key(data: Any, _id: str) -> dict[str, Any]:
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        return data["result"]
    return data or {}


def _video_info(job_id: str) -> APIRequest:
    return APIRequest("GET", "/api/open/v3/content/video/infobymodelid", params={"video_model_id": job_id})


class _Registry(dict):  # type: ignore[type-arg]
    """Products by key. Families register theirs in their resource module; a lookup of an unknown key
    imports every resource module first, so re-attaching by product name works before any family is used."""

    _loaded = False

    def _load_all(self) -> None:
        if not self._loaded:
            import importlib
            import pkgutil

            from . import resources

            type(self)._loaded = True
            for info in pkgutil.iter_modules(resources.__path__):
                if not info.name.startswith("_"):
                    importlib.import_module(f"akool_nb.resources.{info.name}")

    def __missing__(self, key: str) -> Product:
        self._load_all()
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        self._load_all()
        return dict.__contains__(self, key)

    def __iter__(self):  # type: ignore[no-untyped-def]
        self._load_all()
        return dict.__iter__(self)


PRODUCTS: dict[str, Product] = _Registry()


def register(product: Product) -> Product:
    dict.__setitem__(PRODUCTS, product.key, product)
    for path in product.creates:
        register_create(path, product.key, product.label, product.find)
    return product


def _voice_results(kind: str) -> Callable[[int, int], APIRequest]:
    """``GET /api/open/v4/voice/resource/list?type=`` (1 TTS, 2 voice changer), one page."""
    return lambda page, size: APIRequest("GET", "/api/open/v4/voice/resource/list",
                                         params={"type": kind, "page": str(page), "size": str(size)})


register(Product(
    "tts", "Text to speech", "audio",
    lambda i: APIRequest("GET", f"/api/open/v4/voice/resource/detail/{i}"),
    "status", ("preview", "url"), unwrap=_result_key, model="voices:VoiceResource",
    find_hint="List recent speech results with client.tts.results().", creates=("/api/open/v4/voice/tts",),
    find=Finder("the VoiceLab results list (GET /api/open/v4/voice/resource/list?type=1)", _voice_results("1"),
                (Field("input_text", identifies=True), Field("webhookUrl"))),
))
register(Product(
    "audio", "Text to speech (v3)", "audio",
    lambda i: APIRequest("GET", "/api/open/v3/audio/infobymodelid", params={"audio_model_id": i}),
    "status", ("url",), model="audio:AudioInfo",
    find_hint="Check client.jobs.recent() and your webhook receiver.",
    creates=("/api/open/v3/audio/create", "/api/open/v3/audio/clone"),
))
register(Product(
    "talking_photo", "Talking photo", "video", _video_info, "video_status", ("video",),
    model="video:VideoInfo", find_hint="Check client.jobs.recent() and your webhook receiver.",
    creates=("/api/open/v3/content/video/createbytalkingphoto",),
))
register(Product(
    "talking_avatar", "Talking avatar", "video", _video_info, "video_status", ("video",),
    model="video:VideoInfo", find_hint="Check client.jobs.recent() and your webhook receiver.",
    creates=("/api/open/v3/talkingavatar/create", "/api/open/v3/avatar/createVideo"),
))
register(Product(
    "avatar", "Avatar upload", "video",
    lambda i: APIRequest("GET", "/api/open/v3/avatar/detail", params={"id": i}),
    "status", ("url",), unwrap=_first_of_list, model="avatars:AvatarRecord",
    find_hint="List your avatars with client.avatars.list(source='mine').", creates=("/api/open/v3/avatar/create",),
    # avatar_id is unique per account (a second upload answers 1222), so no time window is needed.
    find=Finder("your avatars (GET /api/open/v3/avatar/list?from=3)",
                lambda page, size: APIRequest("GET", "/api/open/v3/avatar/list",
                                              params={"from": 3, "page": page, "size": size}),
                (Field("avatar_id", identifies=True), Field("name")), window=False),
))

_STATUS_FALLBACKS = ("video_status", "status", "image_status", "faceswap_status")
_REASON_FIELDS = ("error_reason", "faceswap_fail_reason", "fail_reason", "error_msg", "msg", "reason")


def _coerce_status(value: Any) -> JobStatus | None:
    try:
        return JobStatus(int(value))
    except (TypeError, ValueError):
        return None


def _load_model(ref: str | None) -> Any:
    if not ref:
        return None
    import importlib

    module, name = ref.split(":")
    return getattr(importlib.import_module(f"akool_nb.models.{module}"), name)


class _JobBase:
    _webhooked = False  # its create named the client's webhook receiver (akool_nb.webhook._listen)

    def __init__(self, client: _ClientBase, product: Product | str, job_id: str, *,
                 record: dict[str, Any] | None = None, request: dict[str, Any] | None = None,
                 created_at: float | None = None) -> None:
        self._client = client
        self.product = PRODUCTS[product] if isinstance(product, str) else product
        self.id = job_id
        self.request = request  # what we sent (no secrets), e.g. for a poster image
        self.record: dict[str, Any] = {}
        self.status = JobStatus.QUEUED
        self.created_at = created_at or time.time()
        self.finished_at: float | None = None
        self.polls = 0
        if record:
            self._apply(record)

    # -- state ------------------------------------------------------------------------------------
    def _apply(self, record: dict[str, Any]) -> bool:
        self.record = record
        status = _coerce_status(record.get(self.product.status_field))
        if status is None:
            status = next((s for f in _STATUS_FALLBACKS if (s := _coerce_status(record.get(f)))), None)
        changed = status is not None and status != self.status
        if status is not None:
            self.status = status
        if changed and self.status.done:
            self.finished_at = time.time()
            self._client._journal_update(self)
        return changed

    @property
    def done(self) -> bool:
        return self.status.done

    @property
    def entry(self) -> Any:
        """The journal entry of this job's create (request, attempts, history), or None."""
        journal = self._client._journal
        return journal.get(self._client._service_key, self.id) if journal is not None else None

    @property
    def url(self) -> str | None:
        for name in self.product.url_fields:
            value = self.record.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    @property
    def elapsed(self) -> float:
        return (self.finished_at or time.time()) - self.created_at

    @property
    def progress(self) -> float:
        """A coarse estimate for progress bars; Akool reports states, not percentages."""
        return {JobStatus.QUEUED: 0.1, JobStatus.PROCESSING: 0.5}.get(self.status, 1.0)

    @property
    def failure_reason(self) -> str | None:
        for name in _REASON_FIELDS:
            value = self.record.get(name)
            if value:
                return str(value)
        return None

    @property
    def result(self) -> Result:
        if self.status is JobStatus.FAILED:
            raise self._failed_error()
        if self.status is not JobStatus.COMPLETED:
            raise AkoolError(f"{self.product.label} job is still {self.status.label}; call wait() first",
                             job_id=self.id)
        model = _load_model(self.product.model)
        data = model.model_validate(self.record) if model is not None else self.record
        return Result(self, self.url, data)

    def _failed_error(self) -> JobFailedError:
        reason = self.failure_reason or "no reason given"
        code = self.record.get("error_code")
        return JobFailedError(f"{self.product.label} job failed: {reason}", job_id=self.id,
                              code=int(code) if isinstance(code, int) or str(code).isdigit() else None,
                              endpoint=self.product.status_request(self.id).endpoint, body=self.record)

    def _timeout_error(self, timeout: float, cause: APITimeoutError | None = None) -> JobTimeoutError:
        why = f"; the last status check could not finish in time: {cause.message}" if cause else ""
        return JobTimeoutError(
            f"{self.product.label} job not done within timeout={timeout:g}s (still {self.status.label}{why}). "
            f"It goes on at Akool: call wait() again, or after a restart client.jobs.attach({self.id!r})",
            job_id=self.id,
        )

    def _status_request(self) -> APIRequest:
        return self.product.status_request(self.id)

    def _absorb(self, data: Any) -> bool:
        self.polls += 1
        return self._apply(self.product.unwrap(data, self.id))

    # -- display ----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        left = ""
        if self.status is JobStatus.COMPLETED and self.finished_at:  # Akool deletes results 7 days after
            days = (RESULT_LIFETIME.total_seconds() - (time.time() - self.finished_at)) / 86400
            left = f" expires in {days:.1f} days" if days > 0 else " result expired"
        return (f"<{type(self).__name__} {self.product.key} id={self.id} status={self.status.label} "
                f"elapsed={self.elapsed:.1f}s{left}>")

    def _repr_html_(self) -> str:
        from .display import job_html

        return job_html(self)


LAST_LOOK = 1.0  # seconds kept for the last status check before a deadline


def _pause(interval: float, deadline: float | None) -> tuple[float, bool]:
    """How long to sleep before the next poll, and whether that poll is the last the deadline allows.
    The last one starts ``LAST_LOOK`` (at most half of what remains) before the deadline, so it can finish."""
    left = remaining(deadline)
    if left is None:
        return interval, False
    reserve = min(LAST_LOOK, left / 2)
    if interval < left - reserve:
        return interval, False
    return max(0.0, left - reserve), True


@contextlib.contextmanager
def _deadline_is_job_timeout(job: _JobBase, timeout: float | None) -> Any:
    """Inside ``wait``: a status check cut by the wait's deadline is the wait timing out."""
    try:
        yield
    except APITimeoutError as err:
        if not err.by_deadline:
            raise
        raise job._timeout_error(timeout or 0, err) from err


def _with_job_id(err: AkoolError, job_id: str) -> AkoolError:
    if err.job_id is None:
        err.job_id = job_id
    return err


class Job(_JobBase):
    """A job on the sync client."""

    def _fetch(self, deadline: float | None = None) -> Any:
        try:
            return self._client._request(self._status_request(), deadline)
        except AkoolError as err:
            raise _with_job_id(err, self.id)

    def refresh(self, timeout: float | None = None) -> Job:
        """Ask Akool for the job's status once; ``timeout`` bounds the whole check, retries included
        (:class:`APITimeoutError` when it runs out)."""
        self._absorb(self._fetch(after(timeout)))
        return self

    def wait(self, timeout: float | None = 900.0, poll: float | None = None,
             on_progress: Callable[[Job], Any] | None = None) -> Result:
        """Poll until completed; return the :class:`Result`. Raises JobFailedError / JobTimeoutError.
        ``timeout`` is a deadline for everything, status checks and their retries included. The pace is
        :mod:`akool_nb._polling`'s, the same as ``wait_all``'s."""
        return wait_all([self], timeout=timeout, poll=poll, on_progress=on_progress)[0]


class AsyncJob(_JobBase):
    """A job on the async client: ``await job.refresh()``, ``await job.wait()``."""

    async def _fetch(self, deadline: float | None = None) -> Any:
        try:
            return await self._client._request(self._status_request(), deadline)
        except AkoolError as err:
            raise _with_job_id(err, self.id)

    async def refresh(self, timeout: float | None = None) -> AsyncJob:
        self._absorb(await self._fetch(after(timeout)))
        return self

    async def wait(self, timeout: float | None = 900.0, poll: float | None = None,
                   on_progress: Callable[[AsyncJob], Any] | None = None) -> Result:
        return (await async_wait_all([self], timeout=timeout, poll=poll, on_progress=on_progress))[0]


class Result:
    """A finished job's output: the URL, the typed record, expiry, ``save()`` and an inline preview."""

    def __init__(self, job: _JobBase, url: str | None, data: Any) -> None:
        self.job = job
        self.url = url
        self.data = data

    @property
    def id(self) -> str:
        return self.job.id

    @property
    def media(self) -> str:
        return self.job.product.media

    @property
    def created_at(self) -> datetime:
        ms = self.job.record.get("create_time")
        try:
            return datetime.fromtimestamp(float(ms) / 1000, tz=timezone.utc)
        except (TypeError, ValueError):
            return datetime.fromtimestamp(self.job.created_at, tz=timezone.utc)

    @property
    def expires_at(self) -> datetime:
        return self.created_at + RESULT_LIFETIME

    @property
    def poster_url(self) -> str | None:
        record, request = self.job.record, self.job.request or {}
        for value in (record.get("thumbnailUrl"), record.get("video_cover"), request.get("talking_photo_url")):
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                return value
        return None

    def save(self, path: str | Path | None = None, *, chunk_size: int = 1 << 16) -> Path:
        """Stream the result file to ``path`` (a directory or file name; default: the URL's name)."""
        return self.job._client._download(self._require_url(), path, chunk_size)

    async def asave(self, path: str | Path | None = None, *, chunk_size: int = 1 << 16) -> Path:
        return await self.job._client._adownload(self._require_url(), path, chunk_size)

    def _require_url(self) -> str:
        if not self.url:
            raise AkoolError(f"{self.job.product.label} result has no file URL", job_id=self.id)
        return self.url

    def __str__(self) -> str:
        return self.url or ""

    def __repr__(self) -> str:
        return f"<Result {self.job.product.key} id={self.id} url={self.url!r} expires={self.expires_at:%Y-%m-%d}>"

    def _repr_html_(self) -> str:
        from .display import result_html

        return result_html(self)


def schedule_for(jobs: list[Any], poll: float | None = None) -> Schedule:
    """The one polling schedule (see :mod:`akool_nb._polling`) for ``jobs``, paced by their client."""
    client = jobs[0]._client if jobs else None
    interval = poll if poll is not None else getattr(client, "poll_interval", 3.0)
    schedule = Schedule(PollPolicy(interval, max(interval, getattr(client, "max_poll_interval", 15.0))),
                        listener=getattr(client, "_webhooks", None))
    schedule.add(jobs)
    return schedule


def _after_round(schedule: Schedule, asked: list[Any], deadline: float | None, timeout: float | None,
                 last: bool) -> bool:
    """Raise for a failed job, learn from the answers; True when every job is done. Past the deadline
    (or after the last round it allows) a pending job raises JobTimeoutError."""
    _raise_failures(asked)
    schedule.observe(asked)
    if schedule and deadline is not None and (last or time.monotonic() >= deadline):
        raise schedule.pending[0]._timeout_error(timeout or 0)
    return not schedule


def refresh_together(request: APIRequest, jobs: list[Any]) -> Any:
    """Ask about jobs of one many-ids product in one request (:meth:`Schedule.due` builds it); for
    AsyncAkool jobs this returns a coroutine to await."""
    answer = jobs[0]._client._request(request, None)
    if asyncio.iscoroutine(answer):
        async def absorb() -> None:
            _absorb_batch(await answer, jobs)
        return absorb()
    _absorb_batch(answer, jobs)
    return None


def _absorb_batch(data: Any, chunk: list[Any]) -> None:
    records = chunk[0].product.batch_records(data)
    for job in chunk:
        if job.id in records:
            job.polls += 1
            job._apply(records[job.id])


def _raise_failures(jobs: list[Any]) -> None:
    for job in jobs:
        if job.status is JobStatus.FAILED:
            raise job._failed_error()


def wait_all(jobs: list[Job], timeout: float | None = 900.0, poll: float | None = None,
             on_progress: Callable[[Job], Any] | None = None) -> list[Result]:
    """Wait for many sync jobs; results in the order of ``jobs``. A failed job raises. ``timeout`` is one
    deadline for every request of every round (JobTimeoutError). Few requests: see :mod:`._polling`."""
    deadline = after(timeout)
    schedule = schedule_for(jobs, poll)
    last = False
    while schedule:
        asked: list[Any] = []
        with _deadline_is_job_timeout(jobs[0], timeout):
            for request, chunk in schedule.due(last):
                if request is None:
                    chunk[0]._absorb(chunk[0]._fetch(deadline))
                else:
                    _absorb_batch(chunk[0]._client._request(request, deadline), chunk)
                asked += chunk
        if on_progress is not None:
            for job in asked:
                on_progress(job)
        if _after_round(schedule, asked, deadline, timeout, last):
            break
        pause, last = _pause(schedule.sleep(), deadline)
        if schedule.listener is None:
            time.sleep(pause)
        else:
            slept = time.monotonic()
            schedule.listener.sleep(schedule.pending, pause)  # wakes early when a delivery brings news
            last = last and time.monotonic() - slept >= pause - 0.01  # woken early: not the last look yet
    return [j.result for j in jobs]


async def _refresh_by(job: AsyncJob, deadline: float | None) -> None:
    job._absorb(await job._fetch(deadline))


async def _ask(request: APIRequest | None, chunk: list[AsyncJob], deadline: float | None) -> None:
    if request is None:
        await _refresh_by(chunk[0], deadline)
    else:
        _absorb_batch(await chunk[0]._client._request(request, deadline), chunk)


async def async_wait_all(jobs: list[AsyncJob], timeout: float | None = 900.0, poll: float | None = None,
                         on_progress: Callable[[AsyncJob], Any] | None = None) -> list[Result]:
    """The async :func:`wait_all`: each round's requests go out concurrently."""
    deadline = after(timeout)
    schedule = schedule_for(jobs, poll)
    last = False
    while schedule:
        groups = schedule.due(last)
        with _deadline_is_job_timeout(jobs[0], timeout):
            await asyncio.gather(*(_ask(request, chunk, deadline) for request, chunk in groups))
        asked = [job for _, chunk in groups for job in chunk]
        if on_progress is not None:
            for job in asked:
                outcome = on_progress(job)
                if asyncio.iscoroutine(outcome):
                    await outcome
        if _after_round(schedule, asked, deadline, timeout, last):
            break
        pause, last = _pause(schedule.sleep(), deadline)
        if schedule.listener is None:
            await asyncio.sleep(pause)
        else:
            slept = time.monotonic()
            await schedule.listener.asleep(schedule.pending, pause)
            last = last and time.monotonic() - slept >= pause - 0.01
    return [j.result for j in jobs]
