"""Service state: jobs and tokens in SQLite, files on disk, auth, counters and the request log.

``data_dir/state.sqlite`` holds the jobs (one table for every product, see ``jobs.KINDS``) and the issued
tokens; ``data_dir/files/`` holds uploads, results and catalogue media, served at ``/_sim/files/<rel>``.
Only relative file paths are stored: URLs are built from the *current* base URL when answering, so a
service restarted on another port still serves old results.
"""
from __future__ import annotations

import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, unquote, urlparse

from .clock import Timing, job_status
from .faults import Faults
from .validate import ApiError

UID = 100001  # the simulated account
TEAM_ID = "5f0000000000000000000001"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
FILES_PREFIX = "/_sim/files/"


def new_id() -> str:
    """A Mongo-like ObjectId: 4-byte timestamp + 8 random bytes, 24 hex digits."""
    return f"{int(time.time()):08x}{secrets.token_hex(8)}"


def now_ms() -> int:
    return int(time.time() * 1000)


class Store:
    """SQLite persistence (one connection, serialised by a lock; autocommit), with the jobs this process wrote
    or read kept decoded in memory (written through): a status poll reads no SQL and decodes no JSON. Callers
    get a fresh top-level dict each time and never change the nested ``params``/``result``/``extra``."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, path TEXT NOT NULL, created REAL NOT NULL,
        params TEXT NOT NULL, webhook_url TEXT NOT NULL DEFAULT '', media_state TEXT NOT NULL,
        result TEXT NOT NULL DEFAULT '{}', error TEXT NOT NULL DEFAULT '', notified INTEGER NOT NULL DEFAULT 0,
        extra TEXT NOT NULL DEFAULT '{}');
    CREATE INDEX IF NOT EXISTS jobs_kind ON jobs (kind, created);
    CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, created REAL NOT NULL, expired INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS records (collection TEXT NOT NULL, id TEXT NOT NULL, created REAL NOT NULL,
        data TEXT NOT NULL, PRIMARY KEY (collection, id));
    """
    JSON_COLUMNS = ("params", "result", "extra")
    JOB_COLUMNS = frozenset({"id", "kind", "path", "created", "params", "webhook_url", "media_state", "result",
                             "error", "notified", "extra"})

    @staticmethod
    def _dump(value: Any) -> str:
        # Strict JSON text (no NaN, no \\ud800 escapes): SQLite then refuses a lone surrogate outright, so what
        # is stored can always be read back and sent (validate.check_value keeps such values out of requests).
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

    def __init__(self, path: Path):
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._jobs: dict[str, dict] = {}
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL stays consistent after a crash and skips an fsync per write (creates ~3x faster).
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(self.SCHEMA)

    def _rows(self, sql: str, args: tuple = ()) -> list[dict]:
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        out = []
        for row in rows:
            job = dict(row)
            for col in self.JSON_COLUMNS:
                if col in job:
                    job[col] = json.loads(job[col])
            out.append(job)
        return out

    def _decoded(self, row: Mapping[str, Any]) -> dict:
        """A job as SELECT gives it back: the JSON columns read from the text written."""
        return {k: (json.loads(v) if k in self.JSON_COLUMNS else v) for k, v in row.items()}

    def insert_job(self, job: Mapping[str, Any]) -> None:
        row = {k: (self._dump(v) if k in self.JSON_COLUMNS else v) for k, v in job.items()}
        cols = ", ".join(row)
        with self._lock:
            self._db.execute(f"INSERT INTO jobs ({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
            if set(row) == self.JOB_COLUMNS:
                self._jobs[job["id"]] = self._decoded(row)

    def update_job(self, job_id: str, **fields: Any) -> None:
        row = {k: (self._dump(v) if k in self.JSON_COLUMNS else v) for k, v in fields.items()}
        sets = ", ".join(f"{k} = ?" for k in row)
        with self._lock:
            self._db.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*row.values(), job_id))
            if job_id in self._jobs:
                self._jobs[job_id] = {**self._jobs[job_id], **self._decoded(row)}

    def get_job(self, job_id: str, kinds: tuple[str, ...] | None = None) -> dict | None:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            rows = self._rows("SELECT * FROM jobs WHERE id = ?", (job_id,))
            if not rows:
                return None
            with self._lock:
                job = self._jobs.setdefault(job_id, rows[0])
        if kinds is not None and job["kind"] not in kinds:
            return None
        return dict(job)

    def jobs(self, kinds: tuple[str, ...], *, newest_first: bool = True) -> list[dict]:
        order = "DESC" if newest_first else "ASC"
        marks = ", ".join("?" * len(kinds))
        return self._rows(f"SELECT * FROM jobs WHERE kind IN ({marks}) ORDER BY created {order}", kinds)

    def jobs_since(self, since: float = 0.0) -> list[dict]:
        return self._rows("SELECT id, kind, path, created, params FROM jobs WHERE created >= ? ORDER BY created",
                          (since,))

    def pending_jobs(self) -> list[dict]:
        return self._rows("SELECT * FROM jobs WHERE media_state = 'pending' ORDER BY created")

    def webhook_jobs(self) -> list[dict]:
        return self._rows("SELECT * FROM jobs WHERE webhook_url != '' AND notified < 3 ORDER BY created")

    def add_token(self, token: str) -> None:
        with self._lock:
            self._db.execute("INSERT INTO tokens (token, created) VALUES (?, ?)", (token, time.time()))

    def token_valid(self, token: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT expired FROM tokens WHERE token = ?", (token,)).fetchone()
        return row is not None and not row["expired"]

    def expire_tokens(self) -> int:
        with self._lock:
            return self._db.execute("UPDATE tokens SET expired = 1 WHERE expired = 0").rowcount

    # -- records: small persisted JSON documents for families that are not jobs (knowledge bases,
    #    streaming sessions, credit balance, ...), one collection each.
    def put_record(self, collection: str, record_id: str, data: Mapping[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO records (collection, id, created, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (collection, id) DO UPDATE SET data = excluded.data",
                (collection, record_id, time.time(), self._dump(data)))

    def get_record(self, collection: str, record_id: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM records WHERE collection = ? AND id = ?",
                                   (collection, record_id)).fetchone()
        return json.loads(row["data"]) if row else None

    def list_records(self, collection: str) -> list[dict]:
        with self._lock:
            rows = self._db.execute("SELECT data FROM records WHERE collection = ? ORDER BY created DESC",
                                    (collection,)).fetchall()
        return [json.loads(r["data"]) for r in rows]

    def delete_record(self, collection: str, record_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM records WHERE collection = ? AND id = ?",
                                    (collection, record_id)).rowcount > 0

    def close(self) -> None:
        with self._lock:
            self._db.close()


class SimState:
    """Everything the routes, the job runner and the webhook sender share."""

    def __init__(self, *, data_dir: Path, base_url: str, api_key: str | None, client_id: str,
                 client_secret: str, timing: Timing, fast: bool, render: str | None = None):
        from .catalog import Catalog
        from .jobs import Runner
        from .webhooks import Webhooks

        self.data_dir = Path(data_dir)
        self.files_dir = self.data_dir / "files"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.base_url = base_url.rstrip("/")
        self.api_key, self.client_id, self.client_secret = api_key, client_id, client_secret
        self.timing, self.fast = timing, fast
        # "full": talking avatars and U1-U4 upscales at the documented 4K; "fast": smaller, and every such
        # result says so (its answer's ``sim_render``, "fast preview" on the picture). Follows ``fast`` unless given.
        self.render = render or ("fast" if fast else "full")
        self.store = Store(self.data_dir / "state.sqlite")
        self.faults = Faults(self.store.expire_tokens)
        self.catalog = Catalog(self)
        self.runner = Runner(self)
        self.webhooks = Webhooks(self)
        self._lock = threading.Lock()
        self.reset_counters()

    def start(self) -> None:
        self.catalog.start()
        self.runner.resume()
        self.webhooks.start()

    def close(self) -> None:
        self.webhooks.stop()
        self.runner.stop()
        self.store.close()

    # ---------------------------------------------------------------- auth
    def authenticate(self, headers: Mapping[str, str]) -> ApiError | None:
        """Catalog §A.2: ``Authorization: Bearer`` wins over ``x-api-key`` when both are sent."""
        auth = (headers.get("authorization") or "").strip()
        key = (headers.get("x-api-key") or "").strip()
        if auth:
            scheme, _, token = auth.partition(" ")
            if scheme.lower() == "bearer" and token.strip() and self.store.token_valid(token.strip()):
                return None
            return ApiError(1101, "Invalid authorization or The request token has expired")
        if key:
            if self.api_key is None or hmac.compare_digest(key.encode(), self.api_key.encode()):
                return None
            return ApiError(1101, "Invalid authorization or The request token has expired")
        return ApiError(1102, "Authorization cannot be empty")

    def issue_token(self, client_id: str, client_secret: str) -> str:
        ok_id = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        ok_secret = self.api_key is None or hmac.compare_digest(client_secret.encode(), self.api_key.encode())
        if not (ok_id and ok_secret):
            raise ApiError(1101, "Invalid authorization or The request token has expired")
        token = "simtok_" + secrets.token_urlsafe(24)
        self.store.add_token(token)
        return token

    # ---------------------------------------------------------------- files
    def file_path(self, rel: str) -> Path | None:
        """``files_dir/rel`` if it stays inside ``files_dir`` (no ``..`` escapes) and can name a file, else None."""
        if "\x00" in rel:
            return None
        root = self.files_dir.resolve()
        try:
            path = (root / rel).resolve()
        except (OSError, ValueError):  # a name too long, a loop of links
            return None
        return path if path != root and path.is_relative_to(root) else None

    def ensure_file(self, rel: str) -> Path | None:
        """The file for ``rel``, made now if it is lazily generated catalogue media; None if missing."""
        path = self.file_path(rel)
        if path is None:
            return None
        try:
            if not path.is_file():
                self.catalog.make_lazy_file(rel, path)
            return path if path.is_file() else None
        except OSError:  # e.g. a name longer than the file system takes
            return None

    def url_for(self, rel: str | None) -> str:
        return f"{self.base_url}{FILES_PREFIX}{quote(rel)}" if rel else ""

    def rel_of(self, path: Path) -> str:
        return Path(path).resolve().relative_to(self.files_dir.resolve()).as_posix()

    def local_file_for_url(self, url: str) -> Path | None:
        """A loopback ``/_sim/files/...`` URL (of this or an earlier run of the service) read from disk."""
        p = urlparse(url)
        if (p.hostname or "") not in LOOPBACK or not p.path.startswith(FILES_PREFIX):
            return None
        return self.ensure_file(unquote(p.path[len(FILES_PREFIX):]))

    def store_upload(self, filename: str, data: bytes) -> str:
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in os.path.basename(filename or ""))
        safe = safe.lstrip(".") or "upload.bin"
        rel = f"assets/{secrets.token_hex(8)}/{safe[:120]}"
        path = self.files_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return rel

    # ----------------------------------------------------------------- jobs
    def status_of(self, job: Mapping[str, Any]) -> int:
        return job_status(time.time() - job["created"], self.timing, job["media_state"])

    @property
    def webhook_key_problem(self) -> str:
        n = len(self.client_secret.encode("utf-8"))
        if n in (16, 24, 32):
            return ""
        return (f"webhooks are not sent: they are encrypted with the client secret (default: the api key), which "
                f"is {n} bytes, and AES needs 16, 24 or 32; start the offline Akool with --client-secret "
                "(python: client_secret=) of 16, 24 or 32 characters. Creates with a webhookUrl still work.")

    def create_job(self, kind: str, path: str, params: dict, *, webhook_url: str = "", extra: dict | None = None) -> dict:
        # A short key never refuses a create (the real service's keys always fit AES): see webhooks._deliver.
        failing = self.faults.take("fail_next_jobs", path)
        job = {
            "id": new_id(), "kind": kind, "path": path, "created": time.time(), "params": params,
            "webhook_url": webhook_url or "", "media_state": "error" if failing else "pending",
            "result": {}, "error": "Simulated failure (fault fail_next_jobs)" if failing else "",
            "notified": 0, "extra": extra or {},
        }
        self.store.insert_job(job)
        with self._lock:
            self.creates[path] += 1
        if not failing:
            self.runner.submit(job["id"])
        if job["webhook_url"]:
            self.webhooks.watch(job["id"])
        return job

    def result_url(self, job: Mapping[str, Any], key: str = "file") -> str:
        """URL of a finished job's result file (``""`` until status 3)."""
        if self.status_of(job) != 3:
            return ""
        return self.url_for(job["result"].get(key))

    # -------------------------------------------------------------- counters
    def reset_counters(self) -> None:
        with self._lock:
            self.creates: Counter[str] = Counter()
            self.requests_by_path: Counter[str] = Counter()
            self.request_count = 0
            self.request_log: deque[dict] = deque(maxlen=2000)
        self.webhooks.clear_log()

    def note_request(self, method: str, path: str, query: dict, body: Any, auth: str | None) -> None:
        if isinstance(body, dict) and "clientSecret" in body:
            body = {**body, "clientSecret": "***"}  # never record credentials
        with self._lock:
            self.request_count += 1
            self.requests_by_path[path] += 1
            self.request_log.append({"method": method, "path": path, "query": query, "json": body, "auth": auth})

    def stats(self) -> dict:
        with self._lock:
            out = {"creates": dict(self.creates), "requests": self.request_count,
                   "requests_by_path": dict(self.requests_by_path)}
        out["webhooks"] = self.webhooks.log()
        return out

    def jobs_since(self, since: float = 0.0) -> list[dict]:
        """Every stored job created at or after ``since`` (epoch seconds), oldest first: what was really created."""
        return self.store.jobs_since(since)

    def recorded_requests(self) -> list[dict]:
        with self._lock:
            return list(self.request_log)

    def reset(self) -> None:
        """Clear faults, counters, the request log and the webhook log (jobs and files stay)."""
        self.faults.clear()
        self.reset_counters()
