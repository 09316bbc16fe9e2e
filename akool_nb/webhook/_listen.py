"""How waiting jobs hear of webhook deliveries: in this process (:class:`Deliveries`, fed by a running
:class:`~akool_nb.webhook.Receiver`), or through the journal a receiver in another process writes
(:class:`JournalWatch`, for ``Akool(webhooks="https://your.public/url")``).

Both give ``Job.wait`` and ``wait_all`` (see the hooks in :mod:`akool_nb.jobs`) the same four things:

* ``apply(job)``: what a delivery said, applied to the job (True when its status changed);
* ``mark()`` / ``wait(mark, seconds)``: sleep until something was delivered after ``mark``, or ``seconds``;
* ``due(job)``: when polling takes over for a job whose delivery did not come (epoch seconds).

Polling is the fallback: a job is first polled at its expected completion plus a margin (the product's
duration learned from earlier deliveries, else ``fallback_after`` seconds after its create), then on the
client's usual backoff. A delivery saying "failed" makes the job due at once: one status check brings
Akool's reason, which the webhook does not carry (so does a result that is data, not a file).
"""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from .._deadline import remaining

DEFAULT_FALLBACK_AFTER = 60.0  # seconds after a create before its first poll, when no duration is known yet
MARGIN = 2.0  # seconds past the expected completion before polling (a delivery takes a moment)
JOURNAL_LOOK = 0.5  # seconds between looks at the journal when deliveries arrive in another process


def _look(job: Any, seen: tuple[int, str | None]) -> bool:
    """Whether a delivery must be completed by one status check: a failure (the webhook has no reason), or a
    result that is data rather than a file (a sentiment analysis), or a result without its URL."""
    status, url = seen
    return status == 4 or (status == 3 and (job.product.media == "data" or not url))


class _Listener:
    def __init__(self, fallback_after: float = DEFAULT_FALLBACK_AFTER) -> None:
        self.fallback_after = fallback_after
        self._durations: dict[str, float] = {}  # product key -> seconds from create to a delivered result

    def _seen(self, job_id: str) -> tuple[int, str | None] | None:
        raise NotImplementedError

    def apply(self, job: Any) -> bool:
        """Bring ``job`` up to what was delivered for it; True when its status changed."""
        seen = self._seen(job.id)
        if seen is None:
            return False
        status, url = seen
        if status <= int(job.status) or _look(job, seen):  # nothing new, or news a status check must complete
            return False
        record = {**job.record, job.product.status_field: status}
        if url and not job.url:
            record[job.product.url_fields[0]] = url
        changed = job._apply(record)
        if changed and job.done:  # the longest seen: jobs created together finish later the more are queued
            key, took = job.product.key, max(0.0, time.time() - job.created_at)
            self._durations[key] = max(took, self._durations.get(key, 0.0))
        return changed

    def due(self, job: Any) -> float:
        seen = self._seen(job.id)
        if seen is not None and _look(job, seen):
            return 0.0
        expected = self._durations.get(job.product.key)
        if expected is None:
            return job.created_at + self.fallback_after
        return job.created_at + expected * 1.25 + MARGIN

    def polled(self, jobs: list[Any]) -> list[Any]:
        """Those of ``jobs`` that polling looks after now (not notified by webhook, or past due)."""
        now = time.time()
        return [j for j in jobs if not getattr(j, "_webhooked", False) or self.due(j) <= now]

    def nap(self, jobs: list[Any], seconds: float) -> float:
        """``seconds``, cut short to the moment the first of ``jobs`` falls due for a fallback poll."""
        now = time.time()
        dues = [self.due(j) for j in jobs if getattr(j, "_webhooked", False) and not j.done]
        later = [d - now for d in dues if d > now]
        return max(0.0, min([seconds, *later]))

    # -- the waits Job.wait / wait_all call (the hooks in akool_nb.jobs) ----------------------------
    def _news(self, jobs: list[Any]) -> bool:
        for job in jobs:
            seen = self._seen(job.id)
            if seen is not None and seen[0] > int(job.status):
                return True
        return False

    def _left_until_due(self, job: Any, deadline: float | None) -> float:
        seen = self._seen(job.id)
        if seen is not None and seen[0] >= 3:
            return 0.0  # delivered (or failed: polled now for the reason)
        left = self.due(job) - time.time()
        budget = remaining(deadline)
        return left if budget is None else min(left, budget - 1.0)  # leave the deadline's last look

    def sleep(self, jobs: list[Any], seconds: float) -> None:
        """Sleep ``seconds`` (cut to the next fallback poll), waking early when a delivery brings news."""
        end = time.monotonic() + self.nap(jobs, seconds)
        while (left := end - time.monotonic()) > 0:
            mark = self.mark()
            if self._news(jobs):
                return
            self.wait(mark, left)  # a delivery for another job wakes it too: look, sleep on

    async def asleep(self, jobs: list[Any], seconds: float) -> None:
        end = time.monotonic() + self.nap(jobs, seconds)
        while (left := end - time.monotonic()) > 0:
            mark = self.mark()
            if self._news(jobs):
                return
            await self.await_(mark, left)

    def until_due(self, job: Any, deadline: float | None) -> None:
        """Before a webhook job's first poll: sleep until its result is delivered, or it falls due."""
        while getattr(job, "_webhooked", False) and not job.done:
            mark = self.mark()
            left = self._left_until_due(job, deadline)
            if left <= 0:
                return
            self.wait(mark, left)

    async def auntil_due(self, job: Any, deadline: float | None) -> None:
        while getattr(job, "_webhooked", False) and not job.done:
            mark = self.mark()
            left = self._left_until_due(job, deadline)
            if left <= 0:
                return
            await self.await_(mark, left)

    def mark(self) -> Any:
        raise NotImplementedError

    def wait(self, mark: Any, seconds: float) -> None:
        raise NotImplementedError

    async def await_(self, mark: Any, seconds: float) -> None:
        raise NotImplementedError


class Deliveries(_Listener):
    """What this process's receiver heard, by job id; thread-safe, wakes sync and asyncio waiters."""

    def __init__(self, fallback_after: float = DEFAULT_FALLBACK_AFTER) -> None:
        super().__init__(fallback_after)
        self._latest: dict[str, tuple[int, str | None]] = {}
        self._seq = 0
        self._cond = threading.Condition()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def publish(self, job_id: str, status: int, url: str | None) -> bool:
        """Remember a delivery (a later status never goes back: 3 after 2, not 2 after 3). False if stale."""
        with self._cond:
            known = self._latest.get(job_id)
            if known is not None and (known[0] >= 3 or known[0] >= status):
                return False
            self._latest[job_id] = (status, url or None)
            self._seq += 1
            self._cond.notify_all()
            waiters = list(self._waiters)
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop is closed
                self._waiters.discard((loop, event))
        return True

    def _seen(self, job_id: str) -> tuple[int, str | None] | None:
        with self._cond:
            return self._latest.get(job_id)

    def __len__(self) -> int:
        with self._cond:
            return len(self._latest)

    def mark(self) -> int:
        with self._cond:
            return self._seq

    def wait(self, mark: int, seconds: float) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._seq != mark, timeout=max(0.0, seconds))

    async def await_(self, mark: int, seconds: float) -> None:
        if seconds <= 0 or self.mark() != mark:
            return
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        self._waiters.add(waiter)
        try:
            if self.mark() == mark:
                await asyncio.wait_for(waiter[1].wait(), seconds)
        except asyncio.TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)


class JournalWatch(_Listener):
    """Deliveries recorded in the journal by a receiver in another process (a server with a public URL)."""

    def __init__(self, journal: Any, service: str, fallback_after: float = DEFAULT_FALLBACK_AFTER) -> None:
        super().__init__(fallback_after)
        self.journal, self.service = journal, service

    def _seen(self, job_id: str) -> tuple[int, str | None] | None:
        entry = self.journal.get(self.service, job_id)  # a local read; never a request
        return (int(entry.status), entry.url) if entry is not None and entry.status else None

    def mark(self) -> float:
        return time.monotonic()

    def wait(self, mark: float, seconds: float) -> None:
        time.sleep(max(0.0, min(seconds, JOURNAL_LOOK)))

    async def await_(self, mark: float, seconds: float) -> None:
        await asyncio.sleep(max(0.0, min(seconds, JOURNAL_LOOK)))


def listener_for(client: Any, webhooks: Any) -> tuple[_Listener, Any]:
    """``Akool(webhooks=...)``: a Receiver (its in-process deliveries) or a receiver's public URL (the
    journal that receiver writes). Returns the listener and what gives the URL creates send."""
    from .._exceptions import InvalidParameterError
    from ._receiver import Receiver, _http_url

    if isinstance(webhooks, Receiver):
        webhooks._adopt(client)
        return webhooks.deliveries, webhooks
    if isinstance(webhooks, str):
        url = _http_url("webhooks", webhooks)
        if client._journal is None:
            raise InvalidParameterError("webhooks", "a receiver's URL needs the journal it records in: keep "
                                                    "journal= on (the receiver's process must use the same file)")
        return JournalWatch(client._journal, client._service_key), url
    raise InvalidParameterError("webhooks", "must be a Receiver (akool_nb.webhook.Receiver) or the http(s) URL of "
                                            f"one running elsewhere, got {type(webhooks).__name__}")
