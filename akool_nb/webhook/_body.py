"""Reading an untrusted webhook body: caps before parsing, then each of the four fields in Akool's form.

Nothing here calls ``str()`` or ``repr()`` on a value it has not checked (a deep list or a 5,000-digit
number would raise from inside Python), and every refusal is a :class:`WebhookError` naming the field.
"""
from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akool_nb._exceptions import WebhookError

MAX_BODY_BYTES = 64 * 1024  # a real delivery is ~0.5-3 KB (the data holds one result URL)
MAX_DEPTH = 16  # the outer body is flat and the decrypted data one level deep; room for new fields
TIMESTAMP_DIGITS = 13  # a millisecond epoch from 2001-09-09 to 2286-11-20
NONCE_MAX_DIGITS = 10  # the docs show "1529"; their Java sample types it as an int (at most 10 digits)

_HEX40 = re.compile(r"[0-9a-fA-F]{40}")
_NONCE = re.compile(r"[0-9]{1,%d}" % NONCE_MAX_DIGITS)
_TIMESTAMP = re.compile(r"[1-9][0-9]{%d}" % (TIMESTAMP_DIGITS - 1))
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


@dataclass(frozen=True)
class Fields:
    """The four outer fields, checked; the texts are exactly what the signature covers."""

    signature: str  # 40 lowercase hex digits
    data_encrypt: str
    timestamp_ms: int
    timestamp_text: str
    nonce_text: str


def nesting_depth(text: str, limit: int) -> int:
    """Depth of ``[``/``{`` nesting in JSON text, ignoring brackets inside strings; stops past ``limit``."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def load_json(text: str, what: str, *, max_depth: int, hint: str = "") -> Any:
    """``json.loads`` after a depth check, with every failure (bad JSON, 5,000-digit numbers) a WebhookError."""
    depth = nesting_depth(text, max_depth)
    if depth > max_depth:
        raise WebhookError(f"{what} nests deeper than {max_depth} levels (max_depth={max_depth})")
    try:
        return json.loads(text)
    except RecursionError:  # unreachable after the depth check; kept so no input can escape as one
        raise WebhookError(f"{what} nests too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and int() refusing more than 4,300 digits
        raise WebhookError(f"{what} is not JSON ({_short(exc)}){hint}") from None


def parse_body(payload: Any, *, max_bytes: int, max_depth: int) -> Mapping:
    """The outer body as a mapping: raw bytes, JSON text or an already parsed dict."""
    if isinstance(payload, (bytes, bytearray, memoryview)):
        if len(payload) > max_bytes:
            raise WebhookError(f"webhook body is {len(payload):,} bytes; the limit is {max_bytes:,} (max_bytes=)")
        try:
            payload = bytes(payload).decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookError("webhook body is not UTF-8") from None
    if isinstance(payload, str):
        if len(payload) > max_bytes:
            raise WebhookError(f"webhook body is {len(payload):,} characters; the limit is {max_bytes:,} (max_bytes=)")
        payload = load_json(payload, "webhook body", max_depth=max_depth)
    if not isinstance(payload, Mapping):
        raise WebhookError(f"webhook body must be a JSON object, got {type(payload).__name__}")
    return payload


def read_fields(body: Mapping, *, now_ms: float, tolerance_s: float, max_bytes: int) -> Fields:
    values = {}
    for field in ("signature", "dataEncrypt", "timestamp", "nonce"):
        value = body.get(field)
        if value is None:
            raise WebhookError(f"webhook body is missing field {field!r}")
        values[field] = value
    signature = values["signature"]
    if not isinstance(signature, str) or not _HEX40.fullmatch(signature.strip()):
        raise WebhookError(f"webhook field 'signature' must be 40 hex digits (sha1), got {_kind(signature)}")
    data_encrypt = values["dataEncrypt"]
    if not isinstance(data_encrypt, str) or not data_encrypt.isascii():
        raise WebhookError(f"webhook field 'dataEncrypt' must be base64 text, got {_kind(data_encrypt)}")
    if len(data_encrypt) > max_bytes:
        raise WebhookError(f"webhook field 'dataEncrypt' is longer than the body limit ({max_bytes:,}, max_bytes=)")
    timestamp_ms, timestamp_text = _timestamp(values["timestamp"], now_ms, tolerance_s)
    return Fields(signature.strip().lower(), data_encrypt, timestamp_ms, timestamp_text, _nonce(values["nonce"]))


def readings(client_id: str, fields: Fields) -> list[tuple[int, str]]:
    """Every (timestamp_ms, nonce) in Akool's form whose signed string is this body's (the body's own included).

    The signed string has no separators, so digits can be re-read between ``timestamp`` and ``nonce`` when the
    two also swap places in the sort order. ``dataEncrypt`` and the client id stay whole (another ciphertext
    would not decrypt), which fixes the nonce's length: at most 4! tilings to try.
    """
    signed = "".join(sorted([client_id, fields.timestamp_text, fields.nonce_text, fields.data_encrypt]))
    sizes = {"id": len(client_id), "data": len(fields.data_encrypt), "ts": TIMESTAMP_DIGITS,
             "nonce": len(fields.nonce_text)}
    found = set()
    for order in itertools.permutations(sizes):
        cuts, start = {}, 0
        for role in order:
            cuts[role], start = signed[start:start + sizes[role]], start + sizes[role]
        pieces = [cuts[role] for role in order]
        if (cuts["id"] == client_id and cuts["data"] == fields.data_encrypt and pieces == sorted(pieces)
                and _TIMESTAMP.fullmatch(cuts["ts"]) and _NONCE.fullmatch(cuts["nonce"])):
            found.add((int(cuts["ts"]), cuts["nonce"]))
    return sorted(found)


def _timestamp(value: Any, now_ms: float, tolerance_s: float) -> tuple[int, str]:
    """An integer millisecond epoch, in canonical decimal form, within ``tolerance_s`` of now."""
    form = "an integer millisecond epoch, e.g. 1710757981609"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise WebhookError(f"webhook field 'timestamp' must be {form}, got {type(value).__name__}")
    if isinstance(value, str):
        if not _TIMESTAMP.fullmatch(value):
            raise WebhookError(f"webhook field 'timestamp' must be {form} (13 digits), got {_kind(value)}")
        value = int(value)
    age_s = (now_ms - value) / 1000 if abs(value) < 10**20 else (math.inf if value < now_ms else -math.inf)
    if abs(age_s) <= tolerance_s:
        text = str(value)
        if len(text) != TIMESTAMP_DIGITS:  # only with a `now=` outside 2001-2286
            raise WebhookError(f"webhook field 'timestamp' must be {form} (13 digits)")
        return value, text
    window = f"the tolerance is {_span(tolerance_s)} (tolerance=)"
    if 10**9 <= value < 10**10 and abs(now_ms / 1000 - value) <= tolerance_s:
        raise WebhookError(f"webhook field 'timestamp' looks like seconds; Akool sends milliseconds ({window})")
    if age_s > 0:
        raise WebhookError(f"webhook timestamp is {_span(age_s)} old: a stale or replayed delivery ({window})")
    raise WebhookError(f"webhook timestamp is {_span(-age_s)} in the future ({window}; is a clock wrong?)")


def _nonce(value: Any) -> str:
    form = f"a digit string of 1-{NONCE_MAX_DIGITS} digits (Akool sends e.g. \"1529\" or 1529)"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise WebhookError(f"webhook field 'nonce' must be {form}, got {type(value).__name__}")
    if isinstance(value, int):
        if not 0 <= value < 10**NONCE_MAX_DIGITS:
            raise WebhookError(f"webhook field 'nonce' must be {form}, got an int out of range")
        return str(value)
    if not _NONCE.fullmatch(value):
        raise WebhookError(f"webhook field 'nonce' must be {form}, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    """Describe an untrusted value without echoing it (it may be huge, deep or unencodable)."""
    if isinstance(value, str):
        return f"a str of {len(value):,} characters"
    return type(value).__name__


def _span(seconds: float) -> str:
    if math.isinf(seconds):
        return "ages"
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:,.0f} {unit}"
    return f"{seconds:,.0f} s"


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 120 else text[:117] + "..."
