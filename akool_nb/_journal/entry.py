"""One journal entry: a paid create and what is known about the job it made (or may have made).

An :class:`Entry` is what ``client.jobs.recent()`` shows for a create that has no job id (yet): the product,
the request, the state, and a sentence saying what is known and how to settle it. Entries with a job id
become :class:`~akool_nb.jobs.Job` objects there; ``job.entry`` leads back.

Nothing secret is written: a request body goes through :func:`scrub` (values of secret-named fields such as
``api_key``, ``*_token``, ``user_sig`` become ``***``) and :func:`akool_nb._logging.mask` (every registered
key, client secret and token). Such an entry is not ``resendable`` from the journal alone.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import datetime, timezone
from typing import Any

from .._logging import mask

SENDING, CREATED, UNKNOWN, ABSENT, REJECTED = "sending", "created", "unknown", "absent", "rejected"
OPEN_STATES = (SENDING, UNKNOWN)  # not settled: reconcile() looks at these
VISIBLE_STATES = (SENDING, CREATED, UNKNOWN, ABSENT)  # what recent() shows (rejected creates made nothing)

COLUMNS = ("key", "service", "product", "endpoint", "request", "fingerprint", "state", "job_id", "status", "url",
           "attempts", "first_sent", "sent_at", "failure", "failed_at", "lease_until", "owner", "parent",
           "resendable", "history", "meta", "created_at", "updated_at")

_SECRET_KEY = re.compile(r"(?i)(api[_-]?key|apikey|secret|token|password|passwd|user_?sig|authorization)$")
_SECRET_WORDS = ("key", "secret", "token", "passw", "sig", "authorization")  # a cheap gate before the walk


def utc(ts: float | None) -> str:
    if ts is None:
        return "?"
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def scrub(value: Any) -> tuple[Any, bool]:
    """``value`` with secret-named fields replaced by ``***``; and whether anything was replaced."""
    hit = False

    def walk(v: Any, depth: int = 0) -> Any:
        nonlocal hit
        if depth > 50:
            return "…"
        if isinstance(v, dict):
            out = {}
            for k, item in v.items():
                if isinstance(k, str) and _SECRET_KEY.search(k) and item not in (None, ""):
                    out[k] = "***"
                    hit = True
                else:
                    out[k] = walk(item, depth + 1)
            return out
        if isinstance(v, (list, tuple)):
            return [walk(i, depth + 1) for i in v]
        return v

    return walk(value), hit


def canonical(body: Any) -> tuple[str, bool]:
    """The journaled text of a request body (sorted keys, ASCII, secrets masked) and whether it is intact."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    scrubbed = False
    low = text.lower()
    if isinstance(body, (dict, list)) and any(w in low for w in _SECRET_WORDS):  # rare: walk only then
        clean, scrubbed = scrub(body)
        text = json.dumps(clean, sort_keys=True, separators=(",", ":"), default=str)
    masked = mask(text)
    return masked, not scrubbed and masked == text


def fingerprint(product: str | None, endpoint: str, text: str) -> str:
    return hashlib.sha256(f"{product or ''}\n{endpoint}\n{text}".encode()).hexdigest()


class Entry:
    """A journal row as an object. ``request``, ``meta`` and ``history`` are parsed on first access."""

    __slots__ = COLUMNS + ("_parsed", "_verdict")

    def __init__(self, **fields: Any) -> None:
        for name in COLUMNS:
            object.__setattr__(self, name, fields.get(name))
        self._parsed: dict[str, Any] = {}
        self._verdict: str | None = None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Entry:
        entry = cls.__new__(cls)
        _fill(entry, row)
        entry._parsed = {}
        entry._verdict = None
        return entry

    def row(self) -> tuple[Any, ...]:
        return _row(self)

    def copy(self) -> Entry:
        return Entry.from_row(self.row())

    # -- parsed columns ---------------------------------------------------------------------------
    def _json(self, name: str, empty: Any) -> Any:
        if name not in self._parsed:
            text = getattr(self, name)
            try:
                self._parsed[name] = json.loads(text) if text else empty
            except ValueError:
                self._parsed[name] = empty
        return self._parsed[name]

    @property
    def body(self) -> Any:
        """The request body as journaled (secrets masked)."""
        return self._json("request", None)

    @property
    def meta_dict(self) -> dict[str, Any]:
        value = self._json("meta", {})
        return value if isinstance(value, dict) else {}

    @property
    def events(self) -> list[str]:
        value = self._json("history", [])
        return value if isinstance(value, list) else []

    def note(self, event: str, when: float | None = None) -> None:
        """Append a line to the history (saved with the next write of this entry)."""
        stamp = datetime.fromtimestamp(when or time.time(), tz=timezone.utc).strftime("%H:%M:%S")
        events = [*self.events, f"{stamp} {event}"][-40:]
        self.history = json.dumps(events)
        self._parsed["history"] = events

    # -- job-like view ----------------------------------------------------------------------------
    @property
    def id(self) -> str | None:
        return self.job_id

    @property
    def label(self) -> str:
        from .finders import label_for

        return label_for(self.product, self.endpoint)

    @property
    def done(self) -> bool:
        return self.state in (CREATED, ABSENT, REJECTED)

    @property
    def elapsed(self) -> float:
        return time.time() - (self.first_sent or self.created_at or time.time())

    @property
    def known(self) -> str:
        """What is known about this create, in one paragraph."""
        sent = f"{self.endpoint} was sent at {utc(self.first_sent)}"
        if self.attempts and self.attempts > 1:
            sent += f" ({self.attempts} attempts, the latest at {utc(self.sent_at)})"
        if self.state == CREATED:
            return f"{sent}; it made job {self.job_id}."
        if self.state == REJECTED:
            return f"{sent}; Akool refused it ({self.failure}): nothing was created."
        if self.state == ABSENT:
            return (f"{sent}; the answer was lost ({self.failure}), and the job is not in Akool's list: it was "
                    "not created and nothing was charged. client.jobs.reconcile(entry, resend=True) sends it again.")
        if self.state == SENDING and not self.failure:
            return (f"{sent} by {self.owner}; no answer has been recorded (still in flight, or the process ended "
                    "first). client.jobs.reconcile() looks for the job.")
        verdict = f" {self._verdict}" if self._verdict else ""
        return (f"{sent}; the answer was lost ({self.failure}) and it was NOT resent, so nothing is paid twice."
                f"{verdict} Settle it with client.jobs.reconcile({self.key!r}, job_id=...) once you know the job "
                f"(webhook, Akool dashboard), or client.jobs.reconcile({self.key!r}, resend=True) if it does not "
                "exist.")

    def __repr__(self) -> str:
        failure = f" · {self.failure}" if self.failure else ""
        job = f" job={self.job_id}" if self.job_id else ""
        return (f"<Entry {self.key} {self.state} {self.label} · {self.endpoint} · sent {utc(self.first_sent)}"
                f"{failure}{job}>")

    def _repr_html_(self) -> str:
        from ..display import e

        colour = {UNKNOWN: "#f2994a", SENDING: "#8a8f98", ABSENT: "#8a8f98", REJECTED: "#eb5757",
                  CREATED: "#27ae60"}.get(self.state, "#8a8f98")
        events = "".join(f"<li>{e(line)}</li>" for line in self.events[-8:])
        return (
            '<div style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:13px;border:1px solid '
            'rgba(128,128,128,.35);border-radius:8px;padding:10px 12px;margin:4px 0;max-width:560px;'
            'background:rgba(128,128,128,.06);color:inherit">'
            f'<div style="display:flex;gap:8px;align-items:center;margin-bottom:6px"><b>{e(self.label)}</b>'
            f'<span style="background:{colour};color:#fff;border-radius:10px;padding:1px 8px;font-size:11px;'
            f'font-weight:600">{e(self.state)}</span></div>'
            f'<div style="opacity:.72">journal entry <code>{e(self.key)}</code> · <code>{e(self.endpoint)}</code>'
            f'</div><div style="margin-top:6px">{e(self.known)}</div>'
            + (f'<ul style="opacity:.72;margin:6px 0 0 18px;padding:0">{events}</ul>' if events else "")
            + "</div>")


# One tuple assignment instead of 23 setattr calls: recent() over 10,000 entries builds 10,000 of these.
_code: dict[str, Any] = {}
exec(f"def _fill(e, r):\n    {', '.join('e.' + c for c in COLUMNS)}, = r\n"  # noqa: S102 - fixed text
     f"def _row(e):\n    return ({', '.join('e.' + c for c in COLUMNS)},)\n", _code)
_fill, _row = _code["_fill"], _code["_row"]

__all__ = ["ABSENT", "COLUMNS", "CREATED", "Entry", "OPEN_STATES", "REJECTED", "SENDING", "UNKNOWN",
           "VISIBLE_STATES", "canonical", "fingerprint", "scrub", "utc"]
