"""A local SQLite journal of every job a client created, so nothing paid for is lost.

A kernel restart loses Python objects, not this file: ``client.jobs.recent()`` lists what was created and
``client.jobs.attach(id)`` re-attaches by id alone. Ambiguous creates (no answer) are journaled too, with
the request, so the user knows a job may exist. The API key is never written here.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

ENV_HOME = "AKOOL_NB_HOME"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    base_url TEXT NOT NULL,
    job_id TEXT NOT NULL,
    product TEXT NOT NULL,
    status INTEGER,
    url TEXT,
    request TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (base_url, job_id)
)
"""


def default_path() -> Path:
    home = os.environ.get(ENV_HOME)
    return Path(home) / "jobs.sqlite" if home else Path.home() / ".akool_nb" / "jobs.sqlite"


class Journal:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        if not self._ready:
            conn.execute(_SCHEMA)
            self._ready = True
        return conn

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        with self._lock:
            conn = self._connect()
            try:
                with conn:
                    conn.execute(sql, args)
            finally:
                conn.close()

    def record(self, base_url: str, job_id: str, product: str, *, status: int | None = None,
               request: Any = None, created_at: float | None = None) -> None:
        now = time.time()
        self._write(
            "INSERT OR IGNORE INTO jobs VALUES (?,?,?,?,?,?,?,?)",
            (base_url, job_id, product, status, None, _dumps(request), created_at or now, now),
        )

    def update(self, base_url: str, job_id: str, *, status: int, url: str | None) -> None:
        self._write(
            "UPDATE jobs SET status=?, url=COALESCE(?, url), updated_at=? WHERE base_url=? AND job_id=?",
            (status, url, time.time(), base_url, job_id),
        )

    def get(self, base_url: str, job_id: str) -> dict[str, Any] | None:
        rows = self._query("SELECT * FROM jobs WHERE base_url=? AND job_id=?", (base_url, job_id))
        return rows[0] if rows else None

    def recent(self, base_url: str, limit: int = 20) -> list[dict[str, Any]]:
        return self._query(
            "SELECT * FROM jobs WHERE base_url=? ORDER BY created_at DESC LIMIT ?", (base_url, limit)
        )

    def _query(self, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
        with self._lock:
            conn = self._connect()
            conn.row_factory = sqlite3.Row
            try:
                rows = [dict(r) for r in conn.execute(sql, args)]
            finally:
                conn.close()
        for row in rows:
            row["request"] = json.loads(row["request"]) if row["request"] else None
        return rows


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str)
