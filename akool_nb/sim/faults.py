"""Fault knobs for tests: make the offline Akool misbehave on purpose.

Counters (each request or job that triggers one uses it up):

* ``fail_next_jobs`` — the next N created jobs end in status 4 (with a reason).
* ``answer_1005``    — the next N API requests get ``{"code": 1005, "msg": "Frequent operation"}`` and
  ``Retry-After: 0`` (HTTP 200, nothing is processed).
* ``answer_500``     — the next N API requests get HTTP 500 with a plain-text body (nothing is processed).
* ``drop``           — the next N API requests are processed fully (a create really creates its job), then
  the connection is closed after the response head, so the client sees a protocol error.
* ``drop_webhooks`` — the next N webhook deliveries are never sent (lost on the way: the receiver sees nothing,
  the job goes on); ``path_contains`` matches the job's create path. Logged with ``error`` "dropped".

``delay_s`` is not a counter: while it is > 0, every matching API request is answered that many seconds
after it was processed. Each knob may carry ``path_contains``: it then applies only to request paths that
contain that text. "API requests" are the ``/api/...`` paths; ``/_sim/...`` is never faulted.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

COUNTERS = ("fail_next_jobs", "answer_1005", "answer_500", "drop", "drop_webhooks")


class Faults:
    def __init__(self, expire_tokens: Callable[[], int] | None = None):
        self._lock = threading.Lock()
        self._expire = expire_tokens
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._knobs: dict[str, list[Any]] = {name: [0, None] for name in COUNTERS}
            self._knobs["delay_s"] = [0.0, None]

    reset = clear

    def set(self, *, path_contains: str | None = None, **knobs: Any) -> dict:
        """Set any of ``fail_next_jobs``, ``answer_1005``, ``answer_500``, ``drop``, ``drop_webhooks`` (ints) and ``delay_s``
        (seconds); ``path_contains`` restricts the knobs set in this call. Returns :meth:`snapshot`."""
        if path_contains is not None and not isinstance(path_contains, str):
            raise ValueError("path_contains must be a string")
        for name, value in knobs.items():
            if name not in self._knobs:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(self._knobs)}")
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not numeric or value < 0 or (name != "delay_s" and value != int(value)):
                raise ValueError(f"fault {name} must be a non-negative {'number' if name == 'delay_s' else 'integer'}")
        with self._lock:
            for name, value in knobs.items():
                self._knobs[name] = [float(value) if name == "delay_s" else int(value), path_contains or None]
        return self.snapshot()

    def take(self, name: str, path: str) -> bool:
        """Use up one ``name`` if it is armed for ``path``."""
        with self._lock:
            knob = self._knobs[name]
            if knob[0] > 0 and (knob[1] is None or knob[1] in path):
                knob[0] -= 1
                return True
        return False

    def delay_for(self, path: str) -> float:
        with self._lock:
            delay, where = self._knobs["delay_s"]
        return delay if delay > 0 and (where is None or where in path) else 0.0

    def expire_tokens(self) -> int:
        """Expire every issued Bearer token (the next Bearer request answers 1101); returns how many."""
        return self._expire() if self._expire else 0

    def snapshot(self) -> dict:
        with self._lock:
            return {name: {"value": v, "path_contains": p} for name, (v, p) in self._knobs.items()}

    def __getattr__(self, name: str) -> Any:
        if name in COUNTERS or name == "delay_s":
            return self.snapshot()[name]["value"]
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in COUNTERS or name == "delay_s":
            self.set(**{name: value})
        else:
            object.__setattr__(self, name, value)
