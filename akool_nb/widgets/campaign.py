"""CampaignTable: the live table of a campaign run (row, status, thumbnail, error) with counts.

    campaign.run(...)          # in a notebook, shows one automatically (panel=False to skip it)

Only the ``SHOWN`` rows most worth seeing are synced (running ones, then the latest failures and finishes);
the rest are counted. So a 10,000-row campaign keeps a small panel and a small saved notebook.
"""
from __future__ import annotations

import time
from typing import Any

import traitlets as t

from ._base import Panel, esc, esm

SHOWN = 25  # rows drawn (and saved in the notebook); the others are in the counts
PUBLISH_EVERY = 0.25  # seconds between syncs while rows finish quickly


class CampaignTable(Panel):
    """The table of one campaign run; ``value`` is the counts by status."""

    _esm = esm("campaign_table.js")
    name = t.Unicode("").tag(sync=True)
    total = t.Int(0).tag(sync=True)
    counts = t.Dict().tag(sync=True)
    rows = t.List().tag(sync=True)  # [{row, status, thumbnail, error}], at most SHOWN
    note = t.Unicode("").tag(sync=True)
    finished = t.Bool(False).tag(sync=True)
    value = t.Dict()

    def __init__(self, name: str = "", total: int = 0, *, client: Any = None, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.name, self.total = name, total
        self._rows: dict[str, dict[str, str]] = {}  # key -> row, in the order last touched (the recent ones)
        self._status: dict[str, str] = {}  # key -> status, every row seen (what the counts are made of)
        self._published = 0.0

    def set_row(self, key: str, status: str, *, thumbnail: str = "", error: str = "") -> None:
        with self._lock:
            self._rows.pop(key, None)
            old = self._status.get(key)
            self._status[key] = status
            counts = dict(self.counts)
            if old is not None and old != "running":
                counts[old] = max(0, counts.get(old, 0) - 1)
            if status != "running":
                counts[status] = counts.get(status, 0) + 1
            self.counts = counts
            self._rows[key] = {"row": key, "status": status, "thumbnail": thumbnail or "",
                               "error": (error or "")[:300]}
            if len(self._rows) > 4 * SHOWN:  # keep what the table can still show
                for stale in [k for k, r in self._rows.items() if r["status"] == "done"][:SHOWN]:
                    del self._rows[stale]
        if time.monotonic() - self._published >= PUBLISH_EVERY:
            self._publish()

    def _shown(self) -> list[dict[str, str]]:
        latest = list(reversed(self._rows.values()))
        running = [r for r in latest if r["status"] == "running"]
        trouble = [r for r in latest if r["status"] not in ("running", "done")]
        done = [r for r in latest if r["status"] == "done"]
        return (running + trouble + done)[:SHOWN]

    def _publish(self) -> None:
        with self._lock:
            self._published = time.monotonic()
            self.rows = self._shown()
            self.value = dict(self.counts)

    def finish(self) -> None:
        """The run ended: the last state is synced and the static copy follows it."""
        self.finished = True
        self._publish()
        self.refresh_static_copy()

    def _static_html(self) -> str:
        counts = " · ".join(f"{n} {s}" for s, n in self.counts.items() if n)
        lines = "".join(
            f'<tr><td><code>{esc(r["row"])}</code></td><td>{esc(r["status"])}</td><td>'
            + (f'<img src="{esc(r["thumbnail"])}" alt="" style="height:32px;border-radius:4px">'
               if r["thumbnail"] else "") + f'</td><td style="color:#e5484d">{esc(r["error"])}</td></tr>'
            for r in self.rows)
        hidden = self.total - len(self.rows)
        more = f'<div style="opacity:.7">{hidden} more rows in the counts</div>' if hidden > 0 else ""
        return self._static_card(f"Campaign {self.name}",
                                 f'<div>{esc(counts) or "starting"} of {self.total} rows</div>'
                                 f'<div style="opacity:.8">{esc(self.note)}</div>'
                                 f'<table style="border-collapse:collapse">{lines}</table>{more}')
