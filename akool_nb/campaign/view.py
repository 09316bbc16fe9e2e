"""The clients ``make(c, row)`` is given: a row view that tags and replays creates, and a dry-run recorder.

Both are the user's own client class (so every resource method works unchanged) sharing its connection pool
and journal, with one seam overridden: ``_create_steps``, the steps a journaled paid create runs.

* :class:`RowView`: the create of step *n* of a row is tagged ``{campaign, row, step}`` in the journal. When a
  rerun reaches step *n* again and the journal says that step made job J, J is returned as the answer instead
  of a POST (nothing is submitted twice); a step whose outcome is still unknown stops the row (never resent).
* :class:`DryRun`: validation runs and free reads go out, the paid POST does not: it is recorded, and its
  job is a finished placeholder so chained steps (TTS → talking photo) go on. Every resource method that takes
  ``check=`` runs with ``check=True`` (akool_nb.resources._known): an id that is not in the free lists (a voice,
  an avatar, a model, an effect) makes the row invalid with the field, the value, close matches and the fix.
"""
from __future__ import annotations

import functools
import inspect
import time
from typing import Any, Generator

from .._base_client import APIRequest
from .._exceptions import AkoolError
from .._journal.entry import CREATED, OPEN_STATES, Entry
from .._journal.finders import CREATES
from .._journal.reconcile import create_steps
from ..jobs import PRODUCTS, RESULT_LIFETIME, AsyncJob, Job, JobStatus

DRY_HOST = "https://dry-run.invalid"


class RowAmbiguousError(AkoolError):
    """A step of this row was sent before and whether it made a job is not known: the row is held."""


def _clone(client: Any, mixin: type, **state: Any) -> Any:
    """A view of ``client`` of class ``mixin + type(client)``, sharing its core and journal."""
    base = type(client)
    cls = _CLASSES.get((mixin, base))
    if cls is None:
        cls = _CLASSES[(mixin, base)] = type(f"{mixin.__name__}{base.__name__}", (mixin, base), {})
    view = object.__new__(cls)
    view.__dict__.update({k: v for k, v in client.__dict__.items() if k not in base._RESOURCES})
    view.__dict__.update(state)
    return view


_CLASSES: dict[tuple[type, type], type] = {}


def _answer(entry: Entry) -> Generator[Any, Any, Any]:
    """The create's answer as the journal knows it: what the resource makes its Job from."""
    record: dict[str, Any] = {"_id": entry.job_id}
    product = PRODUCTS[entry.product] if entry.product in PRODUCTS else None
    if product is not None and entry.status:
        record[product.status_field] = entry.status
        if entry.url:
            record[product.url_fields[0]] = entry.url
    return record
    yield  # a generator: pushed on the client's step stack like create_steps


def _expired(entry: Entry) -> bool:
    """Akool deletes results 7 days after the job: a step made that long ago has nothing left to build on."""
    made = entry.first_sent or entry.created_at
    return bool(made) and time.time() - made > RESULT_LIFETIME.total_seconds()


class RowView:
    """``make``'s client for one row (see the module docstring)."""

    _row_meta: dict[str, Any]
    _prior: dict[int, Entry]
    _step: int
    _made: list[Any]  # every job the row's creates made (or replayed), in step order

    def _new_job(self, product: str, data: Any, request: dict[str, Any]) -> Any:
        job = super()._new_job(product, data, request)  # type: ignore[misc]
        self._made.append(job)
        return job

    def _create_steps(self, op: APIRequest) -> Generator[Any, Any, Any]:
        step, self._step = self._step, self._step + 1
        prior = self._prior.get(step)
        if prior is not None and prior.endpoint and prior.endpoint != op.endpoint:
            raise AkoolError(f"row {self._row_meta['row']!r} step {step} was {prior.endpoint} in an earlier run and "
                             f"is {op.endpoint} now: make() must create the same steps in the same order for a row "
                             "(start a campaign with a new name for a changed make)")
        if prior is not None and prior.state == CREATED and prior.job_id and prior.status != int(JobStatus.FAILED) \
                and not _expired(prior):
            return _answer(prior)  # failed at Akool, or its result deleted (7 days): the step is sent again
        if prior is not None and prior.state in OPEN_STATES:
            raise RowAmbiguousError(f"step {step} ({prior.endpoint}) of row {self._row_meta['row']!r} was sent and "
                                    f"its outcome is unknown, so it is not sent again. {prior.known}")
        return create_steps(self, op, {**self._row_meta, "step": step})  # fresh, or after absent/refused/failed


def row_view(client: Any, campaign: str, key: str, prior: dict[int, Entry], job_class: type | None = None) -> Any:
    extra = {"_job_class": job_class} if job_class is not None else {}  # the run's shared waiting loop
    return _clone(client, RowView, _row_meta={"campaign": campaign, "row": key}, _prior=prior, _step=0, _made=[],
                  **extra)


def prior_steps(entries: list[Entry]) -> dict[int, Entry]:
    """step -> the entry that decides it: the one that made a (not failed) job, else the latest still open, else
    the latest (refused, proven absent or failed at Akool: the step is sent again)."""
    groups: dict[int, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: e.created_at or 0):
        step = entry.meta_dict.get("step")
        if isinstance(step, int) and not isinstance(step, bool) and not entry.parent:
            groups.setdefault(step, []).append(entry)
    out: dict[int, Entry] = {}
    for step, group in groups.items():
        made = [e for e in group if e.state == CREATED and e.status != int(JobStatus.FAILED)]
        still_open = [e for e in group if e.state in OPEN_STATES]
        fresh = [e for e in made if not _expired(e)]
        out[step] = (fresh or made or still_open or group)[0 if (fresh or made) else -1]
    return out


# -- dry run --------------------------------------------------------------------------------------
class _DryJob(Job):
    def _fetch(self, deadline: float | None = None) -> Any:
        return None

    def _absorb(self, data: Any) -> bool:
        return False


class _DryAsyncJob(AsyncJob):
    async def _fetch(self, deadline: float | None = None) -> Any:
        return None

    def _absorb(self, data: Any) -> bool:
        return False


class DryRun:
    """Records paid creates instead of sending them (see the module docstring)."""

    _recorded: list[dict[str, Any]]

    def _journals(self, op: APIRequest) -> bool:
        return op.paid

    def _create_steps(self, op: APIRequest) -> Generator[Any, Any, Any]:
        n = len(self._recorded)
        self._recorded.append({"endpoint": op.endpoint, "product": CREATES.get(op.path), "body": op.json})
        return {"_id": f"dry-run-{n}"}
        yield

    def _new_job(self, product: str, data: Any, request: dict[str, Any]) -> Any:
        job = super()._new_job(product, data, request)  # type: ignore[misc]
        job._apply({job.product.status_field: int(JobStatus.COMPLETED),
                    job.product.url_fields[0]: f"{DRY_HOST}/{job.product.key}/{job.id}.{_ext(job.product.media)}"})
        return job

    def _journal_update(self, job: Any) -> None:
        pass

    def _upload(self, op: Any) -> str:
        return f"{DRY_HOST}/upload/{op.filename or 'file'}"


class _Checked:
    """A resource whose methods that take ``check=`` run with ``check=True`` unless the row's make says False."""

    def __init__(self, view: Any, name: str) -> None:
        self._view, self._name = view, name

    @functools.cached_property
    def _resource(self) -> Any:
        return getattr(type(self._view), self._name).func(self._view)  # the lazy resource, built on the view

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._resource, name)
        if callable(attr) and _takes_check(type(self._resource), name):
            return functools.partial(_with_check, attr)
        return attr

    def __repr__(self) -> str:
        return repr(self._resource)


def _with_check(method: Any, *args: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("check", True)
    return method(*args, **kwargs)


@functools.lru_cache(maxsize=None)
def _takes_check(cls: type, name: str) -> bool:
    try:
        return "check" in inspect.signature(getattr(cls, name)).parameters
    except (TypeError, ValueError):
        return False


def _ext(media: str) -> str:
    return {"video": "mp4", "audio": "mp3", "image": "png"}.get(media, "bin")


def dry_run(client: Any) -> Any:
    client.__dict__.setdefault("_known_ids", {})  # one cache of the free lists for every row's dry run
    view = _clone(client, DryRun, _recorded=[], _job_class=_DryAsyncJob if client._is_async else _DryJob)
    for name in type(client)._RESOURCES:  # built on first use, as on the client
        view.__dict__[name] = _Checked(view, name)
    return view
