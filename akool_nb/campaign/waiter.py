"""One waiting loop for every row of a sync campaign run (the jobs its rows wait for, asked about together).

A row's thread that waits for a job (``job.wait()`` inside ``make``, or the run waiting for the row's last
jobs) hands the job to the run's :class:`Waiter` and blocks until it is done. One daemon thread runs the one
polling schedule (akool_nb._polling.Schedule) over every job in flight across rows: a product's duration is
learnt once for all rows, its siblings are asked about when due (many-ids products in one request), and with
``webhooks=receiver`` the schedule's listener finishes jobs from deliveries, so they are polled only when
overdue. A row whose job finishes goes on to its next step at once (its thread wakes), while others wait on.
"""
from __future__ import annotations

import threading
from typing import Any

from .._exceptions import AkoolError
from .._polling import PollPolicy, Schedule
from ..jobs import AsyncJob, Job, _absorb_batch

LISTENER_NAP = 0.05  # seconds: with a receiver, the loop wakes this often to take in newly waited-for jobs


class _Wait:
    __slots__ = ("job", "event", "error")

    def __init__(self, job: Any) -> None:
        self.job, self.event, self.error = job, threading.Event(), None


class Waiter:
    """``wait(job, timeout)`` from any row's thread; ``close()`` when the run ends (bounded, never joined)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._lock = threading.Lock()  # guards _new and _waits only (never held across a request)
        self._new: list[_Wait] = []
        self._waits: dict[int, list[_Wait]] = {}
        self._wake = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None

    def wait(self, job: Any, timeout: float | None) -> Any:
        if job.done:
            return job.result
        entry = _Wait(job)
        with self._lock:
            if self._closed:
                raise AkoolError("the campaign run has ended; call job.wait() yourself", job_id=job.id)
            self._new.append(entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="akool-campaign-waiter", daemon=True)
                self._thread.start()
        self._wake.set()
        if not entry.event.wait(timeout):
            with self._lock:  # not done in time: it leaves the schedule with its last wait
                group = self._waits.get(id(job), [])
                if entry in group:
                    group.remove(entry)
                if entry in self._new:
                    self._new.remove(entry)
                self._stale = True
            raise job._timeout_error(timeout or 0)
        if entry.error is not None:
            raise entry.error
        return job.result  # raises JobFailedError for a job that failed at Akool

    def close(self) -> None:
        with self._lock:
            self._closed = True
            waits = [w for group in self._waits.values() for w in group] + self._new
            self._waits, self._new = {}, []
        for w in waits:
            w.error = AkoolError("the campaign run ended before this job finished", job_id=w.job.id)
            w.event.set()
        self._wake.set()

    # -- the loop ---------------------------------------------------------------------------------
    _stale = False

    def _loop(self) -> None:
        interval = getattr(self.client, "poll_interval", 3.0)
        schedule = Schedule(PollPolicy(interval, max(interval, getattr(self.client, "max_poll_interval", 15.0))),
                            listener=getattr(self.client, "_webhooks", None))
        while not self._closed:
            self._take_new(schedule)
            try:
                for request, chunk in schedule.due():
                    try:
                        if request is None:
                            chunk[0]._absorb(chunk[0]._fetch(None))
                        else:
                            _absorb_batch(chunk[0]._client._request(request, None), chunk)
                    except AkoolError as exc:  # the client's retries are spent: the rows waiting are told
                        for job in chunk:
                            self._finish(job, exc)
                            schedule.discard(job)
                        continue
                    schedule.observe(chunk)
                    for job in chunk:
                        if job.done:
                            self._finish(job, None)
                if schedule.listener is not None:  # deliveries between rounds finish jobs with no request
                    for job in list(schedule.pending):
                        if job.done:
                            schedule.observe([job], asked=False)
                    self._finish_done(schedule)
            except Exception as exc:  # noqa: BLE001 - never leave a row waiting on a dead loop
                self._fail_all(exc)
                return
            pause = schedule.sleep() if schedule else schedule.policy.interval
            if schedule.listener is not None and schedule:
                schedule.listener.sleep(schedule.pending, min(pause, LISTENER_NAP))
            else:
                self._wake.wait(pause)
            self._wake.clear()

    def _take_new(self, schedule: Any) -> None:
        with self._lock:
            new, self._new = self._new, []
            for w in new:
                self._waits.setdefault(id(w.job), []).append(w)
            stale: list[Any] = []
            if self._stale:  # a wait timed out: a job nobody waits for any more leaves the schedule
                self._stale = False
                stale = [j for j in schedule.pending if not self._waits.get(id(j))]
        for job in stale:
            schedule.discard(job)
        jobs = [w.job for w in new]
        for job in jobs:
            if job.done:
                self._finish(job, None)
        schedule.add([j for j in jobs if not j.done])

    def _finish_done(self, schedule: Any) -> None:
        with self._lock:
            done = [g[0].job for g in self._waits.values() if g and g[0].job.done]
        for job in done:
            self._finish(job, None)

    def _finish(self, job: Any, error: BaseException | None) -> None:
        with self._lock:
            group = self._waits.pop(id(job), [])
        for w in group:
            w.error = error
            w.event.set()

    def _fail_all(self, exc: BaseException) -> None:
        with self._lock:
            waits = [w for group in self._waits.values() for w in group] + self._new
            self._waits, self._new = {}, []
            self._thread = None  # the next wait starts a new loop
        for w in waits:
            w.error = exc
            w.event.set()


class WaitedJob(Job):
    """A sync Job whose ``wait()`` inside a campaign run joins the run's one waiting loop."""

    _waiter: Waiter | None = None

    def wait(self, timeout: float | None = 900.0, poll: float | None = None, on_progress: Any = None) -> Any:
        waiter = self._waiter
        if waiter is None or poll is not None or on_progress is not None or waiter._closed:
            return super().wait(timeout, poll, on_progress)
        return waiter.wait(self, timeout)


class WaitedAsyncJob(AsyncJob):
    """An AsyncJob whose ``await wait()`` inside a campaign run joins the run's one waiting loop."""

    _waiter: AsyncWaiter | None = None

    async def wait(self, timeout: float | None = 900.0, poll: float | None = None, on_progress: Any = None) -> Any:
        waiter = self._waiter
        if waiter is None or poll is not None or on_progress is not None or waiter._closed:
            return await super().wait(timeout, poll, on_progress)
        return await waiter.wait(self, timeout)


def waited_job_class(waiter: Waiter | AsyncWaiter) -> type:
    """The job class of a run's rows (one per run: its ``wait()`` joins that run's loop)."""
    cls = waiter.__dict__.get("_job_class")
    if cls is None:
        base = WaitedAsyncJob if isinstance(waiter, AsyncWaiter) else WaitedJob
        cls = waiter.__dict__["_job_class"] = type("CampaignJob", (base,), {"_waiter": waiter})
    return cls



class AsyncWaiter:
    """The same loop for an AsyncAkool run: one task on the run's event loop; ``await wait(job, timeout)``."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._futures: dict[int, tuple[Any, list[Any]]] = {}  # id(job) -> (job, futures of the rows waiting)
        self._new: list[Any] = []
        self._wake: Any = None
        self._task: Any = None
        self._closed = False

    async def wait(self, job: Any, timeout: float | None) -> Any:
        import asyncio

        if job.done:
            return job.result
        if self._closed:
            raise AkoolError("the campaign run has ended; await job.wait() yourself", job_id=job.id)
        future = asyncio.get_running_loop().create_future()
        self._futures.setdefault(id(job), (job, []))[1].append(future)
        self._new.append(job)
        if self._task is None:
            self._wake = asyncio.Event()
            self._task = asyncio.ensure_future(self._loop())
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
        except asyncio.TimeoutError:
            group = self._futures.get(id(job), (job, []))[1]
            if future in group:
                group.remove(future)
            raise job._timeout_error(timeout or 0) from None
        return job.result  # raises JobFailedError for a job that failed at Akool

    async def close(self) -> None:
        self._closed = True
        for _, group in self._futures.values():
            for future in group:
                if not future.done():
                    future.set_exception(AkoolError("the campaign run ended before this job finished"))
        self._futures = {}
        if self._task is not None:
            self._task.cancel()

    async def _loop(self) -> None:
        import asyncio

        from ..jobs import _ask

        interval = getattr(self.client, "poll_interval", 3.0)
        schedule = Schedule(PollPolicy(interval, max(interval, getattr(self.client, "max_poll_interval", 15.0))),
                            listener=getattr(self.client, "_webhooks", None))
        while not self._closed:
            new, self._new = self._new, []
            schedule.add([j for j in new if not j.done])
            for job in [j for j in schedule.pending if not self._futures.get(id(j), (j, []))[1]]:
                schedule.discard(job)  # every wait for it timed out
            groups = schedule.due()
            answers = await asyncio.gather(*(_ask(request, chunk, None) for request, chunk in groups),
                                           return_exceptions=True)
            for (_, chunk), answer in zip(groups, answers):
                if isinstance(answer, BaseException):  # the client's retries are spent: its rows are told
                    for job in chunk:
                        schedule.discard(job)
                        self._resolve(job, answer)
                else:
                    schedule.observe(chunk)
            if schedule.listener is not None:  # deliveries finish jobs with no request
                schedule.observe([j for j in schedule.pending if j.done], asked=False)
            for job in [j for j, group in self._futures.values() if j.done]:
                self._resolve(job, None)
            for job in new:
                if job.done:
                    self._resolve(job, None)
            pause = schedule.sleep() if schedule else interval
            self._wake.clear()
            if schedule.listener is not None and schedule:
                pause = min(pause, LISTENER_NAP)
            try:
                await asyncio.wait_for(self._wake.wait(), pause)
            except asyncio.TimeoutError:
                pass

    def _resolve(self, job: Any, error: BaseException | None) -> None:
        for future in self._futures.pop(id(job), (job, []))[1]:
            if not future.done():
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)

