"""The campaign of AsyncAkool: rows run as tasks, ``concurrency`` at once; ``make`` may be ``async def``."""
from __future__ import annotations

import asyncio
import inspect
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
from .waiter import AsyncWaiter, waited_job_class


async def _call(make: Any, c: Any, row: dict[str, Any]) -> Any:
    out = make(c, row)
    return (await out) if inspect.isawaitable(out) else out


class AsyncCampaign(CampaignBase):
    """``client.campaign(...)`` on AsyncAkool: ``await campaign.preview()``, ``await campaign.run()``."""

    async def preview(self, costs: dict[str, float] | None = None) -> Preview:
        """As :meth:`Campaign.preview <akool_nb.campaign.sync.Campaign.preview>`; awaited."""
        given = check_costs(costs)
        history, costs = self._costs(given)
        states = self._row_states()
        plans = []
        for key, row in self.rows:
            dry = dry_run(self.client)
            error = None
            try:
                await _call(self.make, dry, dict(row))
            except Exception as exc:
                error = exc
            plan = self._plan(key, dry._recorded, error, costs)
            if plan.status == "ok" and states.get(key, {}).get("status") == DONE:
                plan.status = "done"
            plans.append(plan)
        balance, balance_error = None, None
        try:
            balance = await self.client.faceswap.credit()
        except AkoolError as exc:
            balance_error = str(exc)[:200]
        return self._preview(plans, balance, balance_error, history, given)

    async def run(self, concurrency: int = 8, budget: float | None = None, save_to: str | Path | None = None, *,
                  timeout: float | None = 900.0, progress: bool = True, panel: bool | None = None,
                  costs: dict[str, float] | None = None) -> RunReport:
        """As :meth:`Campaign.run <akool_nb.campaign.sync.Campaign.run>`; awaited."""
        save_dir = check_run_args(concurrency, budget, save_to, timeout)
        check_costs(costs)
        started = time.monotonic()
        self._out_of_credits = None
        for entry in self._open_entries(self._entries()):
            try:
                await self.client.jobs.reconcile(entry)
            except AkoolError as exc:
                logger.warning("campaign %s: could not settle journal entry %s: %s", self.name, entry.key, exc)
        plan = None if budget is None else self._keepable(await self.preview(costs), budget)
        states, entries, todo, feedback, counts = self._start(plan, progress, panel)
        stop, committed, saved = None, 0.0, 0
        http = httpx.Client(timeout=httpx.Timeout(60, connect=10), follow_redirects=True) if save_dir else None
        gate = asyncio.Semaphore(concurrency)
        tasks: list[asyncio.Task] = []
        from . import sync  # SHARED_WAIT: the benchmark's switch, one for both clients

        waiter = AsyncWaiter(self.client) if sync.SHARED_WAIT else None

        async def one(key: str, row: dict[str, Any], cost: float) -> None:
            nonlocal committed, saved
            try:
                status, job, error, n_saved, charged = await self._run_row(key, row, entries.get(key, []),
                                                                           save_dir, timeout, http, waiter)
            finally:
                gate.release()
            counts[status] += 1
            saved += n_saved
            if charged is not None:  # the actual charges replace the estimate
                committed += actual(charged, plan) - cost
            feedback.row(key, status, job=job, error=error, finished=True)

        try:
            if save_dir is not None:
                saved += await asyncio.to_thread(self._save_done, states, save_dir, http)
            for i, (key, row) in enumerate(todo):
                await gate.acquire()
                if self._out_of_credits:
                    gate.release()
                    stop = CreditStop(self._out_of_credits, len(todo) - i)
                    counts["not started"] = len(todo) - i
                    feedback.note(str(stop))
                    break
                cost = (plan.row(key).credits if plan is not None else None) or 0  # type: ignore[union-attr]
                if budget is not None and committed + cost > budget:
                    gate.release()
                    stop = BudgetStop(budget, committed, key, cost, len(todo) - i)
                    counts["not started"] = len(todo) - i
                    feedback.note(str(stop))
                    break
                committed += cost
                feedback.row(key, "running")
                tasks.append(asyncio.ensure_future(one(key, row, cost)))
            if tasks:
                await asyncio.gather(*tasks)
        finally:
            feedback.close()
            if waiter is not None:
                await waiter.close()
            if http is not None:
                http.close()
        manifest = self._manifest(save_dir)
        credits = sum(s.get("credits") or 0 for s in self._row_states().values())
        self.last_report = RunReport(self.name, counts, credits, saved, manifest, stop, time.monotonic() - started)
        return self.last_report

    async def _run_row(self, key: str, row: dict[str, Any], entries: list[Any], save_dir: Path | None,
                       timeout: float | None, http: httpx.Client | None,
                       waiter: AsyncWaiter | None = None) -> tuple[str, Any, str, int, float | None]:
        made: list[Any] = []
        job_class = waited_job_class(waiter) if waiter is not None else None
        for attempt in range(ROW_TRIES):
            if attempt:
                entries = await asyncio.to_thread(self._entries_of, key)
            view = row_view(self.client, self.name, key, prior_steps(entries), job_class)
            made = view._made
            try:
                jobs = as_jobs(await _call(self.make, view, dict(row)))
                results = [j.result if j.done else (await waiter.wait(j, timeout)) if waiter is not None
                           else (await j.wait(timeout)) for j in jobs]
                saved = [await asyncio.to_thread(save_job, self._state, self.client._service_key, j.id, r.url,
                                                 save_dir, http)
                         if save_dir is not None and r.url else None for j, r in zip(jobs, results)]
                self._record(key, made, jobs, saved)
                charged = [(j.product.key, _credits(j)) for j in made]  # None where the record says no price
                return DONE, jobs[-1] if jobs else None, "", sum(1 for s in saved if s), charged
            except Exception as exc:
                if is_rate_limited(exc) and attempt + 1 < ROW_TRIES:
                    await asyncio.sleep(ROW_BACKOFF * 2 ** attempt)
                    continue
                status = self._fail(key, made, exc)
                return status, made[-1] if made else None, str(exc)[:300], 0, None
        raise AssertionError("unreachable")
