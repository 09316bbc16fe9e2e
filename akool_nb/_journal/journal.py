"""The public face of the journal: entries written and read by service, and the atomic decisions that
reconciling needs (claim a job, count an attempt, lease an entry), all run on the store's writer thread."""
from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import json
import os
import secrets
import sqlite3
import time
import weakref
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .._logging import mask
from .entry import CREATED, OPEN_STATES, SENDING, VISIBLE_STATES, Entry, canonical, fingerprint
from .store import SEND_LEASE, _drop, _release, _release_dropped, _Store, _store_for, owner, owner_alive

_meta: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("akool_nb_journal_meta", default=None)


@contextlib.contextmanager
def tagged(**meta: Any) -> Iterator[dict[str, Any]]:
    """Creates inside ``with tagged(campaign="spring", row=7):`` get that ``meta`` in their journal entry."""
    merged = {**(_meta.get() or {}), **meta}
    token = _meta.set(merged)
    try:
        yield merged
    finally:
        _meta.reset(token)


def _chunks(items: list[str], n: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


class Journal:
    """The journal of one file (default ``$AKOOL_NB_HOME/jobs.sqlite`` or ``~/.akool_nb/jobs.sqlite``).

    Writes (``save``, ``record_job``, ``set_status``) never block the caller unless ``durable=True``, which
    returns a :class:`concurrent.futures.Future` resolved once committed (``asyncio.wrap_future`` awaits it).
    Operations that must see every earlier write and decide atomically (``claim``, ``begin_attempt``,
    ``lease``, ``claimed``, ``in_flight``) run on the writer thread and return futures too.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        from . import default_path

        self.path = Path(path).expanduser() if path else default_path()
        self._pid = -1
        self._store: _Store | None = None
        self._s  # open now, in the background

    @property
    def _s(self) -> _Store:
        if self._pid != os.getpid():  # first use, or a forked child: its own connection and writer
            self._store, self._pid = _store_for(self.path), os.getpid()
            self._finalizer = weakref.finalize(self, _drop, self._store)
        return self._store  # type: ignore[return-value]

    @property
    def enabled(self) -> bool:
        return self._s.enabled

    @property
    def problem(self) -> str | None:
        """Why the journal is off (None while it works)."""
        return self._s.problem

    @property
    def inflight(self) -> set[str]:
        return self._s.inflight

    # -- writes -----------------------------------------------------------------------------------
    def begin(self, service: str, product: str | None, endpoint: str, body: Any, *,
              meta: dict[str, Any] | None = None) -> Entry:
        """A new entry for a create about to be sent (not written: ``save(entry, durable=True)`` does)."""
        text, intact = canonical(body)
        now = time.time()
        tags = _meta.get()
        if meta:
            tags = {**(tags or {}), **meta}
        return Entry.from_row((  # in COLUMNS order
            secrets.token_hex(6), service, product, endpoint, text, fingerprint(product, endpoint, text), SENDING,
            None, None, None, 1, now, now, None, None, now + SEND_LEASE, owner(), None, 1 if intact else 0, None,
            mask(json.dumps(tags, default=str)) if tags else None, now, now))

    def save(self, entry: Entry, *, durable: bool = False) -> concurrent.futures.Future | None:
        """Write the entry's current state (an upsert; the job status and URL are only ever filled in)."""
        entry.updated_at = time.time()
        return self._s.submit(None, durable=durable, row=entry.row())

    def record_job(self, service: str, product: str, job_id: str, *, request: Any = None, status: int | None = None,
                   parent: str | None = None, meta: dict[str, Any] | None = None) -> Entry:
        """A created entry for a job that had no intent of its own (the 2nd… job of a batch create)."""
        entry = self.begin(service, product, "", request, meta=meta)
        entry.state, entry.job_id, entry.status, entry.parent, entry.lease_until = CREATED, job_id, status, parent, None
        self.save(entry)
        return entry

    def set_status(self, service: str, job_id: str, status: int, url: str | None = None) -> None:
        self._s.submit(None, status=(service, job_id, status, url))

    def record_webhook(self, service: str, job_id: str, status: int, url: str | None,
                       kind: str) -> concurrent.futures.Future | None:
        """A verified webhook delivery: the job's status and URL and a history line naming Akool's ``type``,
        in one statement (a receiver sends many). Resolves to False when no entry holds the job."""
        line = f"{time.strftime('%H:%M:%S', time.gmtime())} webhook: status {int(status)} ({mask(str(kind))[:60]})"
        args = (int(status), url, time.time(), line, service, job_id)

        def run(conn: sqlite3.Connection) -> bool:
            return conn.execute(
                "UPDATE entries SET status=?, url=COALESCE(?, url), updated_at=?, history=json_insert("
                "CASE WHEN json_valid(history) THEN history ELSE '[]' END, '$[#]', ?) WHERE service=? AND job_id=?",
                args).rowcount > 0

        return self._s.submit(run, durable=True)

    def claim(self, entry: Entry, job_ids: list[str]) -> concurrent.futures.Future:
        """Give ``entry`` the first of ``job_ids`` no other entry has (atomically, across processes);
        resolves to that id, None when every one is taken, or False while an identical create is in flight
        (its answer must claim its own job first)."""
        key, now = entry.key, time.time()
        siblings = self._siblings(entry)

        def run(conn: sqlite3.Connection) -> str | bool | None:
            if siblings(conn):
                return False
            for job_id in job_ids:
                try:
                    cur = conn.execute("UPDATE entries SET job_id=?, state=?, updated_at=? WHERE key=? AND "
                                       "job_id IS NULL", (job_id, CREATED, now, key))
                except sqlite3.IntegrityError:
                    continue
                if cur.rowcount == 1:
                    return job_id
                have = conn.execute("SELECT job_id FROM entries WHERE key=?", (key,)).fetchone()
                return have[0] if have else None
            return None

        return self._s.submit(run, durable=True)

    def begin_attempt(self, entry: Entry) -> concurrent.futures.Future:
        """Count one more attempt for ``entry`` if nobody else did (compare-and-set); resolves to True/False."""
        attempts, key, now = entry.attempts, entry.key, time.time()
        me = owner()

        def run(conn: sqlite3.Connection) -> bool:
            return conn.execute(
                "UPDATE entries SET attempts=attempts+1, state=?, sent_at=?, owner=?, lease_until=?, updated_at=? "
                "WHERE key=? AND attempts=? AND job_id IS NULL", (SENDING, now, me, now + SEND_LEASE, now, key,
                                                                  attempts)).rowcount == 1

        return self._s.submit(run, durable=True)

    def lease(self, entry: Entry, seconds: float = SEND_LEASE) -> concurrent.futures.Future:
        """Take the right to settle ``entry`` for ``seconds`` unless a live process holds it; True/False."""
        key, now, me = entry.key, time.time(), owner()

        def run(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT lease_until, owner, job_id FROM entries WHERE key=?", (key,)).fetchone()
            if row is None or row[2] is not None:
                return False
            if row[0] is not None and row[0] > now and row[1] != me and owner_alive(row[1]):
                return False
            conn.execute("UPDATE entries SET lease_until=?, owner=? WHERE key=?", (now + seconds, me, key))
            return True

        return self._s.submit(run, durable=True)

    def claimed(self, service: str, job_ids: list[str], except_key: str = "") -> concurrent.futures.Future:
        """The subset of ``job_ids`` that entries (other than ``except_key``) already hold."""
        ids = [i for i in dict.fromkeys(job_ids) if i]

        def run(conn: sqlite3.Connection) -> set[str]:
            taken: set[str] = set()
            for part in _chunks(ids):
                marks = ",".join("?" * len(part))
                taken.update(r[0] for r in conn.execute(
                    f"SELECT job_id FROM entries WHERE service=? AND key!=? AND job_id IN ({marks})",
                    (service, except_key, *part)))
            return taken

        return self._s.submit(run, durable=True)

    def in_flight(self, entry: Entry) -> concurrent.futures.Future:
        """Other entries with the same fingerprint whose POST may still be on its way (resolves to a list)."""
        return self._s.submit(self._siblings(entry), durable=True)

    def _siblings(self, entry: Entry) -> Callable[[sqlite3.Connection], list[str]]:
        service, fp, key, store = entry.service, entry.fingerprint, entry.key, self._s

        def run(conn: sqlite3.Connection) -> list[str]:
            rows = conn.execute("SELECT key, owner, lease_until FROM entries WHERE service=? AND state=? AND "
                                "fingerprint=? AND key!=?", (service, SENDING, fp, key)).fetchall()
            now, me = time.time(), owner()
            return [k for k, who, until in rows
                    if (k in store.inflight if who == me else (until or 0) > now and owner_alive(who))]

        return run

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued write is committed; False on timeout."""
        return self._s.flush(timeout)

    def close(self) -> None:
        """Commit what is queued and let go of the file (the connection closes with the last Journal of it)."""
        if self._store is not None and self._pid == os.getpid():
            store, self._store, self._pid = self._store, None, -1
            self._finalizer.detach()  # released here, never again at garbage collection
            _release(store)
            _release_dropped()

    # -- reads (never wait for writes; see this process's own) ------------------------------------
    def get(self, service: str, job_id: str) -> Entry | None:
        found = self._s.select("service=? AND job_id=?", (service, job_id),
                               lambda e: e.service == service and e.job_id == job_id)
        return found[0] if found else None

    def entry(self, key: str) -> Entry | None:
        found = self._s.select("key=?", (key,), lambda e: e.key == key)
        return found[0] if found else None

    def recent(self, service: str, limit: int | None = 20, *, states: tuple[str, ...] = VISIBLE_STATES,
               meta: dict[str, Any] | None = None) -> list[Entry]:
        """Entries of ``service``, newest first; ``meta`` keeps those whose meta has these key/values."""
        marks = ",".join("?" * len(states))

        def keep(e: Entry) -> bool:
            return (e.service == service and e.state in states
                    and (not meta or all(e.meta_dict.get(k) == v for k, v in meta.items())))

        found = self._s.select(f"service=? AND state IN ({marks})", (service, *states), keep,
                               order=" ORDER BY created_at DESC", limit=None if meta else limit)
        found.sort(key=lambda e: e.created_at or 0, reverse=True)
        return found[:limit] if limit is not None else found

    def unsettled(self, service: str) -> list[Entry]:
        """Creates whose outcome is not known: answer lost, or never answered (oldest first)."""
        found = self.recent(service, None, states=OPEN_STATES)
        return sorted(found, key=lambda e: e.created_at or 0)


__all__ = ["Journal", "tagged"]
