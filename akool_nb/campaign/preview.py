"""``campaign.preview()``: what a run would send and cost, before anything is paid.

Each row's ``make`` runs against a dry-run client (akool_nb.campaign.view.DryRun): the client's own checks run
(InvalidParameterError names the field), free reads go out, paid creates are recorded instead of sent. Costs
come from what Akool charged for earlier jobs of the same product (``deduction_credit``, remembered by earlier
campaign runs); a product with no history is listed as unknown rather than guessed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._exceptions import AkoolError, InvalidParameterError
from ..display import e

SHOWN_ROWS = 50  # rows drawn in the HTML table (a saved notebook stays small); the rest are counted


@dataclass
class RowPlan:
    row: str
    status: str  # "ok" | "invalid" | "done"
    jobs: int = 0
    products: list[str] = field(default_factory=list)
    credits: float | None = None  # estimated; None when a product's cost is unknown
    field: str = ""
    error: str = ""


def plan_row(key: str, recorded: list[dict[str, Any]] | None, error: BaseException | None,
             costs: dict[str, float]) -> RowPlan:
    if error is not None:
        param = getattr(error, "param", "") if isinstance(error, InvalidParameterError) else ""
        kind = "" if isinstance(error, AkoolError) else f"{type(error).__name__}: "
        return RowPlan(key, "invalid", field=param or "", error=f"{kind}{error}")
    products = [r["product"] or r["endpoint"] for r in recorded or []]
    known = [costs.get(p) for p in products]
    credits = None if any(c is None for c in known) else round(sum(known), 4)  # type: ignore[arg-type]
    return RowPlan(key, "ok", len(products), products, credits)


def estimates(history: dict[str, list[float]]) -> dict[str, float]:
    """A product's estimated cost per job: the mean of what earlier jobs of it were charged."""
    return {p: sum(v) / len(v) for p, v in history.items() if v}


class Preview:
    """The plan of a campaign: ``rows`` (RowPlan each), ``invalid``, ``estimated_credits``, ``unknown``."""

    def __init__(self, name: str, rows: list[RowPlan], costs: dict[str, float], history: dict[str, list[float]],
                 balance: float | None, balance_error: str | None, given: set[str] | None = None) -> None:
        self.given = given or set()
        self.name, self.rows, self.costs, self.balance = name, rows, costs, balance
        self.samples = {p: len(v) for p, v in history.items()}
        self.balance_error = balance_error
        self.invalid = [r for r in rows if r.status == "invalid"]
        self.todo = [r for r in rows if r.status == "ok"]
        self.done = [r for r in rows if r.status == "done"]
        self.jobs = sum(r.jobs for r in self.todo)
        self.unknown = sorted({p for r in self.todo for p in r.products if p not in costs})
        known = [r.credits for r in self.todo if r.credits is not None]
        self.estimated_credits = round(sum(known), 4) if known else (0.0 if not self.todo else None)
        self.complete = not self.unknown

    def row(self, key: str) -> RowPlan | None:
        if not hasattr(self, "_by_key"):
            self._by_key = {r.row: r for r in self.rows}
        return self._by_key.get(key)

    def lines(self) -> list[str]:
        out = [f"Campaign {self.name!r}: {len(self.rows)} rows · {len(self.todo)} to run ({self.jobs} paid creates)"
               f" · {len(self.done)} already done · {len(self.invalid)} invalid (nothing is sent for them)"]
        if self.todo:
            if self.estimated_credits is None:
                out.append("Estimated cost: unknown (no earlier job of " + ", ".join(self.unknown) + " to learn from)")
            else:
                basis = ", ".join(f"{p} ≈ {c:.4g}/job " + ("as you gave it" if p in self.given else
                                                            f"from {self.samples.get(p, 0)} earlier job(s)")
                                  for p, c in sorted(self.costs.items()) if any(p in r.products for r in self.todo))
                partial = (f"; NOT included: {', '.join(self.unknown)} (no earlier job to learn its cost from)"
                           if self.unknown else "")
                out.append(f"Estimated cost: {self.estimated_credits:.4g} credits ({basis}){partial}")
        out.append(f"Credit balance: {self.balance:.4g}" if self.balance is not None
                   else f"Credit balance: unknown ({self.balance_error})")
        if self.balance is not None and self.estimated_credits and self.estimated_credits > self.balance:
            out.append(f"WARNING: the estimate ({self.estimated_credits:.4g}) is more than the balance: the run "
                       "would stop with QuotaError part way; top up or pass budget=")
        for r in self.invalid[:20]:
            out.append(f"  invalid row {r.row!r}: {r.field + ': ' if r.field else ''}{r.error}")
        if len(self.invalid) > 20:
            out.append(f"  … and {len(self.invalid) - 20} more invalid rows (preview.invalid lists them)")
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        head, *rest = self.lines()
        summary = "".join(f"<div>{e(line)}</div>" for line in rest if not line.startswith("  "))
        shown = (self.invalid + self.todo + self.done)[:SHOWN_ROWS]
        cells = "".join(
            f"<tr><td><code>{e(r.row)}</code></td><td>{e(r.status)}</td><td>{r.jobs}</td>"
            f"<td>{e(' → '.join(r.products))}</td><td>{'' if r.credits is None else f'{r.credits:.4g}'}</td>"
            f"<td>{e(r.field)}</td><td>{e(r.error)}</td></tr>" for r in shown)
        more = (f'<div style="opacity:.7">{len(self.rows) - len(shown)} more rows not shown</div>'
                if len(self.rows) > len(shown) else "")
        return ('<div style="font-family:system-ui,sans-serif;font-size:13px;max-width:980px">'
                f"<b>{e(head)}</b>{summary}"
                '<table style="border-collapse:collapse;margin-top:6px"><tr><th>row</th><th>status</th><th>jobs</th>'
                f"<th>steps</th><th>credits (est.)</th><th>field</th><th>error / fix</th></tr>{cells}</table>{more}"
                "</div>")
