"""The shape of a JSON answer (field names, types, nesting; never a value) and the differences between two.

A shape is JSON itself: a scalar becomes its type name (``"string"``, ``"integer"``, ``"number"``,
``"boolean"``, ``"null"``; several seen in one array: ``"integer|string"``), an object a dict of the shapes of
its fields, an array ``[]`` (empty) or ``[shape]`` (all items merged). Keys that are data rather than names
(frame indexes, ids) become ``"<n>"`` / ``"<id>"`` so no value leaks through a key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Fields only the offline Akool answers, on purpose (results say they are simulated): never a difference.
OFFLINE_MARKERS = frozenset({"simulated"})
_ID_KEY = re.compile(r"^(?:[0-9a-f]{16,}|[0-9A-Za-z_-]{20,})$")


def _key(key: str) -> str:
    if key.isdigit():
        return "<n>"
    return "<id>" if _ID_KEY.match(key) else key


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def shape_of(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            k = _key(str(k))
            out[k] = merge(out[k], shape_of(v)) if k in out else shape_of(v)
        return out
    if isinstance(value, list):
        items = [shape_of(v) for v in value]
        if not items:
            return []
        merged = items[0]
        for item in items[1:]:
            merged = merge(merged, item)
        return [merged]
    return _scalar(value)


def _types(shape: Any) -> set[str]:
    if isinstance(shape, dict):
        return {"object"}
    if isinstance(shape, list):
        return {"array"}
    return set(shape.split("|"))


def merge(a: Any, b: Any) -> Any:
    """One shape covering both (the fields of either; scalar types joined)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: merge(a[k], b[k]) if k in a and k in b else (a[k] if k in a else b[k]) for k in {**a, **b}}
    if isinstance(a, list) and isinstance(b, list):
        return a if not b else b if not a else [merge(a[0], b[0])]
    if isinstance(a, str) and isinstance(b, str):
        return "|".join(sorted(_types(a) | _types(b)))
    return "|".join(sorted(_types(a) | _types(b)))  # object vs scalar etc.: recorded as a union


def _compatible(real: set[str], offline: set[str]) -> bool:
    """null stands for any type (an absent value); an integer is a number."""
    norm = lambda ts: {"number" if t == "integer" else t for t in ts if t != "null"}  # noqa: E731
    r, o = norm(real), norm(offline)
    return not r or not o or bool(r & o)


@dataclass(frozen=True)
class Difference:
    path: str
    kind: str  # "missing offline" | "only offline" | "type"
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.kind}{f' ({self.detail})' if self.detail else ''}"


def diff(real: Any, offline: Any, path: str = "") -> list[Difference]:
    """What the offline answer's shape lacks, adds or types differently from the real one's."""
    here = path or "(answer)"
    if isinstance(real, dict) and isinstance(offline, dict):
        out = [Difference(f"{path}.{k}" if path else k, "missing offline") for k in real if k not in offline]
        out += [Difference(f"{path}.{k}" if path else k, "only offline") for k in offline
                if k not in real and k not in OFFLINE_MARKERS]
        for k in real:
            if k in offline:
                out += diff(real[k], offline[k], f"{path}.{k}" if path else k)
        return out
    if isinstance(real, list) and isinstance(offline, list):
        return diff(real[0], offline[0], f"{path}[]") if real and offline else []
    rt, ot = _types(real), _types(offline)
    if rt == ot or _compatible(rt, ot):
        return []
    return [Difference(here, "type", f"real {'|'.join(sorted(rt))}, offline {'|'.join(sorted(ot))}")]
