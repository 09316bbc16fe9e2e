"""JobMonitor: follow any number of jobs (also a batch) without blocking the kernel.

    monitor = JobMonitor([job1, job2], client=client)   # or JobMonitor(batch)
    monitor                                              # status, elapsed, progress, stop, result preview
    monitor.wait()                                       # the results, in job order (optional)

A background thread polls through the client (many-ids endpoints answer for many jobs in one request)
and updates the panel's state; the front end patches each row in place, so nothing flickers. The panel
keeps working when displayed again in another cell.
"""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable

import traitlets as t

from .._logging import logger
from ._base import Panel, error_state, esc, esm

#: product key -> ``fn(client, job)`` that deletes the job's result at Akool. Families whose API has a
#: delete endpoint register one here; JobMonitor then shows a Delete control for their jobs.
DELETERS: dict[str, Callable[[Any, Any], Any]] = {}
#: product key -> ``fn(client, job)`` that cancels a job while it still runs (reage's ``job/del``).
CANCELLERS: dict[str, Callable[[Any, Any], Any]] = {}


def register_deleter(product: str, fn: Callable[[Any, Any], Any], *, cancel: Callable[[Any, Any], Any] | None = None
                     ) -> Callable[[Any, Any], Any]:
    """Let JobMonitor delete ``product`` results at Akool (``fn(client, job)``); ``cancel(client, job)``, if
    given, stops a job that is still running (the Delete control then shows while it runs, as Cancel)."""
    DELETERS[product] = fn
    if cancel is not None:
        CANCELLERS[product] = cancel
    return fn


def _delete_faceswap(client: Any, job: Any) -> None:
    client.faceswap.delete(job)


def _delete_image_to_video(client: Any, job: Any) -> None:
    outcome = client.image_to_video.delete(job)
    refused = getattr(outcome, "refused", None) or {}
    if job.id in refused:
        raise ValueError(f"Akool refused to delete {job.id}: {refused[job.id] or 'no reason given'}")


def _cancel_reage(client: Any, job: Any) -> None:
    client.reage.cancel(job)


# The families whose API can delete results (docs §B.7 delbyids, §B.10 delbyids, §B.13 job/del).
for _key in ("faceswap_image", "faceswap_video", "faceswap_pro"):
    register_deleter(_key, _delete_faceswap)
for _key in ("reage_image", "reage_video"):
    register_deleter(_key, _delete_faceswap, cancel=_cancel_reage)
register_deleter("image_to_video", _delete_image_to_video)


def _elapsed(job: Any) -> float:
    """Seconds from the job's start to its finish (``finished_at``, when known), else to now: a finished job's
    time stays what it was, also for a job attached or listed later (from the journal's times)."""
    created = getattr(job, "created_at", None)
    finished = getattr(job, "finished_at", None)
    if isinstance(created, (int, float)) and isinstance(finished, (int, float)):
        return max(0.0, finished - created)
    return float(job.elapsed)


def _jobs_of(value: Any) -> list[Any]:
    if value is None:
        return []
    if hasattr(value, "product") and hasattr(value, "refresh"):
        return [value]
    if hasattr(value, "jobs") and not isinstance(value, (list, tuple)):  # a batch object
        return list(value.jobs)
    out: list[Any] = []
    for item in value:
        out += _jobs_of(item)
    return out


SHOWN = 50  # rows drawn (and saved with the notebook); the counts cover the rest


class JobMonitor(Panel):
    """Live status of jobs: product, status, elapsed, progress, stop (and delete where the API allows), and
    the result preview when done. ``value`` is the list of results of the completed jobs, in job order."""

    _esm = esm("job_monitor.js")
    rows = t.List().tag(sync=True)  # at most SHOWN: the running first, then the latest failures and finishes
    total = t.Int(0).tag(sync=True)  # jobs followed (rows may show fewer)
    finished = t.Int(0).tag(sync=True)
    title = t.Unicode("Jobs").tag(sync=True)
    done = t.Bool(True).tag(sync=True)
    value = t.List()

    def __init__(self, jobs: Any = None, *, client: Any = None, title: str = "Jobs", poll: float | None = None,
                 autostart: bool = True, **kwargs: Any) -> None:
        found = _jobs_of(jobs)
        super().__init__(client if client is not None else (found[0]._client if found else None), **kwargs)
        self.title = title
        self.poll = poll
        self.autostart = autostart
        self._jobs: list[Any] = []
        self._stopped: set[str] = set()
        self._deleted: set[str] = set()
        self._frozen: dict[str, float] = {}  # job id -> elapsed when we stopped watching it
        self._notes: dict[str, str] = {}
        self._errors: dict[str, str] = {}
        self._reported: set[str] = set()
        self._callbacks: list[Callable[[Any], Any]] = []
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        if found:
            self.add(*found)

    # -- programmatic API -------------------------------------------------------------------------
    @property
    def jobs(self) -> list[Any]:
        return list(self._jobs)

    def add(self, *jobs: Any) -> JobMonitor:
        """Follow more jobs (jobs, lists of jobs or batches)."""
        new = [j for j in _jobs_of(jobs) if all(j is not k for k in self._jobs)]
        if any(type(j).__name__ == "AsyncJob" for j in new):
            try:
                self._loop = asyncio.get_event_loop()
            except RuntimeError:
                self._loop = None
        with self._lock:
            self._jobs += new
            if self.client is None and new:
                self.client = new[0]._client
        self._publish()
        if self.autostart:
            self.start()
        return self

    def on_complete(self, callback: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Call ``callback(result)`` once for each job that completes."""
        self._callbacks.append(callback)
        return callback

    def start(self) -> None:
        """Start polling in the background (``add`` does this unless ``autostart=False``)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._wake.set()
                return
            if not self._pending():
                return
            self._thread = threading.Thread(target=self._run, name="akool-nb-monitor", daemon=True)
            self._thread.start()

    def stop(self, job_id: str | None = None, *, delete: bool = False) -> None:
        """Stop waiting for one job (or all): the job goes on at Akool unless ``delete`` and the product's
        API can delete it."""
        targets = [j for j in self._jobs if job_id is None or j.id == job_id]
        if job_id is not None and not targets:
            raise ValueError(f"job {job_id!r} is not in this monitor")
        for job in targets:
            if delete:
                self._delete(job)
            elif not job.done:
                self._stopped.add(job.id)
                self._frozen.setdefault(job.id, job.elapsed)
                self._notes[job.id] = (f"Stopped waiting. The job goes on at Akool: "
                                       f"client.jobs.attach({job.id!r}) picks it up again.")
        self._wake.set()
        self._publish()

    def wait(self, timeout: float | None = 900.0) -> list[Any]:
        """Block until every job is done or stopped; returns ``value`` (results of the completed jobs)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._thread is None and self._pending():
            self.start()
        while self._pending():
            thread = self._thread
            if thread is None or not thread.is_alive():
                self.start()
                thread = self._thread
            if thread is not None:
                thread.join(0.05)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{len(self._pending())} job(s) still running after {timeout}s; they go on")
        self._publish()
        return self.value

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        super().close()

    # -- polling ----------------------------------------------------------------------------------
    def _pending(self) -> list[Any]:
        return [j for j in self._jobs if not j.done and j.id not in self._stopped]

    def _run(self) -> None:
        from ..jobs import refresh_together, schedule_for  # the one polling policy (akool_nb._polling)

        schedule = None
        try:
            while not self._closing:
                pending = self._pending()
                if not pending:
                    break
                if schedule is None:
                    schedule = schedule_for(pending, self.poll)
                else:
                    schedule.add(pending)  # jobs added since; the known ones keep their plan
                for job in schedule.pending:
                    if job.id in self._stopped:
                        schedule.discard(job)
                asked: list[Any] = []
                for request, chunk in schedule.due():
                    try:
                        self._settle(chunk[0].refresh() if request is None else refresh_together(request, chunk))
                        for job in chunk:
                            self._errors.pop(job.id, None)
                    except Exception as exc:
                        for job in chunk:
                            self._errors[job.id] = f"{error_state(exc)['message']} (still trying)"
                    asked += chunk
                schedule.observe(asked)
                self._publish()
                self._wake.wait(schedule.sleep())
                self._wake.clear()
        except Exception as exc:  # never die silently: the panel says what happened
            logger.exception("JobMonitor stopped polling")
            self.show_error(exc)
        finally:
            self._publish()

    def _settle(self, outcome: Any) -> None:
        """An AsyncAkool job's check is a coroutine: run it on the notebook's loop (or a private one)."""
        if asyncio.iscoroutine(outcome):
            if self._loop is not None and self._loop.is_running():
                asyncio.run_coroutine_threadsafe(outcome, self._loop).result(60)
            else:
                asyncio.run(outcome)

    def _delete(self, job: Any) -> None:
        key = job.product.key
        running = not job.done
        action = CANCELLERS.get(key) if running else DELETERS.get(key)
        if action is None:
            if running and key in DELETERS:
                raise ValueError(f"{job.product.label} results can be deleted once the job is done; wait, or stop "
                                 "waiting instead")
            raise ValueError(f"Akool has no delete for {job.product.label} results; stop waiting instead")
        outcome = action(self.client or job._client, job)
        if asyncio.iscoroutine(outcome):  # an AsyncAkool client
            if self._loop is not None and self._loop.is_running():
                asyncio.run_coroutine_threadsafe(outcome, self._loop).result(60)
            else:
                asyncio.run(outcome)
        self._stopped.add(job.id)
        self._frozen.setdefault(job.id, _elapsed(job))
        self._deleted.add(job.id)
        self._notes[job.id] = "Cancelled at Akool." if running else "Deleted at Akool."

    # -- state for the front end ------------------------------------------------------------------
    def _row(self, job: Any) -> dict[str, Any]:
        status = job.status.label
        stopped = job.id in self._stopped
        row: dict[str, Any] = {
            "id": job.id, "product": job.product.key, "label": job.product.label, "media": job.product.media,
            "status": "stopped" if stopped and not job.done else status, "progress": job.progress,
            "elapsed": round(self._frozen.get(job.id, _elapsed(job)), 2), "running": not job.done and not stopped, "polls": job.polls,
            "url": "", "poster": "", "expires_at": "", "error": "", "note": self._notes.get(job.id, ""),
            "warning": self._errors.get(job.id, ""), "deletable": job.product.key in DELETERS,
            "cancellable": job.product.key in CANCELLERS, "deleted": job.id in self._deleted,
        }
        if job.id in self._deleted:
            row["status"] = "deleted" if job.done else "cancelled"
        elif job.status.label == "completed":
            try:
                result = job.result
                row.update(url=result.url or "", poster=result.poster_url or "",
                           expires_at=result.expires_at.isoformat())
            except Exception as exc:
                row["error"] = str(exc)
        elif job.status.label == "failed":
            row["error"] = f"{job.failure_reason or 'failed'}"
        return row

    def _shown(self) -> list[Any]:
        """The jobs worth a row, in job order: a panel (and the notebook it is saved in) stays small when it
        follows thousands of jobs (issue 12: 10,000 jobs saved as 6.4 MB before)."""
        if len(self._jobs) <= SHOWN:
            return list(self._jobs)
        running = [j for j in self._jobs if not j.done and j.id not in self._stopped]
        failed = [j for j in self._jobs if j.status.label == "failed"]
        rest = [j for j in self._jobs if j.done and j.status.label != "failed" or j.id in self._stopped]
        failed_kept, rest_kept = failed[-SHOWN // 5:], rest[-SHOWN // 10:]  # room kept for what went wrong
        running = running[:SHOWN - len(failed_kept) - len(rest_kept)]
        spare = SHOWN - len(running) - len(failed_kept) - len(rest_kept)
        older = (failed[:-len(failed_kept) or None] if failed_kept else failed) + \
            (rest[:-len(rest_kept) or None] if rest_kept else rest)
        picked = {id(j) for j in running + failed_kept + rest_kept + (older[-spare:] if spare > 0 else [])}
        return [j for j in self._jobs if id(j) in picked]

    def _publish(self) -> None:
        with self._lock:
            rows = [self._row(j) for j in self._shown()]
            results = []
            fresh = []
            for job in self._jobs:
                if job.status.label == "completed" and job.id not in self._deleted:
                    try:
                        result = job.result
                    except Exception:
                        continue
                    results.append(result)
                    if job.id not in self._reported:
                        self._reported.add(job.id)
                        fresh.append(result)
            was_done = self.done
            with self.hold_trait_notifications():
                self.rows = rows
                self.total = len(self._jobs)
                self.finished = sum(1 for j in self._jobs if j.done or j.id in self._stopped)
                self.done = not self._pending()
                if [r.id for r in results] != [r.id for r in self.value]:
                    self.value = results
            finished_now = self.done and not was_done
        if finished_now:
            self.refresh_static_copy()  # the saved copy then shows the results, not "queued"
        for result in fresh:
            for callback in self._callbacks:
                try:
                    callback(result)
                except Exception as exc:
                    self.show_error(exc, "Your on_complete callback raised; the monitor goes on.")

    # -- front-end actions ------------------------------------------------------------------------
    def _on_stop(self, id: str) -> None:  # noqa: A002 - the front end's field name
        self.stop(id)

    def _on_delete(self, id: str) -> None:  # noqa: A002
        self.stop(id, delete=True)

    def _on_stop_all(self) -> None:
        self.stop()

    def _static_html(self) -> str:
        from ..display import media_html

        parts = []
        for row in self.rows:
            colour = {"completed": "#27ae60", "failed": "#e5484d", "processing": "#2f80ed"}.get(row["status"], "#8a8f98")
            body = (f'<div style="margin-top:6px">{media_html(row["url"], row["media"], poster=row["poster"] or None, width=420)}'
                    f'</div><a href="{esc(row["url"])}" target="_blank" rel="noopener">open</a>' if row["url"] else "")
            if row["error"]:
                body = f'<div style="color:#e5484d">{esc(row["error"])}</div>'
            parts.append(f'<div style="border:1px solid rgba(128,128,128,.3);border-radius:8px;padding:6px 8px;'
                         f'margin:4px 0"><b>{esc(row["label"])}</b> <span style="background:{colour};color:#fff;'
                         f'border-radius:9px;padding:0 7px;font-size:11px">{esc(row["status"])}</span> '
                         f'<code style="opacity:.7">{esc(row["id"])}</code> <span style="opacity:.7">'
                         f'{row["elapsed"]:.1f} s</span>{body}</div>')
        more = self.total - len(self.rows)
        if more > 0:
            parts.append(f'<div style="opacity:.7">{self.finished} of {self.total} finished; {more} more not shown</div>')
        return self._static_card(self.title, "".join(parts) or "No jobs.")
