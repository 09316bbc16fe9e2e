"""The campaign of the sync client: rows run on a bounded thread pool (``concurrency`` rows at once)."""
from __future__ import annotations

import concurrent.futures
import time
from pathlib import Path
from typing import Any

import httpx

from .._exceptions import AkoolError
from .._logging import logger
from .base import ROW_BACKOFF, ROW_TRIES, BudgetStop, CampaignBase, CreditStop, RunReport, as_jobs, \
    _credits, actual, check_costs, check_run_args, is_rate_limited
from .preview import Preview
from .save import save_job
from .state import DONE
from .view import dry_run, prior_steps, row_view
from .waiter import Waiter, waited_job_class

SHARED_WAIT = True  # rows' jobs waited for in one loop (False: each row polls its own; bench_campaign's "before")


class Campaign(CampaignBase):
    """``client.campaign(name, rows, make)``: ``preview()``, ``run()``, ``results()``; see akool_nb.campaign."""

    def preview(self, costs: dict[str, float] | None = None) -> Preview:
        """Every row's ``make`` against a dry-run client: jobs per row, invalid rows (field and fix), an
        estimated cost where earlier jobs tell it, and the credit balance. No paid request is sent."""
        given = check_costs(costs)
        history, costs = self._costs(given)
        states = self._row_states()
        plans = []
        for key, row in self.rows:
            dry = dry_run(self.client)
            error = None
            try:
                self.make(dry, dict(row))
            except Exception as exc:  # a row's problem is reported, never raised: the others go on
                error = exc
            plan = self._plan(key, dry._recorded, error, costs)
            if plan.status == "ok" and states.get(key, {}).get("status") == DONE:
                plan.status = "done"
            plans.append(plan)
        balance, balance_error = None, None
        try:
            balance = self.client.faceswap.credit()
        except AkoolError as exc:
            balance_error = str(exc)[:200]
        return self._preview(plans, balance, balance_error, history, given)

    def run(self, concurrency: int = 8, budget: float | None = None, save_to: str | Path | None = None, *,
            timeout: float | None = 900.0, progress: bool = True, panel: bool | None = None,
            costs: dict[str, float] | None = None) -> RunReport:
        """Run every row not done yet, ``concurrency`` at a time; see the module docstring for resume."""
        save_dir = check_run_args(concurrency, budget, save_to, timeout)
        check_costs(costs)
        started = time.monotonic()
        self._out_of_credits = None
        self._settle()
        plan = self._budget_plan(budget, costs)
        states, entries, todo, feedback, counts = self._start(plan, progress, panel)
        stop, committed, saved = None, 0.0, 0
        http = httpx.Client(timeout=httpx.Timeout(60, connect=10), follow_redirects=True) if save_dir else None
        try:
            if save_dir is not None:
                saved += self._save_done(states, save_dir, http)
            pool = concurrent.futures.ThreadPoolExecutor(concurrency, thread_name_prefix="akool-campaign")
            waiter = Waiter(self.client) if SHARED_WAIT else None
            try:
                running: dict[concurrent.futures.Future, tuple[str, float]] = {}
                queue = list(todo)
                while queue or running:
                    while queue and len(running) < concurrency and stop is None:
                        key, row = queue[0]
                        cost = plan.row(key).credits if plan is not None else None  # type: ignore[union-attr]
                        if budget is not None and committed + (cost or 0) > budget:
                            stop = BudgetStop(budget, committed, key, cost or 0, len(queue))
                            feedback.note(str(stop))
                            break
                        queue.pop(0)
                        committed += cost or 0
                        feedback.row(key, "running")
                        future = pool.submit(self._run_row, key, row, entries.get(key, []), save_dir, timeout,
                                             http, waiter)
                        running[future] = (key, cost or 0)
                    if stop is not None and not running:
                        break
                    finished, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
                    for future in finished:
                        key, cost = running.pop(future)
                        status, job, error, n_saved, charged = future.result()
                        counts[status] += 1
                        saved += n_saved
                        if charged is not None:  # the actual charges replace the estimate
                            committed += actual(charged, plan) - cost
                        feedback.row(key, status, job=job, error=error, finished=True)
                    if self._out_of_credits and stop is None:
                        stop = CreditStop(self._out_of_credits, len(queue))
                        feedback.note(str(stop))
                if stop is not None:
                    counts["not started"] = len(queue)
            finally:  # an interrupt (Ctrl-C, the notebook's stop button) does not wait for the rows in flight
                pool.shutdown(wait=False, cancel_futures=True)
                if waiter is not None:
                    waiter.close()
        finally:
            feedback.close()
            if http is not None:
                http.close()
        manifest = self._manifest(save_dir)
        credits = sum(s.get("credits") or 0 for s in self._row_states().values())
        self.last_report = RunReport(self.name, counts, credits, saved, manifest, stop, time.monotonic() - started)
        return self.last_report

    # -- steps -----------------------------------------------------------------------------------
    def _settle(self) -> None:
        """Creates of this campaign whose outcome is unknown (the kernel died, an answer was lost) are looked
        for in their product's list before any row runs: found ones are attached, proven absent ones sent anew
        by their row, the rest hold their row (never resent)."""
        for entry in self._open_entries(self._entries()):
            try:
                self.client.jobs.reconcile(entry)
            except AkoolError as exc:
                logger.warning("campaign %s: could not settle journal entry %s: %s", self.name, entry.key, exc)

    def _budget_plan(self, budget: float | None, costs: dict[str, float] | None) -> Preview | None:
        if budget is None:
            return None
        return self._keepable(self.preview(costs), budget)

    def _run_row(self, key: str, row: dict[str, Any], entries: list[Any], save_dir: Path | None,
                 timeout: float | None, http: httpx.Client | None,
                 waiter: Waiter | None = None) -> tuple[str, Any, str, int, float | None]:
        view, made = None, []
        job_class = waited_job_class(waiter) if waiter is not None else None
        for attempt in range(ROW_TRIES):
            if attempt:
                entries = self._entries_of(key)
            view = row_view(self.client, self.name, key, prior_steps(entries), job_class)
            made = view._made
            try:
                jobs = as_jobs(self.make(view, dict(row)))
                results = [j.result if j.done else waiter.wait(j, timeout) if waiter is not None
                           else j.wait(timeout) for j in jobs]
                saved = [save_job(self._state, self.client._service_key, j.id, r.url, save_dir, http)
                         if save_dir is not None and r.url else None for j, r in zip(jobs, results)]
                self._record(key, made, jobs, saved)
                charged = [(j.product.key, _credits(j)) for j in made]  # None where the record says no price
                return DONE, jobs[-1] if jobs else None, "", sum(1 for s in saved if s), charged
            except Exception as exc:
                if is_rate_limited(exc) and attempt + 1 < ROW_TRIES:
                    time.sleep(ROW_BACKOFF * 2 ** attempt)
                    continue
                status = self._fail(key, made, exc)
                logger.info("campaign %s row %s %s: %s", self.name, key, status, exc)
                return status, made[-1] if made else None, str(exc)[:300], 0, None
        raise AssertionError("unreachable")
