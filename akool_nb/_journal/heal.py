"""Opening the journal file: check it, heal it, create it, migrate it.

Every step runs under an advisory lock file (``jobs.sqlite.lock``), so two kernels opening a damaged journal at
once heal it once. A file that cannot serve as a journal (garbage, text, a bad header, damaged or truncated
pages, an empty file, a directory, a ``jobs`` table of some other program) is renamed to
``jobs.sqlite.corrupt-<UTC time>`` (with its ``-wal``/``-shm``) and a new journal takes its place; one
:class:`JournalWarning` (also logged) says so. A location that cannot be written raises :class:`Unusable`.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import stat
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from .._logging import logger

SCHEMA_VERSION = 2
HEADER = b"SQLite format 3\x00"
V1_COLUMNS = {"base_url", "job_id", "product", "status", "url", "request", "created_at", "updated_at"}

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS entries (
        key TEXT PRIMARY KEY, service TEXT NOT NULL, product TEXT, endpoint TEXT, request TEXT,
        fingerprint TEXT, state TEXT NOT NULL, job_id TEXT, status INTEGER, url TEXT,
        attempts INTEGER NOT NULL DEFAULT 1, first_sent REAL, sent_at REAL, failure TEXT, failed_at REAL,
        lease_until REAL, owner TEXT, parent TEXT, resendable INTEGER NOT NULL DEFAULT 1, history TEXT,
        meta TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS entries_job ON entries(service, job_id) WHERE job_id IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS entries_recent ON entries(service, created_at)",
    "CREATE INDEX IF NOT EXISTS entries_open ON entries(service, state) WHERE state IN ('sending', 'unknown')",
)
REQUIRED = {"key", "service", "product", "endpoint", "request", "fingerprint", "state", "job_id", "status", "url",
            "attempts", "first_sent", "sent_at", "failure", "failed_at", "lease_until", "owner", "parent",
            "resendable", "history", "meta", "created_at", "updated_at"}


class JournalWarning(UserWarning):
    """The job journal was healed (moved aside and started anew) or turned off."""


class Unusable(Exception):
    """The journal cannot be used at this location (it cannot be written)."""


def warn(message: str) -> None:
    logger.warning("%s", message)
    warnings.warn(message, JournalWarning, stacklevel=3)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock shared by every akool_nb process using ``path``."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; the steps below are still idempotent
        yield
        return
    try:
        fd = os.open(str(path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise Unusable(f"cannot create {path}.lock ({exc.strerror or exc})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _uri(path: Path, mode: str) -> str:
    return f"{Path(path).resolve().as_uri()}?mode={mode}"


def _tables(conn: sqlite3.Connection) -> dict[str, set[str]]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE "
                                        "'sqlite_%'")]
    return {n: {r[1] for r in conn.execute(f'PRAGMA table_info("{n}")')} for n in names}


def diagnose(path: Path) -> str | None:
    """Why ``path`` cannot be used as a journal, or None (absent, a good journal, or a first journal)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return "a directory is in its place"
    if not stat.S_ISREG(st.st_mode):
        return "it is not a regular file"
    if st.st_size == 0:
        return "it is empty (0 bytes)"
    with open(path, "rb") as fh:
        head = fh.read(100)
    if not head.startswith(HEADER):
        printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in head) / max(1, len(head))
        return ("it is a text file, not an SQLite database" if printable > 0.95
                else "it is not an SQLite database (bad header)")
    conn = sqlite3.connect(_uri(path, "rw"), uri=True, timeout=30)
    try:
        check = conn.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            return f"it is damaged ({'; '.join(str(r[0]) for r in check[:3])})"
        return _foreign(conn)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return None  # busy, not broken: let the caller's connection wait for it
        return f"it is damaged ({exc})"
    finally:
        conn.close()


def _foreign(conn: sqlite3.Connection) -> str | None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = _tables(conn)
    if "entries" in tables and tables["entries"] >= REQUIRED:
        return None
    if version == 0 and not tables:
        return None
    if version == 0 and set(tables) == {"jobs"} and tables["jobs"] >= V1_COLUMNS:
        return None  # the first journal: migrated in place
    if version > SCHEMA_VERSION:
        raise Unusable(f"it was written by a newer akool_nb (schema {version}) in a form this version cannot use")
    if "jobs" in tables:
        return f"its jobs table is not a journal's ({', '.join(sorted(tables['jobs']))})"
    return f"it holds other tables ({', '.join(sorted(tables))})"


def move_aside(path: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(str(path) + suffix)
        if side.exists():
            with contextlib.suppress(OSError):
                os.replace(side, Path(str(target) + suffix))
    return target


def _create(path: Path) -> None:
    """A new, empty journal, put in place whole (nobody ever sees a half-made file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        conn = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            for statement in SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()
        if not path.exists():
            os.replace(tmp, path)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(str(tmp) + suffix)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to :data:`SCHEMA_VERSION`; the first journal's ``jobs`` rows become created entries."""
    if conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:  # another process may have won
            tables = _tables(conn)
            for statement in SCHEMA:
                conn.execute(statement)
            if "jobs" in tables and tables["jobs"] >= V1_COLUMNS:
                moved = conn.execute(
                    "INSERT OR IGNORE INTO entries (key, service, product, request, state, job_id, status, url, "
                    "attempts, first_sent, sent_at, resendable, history, created_at, updated_at) "
                    "SELECT lower(hex(randomblob(6))), base_url, product, request, 'created', job_id, status, url, "
                    "1, created_at, created_at, 1, '[\"migrated from the first journal\"]', created_at, updated_at "
                    "FROM jobs").rowcount
                conn.execute("DROP TABLE jobs")
                logger.info("job journal: %d jobs migrated to schema %d", moved, SCHEMA_VERSION)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def inode(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def open_journal(path: Path, *, known_bad: str | None = None) -> sqlite3.Connection:
    """The writer's connection to a usable journal at ``path`` (healed or created as needed).

    ``known_bad``: a damage already seen by a running connection; the file is moved aside if it is still the
    same file (another process may have healed it meanwhile)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Unusable(f"cannot create {path.parent} ({exc.strerror or exc})") from None
    with file_lock(path):
        problem = diagnose(path)
        if problem is None and known_bad and inode(path) is not None:
            problem = known_bad if diagnose_deep(path) else None
        if problem is not None:
            try:
                moved = move_aside(path)
            except OSError as exc:
                raise Unusable(f"{path} is unusable ({problem}) and could not be moved aside "
                               f"({exc.strerror or exc})") from None
            warn(f"akool_nb: the job journal {path} could not be used: {problem}. It was moved aside to {moved} "
                 "and a new journal was started (jobs recorded in the old file are not listed by "
                 "client.jobs.recent(); the moved file keeps them).")
        try:
            if not path.exists():
                _create(path)
            conn = connect(path)
            conn.execute("PRAGMA journal_mode=WAL")
            migrate(conn)
            conn.execute("SELECT count(*) FROM entries").fetchone()
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "readonly" in text or "unable to open" in text or "disk I/O" in text:
                raise Unusable(f"{path} cannot be written ({text})") from None
            raise
        except PermissionError as exc:
            raise Unusable(f"{path} cannot be written ({exc.strerror or exc})") from None
    return conn


def diagnose_deep(path: Path) -> bool:
    """True when a full integrity check finds damage (used after a running connection reported some)."""
    try:
        conn = sqlite3.connect(_uri(path, "ro"), uri=True, timeout=30)
        try:
            return conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True


def is_damage(exc: BaseException) -> bool:
    """A sqlite3 error that means the file is broken or gone (not merely busy)."""
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, sqlite3.IntegrityError):
        return False
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError):
        return any(s in text for s in ("no such table", "no such column", "malformed", "disk i/o",
                                       "unable to open"))
    return True  # DatabaseError proper: "file is not a database", "database disk image is malformed"


def now() -> float:
    return time.time()
