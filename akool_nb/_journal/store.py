"""The journal's storage: one writer thread per process and file (group commit), overlay reads.
(:class:`~.journal.Journal` is the public face.)

Writes are queued as small operations; the writer thread runs everything queued in ONE transaction (each
operation in a savepoint, so one refused write never sinks its neighbours), commits, and only then resolves
the futures of the writes that asked for durability. Until a write is committed, readers in this process see
it through an in-memory overlay (the latest row per entry), so reads never wait for the writer.

Long because: the writer thread, its group commit and the overlay reads share one locking discipline.
"""
from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import os
import socket
import sqlite3
import threading
import time
import weakref
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import Any, Callable

from .._logging import logger
from . import heal
from .entry import COLUMNS, Entry

LINGER, LINGER_BATCH = 0.002, 64  # a batch smaller than this waits 2 ms for company (fewer GIL hand-overs)
SEND_LEASE = 600.0  # seconds an in-flight create (or a settling process) keeps others away from its entry
_HOST = socket.gethostname()
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM entries"
_UPSERT = (f"INSERT INTO entries ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
           "ON CONFLICT(key) DO UPDATE SET product=excluded.product, state=excluded.state, "
           "job_id=COALESCE(excluded.job_id, entries.job_id), status=COALESCE(excluded.status, entries.status), "
           "url=COALESCE(excluded.url, entries.url), attempts=excluded.attempts, first_sent=excluded.first_sent, "
           "sent_at=excluded.sent_at, failure=excluded.failure, failed_at=excluded.failed_at, "
           "lease_until=excluded.lease_until, owner=excluded.owner, history=excluded.history, "
           "meta=excluded.meta, updated_at=excluded.updated_at")
_STATUS = "UPDATE entries SET status=?, url=COALESCE(?, url), updated_at=? WHERE service=? AND job_id=?"
_running_loop = asyncio._get_running_loop  # C-fast; None outside a running event loop


_OWNER = ("", -1)


def owner() -> str:
    global _OWNER
    pid = os.getpid()
    if _OWNER[1] != pid:
        _OWNER = (f"{_HOST}:{pid}", pid)
    return _OWNER[0]


def owner_alive(who: str | None) -> bool:
    """Whether the process named ``host:pid`` may still be running (other hosts: assume it is)."""
    host, _, pid = (who or "").rpartition(":")
    if host != _HOST or not pid.isdigit() or os.name == "nt":
        return True
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class _Op:
    __slots__ = ("fn", "future", "key", "seq", "jobkey", "heal", "kind", "args")

    def __init__(self, fn: Callable[[sqlite3.Connection], Any] | None, future: Any = None, key: str | None = None,
                 seq: int = 0, jobkey: tuple[str, str] | None = None, heal: str | None = None, *,
                 kind: str = "fn", args: tuple[Any, ...] = ()) -> None:
        self.fn, self.future, self.key, self.seq, self.jobkey, self.heal = fn, future, key, seq, jobkey, heal
        self.kind, self.args = kind, args


_STOP = object()


class _Ticket(concurrent.futures.Future):
    """A durable write's future. Waiting on it synchronously first hands this thread's event-loop batch to the
    writer: sync code run inside a loop (a notebook cell in ipykernel) would otherwise wait for itself."""

    def __init__(self, store: _Store) -> None:
        super().__init__()
        self._store = store

    def result(self, timeout: float | None = None) -> Any:
        if not self.done():
            self._store._hand_over()
        return super().result(timeout)


def _resolved(value: Any = None) -> concurrent.futures.Future:
    fut: concurrent.futures.Future = concurrent.futures.Future()
    fut.set_result(value)
    return fut


class _Store:
    """One per process and file. Opening (checks, healing, migration) happens on the writer thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.enabled = True
        self.problem: str | None = None
        self._conn: sqlite3.Connection | None = None
        self._ino: tuple[int, int] | None = None
        self._generation = 0
        self._queue: SimpleQueue = SimpleQueue()
        self._ready = threading.Event()
        self._stopped = False
        self._lock = threading.Lock()
        self._seq = 0
        self._rows: dict[str, tuple[int, tuple[Any, ...]]] = {}  # overlay: key -> (seq, row)
        self._status: dict[tuple[str, str], tuple[int, int, str | None]] = {}  # (service, job_id) -> (seq, st, url)
        self._local = threading.local()
        self.inflight: set[str] = set()  # keys of this process's creates whose POST is outstanding
        self.refs = 0
        self._pid = os.getpid()
        self._batch_lock = threading.Lock()
        self._loop_batches: dict[Any, list[_Op]] = {}
        self._thread = threading.Thread(target=self._main, name=f"akool_nb journal {path.name}", daemon=True)
        self._thread.start()

    # -- the writer thread ------------------------------------------------------------------------
    def _main(self) -> None:
        self._open()
        self._ready.set()
        while True:
            item = self._queue.get()
            batch: list[_Op] = []
            stop = lingered = False
            while True:
                if item is _STOP:
                    stop = True
                    break
                if isinstance(item, list):  # a loop iteration's writes, handed over at once
                    batch.extend(item)
                else:
                    batch.append(item)
                    lingered = True
                if len(batch) >= 5000:
                    break
                try:
                    item = self._queue.get_nowait()
                except Empty:
                    if len(batch) >= LINGER_BATCH or lingered:
                        break
                    # A trickle of writes from an event loop: gather a few more before taking the GIL again
                    # (a sync caller, waiting for its intent, is never held back).
                    lingered = True
                    time.sleep(LINGER)
                    try:
                        item = self._queue.get_nowait()
                    except Empty:
                        break
            if batch:
                self._commit(batch)
            if stop:
                break
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()

    def _open(self, known_bad: str | None = None) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        try:
            self._conn = heal.open_journal(self.path, known_bad=known_bad)
            self._ino = heal.inode(self.path)
        except Exception as exc:  # Unusable, or anything unforeseen: the journal is off, creates go on
            self._disable(str(exc) if isinstance(exc, heal.Unusable) else f"{type(exc).__name__}: {exc}")
        self._generation += 1

    def _disable(self, why: str) -> None:
        self.enabled, self.problem = False, why
        heal.warn(f"akool_nb: the job journal is off: {why}. Jobs still work but are not journaled (a kernel "
                  "restart forgets them, lost answers cannot be reconciled); pass journal='<a writable "
                  "path>/jobs.sqlite' or set AKOOL_NB_HOME.")

    def _commit(self, batch: list[_Op]) -> None:
        results: list[Any] = [None] * len(batch)
        for op in batch:
            if op.heal is not None and self._conn is not None:
                self._open(known_bad=op.heal)
        for attempt in range(4):
            conn = self._conn
            if conn is None:
                break
            try:
                if heal.inode(self.path) != self._ino:  # moved aside, replaced or deleted by someone else
                    self._open()
                    continue
                conn.execute("BEGIN IMMEDIATE")
                self._run_batch(conn, batch, results)
                conn.execute("COMMIT")
                break
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                if heal.is_damage(exc) and attempt < 2:
                    self._open(known_bad=str(exc))
                    continue
                if "locked" in str(exc) and attempt < 3:
                    continue  # another process held the write lock for the whole busy timeout: try again
                logger.warning("could not write the job journal %s: %s", self.path, exc)
                results = [exc] * len(batch)
                break
        self._settle(batch, results)

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Op], results: list[Any]) -> None:
        """Runs of row upserts and of status updates go in one executemany each (little Python on this
        thread, so little GIL taken from the event loop); other operations each in a savepoint."""
        i = 0
        while i < len(batch):
            kind = batch[i].kind
            j = i
            while j < len(batch) and batch[j].kind == kind and kind in ("row", "status"):
                j += 1
            if j == i:  # a callable (or a barrier)
                op = batch[i]
                results[i] = self._apply(conn, op) if op.fn is not None else None
                i += 1
                continue
            run = batch[i:j]
            sql = _UPSERT if kind == "row" else _STATUS
            conn.execute("SAVEPOINT run")
            try:
                conn.executemany(sql, [op.args for op in run])
                conn.execute("RELEASE run")
                for k in range(i, j):
                    results[k] = 1
            except sqlite3.IntegrityError:  # one row conflicts (a job id another entry holds): one by one
                conn.execute("ROLLBACK TO run")
                conn.execute("RELEASE run")
                for k, op in enumerate(run, start=i):
                    results[k] = self._apply(conn, _Op(lambda c, a=op.args: c.execute(sql, a).rowcount))
            i = j

    @staticmethod
    def _apply(conn: sqlite3.Connection, op: _Op) -> Any:
        conn.execute("SAVEPOINT op")
        try:
            result = op.fn(conn)  # type: ignore[misc]
        except sqlite3.Error as exc:
            if heal.is_damage(exc) or "locked" in str(exc):
                raise
            conn.execute("ROLLBACK TO op")
            result = exc
        conn.execute("RELEASE op")
        return result

    def _settle(self, batch: list[_Op], results: list[Any]) -> None:
        with self._lock:
            for op in batch:
                if op.key is not None and self._rows.get(op.key, (op.seq + 1,))[0] <= op.seq:
                    del self._rows[op.key]
                if op.jobkey is not None and self._status.get(op.jobkey, (op.seq + 1,))[0] <= op.seq:
                    del self._status[op.jobkey]
        for op, result in zip(batch, results):
            if isinstance(result, Exception) and op.future is None:
                logger.warning("job journal write refused: %s", result)
            if op.future is not None and not op.future.done():
                op.future.set_result(result)

    # -- queueing ---------------------------------------------------------------------------------
    def submit(self, fn: Callable[[sqlite3.Connection], Any] | None, *, durable: bool = False,
               row: tuple[Any, ...] | None = None, status: tuple[str, str, int, str | None] | None = None,
               heal_reason: str | None = None) -> concurrent.futures.Future | None:
        """Queue a write: ``row`` (an upsert), ``status`` (service, job_id, status, url) or ``fn`` (run on the
        writer's connection). ``row``/``status`` go into the overlay at once (read-your-writes)."""
        if not self.enabled or self._stopped:
            return _resolved(None) if durable else None
        future = _Ticket(self) if durable else None
        with self._lock:
            self._seq += 1
            seq = self._seq
            if row is not None:
                self._rows[row[0]] = (seq, row)
            if status is not None:
                self._status[(status[0], status[1])] = (seq, status[2], status[3])
        if row is not None:
            op = _Op(None, future, row[0], seq, kind="row", args=row)
        elif status is not None:
            op = _Op(None, future, None, seq, (status[0], status[1]), kind="status",
                     args=(status[2], status[3], time.time(), status[0], status[1]))
        else:
            op = _Op(fn, future, seq=seq, heal=heal_reason)
        loop = _running_loop()
        if loop is None:
            self._queue.put(op)
        else:  # on an event loop: everything written in this loop iteration reaches the writer as one batch
            with self._batch_lock:
                pending = self._loop_batches.get(loop)
                if pending is None:
                    pending = self._loop_batches[loop] = []
                    loop.call_soon(self._hand_over, loop)
                pending.append(op)
        return future

    def _hand_over(self, loop: Any = None) -> None:
        with self._batch_lock:
            batches = [self._loop_batches.pop(loop, None)] if loop is not None else \
                [self._loop_batches.pop(k) for k in list(self._loop_batches)]
        for batch in batches:
            if batch:
                self._queue.put(batch)

    def flush(self, timeout: float | None = None) -> bool:
        if threading.current_thread() is self._thread or not self._thread.is_alive():
            return not self._rows
        self._hand_over()  # writes of an event loop that has not come round yet
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put(_Op(None, future))
        try:
            future.result(timeout)  # type: ignore[union-attr]
            return True
        except concurrent.futures.TimeoutError:
            return False

    def stop(self, timeout: float = 5.0) -> None:
        if self._stopped:
            return
        self.flush(timeout)
        self._stopped = True
        with _STORES_LOCK:
            if _STORES.get((self._pid, str(self.path))) is self:
                del _STORES[(self._pid, str(self.path))]
        self._queue.put(_STOP)
        self._thread.join(timeout)

    # -- reading ----------------------------------------------------------------------------------
    def _reader(self) -> sqlite3.Connection:
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and local.generation == self._generation:
            return conn
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        conn = sqlite3.connect(str(self.path), timeout=10, isolation_level=None)
        conn.execute("PRAGMA query_only=1")
        local.conn, local.generation = conn, self._generation
        return conn

    def select(self, where: str, args: tuple[Any, ...], keep: Callable[[Entry], bool], *, order: str = "",
               limit: int | None = None) -> list[Entry]:
        """Entries matching ``where`` (SQL) / ``keep`` (the same test in Python, for the overlay)."""
        if not self._ready.wait(60) or not self.enabled:
            return []
        with self._lock:
            rows = {k: r for k, (_, r) in self._rows.items()}
            status = {k: (s, u) for k, (_, s, u) in self._status.items()}
        sql = f"{_SELECT} WHERE {where}{order}"
        if limit is not None:
            sql += f" LIMIT {int(limit) + len(rows)}"
        found = self._query(sql, args)
        out: dict[str, Entry] = {}
        for row in found:
            out[row[0]] = Entry.from_row(rows.pop(row[0], row))
        for key, row in rows.items():
            out[key] = Entry.from_row(row)
        entries = []
        for entry in out.values():
            if entry.job_id is not None and (entry.service, entry.job_id) in status:
                entry.status, url = status[(entry.service, entry.job_id)]
                entry.url = url or entry.url
            if keep(entry):
                entries.append(entry)
        return entries

    def _query(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        for attempt in range(2):
            try:
                if heal.inode(self.path) != self._ino:
                    self.flush(30)  # let the writer notice the file changed (and heal or reopen)
                return self._reader().execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                if heal.is_damage(exc) and attempt == 0 and self._thread.is_alive():
                    future = self.submit(None, durable=True, heal_reason=str(exc))
                    with contextlib.suppress(concurrent.futures.TimeoutError):
                        future.result(60)  # type: ignore[union-attr]
                    if self.enabled:
                        continue
                logger.warning("could not read the job journal %s: %s", self.path, exc)
                return []
        return []


_STORES: dict[tuple[int, str], _Store] = {}
_STORES_LOCK = threading.Lock()
# Journals dropped by garbage collection. A collection can run in any thread at any moment, also
# in a thread being started while another holds _STORES_LOCK and waits for it (that deadlocked
# CI once), so a finalizer only appends here; the next _store_for or close() lets them go.
_DROPPED: SimpleQueue = SimpleQueue()


def _store_for(path: Path) -> _Store:
    key = (os.getpid(), os.path.abspath(path))
    _release_dropped()
    with _STORES_LOCK:
        store = _STORES.get(key)
        if store is None or store._stopped:
            store = _STORES[key] = _Store(Path(key[1]))
            _ALL.add(store)
        store.refs += 1
        return store


def _drop(store: _Store) -> None:
    """A Journal's finalizer: never blocks, never takes a lock."""
    _DROPPED.put(store)


def _release_dropped() -> None:
    while True:
        try:
            store = _DROPPED.get_nowait()
        except Empty:
            return
        _release(store, wait=False)


def _release(store: _Store, wait: bool = True) -> None:
    """The last Journal of a file is gone: commit what is queued, close the connection, end the thread."""
    with _STORES_LOCK:
        store.refs -= 1
        if store.refs > 0 or store._pid != os.getpid():
            return
        if _STORES.get((store._pid, str(store.path))) is store:
            del _STORES[(store._pid, str(store.path))]
        store._stopped = True
    store._queue.put(_STOP)  # after every queued write
    if wait and threading.current_thread() is not store._thread:
        store._thread.join(10)  # the file is closed (and checkpointed) when this returns


_ALL: weakref.WeakSet[_Store] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    """At exit: every queued write of this process is committed (fire-and-forget writes included)."""
    _release_dropped()
    for store in list(_ALL):
        if store._pid == os.getpid():
            with contextlib.suppress(Exception):
                if store._stopped:
                    store._thread.join(5.0)
                else:
                    store.stop(5.0)


__all__ = ["SEND_LEASE", "owner", "owner_alive"]
