"""What a campaign knows about its rows, and which result files were saved: ``campaigns.sqlite`` beside the
journal. The journal stays the authority on what was sent (a row is never resubmitted because of this file);
this file only remembers outcomes (done, failed with its error, held as ambiguous) and saved files.

Schema::

    rows(campaign TEXT, row TEXT, status TEXT,  -- done | failed | ambiguous
         jobs TEXT,                             -- JSON list: {step, product, job_id, url, credits, file, sha256,
                                                --             finished_at} of the jobs make() returned
         steps TEXT,                            -- JSON list: {step, product, job_id, credits} of every create
         error TEXT, credits REAL, updated_at REAL, PRIMARY KEY (campaign, row))
    saved(service TEXT, job_id TEXT, url TEXT, file TEXT, sha256 TEXT, saved_at REAL,
          PRIMARY KEY (service, job_id))
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

DONE, FAILED, AMBIGUOUS = "done", "failed", "ambiguous"
PENDING, RUNNING, STOPPED = "pending", "running", "stopped (budget)"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows(campaign TEXT NOT NULL, row TEXT NOT NULL, status TEXT NOT NULL, jobs TEXT,
  steps TEXT, error TEXT, credits REAL, updated_at REAL, PRIMARY KEY (campaign, row));
CREATE TABLE IF NOT EXISTS saved(service TEXT NOT NULL, job_id TEXT NOT NULL, url TEXT, file TEXT, sha256 TEXT,
  saved_at REAL, PRIMARY KEY (service, job_id));
"""


class State:
    """One connection, used under a lock (rows finish on pool threads); every write commits."""

    def __init__(self, journal_path: Path) -> None:
        self.path = Path(journal_path).with_name("campaigns.sqlite")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    def rows(self, campaign: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            found = self._conn.execute("SELECT row, status, jobs, steps, error, credits, updated_at FROM rows "
                                       "WHERE campaign=?", (campaign,)).fetchall()
        return {r[0]: {"status": r[1], "jobs": json.loads(r[2] or "[]"), "steps": json.loads(r[3] or "[]"),
                       "error": r[4], "credits": r[5], "updated_at": r[6]} for r in found}

    def put(self, campaign: str, row: str, status: str, *, jobs: list[dict[str, Any]] | None = None,
            steps: list[dict[str, Any]] | None = None, error: str | None = None, credits: float | None = None) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO rows VALUES (?,?,?,?,?,?,?,?)",
                               (campaign, row, status, json.dumps(jobs or []), json.dumps(steps or []), error,
                                credits, time.time()))

    def saved(self, service: str, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            r = self._conn.execute("SELECT url, file, sha256, saved_at FROM saved WHERE service=? AND job_id=?",
                                   (service, job_id)).fetchone()
        return None if r is None else {"url": r[0], "file": r[1], "sha256": r[2], "saved_at": r[3]}

    def mark_saved(self, service: str, job_id: str, url: str, file: str, sha256: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO saved VALUES (?,?,?,?,?,?)",
                               (service, job_id, url, file, sha256, time.time()))

    def credits_by_product(self) -> dict[str, list[float]]:
        """Credits Akool charged for earlier jobs (``deduction_credit``), by product: the cost estimates."""
        out: dict[str, list[float]] = {}
        with self._lock:
            found = self._conn.execute("SELECT steps FROM rows WHERE status=?", (DONE,)).fetchall()
        for (text,) in found:
            for step in json.loads(text or "[]"):
                credits = step.get("credits")
                if isinstance(credits, (int, float)) and not isinstance(credits, bool) and step.get("product"):
                    out.setdefault(step["product"], []).append(float(credits))
        return out

    def close(self) -> None:
        with self._lock:
            self._conn.close()


_STATES: dict[Path, State] = {}
_STATES_LOCK = threading.Lock()


def state_for(journal_path: Path) -> State:
    key = Path(journal_path).resolve()
    with _STATES_LOCK:
        if key not in _STATES:
            _STATES[key] = State(key)
        return _STATES[key]
