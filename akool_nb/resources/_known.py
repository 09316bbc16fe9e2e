"""The free pre-check behind ``check=True``: is an id one of those the service lists?

Voice, avatar, model and effect lists are free calls; a paid create with a typo in one of its ids costs
credits (or fails after the upload). With ``check=True`` a create first looks the id up in the lists the docs
say to take it from and refuses an unknown one with :class:`InvalidParameterError` (the argument, the value,
close matches, where the valid ids are), before anything is uploaded or sent.

Each list is fetched at most once per client in :data:`TTL` seconds, so a batch of creates checks each list
once (concurrent creates on one client wait for the fetch already under way instead of repeating it). An id
that is not found in a cached list is looked up again in a fresh one before it is refused: a voice cloned a
moment ago is never refused because of a cached list (typos are rare; the second look is free).
"""
from __future__ import annotations

import concurrent.futures
import difflib
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from .._base_client import APIRequest
from .._exceptions import AkoolError, InvalidParameterError
from .._journal.reconcile import Try, Wait
from ._base import Steps

TTL = 60.0  # seconds a fetched list answers pre-checks
PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 items per list: more is not a list anyone picks from
_LOCK = threading.Lock()  # guards the per-client cache dicts only; never held across a step


@dataclass(frozen=True)
class Source:
    """One free list: ``request(page)`` asks for a page; ``keys`` are the record fields an id may match."""
    name: str  # what the user calls to see it: "client.voices.list()"
    request: Callable[[int], APIRequest]
    keys: tuple[str, ...]
    paged: bool = True


def _records(data: Any) -> list[dict]:
    items = data if isinstance(data, list) else (data or {}).get("result") if isinstance(data, dict) else None
    return [r for r in items or [] if isinstance(r, dict)]


def _v4_voices(kind: str) -> Callable[[int], APIRequest]:
    return lambda page: APIRequest("GET", "/api/open/v4/voice/list",
                                   params={"type": kind, "page": str(page), "size": str(PAGE_SIZE)})


def _avatars(source: int) -> Callable[[int], APIRequest]:
    return lambda page: APIRequest("GET", "/api/open/v3/avatar/list",
                                   params={"from": source, "page": page, "size": PAGE_SIZE})


VOICES_V4 = Source("client.voices.list()", _v4_voices("2"), ("voice_id", "_id"))
VOICES_MINE = Source("client.voices.list(mine=True)", _v4_voices("1"), ("voice_id", "_id"))
VOICES_V3 = Source("client.voices.list_v3()", lambda page: APIRequest("GET", "/api/open/v3/voice/list"),
                   ("voice_id", "_id"), paged=False)
AVATARS_OFFICIAL = Source("client.avatars.list(from_=2)", _avatars(2), ("avatar_id",))
AVATARS_MINE = Source("client.avatars.list(from_=3)", _avatars(3), ("avatar_id",))
I2V_MODELS = Source('client.ai_models.list("image_to_video")',
                    lambda page: APIRequest("GET", "/api/open/v4/aigModel/list", params={"types[]": [1501]}),
                    ("value",), paged=False)
EFFECTS = Source("client.image_to_video.effects()",
                 lambda page: APIRequest("GET", "/api/open/v4/image2Video/effects"), ("effect_code",), paged=False)
STREAMING_AVATARS = Source("client.streaming.avatars()",
                           lambda page: APIRequest("GET", "/api/open/v4/liveAvatar/avatar/list",
                                                   params={"page": page, "size": PAGE_SIZE}), ("avatar_id",))

#: The lists a voice id of each API is taken from (the offline Akool accepts the same).
VOICE_SOURCES = (VOICES_V4, VOICES_MINE, VOICES_V3)
VOICE_SOURCES_V3 = (VOICES_V3, VOICES_V4, VOICES_MINE)


def known(client: Any, param: str, value: Any, what: str, sources: tuple[Source, ...]) -> Steps[None]:
    """Steps that return when ``value`` is an id of one of ``sources``, else raise InvalidParameterError."""
    if value is None or value == "":
        return
    started = time.monotonic()
    fetched: list[tuple[Source, float, frozenset[str]]] = []
    for source in sources:
        at, ids = yield from _ids(client, source, TTL)
        if value in ids:
            return
        fetched.append((source, at, ids))
    everything: set[str] = set()
    for source, at, ids in fetched:  # not found: a list from before this check is asked again first
        if at < started:
            at, ids = yield from _ids(client, source, time.monotonic() - started)
            if value in ids:
                return
        everything |= ids
    close = difflib.get_close_matches(str(value), sorted(everything), n=3, cutoff=0.6)
    names = [s.name for s in sources]
    where = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    raise InvalidParameterError(
        param, f"is not {what} the service lists ({len(everything)} known)."
               + (f" Did you mean {', '.join(repr(c) for c in close)}?" if close else "")
               + f" Take one from {where}. Nothing was sent or paid for (check=True looked first).", value=value)


def _ids(client: Any, source: Source, max_age: float) -> Steps[tuple[float, frozenset[str]]]:
    """(fetched at, ids) of ``source`` for ``client``: the fetch another create has under way, else its
    cached list when younger than ``max_age``, else fetched here."""
    with _LOCK:
        cache = client.__dict__.setdefault("_known_ids", {})
        entry = cache.get(source.name)
        usable = entry is not None and (not entry[1].done() or time.monotonic() - entry[0] <= max_age)
        if not usable:
            entry = (time.monotonic(), concurrent.futures.Future())
            cache[source.name] = entry
    at, future = entry
    if usable:
        if not future.done():
            yield Wait(future)  # another create is fetching this list: its answer is ours
        if future.done():
            if future.exception() is not None:
                raise future.exception()  # type: ignore[misc]
            return at, future.result()
        at, future = time.monotonic(), concurrent.futures.Future()  # that fetch is stuck: fetch it here
    try:
        ids = yield from _fetch(source)
    except BaseException as exc:  # a failed or abandoned fetch is not cached: the next check fetches again
        with _LOCK:
            if cache.get(source.name) is entry:
                del cache[source.name]
        future.set_exception(exc if isinstance(exc, Exception) else AkoolError(f"{source.name} was not fetched"))
        raise
    future.set_result(ids)
    return at, ids


def _fetch(source: Source) -> Steps[frozenset[str]]:
    ids: set[str] = set()
    for page in range(1, (MAX_PAGES if source.paged else 1) + 1):
        outcome = yield Try(source.request(page))  # an error comes back here (the cache entry is released)
        if outcome.error is not None:
            raise outcome.error
        data = outcome.data
        records = _records(data)
        ids.update(str(r[k]) for r in records for k in source.keys if r.get(k))
        count = data.get("count") if isinstance(data, dict) else None
        if len(records) < PAGE_SIZE or (isinstance(count, int) and page * PAGE_SIZE >= count):
            break
    return frozenset(ids)
