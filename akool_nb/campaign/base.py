"""What the sync and async campaigns share: arguments, the journal's view of the rows, row outcomes."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import httpx

from .._exceptions import AkoolError, InvalidParameterError, QuotaError
from .._logging import logger, mask
from .._journal.entry import OPEN_STATES, REJECTED, VISIBLE_STATES, Entry
from ..resources._base import number, text
from ..resources.jobs import TAG_MAX_CHARS
from .preview import Preview, RowPlan, estimates, plan_row
from .progress import Feedback
from .rows import keyed, load_rows
from .save import folder, manifest_records, save_job, write_manifest
from .state import AMBIGUOUS, DONE, FAILED, state_for

ROW_TRIES = 4  # a row refused with 1005/429 after the client's own retries is tried again this many times
ROW_BACKOFF = 2.0  # seconds before the first such retry (doubling)
CONCURRENCY_MAX = 256


class BudgetStop:
    """Why a run stopped before the budget would be exceeded."""

    def __init__(self, budget: float, committed: float, next_row: str, next_cost: float, left: int) -> None:
        self.budget, self.committed, self.next_row, self.next_cost, self.left = budget, committed, next_row, \
            next_cost, left

    def __str__(self) -> str:
        return (f"stopped before the budget: {self.committed:.4g} credits spent or committed (estimates from "
                f"preview) + row {self.next_row!r} (≈{self.next_cost:.4g}) would exceed budget={self.budget:g}; "
                f"{self.left} row(s) not started (rerun with a larger budget to go on)")


class CreditStop:
    """Why a run stopped starting rows: Akool said the account is out of credits (QuotaError)."""

    def __init__(self, message: str, left: int) -> None:
        self.message, self.left = message, left

    def __str__(self) -> str:
        return (f"stopped: the account is out of credits ({self.message}); {self.left} row(s) not started (top up, "
                "then rerun: done rows are skipped)")


class RunReport:
    """What a run did: counts by status, credits charged, files saved, the manifest, a budget stop."""

    def __init__(self, name: str, counts: dict[str, int], credits: float, saved: int, manifest: list[Path],
                 stop: BudgetStop | CreditStop | None, elapsed: float) -> None:
        self.name, self.counts, self.credits, self.saved, self.manifest = name, counts, credits, saved, manifest
        self.stop, self.elapsed = stop, elapsed

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in self.counts.items() if n)
        out = f"Campaign {self.name!r}: {counts} · {self.credits:.4g} credits charged · {self.saved} files saved"
        out += f" · {self.elapsed:.1f}s"
        if self.manifest:
            out += f"\nmanifest: {', '.join(str(p) for p in self.manifest)}"
        if self.stop:
            out += f"\n{self.stop}"
        return out

    def _repr_html_(self) -> str:
        from ..display import e

        first, *rest = repr(self).split("\n")
        return ('<div style="font-family:system-ui,sans-serif;font-size:13px">'
                f"<b>{e(first)}</b>" + "".join(f"<div>{e(line)}</div>" for line in rest) + "</div>")


def is_rate_limited(exc: BaseException) -> bool:
    from .._exceptions import RateLimitError

    return isinstance(exc, RateLimitError) or getattr(exc, "http_status", None) == 429


def check_run_args(concurrency: Any, budget: Any, save_to: Any, timeout: Any) -> Path | None:
    number(concurrency, "concurrency", 1, CONCURRENCY_MAX, whole=True, example=8)
    if budget is not None:
        number(budget, "budget", 0, 10**12, example=100)
    if timeout is not None:
        number(timeout, "timeout", 1, 10**7, example=900)
    return None if save_to is None else folder(save_to)


def check_costs(costs: Any) -> dict[str, float] | None:
    """``costs``: credits per job by product key, e.g. {"talking_photo": 2} (what Akool's records do not say)."""
    if costs is None:
        return None
    from .._journal.finders import CREATES
    from ..jobs import PRODUCTS

    known = set(PRODUCTS) | set(CREATES.values())
    if not isinstance(costs, dict) or not costs:
        raise InvalidParameterError("costs", "must be a dict of credits per job by product, e.g. "
                                             "costs={'talking_photo': 2}", value=costs)
    for key, value in costs.items():
        if not isinstance(key, str) or key not in known:
            raise InvalidParameterError("costs", f"names {str(key)[:60]!r}, not a product; use product keys such as "
                                                 "'tts' or 'talking_photo' (preview() lists a row's steps)",
                                        value=costs)
        number(value, f"costs[{key!r}]", 0, 10**9, example=2)
    return {k: float(v) for k, v in costs.items()}


class CampaignBase:
    def __init__(self, client: Any, name: Any, rows: Any, make: Any) -> None:
        text(name, "name", max_chars=TAG_MAX_CHARS, required=True)
        if not callable(make):
            raise InvalidParameterError("make", "must be a function make(c, row) that creates the row's job(s) "
                                                "with c's resource methods and returns them", value=make)
        journal = client._journal
        if journal is None or not journal.enabled:
            raise AkoolError("a campaign needs the job journal (it is how reruns know what was already paid "
                             "for): create the client with journal=True (the default) or a path"
                             + (f"; the journal is off: {journal.problem}" if journal is not None else ""))
        self.client, self.name, self.make = client, name, make
        self.rows = keyed(load_rows(rows))
        self._keys = [k for k, _ in self.rows]
        self._state = state_for(journal.path)
        self.last_report: RunReport | None = None
        self._out_of_credits: str | None = None  # set by a row refused with QuotaError: start no more rows

    # -- the journal's view ----------------------------------------------------------------------
    @staticmethod
    def _keepable(plan: Preview, budget: float) -> Preview:
        """A budget needs a cost estimate for every product still to run: refused before anything is sent."""
        if plan.todo and plan.unknown:
            raise InvalidParameterError("budget", "cannot be kept: preview() has no cost estimate for "
                                        f"{', '.join(plan.unknown)} (no earlier job of it in this journal); run a "
                                        "few rows without budget= first (the budget then applies to the rest), or "
                                        "pass costs={product: credits per job}",
                                        value=budget)
        return plan

    def _start(self, plan: Preview | None, progress: bool, panel: bool | None) -> tuple[
            dict[str, dict[str, Any]], dict[str, list[Entry]], list[tuple[str, dict[str, Any]]], Any, dict[str, int]]:
        """What a run starts from (both clients): row states, journal entries, the rows to run, the progress
        feedback and the counts so far."""
        states = self._row_states()
        entries = self._entries()
        todo = [(k, r) for k, r in self.rows if states.get(k, {}).get("status") != DONE]
        n_done = len(self.rows) - len(todo)
        if plan is not None:  # the budget's preview found them invalid: nothing is sent for them
            todo = [(k, r) for k, r in todo if (p := plan.row(k)) is None or p.status != "invalid"]
        feedback = Feedback(self.name, len(self.rows), len(self.rows) - len(todo), progress=progress, panel=panel,
                            client=self.client)
        counts = {DONE: n_done, FAILED: 0, AMBIGUOUS: 0, "invalid": len(self.rows) - n_done - len(todo),
                  "not started": 0}
        return states, entries, todo, feedback, counts

    def _entries(self) -> dict[str, list[Entry]]:
        journal = self.client._journal
        found = journal.recent(self.client._service_key, None, states=(*VISIBLE_STATES, REJECTED),
                               meta={"campaign": self.name})
        out: dict[str, list[Entry]] = {}
        for entry in found:
            out.setdefault(str(entry.meta_dict.get("row")), []).append(entry)
        return out

    def _open_entries(self, entries: dict[str, list[Entry]]) -> list[Entry]:
        return [e for group in entries.values() for e in group if e.state in OPEN_STATES]

    def _row_states(self) -> dict[str, dict[str, Any]]:
        return self._state.rows(self.name)

    def _plan(self, key: str, recorded: Any, error: BaseException | None, costs: dict[str, float]) -> RowPlan:
        return plan_row(key, recorded, error, costs)

    def _costs(self, costs: dict[str, float] | None) -> tuple[dict[str, list[float]], dict[str, float]]:
        """Earlier charges by product, and the cost per job to plan with: what you gave, else their mean."""
        history = self._state.credits_by_product()
        return history, {**estimates(history), **(costs or {})}

    def _preview(self, plans: list[RowPlan], balance: float | None, balance_error: str | None,
                 history: dict[str, list[float]], costs: dict[str, float] | None = None) -> Preview:
        return Preview(self.name, plans, {**estimates(history), **(costs or {})}, history, balance, balance_error,
                       given=set(costs or ()))

    # -- outcomes --------------------------------------------------------------------------------
    def _record(self, key: str, made: list[Any], results: list[Any], saved: list[tuple[str, str] | None]) -> None:
        steps = [{"step": i, "product": j.product.key, "job_id": j.id, "credits": _credits(j)}
                 for i, j in enumerate(made)]
        jobs = [{"product": j.product.key, "job_id": j.id, "url": j.url, "credits": _credits(j),
                 "file": s[0] if s else "", "sha256": s[1] if s else "",
                 "finished_at": j.finished_at or time.time()} for j, s in zip(results, saved)]
        total = sum(s["credits"] for s in steps if isinstance(s["credits"], (int, float)))
        self._state.put(self.name, key, DONE, jobs=jobs, steps=steps, credits=total)

    def _fail(self, key: str, made: list[Any], exc: BaseException) -> str:
        status = AMBIGUOUS if type(exc).__name__ == "RowAmbiguousError" or \
            type(exc).__name__ == "AmbiguousSubmitError" else FAILED
        steps = [{"step": i, "product": j.product.key, "job_id": j.id, "credits": _credits(j)}
                 for i, j in enumerate(made)]
        kind = "" if isinstance(exc, AkoolError) else f"{type(exc).__name__}: "
        if isinstance(exc, QuotaError):
            self._out_of_credits = str(exc)[:200]
        self._state.put(self.name, key, status, steps=steps, error=mask(f"{kind}{exc}")[:2000])  # no secrets kept
        return status

    def _manifest(self, save_to: Path | None) -> list[Path]:
        if save_to is None:
            return []
        return write_manifest(manifest_records(self._row_states(), self._keys), save_to)

    def _save_done(self, states: dict[str, Any], save_dir: Path, http: httpx.Client) -> int:
        n = 0
        for key, state in pending_saves(states, self._keys):
            for job in state["jobs"]:
                if job.get("url") and not (job.get("file") and Path(job["file"]).exists()):
                    try:
                        job["file"], job["sha256"] = save_job(self._state, self.client._service_key,
                                                              job["job_id"], job["url"], save_dir, http)
                    except httpx.HTTPError as exc:  # expired, or a service that is gone: said, not fatal
                        logger.warning("campaign %s row %s: could not save %s (%s)", self.name, key, job["url"],
                                       exc)
                        continue
                    n += 1
            self._state.put(self.name, key, DONE, jobs=state["jobs"], steps=state["steps"],
                            credits=state["credits"])
        return n

    def _entries_of(self, key: str) -> list[Any]:
        journal = self.client._journal
        return journal.recent(self.client._service_key, None, states=(*VISIBLE_STATES, REJECTED),
                              meta={"campaign": self.name, "row": key})

    # -- results ---------------------------------------------------------------------------------
    def results(self) -> Any:
        """The manifest as a pandas DataFrame (a list of dicts without pandas): one line per result job."""
        records = manifest_records(self._row_states(), self._keys)
        try:
            import pandas as pd
        except ImportError:
            return records
        from .save import MANIFEST_COLUMNS

        return pd.DataFrame(records, columns=list(MANIFEST_COLUMNS))

    def status(self) -> dict[str, int]:
        """Rows by status (done, failed, ambiguous, pending) as the campaign's records say."""
        states = self._row_states()
        counts = {DONE: 0, FAILED: 0, AMBIGUOUS: 0, "pending": 0}
        for key in self._keys:
            counts[states[key]["status"] if key in states else "pending"] += 1
        return counts

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in self.status().items())
        return f"<Campaign {self.name!r} {len(self.rows)} rows: {counts}>"


def _credits(job: Any) -> float | None:
    value = job.record.get("deduction_credit") if isinstance(job.record, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def actual(charged: list[tuple[str, float | None]], plan: Preview | None) -> float:
    """What a finished row cost: each job's ``deduction_credit``, or the plan's estimate where a record has none."""
    costs = plan.costs if plan is not None else {}
    return sum(c if c is not None else costs.get(p, 0.0) for p, c in charged)


def as_jobs(out: Any) -> list[Any]:
    """What ``make`` returned as a list of jobs (a Job, a list or tuple of them, or a Result)."""
    items = list(out) if isinstance(out, (list, tuple)) else [out]
    jobs = []
    for item in items:
        item = getattr(item, "job", item) if type(item).__name__ == "Result" else item
        if not hasattr(item, "_absorb"):
            raise InvalidParameterError("make", f"returned {type(item).__name__}; make(c, row) must return the "
                                                "job(s) it created (a Job or a list of Jobs)", value=out)
        jobs.append(item)
    return jobs


def pending_saves(states: dict[str, dict[str, Any]], keys: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Done rows whose result files were not saved (an earlier run without ``save_to``)."""
    return [(k, states[k]) for k in keys if k in states and states[k]["status"] == DONE
            and any(not j.get("file") or not Path(j["file"]).exists() for j in states[k]["jobs"])]


Make = Callable[[Any, dict[str, Any]], Any]
