"""How to look for the job of a create whose answer was lost, in the product's list endpoint.

A :class:`Finder` names a list that shows recent jobs of one create endpoint and the request fields its
records show (only fields the docs show in list answers). Each record is judged against the request:

* **identified**: every identifying field the request has is in the record, equal (the text of a TTS, the
  ``avatar_id`` of an upload, the name of a knowledge base);
* **possible**: nothing contradicts the request, but nothing identifies it either;
* otherwise it is another job.

Records made outside the time window (the create's first send minus a generous clock skew, to now plus
the skew) are other jobs, as are those another journal entry already holds. Identified → attach; only
possible ones → undecidable; none at all in a complete listing fetched ``reconcile_grace`` seconds after the
failure → proven absent. Families register theirs next to their :class:`~akool_nb.jobs.Product`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .._base_client import APIRequest

CLOCK_SKEW = 120.0  # seconds our clock and Akool's may disagree by
MISSING: Any = object()


def text(value: Any) -> Any:
    """Strings compared with their whitespace collapsed (a service may trim or re-flow)."""
    if value is None or value == "":
        return MISSING
    return " ".join(str(value).split())


def tags(value: Any) -> Any:
    """A tag list (or one tag) compared as a set, case-insensitively."""
    if value is None or value == "" or value == []:
        return MISSING
    items = value if isinstance(value, (list, tuple, set)) else [value]
    return frozenset(str(v).strip().lower() for v in items)


@dataclass(frozen=True)
class Field:
    body: str  # dotted path in the request body, e.g. "voice_options.style"
    record: str | None = None  # the record's key (default: the last part of ``body``)
    norm: Callable[[Any], Any] = text
    default: Any = MISSING  # what the service assumes when the request leaves the field out
    identifies: bool = False  # equal values identify the job

    def from_body(self, body: Any) -> Any:
        value: Any = body
        for part in self.body.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        value = self.norm(value)
        return self.norm(self.default) if value is MISSING and self.default is not MISSING else value

    def from_record(self, record: dict[str, Any]) -> Any:
        return self.norm(record.get(self.record or self.body.rsplit(".", 1)[-1]))


def _records(data: Any) -> list[dict[str, Any]]:
    items = data if isinstance(data, list) else (data or {}).get("result") if isinstance(data, dict) else None
    return [r for r in items or [] if isinstance(r, dict)]


@dataclass(frozen=True)
class Finder:
    where: str  # for people: "the VoiceLab results list (GET /api/open/v4/voice/resource/list?type=1)"
    request: Callable[[int, int], APIRequest]  # (page, size) -> the list request
    fields: tuple[Field, ...] = ()
    records: Callable[[Any], list[dict[str, Any]]] = _records
    window: bool = True  # candidates must have been made around the time the create was sent
    page_size: int = 100
    max_pages: int = 30  # 3,000 records: a busy account's jobs of a few minutes around the create

    def judge(self, record: dict[str, Any], body: Any) -> str | None:
        """"identified", "possible", or None (another job)."""
        identified = asked = False
        unseen = False
        for f in self.fields:
            want = f.from_body(body)
            if want is MISSING:
                continue
            have = f.from_record(record)
            if have is MISSING:
                unseen = unseen or f.identifies
                continue
            if have != want:
                return None
            if f.identifies:
                asked = identified = True
        return "identified" if asked and identified and not unseen else "possible"


def record_time(record: dict[str, Any]) -> float | None:
    """When a record was made (epoch seconds), from ``create_time`` (ms or s); None if not shown."""
    value = record.get("create_time")
    try:
        stamp = float(value)
    except (TypeError, ValueError):
        return None
    return stamp / 1000 if stamp > 1e11 else stamp


def record_id(record: dict[str, Any]) -> str | None:
    value = record.get("_id") or record.get("id")
    return str(value) if value else None


# -- the registry: create endpoint -> (product or kind, label, finder) ------------------------------
CREATES: dict[str, str] = {}  # create path -> product/kind key
LABELS: dict[str, str] = {}  # key -> label
FINDERS: dict[str, Finder] = {}  # create path -> finder


def register_create(path: str, key: str, label: str, find: Finder | None = None) -> None:
    CREATES[path] = key
    LABELS.setdefault(key, label)
    if find is not None:
        FINDERS[path] = find


def path_of(endpoint: str | None) -> str:
    return (endpoint or "").partition(" ")[2]


def label_for(product: str | None, endpoint: str | None) -> str:
    if product and product in LABELS:
        return LABELS[product]
    if product:
        from ..jobs import PRODUCTS

        if product in PRODUCTS:
            return PRODUCTS[product].label
        return product
    return endpoint or "create"


__all__ = ["CLOCK_SKEW", "CREATES", "FINDERS", "Field", "Finder", "MISSING", "label_for", "path_of",
           "record_id", "record_time", "register_create", "tags", "text"]
