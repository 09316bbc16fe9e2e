"""Request validation: every rule failure becomes ``{"code": 1003, "msg": "Parameter error: <field> <rule>"}``.

``Fields(obj, prefix)`` reads one JSON object (a body, ``voice_options``, ``elements[2]`` …) and checks each
field as it is read, naming the full field path in the message, e.g. ``elements[0].scale_x is required when
type is image``. JSON ``null`` counts as absent. Booleans are never numbers.

Before any handler runs, :func:`parse_body` and :func:`check_params` refuse, for every route at once, what
no Akool field can hold (the limits below): text that is not UTF-8 (undecodable bytes, lone surrogates, also
as ``\\ud800`` escapes), NUL characters, nesting deeper than ``MAX_DEPTH``, bodies over ``MAX_BODY_BYTES``,
strings over ``MAX_TEXT`` characters, non-finite numbers. So a handler only ever sees a body that can be
stored and sent back, and a refused request stores nothing. Per-field limits the docs give (prompt lengths,
TTS text per plan …) stay with the handlers.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Iterable
from urllib.parse import urlparse

from ..spec.common import HEX_COLOUR, webhook_problem  # noqa: F401  (HEX_COLOUR re-exported for the routes)


class ApiError(Exception):
    """A business error answered as ``{"code": code, "msg": msg}`` with HTTP 200."""

    def __init__(self, code: int, msg: str):
        super().__init__(msg)
        self.code, self.msg = code, msg


class ParamError(ApiError):
    def __init__(self, field: str, rule: str):
        super().__init__(1003, f"Parameter error: {field} {rule}")
        self.field, self.rule = field, rule


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
        value = self.get(field, False)
        problem = webhook_problem(value)
        if problem is not None:
            raise ParamError(self.name(field), problem)
        return value or ""

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


# ------------------------------------------------------------ request limits
MAX_BODY_BYTES = 32 * 1024 * 1024  # a 20 MB picture (the docs' image limit) sent base64 in detect's ``img`` fits
MAX_DEPTH = 32  # nested objects/arrays; the deepest documented body (TTS extra_options.audio_setting) has 3
MAX_ITEMS = 10_000  # items of one array, fields of one object
MAX_TEXT = 100_000  # characters of one string: twice the longest documented text (input_text, 50,000)
FILE_FIELDS = frozenset({"img"})  # base64 file contents (face detection): bounded by MAX_BODY_BYTES alone
MAX_NAME = 256  # characters of one field name
MAX_PARAM = 4096  # characters of one query or path parameter
MAX_INT = 2 ** 53  # JSON numbers are doubles: larger integers lose their value on the way
INVALID = object()  # a body that is not JSON (the handler answers it in its own words)


def parse_body(raw: bytes) -> Any:
    """The parsed JSON body (None when empty, ``INVALID`` when it is not JSON), checked by :func:`check_value`.
    Raises :class:`ParamError` naming the field for what no Akool field can hold."""
    if len(raw) > MAX_BODY_BYTES:
        raise ParamError("body", f"must be at most {MAX_BODY_BYTES // 1048576} MB (it has {len(raw)} bytes)")
    if not raw.strip():
        return None
    try:
        text, undecodable = raw.decode("utf-8"), False
    except UnicodeDecodeError:  # keep the bad bytes as lone surrogates, so the check names their field
        text, undecodable = raw.decode("utf-8", "surrogateescape"), True
    try:
        body = json.loads(text[1:] if text.startswith("\ufeff") else text)
    except RecursionError:
        raise ParamError("body", f"is nested too deeply (at most {MAX_DEPTH} levels)") from None
    except ValueError:
        if undecodable:
            raise ParamError("body", "is not valid UTF-8 text") from None
        return INVALID
    check_value(body)
    return body


def _text_problem(text: str) -> str:
    """What makes ``text`` unfit to store and send back ("" if nothing)."""
    if "\x00" in text:
        return "must not contain NUL characters (\\u0000)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"must be valid UTF-8 text (character {exc.start} is an undecodable byte or a lone surrogate)"
    return ""


def check_value(value: Any, name: str = "body", depth: int = 0) -> None:
    """Walk a parsed body (``name`` is its field path) and raise :class:`ParamError` at the first value beyond
    the request limits."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT and name.rsplit(".", 1)[-1] not in FILE_FIELDS:
            raise ParamError(name, f"must be at most {MAX_TEXT} characters (it has {len(value)})")
        if problem := _text_problem(value):
            raise ParamError(name, problem)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_INT:
            raise ParamError(name, f"must be between -{MAX_INT} and {MAX_INT} (JSON numbers are doubles)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ParamError(name, "must be a finite number")
    elif isinstance(value, (dict, list)):
        if depth >= MAX_DEPTH:
            raise ParamError(name, f"is nested too deeply (at most {MAX_DEPTH} levels)")
        if len(value) > MAX_ITEMS:
            raise ParamError(name, f"must have at most {MAX_ITEMS} {'fields' if isinstance(value, dict) else 'items'}")
        if isinstance(value, list):
            for i, item in enumerate(value):
                check_value(item, f"{name}[{i}]", depth + 1)
            return
        for key, item in value.items():
            problem = f"must be at most {MAX_NAME} characters" if len(key) > MAX_NAME else _text_problem(key)
            if problem:
                raise ParamError(name, f"field names {problem}; got {ascii(key)[:66]}")
            check_value(item, key if name == "body" else f"{name}.{key}", depth + 1)


def check_params(params: dict) -> None:
    """Query or path parameters: the same text rules, at most ``MAX_PARAM`` characters each."""
    for key, value in params.items():
        if problem := _text_problem(key):
            raise ParamError("query", f"parameter names {problem}; got {ascii(key)[:66]}")
        if len(value) > MAX_PARAM:
            raise ParamError(key, f"must be at most {MAX_PARAM} characters (it has {len(value)})")
        if problem := _text_problem(value):
            raise ParamError(key, problem)


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
