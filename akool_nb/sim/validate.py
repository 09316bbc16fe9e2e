"""Request validation: every rule failure becomes ``{"code": 1003, "msg": "Parameter error: <field> <rule>"}``.

``Fields(obj, prefix)`` reads one JSON object (a body, ``voice_options``, ``elements[2]`` …) and checks each
field as it is read, naming the full field path in the message, e.g. ``elements[0].scale_x is required when
type is image``. JSON ``null`` counts as absent. Booleans are never numbers.
"""
from __future__ import annotations

import re
from typing import Any, Iterable
from urllib.parse import urlparse


class ApiError(Exception):
    """A business error answered as ``{"code": code, "msg": msg}`` with HTTP 200."""

    def __init__(self, code: int, msg: str):
        super().__init__(msg)
        self.code, self.msg = code, msg


class ParamError(ApiError):
    def __init__(self, field: str, rule: str):
        super().__init__(1003, f"Parameter error: {field} {rule}")


def not_found(what: str) -> ApiError:
    return ApiError(1008, f"The content you get does not exist: {what}")


def _or(choices: Iterable[Any]) -> str:
    items = [f'"{c}"' if isinstance(c, str) else str(c) for c in choices]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def ext_of(url: str) -> str:
    path = urlparse(url).path
    return ("." + path.rsplit(".", 1)[-1].lower()) if "." in path.rsplit("/", 1)[-1] else ""


def is_http_url(v: Any) -> bool:
    if not isinstance(v, str):
        return False
    p = urlparse(v.strip())
    return p.scheme in ("http", "https") and bool(p.netloc)


HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def body_object(body: Any) -> "Fields":
    if not isinstance(body, dict):
        raise ApiError(1003, "Parameter error: body must be a JSON object")
    return Fields(body)


class Fields:
    def __init__(self, obj: dict, prefix: str = ""):
        self.obj, self.prefix = obj, prefix

    def name(self, field: str) -> str:
        return self.prefix + field

    def get(self, field: str, required: bool, when: str = "") -> Any:
        value = self.obj.get(field)
        if value is None and required:
            raise ParamError(self.name(field), "is required" + (f" {when}" if when else ""))
        return value

    def str(self, field: str, *, required: bool = False, when: str = "", choices: Iterable[str] | None = None,
            pattern: str | None = None, url: bool = False, allow_empty: bool = False) -> str | None:
        value = self.get(field, required, when)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ParamError(self.name(field), "must be a string")
        if not value.strip():
            if allow_empty:
                return value
            raise ParamError(self.name(field), "must not be empty")
        if choices is not None and value not in choices:
            raise ParamError(self.name(field), f"must be {_or(choices)}")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise ParamError(self.name(field), f"must match {pattern}")
        if url and not is_http_url(value):
            raise ParamError(self.name(field), "must be an http(s) URL")
        return value

    def webhook(self, field: str = "webhookUrl") -> str:
        value = self.str(field, allow_empty=True)
        if value and value.strip() and not is_http_url(value):
            raise ParamError(self.name(field), "must be an http(s) URL or empty")
        return (value or "").strip()

    def num(self, field: str, *, required: bool = False, when: str = "", lo: float | None = None,
            hi: float | None = None, integer: bool = False, equals: float | None = None,
            choices: Iterable[float] | None = None, positive: bool = False) -> float | int | None:
        value = self.get(field, required, when)
        if value is None:
            return None
        if not is_number(value):
            raise ParamError(self.name(field), "must be an integer" if integer else "must be a number")
        if integer and value != int(value):
            raise ParamError(self.name(field), "must be an integer")
        if equals is not None and value != equals:
            raise ParamError(self.name(field), f"must be {equals:g}")
        if choices is not None and value not in list(choices):
            raise ParamError(self.name(field), f"must be {_or(choices)}")
        if positive and value <= 0:
            raise ParamError(self.name(field), "must be greater than 0")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ParamError(self.name(field), f"must be between {lo:g} and {hi:g}")
        return int(value) if integer else value

    def bool(self, field: str, *, required: bool = False) -> bool | None:
        value = self.get(field, required)
        if value is not None and not isinstance(value, bool):
            raise ParamError(self.name(field), "must be a boolean")
        return value

    def sub(self, field: str, *, required: bool = False) -> "Fields | None":
        value = self.get(field, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ParamError(self.name(field), "must be an object")
        return Fields(value, self.name(field) + ".")

    def list(self, field: str, *, required: bool = False, nonempty: bool = False, max_len: int | None = None) -> list | None:
        value = self.get(field, required)
        if value is None:
            return None
        if not isinstance(value, list):
            raise ParamError(self.name(field), "must be an array")
        if nonempty and not value:
            raise ParamError(self.name(field), "must not be empty")
        if max_len is not None and len(value) > max_len:
            raise ParamError(self.name(field), f"must have at most {max_len} items")
        return value

    def item(self, field: str, index: int) -> "Fields":
        value = self.obj[field][index]
        name = f"{self.name(field)}[{index}]"
        if not isinstance(value, dict):
            raise ParamError(name, "must be an object")
        return Fields(value, name + ".")


def query_choice(query: dict, field: str, choices: Iterable[str], *, required: bool = False) -> str | None:
    """A numeric-enum query parameter (the docs type these as String or Number); returns the string."""
    value = query.get(field)
    if value is None or value == "":
        if required:
            raise ParamError(field, "is required")
        return None
    choices = list(choices)
    if value not in choices:
        raise ParamError(field, f"must be {_or([int(c) for c in choices])}")
    return value


def query_int(query: dict, field: str, default: int, *, hi: int = 1000) -> int:
    value = query.get(field)
    if value is None or value == "":
        return default
    if not re.fullmatch(r"\d+", value) or not 1 <= int(value) <= hi:
        raise ParamError(field, f"must be a positive integer (at most {hi})")
    return int(value)


def rate_percent(fields: Fields, field: str = "rate", *, required: bool = False) -> float | None:
    """v3 audio ``rate``: a percentage string "0%".."100%" (catalog §F.4 #33)."""
    value = fields.get(field, required)
    if value is None:
        return None
    m = re.fullmatch(r"\s*(\d{1,3}(?:\.\d+)?)\s*%\s*", value) if isinstance(value, str) else None
    if m is None or float(m.group(1)) > 100:
        raise ParamError(fields.name(field), "must be a percentage string between 0% and 100%")
    return float(m.group(1))


class Ctx:
    """What a route handler gets: the service state and the parsed request (no framework types)."""

    def __init__(self, sim, path: str, query: dict, body: Any, path_params: dict):
        self.sim, self.path, self.query, self.body, self.path_params = sim, path, query, body, path_params


class Raw(dict):
    """A handler result sent as the whole response body, outside the ``{code, msg, data}`` envelope."""
