"""Replay guards: remember each accepted delivery until its timestamp leaves the tolerance window.

A guard is keyed by the delivery's signature, not by its nonce alone: Akool's nonce is four digits, so a
busy receiver sees the same nonce twice within minutes, while the signature binds timestamp, nonce and data
together. Anything shifted or replayed from an accepted body has that body's signature.

Both guards share one small API, which :func:`~akool_nb.webhook.verify_and_decrypt` (and a receiver) uses:

* ``claim(signature, expires_at)`` -> ``True`` the first time (atomically remembered until ``expires_at``,
  epoch seconds), ``False`` while it is remembered;
* ``forget(signature)``: a receiver whose processing failed lets Akool's retry of the same body in again;
* ``signature in guard`` and ``len(guard)`` (entries not yet expired).
"""
from __future__ import annotations

import heapq
import sqlite3
import threading
import time
from pathlib import Path

from akool_nb._exceptions import WebhookError

__all__ = ["ReplayGuard", "SQLiteReplayGuard"]


def _key(signature: str) -> str:
    return signature.strip().lower()


class ReplayGuard:
    """In memory, for one process; thread-safe. Entries expire on their own (memory stays bounded)."""

    def __init__(self) -> None:
        self._expiry: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def claim(self, signature: str, expires_at: float, *, now: float | None = None) -> bool:
        key, now = _key(signature), time.time() if now is None else now
        with self._lock:
            self._prune(now)
            if self._expiry.get(key, now) > now:
                return False
            self._expiry[key] = expires_at
            heapq.heappush(self._heap, (expires_at, key))
            return True

    def forget(self, signature: str) -> None:
        with self._lock:
            self._expiry.pop(_key(signature), None)

    def __contains__(self, signature: object) -> bool:
        if not isinstance(signature, str):
            return False
        with self._lock:
            return self._expiry.get(_key(signature), 0.0) > time.time()

    def __len__(self) -> int:
        with self._lock:
            self._prune(time.time())
            return len(self._expiry)

    def _prune(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            expires_at, key = heapq.heappop(self._heap)
            if self._expiry.get(key) == expires_at:  # not re-claimed or forgotten since
                del self._expiry[key]

    def close(self) -> None:
        """Nothing to release (the SQLite guard has the same method)."""

    def __enter__(self) -> "ReplayGuard":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {len(self)} recent deliveries>"


class SQLiteReplayGuard(ReplayGuard):
    """In a SQLite file, for a receiver that restarts (or several processes sharing it); thread-safe.

    Each claim is one ``BEGIN IMMEDIATE`` transaction (insert-if-absent plus pruning of expired rows), so
    two threads or processes handed the same body never both get ``True``. Commits are synchronous: a
    delivery accepted before a crash is still refused after it.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("CREATE TABLE IF NOT EXISTS deliveries (signature TEXT PRIMARY KEY, expires_at REAL)")
            self._db.execute("CREATE INDEX IF NOT EXISTS deliveries_expiry ON deliveries (expires_at)")
        except (OSError, sqlite3.Error) as exc:
            raise WebhookError(self._broken(exc)) from None

    def _broken(self, exc: Exception) -> str:
        return (f"the replay guard at {self.path} cannot be used ({type(exc).__name__}: {exc}). It only holds "
                "the last minutes of deliveries: delete the file to start a new one")

    def claim(self, signature: str, expires_at: float, *, now: float | None = None) -> bool:
        key, now = _key(signature), time.time() if now is None else now
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.execute("DELETE FROM deliveries WHERE expires_at <= ?", (now,))
                    inserted = self._db.execute("INSERT OR IGNORE INTO deliveries VALUES (?, ?)",
                                                (key, expires_at)).rowcount
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise WebhookError(self._broken(exc)) from None
        return inserted == 1

    def forget(self, signature: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM deliveries WHERE signature = ?", (_key(signature),))

    def __contains__(self, signature: object) -> bool:
        if not isinstance(signature, str):
            return False
        with self._lock:
            row = self._db.execute("SELECT 1 FROM deliveries WHERE signature = ? AND expires_at > ?",
                                   (_key(signature), time.time())).fetchone()
        return row is not None

    def __len__(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM deliveries WHERE expires_at > ?", (time.time(),)).fetchone()
        return row[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
