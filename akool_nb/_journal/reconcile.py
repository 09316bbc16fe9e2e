"""Paid creates through the journal, and settling the ones whose answer was lost.

Everything here is a generator of steps, run by both clients (like the resource methods): a step is an
:class:`~akool_nb._base_client.APIRequest` (its answer, or it raises), :class:`Try` (an :class:`Outcome`,
never raises an Akool error), :class:`Pause` or :class:`Wait` (a journal future: durable writes and the
writer-thread decisions). Nothing is ever submitted twice: a create is sent again only after a complete
listing, fetched ``reconcile_grace`` seconds after the failure, proved that no job of it exists, and only
through :meth:`~.journal.Journal.begin_attempt`, a compare-and-set that one process and one task can win.
"""
from __future__ import annotations

import concurrent.futures
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generator

from .._base_client import APIRequest
from .._exceptions import AkoolError, AmbiguousSubmitError, APIConnectionError
from .._logging import logger
from .entry import ABSENT, CREATED, REJECTED, SENDING, UNKNOWN, Entry, utc
from .finders import CLOCK_SKEW, CREATES, FINDERS, Finder, label_for, path_of, record_id, record_time
from .store import SEND_LEASE, owner, owner_alive

if TYPE_CHECKING:
    from ..client import _ClientBase

MAX_ATTEMPTS = 3  # creates sent per entry at most (the first + resends after proven absence)
IN_FLIGHT_WAIT = 120.0  # seconds to wait for identical creates still on their way before matching
_STATUS_FIELDS = ("status", "video_status", "image_status", "faceswap_status")
Steps = Generator[Any, Any, Any]


@dataclass
class Try:
    request: APIRequest


@dataclass
class Outcome:
    data: Any = None
    error: AkoolError | None = None


@dataclass
class Pause:
    seconds: float


@dataclass
class Wait:
    future: concurrent.futures.Future | None


@dataclass
class Verdict:
    kind: str  # "found" | "absent" | "undecidable"
    note: str
    candidates: list[str] = field(default_factory=list)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)


def ids_of(data: Any) -> list[str]:
    """The job ids in a create's answer: one record, a list (several languages), or a batch's successList."""
    if isinstance(data, dict) and isinstance(data.get("successList"), list):
        data = data["successList"]
    items = data if isinstance(data, list) else [data]
    return [i for i in (record_id(r) for r in items if isinstance(r, dict)) if i]


def _status(data: Any) -> int | None:
    record = data[0] if isinstance(data, list) and data else data
    if isinstance(record, dict):
        for name in _STATUS_FIELDS:
            value = record.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return None


# -- a fresh create -------------------------------------------------------------------------------
def create_steps(client: _ClientBase, req: APIRequest, meta: dict[str, Any] | None = None) -> Steps:
    """Journal the intent (committed before the POST), send, and settle the answer. ``meta``: tags for it."""
    journal = client._journal
    assert journal is not None
    entry = journal.begin(client._service_key, CREATES.get(req.path), req.endpoint, req.json, meta=meta)
    saved = yield Wait(journal.save(entry, durable=True))
    if not journal.enabled or isinstance(saved, BaseException):
        if isinstance(saved, BaseException):
            logger.warning("the intent of %s could not be journaled (%s); sending it unjournaled", req.endpoint,
                           saved)
        return (yield req)
    return (yield from send_steps(client, req, entry, req.json))


def send_steps(client: _ClientBase, req: APIRequest, entry: Entry, body: Any) -> Steps:
    """Send ``req`` for ``entry`` until its outcome is known; the answer (or the found record) is returned."""
    journal = client._journal
    assert journal is not None
    while True:
        journal.inflight.add(entry.key)
        try:
            outcome = yield Try(req)
        finally:
            journal.inflight.discard(entry.key)
        now = time.time()
        if outcome.error is None:
            _answered(client, entry, outcome.data)
            return outcome.data
        err = outcome.error
        if not isinstance(err, AmbiguousSubmitError):
            entry.state, entry.failure, entry.failed_at, entry.lease_until = REJECTED, _short(err), now, None
            entry.note(f"refused: {_short(err)}")
            journal.save(entry)
            raise err
        reason = err.reason or "no answer"
        entry.state, entry.failure, entry.failed_at = UNKNOWN, reason, now
        entry.note(f"attempt {entry.attempts}: the answer was lost ({reason})")
        journal.save(entry)
        verdict = yield from settle_steps(client, entry, now, body)
        if verdict.kind == "found":
            return verdict.records[entry.job_id]  # type: ignore[index]
        if verdict.kind == "absent":
            if entry.attempts < MAX_ATTEMPTS and (yield from _next_attempt(client, entry, verdict)):
                continue
            entry.state, entry.lease_until = ABSENT, None
            journal.save(entry)
            error = APIConnectionError(
                f"{req.endpoint} was sent {entry.attempts} times and every answer was lost; {verdict.note}, so no "
                f"job was created and nothing was charged. Journal entry {entry.key} keeps the request "
                f"(client.jobs.reconcile({entry.key!r}, resend=True) sends it again).", endpoint=req.endpoint)
            error.entry = entry  # type: ignore[attr-defined]
            raise error
        entry.lease_until, entry._verdict = None, verdict.note
        entry.note(f"undecidable: {verdict.note}")
        journal.save(entry)
        raise ambiguous_error(entry, err, verdict, req.find_hint)


def _next_attempt(client: _ClientBase, entry: Entry, verdict: Verdict) -> Steps:
    journal = client._journal
    won = yield Wait(journal.begin_attempt(entry))  # type: ignore[union-attr]
    if won is not True:
        return False
    now = time.time()
    entry.attempts += 1
    entry.state, entry.sent_at, entry.failure, entry.owner, entry.lease_until = SENDING, now, None, owner(), \
        now + SEND_LEASE
    entry.note(f"{verdict.note}: sent again (attempt {entry.attempts})")
    journal.save(entry)  # type: ignore[union-attr]
    return True


def _answered(client: _ClientBase, entry: Entry, data: Any) -> None:
    journal = client._journal
    ids = ids_of(data)
    entry.state, entry.failure, entry.lease_until = CREATED, None, None
    entry.job_id, entry.status = (ids[0] if ids else None), _status(data)
    if entry.attempts > 1 or entry.history:
        entry.note(f"created job {entry.job_id}")
    journal.save(entry)  # type: ignore[union-attr]
    for extra in ids[1:]:  # a create that made several jobs: one entry each, linked to this one
        child = entry.copy()
        child.key, child.job_id, child.parent, child.history = secrets.token_hex(6), extra, entry.key, None
        journal.save(child)  # type: ignore[union-attr]


def _short(err: BaseException) -> str:
    text = str(err)
    return text if len(text) <= 300 else text[:297] + "..."


def ambiguous_error(entry: Entry, err: AmbiguousSubmitError, verdict: Verdict, find_hint: str = "") -> \
        AmbiguousSubmitError:
    listed = path_of(entry.endpoint) in FINDERS  # a family's own hint only helps where we could not look
    hint = f" {find_hint}" if find_hint and not listed else ""
    message = (
        f"The create request may have reached Akool, but no complete answer came back ({entry.failure}). It was "
        f"NOT retried, so you are not charged twice. {verdict.note}{hint} Journal entry {entry.key}: "
        f"{entry.endpoint}, sent at {utc(entry.sent_at)}; client.jobs.recent() lists it. When you know the job "
        f"(webhook, Akool dashboard), settle it with client.jobs.reconcile({entry.key!r}, job_id=...); if it was "
        f"not created, client.jobs.reconcile({entry.key!r}, resend=True).")
    return AmbiguousSubmitError(message, endpoint=err.endpoint, http_status=err.http_status, entry=entry,
                                reason=entry.failure)


# -- finding out what happened --------------------------------------------------------------------
def settle_steps(client: _ClientBase, entry: Entry, failed_at: float, body: Any) -> Steps:
    """Look for ``entry``'s job; claims it when found. A Verdict; "absent" only after the grace period."""
    finder = FINDERS.get(path_of(entry.endpoint))
    label = label_for(entry.product, entry.endpoint)
    if finder is None:
        return Verdict("undecidable", f"Akool has no list of {label} jobs (only look-ups by id), so whether this "
                                      "one was created cannot be checked.")
    journal = client._journal
    grace = client.reconcile_grace
    for _ in range(6):
        started = time.time()
        while (yield Wait(journal.in_flight(entry))) and time.time() - started < IN_FLIGHT_WAIT:  # type: ignore
            yield Pause(0.05)  # identical creates still on their way: their answers claim their own jobs
        verdict = yield from look_steps(client, entry, finder, body)
        if verdict.kind == "found":
            got = yield Wait(journal.claim(entry, verdict.candidates))  # type: ignore[union-attr]
            if isinstance(got, str):
                entry.job_id, entry.state, entry.failure, entry.lease_until = got, CREATED, None, None
                entry.status = _status(verdict.records.get(got))
                entry.note(f"found in {finder.where}: job {got}, attached")
                journal.save(entry)  # type: ignore[union-attr]
                verdict.records.setdefault(got, {"_id": got})
                return verdict
            continue  # taken by another entry meanwhile (or an identical create was on its way): look again
        if verdict.kind == "absent":
            wait = failed_at + grace - time.time()
            if wait > 0:
                yield Pause(wait)  # a request still in flight at a proxy or at Akool must have landed first
                continue
        return verdict
    return Verdict("undecidable", f"{finder.where} kept changing while it was read")


def look_steps(client: _ClientBase, entry: Entry, finder: Finder, body: Any) -> Steps:
    """Read the finder's list and judge every record made in the window."""
    start = (entry.first_sent or entry.created_at or time.time()) - CLOCK_SKEW
    end = time.time() + CLOCK_SKEW
    identified: list[tuple[dict[str, Any], float | None]] = []
    possible: list[tuple[dict[str, Any], float | None]] = []
    complete = False
    for page in range(1, finder.max_pages + 1):
        outcome = yield Try(finder.request(page, finder.page_size))
        if outcome.error is not None:
            return Verdict("undecidable", f"{finder.where} could not be read ({_short(outcome.error)}).")
        records = finder.records(outcome.data)
        times = [record_time(r) for r in records]
        for record, t in zip(records, times):
            if finder.window and t is not None and not start <= t <= end:
                continue
            judged = finder.judge(record, body)
            if judged == "identified" and (t is not None or not finder.window):
                identified.append((record, t))
            elif judged is not None:
                possible.append((record, t))
        known = [t for t in times if t is not None]
        if len(records) < finder.page_size or (finder.window and records and len(known) == len(times)
                                               and known == sorted(known, reverse=True) and known[-1] < start):
            complete = True
            break
    ids = [record_id(r) for r, _ in identified + possible]
    taken = yield Wait(client._journal.claimed(entry.service, [i for i in ids if i], entry.key))  # type: ignore
    taken = taken if isinstance(taken, set) else set()
    identified = [(r, t) for r, t in identified if record_id(r) not in taken]
    possible = [(r, t) for r, t in possible if record_id(r) not in taken]
    with_id = [(r, t) for r, t in identified if record_id(r)]
    if with_id:
        sent = entry.sent_at or start
        with_id.sort(key=lambda rt: abs(rt[1] - sent) if rt[1] is not None else float("inf"))
        return Verdict("found", f"found in {finder.where}", [record_id(r) for r, _ in with_id],  # type: ignore
                       {record_id(r): r for r, _ in with_id})  # type: ignore[misc]
    if identified:
        return Verdict("undecidable", f"{finder.where} shows it, but not its id.")
    if possible:
        return Verdict("undecidable", f"{len(possible)} job(s) in {finder.where} made around then could be it, "
                                      "and the list does not show enough to tell.")
    if complete:
        return Verdict("absent", f"it is not in {finder.where}")
    return Verdict("undecidable", f"{finder.where} has more than {finder.max_pages * finder.page_size} jobs "
                                  "made around then; they were not all checked.")


# -- settling later: client.jobs.reconcile() ------------------------------------------------------
def reconcile_steps(client: _ClientBase, target: Any = None, *, job_id: str | None = None,
                    resend: bool = False) -> Steps:
    journal = client._journal
    if journal is None or not journal.enabled:
        raise AkoolError("the job journal is off (journal=False, or it could not be written), so there is "
                         "nothing to reconcile")
    if target is None:
        if job_id is not None:
            raise AkoolError("job_id= settles one entry: pass the entry (or its key) too")
        entries = journal.unsettled(client._service_key)
        if resend:
            entries += [e for e in journal.recent(client._service_key, None, states=(ABSENT,)) if e.resendable]
    else:
        entries = [_resolve(client, target)]
    out = []
    for entry in entries:
        out.append((yield from _reconcile_one(client, entry, job_id=job_id, resend=resend,
                                              explicit=target is not None)))
    return out


def _resolve(client: _ClientBase, target: Any) -> Entry:
    journal = client._journal
    key = getattr(target, "entry", target)  # an AmbiguousSubmitError
    key = getattr(key, "key", key)  # an Entry
    found = journal.entry(key) if isinstance(key, str) else None  # type: ignore[union-attr]
    if found is None and isinstance(key, str):
        found = journal.get(client._service_key, key)  # type: ignore[union-attr]
    if found is None:
        raise AkoolError(f"no journal entry {key!r} on this service; client.jobs.recent() lists them")
    return found


def _reconcile_one(client: _ClientBase, entry: Entry, *, job_id: str | None, resend: bool,
                   explicit: bool) -> Steps:
    journal = client._journal
    if entry.state == CREATED and job_id is None:
        return _view(client, entry)
    if entry.state == SENDING and (entry.key in journal.inflight or (  # type: ignore[union-attr]
            entry.owner != owner() and owner_alive(entry.owner) and (entry.lease_until or 0) > time.time())):
        return entry  # still on its way in a live process
    if not (yield Wait(journal.lease(entry))):  # type: ignore[union-attr]
        return _view(client, journal.entry(entry.key) or entry)  # type: ignore[union-attr]
    if job_id is not None:
        return (yield from _adopt(client, entry, job_id))
    if entry.state == SENDING:
        entry.failure = "no answer was recorded (the process ended before it came?)"
        entry.failed_at = entry.failed_at or entry.sent_at
        entry.note("never answered: looking for the job")
    body = entry.body
    verdict = yield from settle_steps(client, entry, entry.failed_at or entry.sent_at or time.time(), body)
    if verdict.kind == "found":
        return _view(client, entry, verdict.records.get(entry.job_id))  # type: ignore[arg-type]
    if resend and entry.resendable and (explicit or (verdict.kind == "absent" and entry.attempts < MAX_ATTEMPTS)):
        why = verdict if verdict.kind == "absent" else Verdict("absent", "resent on request (reconcile resend=True)")
        if (yield from _next_attempt(client, entry, why)):
            method, _, path = (entry.endpoint or "").partition(" ")
            request = APIRequest(method, path, json=body, paid=True)
            try:
                data = yield from send_steps(client, request, entry, body)
            except AkoolError:
                return journal.entry(entry.key) or entry  # type: ignore[union-attr]
            return _view(client, entry, data)
    entry.state = ABSENT if verdict.kind == "absent" else UNKNOWN
    entry.lease_until, entry._verdict = None, verdict.note
    entry.note(verdict.note if verdict.kind == "absent" else f"undecidable: {verdict.note}")
    journal.save(entry)  # type: ignore[union-attr]
    return entry


def _adopt(client: _ClientBase, entry: Entry, job_id: str) -> Steps:
    """The user says ``job_id`` is this entry's job: check it exists, then claim it."""
    from ..jobs import PRODUCTS

    record = None
    if entry.product in PRODUCTS:
        product = PRODUCTS[entry.product]
        record = product.unwrap((yield product.status_request(job_id)), job_id)
    got = yield Wait(client._journal.claim(entry, [job_id]))  # type: ignore[union-attr]
    if got != job_id:
        holder = client._journal.get(client._service_key, job_id)  # type: ignore[union-attr]
        raise AkoolError(f"job {job_id} is already journaled as entry {holder.key if holder else '?'}",
                         job_id=job_id)
    entry.job_id, entry.state, entry.failure, entry.lease_until = job_id, CREATED, None, None
    entry.note(f"settled by hand: job {job_id}")
    client._journal.save(entry)  # type: ignore[union-attr]
    return _view(client, entry, record)


def _view(client: _ClientBase, entry: Entry, record: dict[str, Any] | None = None) -> Any:
    """A Job for an entry with a job of a known product; the entry itself otherwise."""
    from ..jobs import PRODUCTS, JobStatus

    if entry.job_id and entry.product in PRODUCTS:
        job = client._job_class(client, entry.product, entry.job_id, record=record or None, request=entry.body,
                                created_at=entry.first_sent)
        if not record and entry.status:  # the last status seen; refresh() asks the service
            job.status = JobStatus(entry.status)
            job.record = {job.product.status_field: entry.status, job.product.url_fields[0]: entry.url}
            if job.status.done and entry.updated_at:  # the finish was the entry's last write: elapsed stays put
                job.finished_at = entry.updated_at
        return job
    return entry


__all__ = ["MAX_ATTEMPTS", "Outcome", "Pause", "Try", "Verdict", "Wait", "create_steps", "ids_of",
           "reconcile_steps", "settle_steps"]
