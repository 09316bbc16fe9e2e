"""Secrets never come back: one place that scrubs the API key, client secret and bearer token from any text.

Every credential a client holds is registered here (a :class:`~akool_nb._auth.Secret` registers itself, a
token when it arrives). :func:`mask` scrubs a string, :func:`scrub` any value deeply (dicts, lists, bytes);
the rest of the toolkit uses them wherever text leaves it: exception messages, args and bodies, service
answers, log records (message, args, traceback, stack, extra fields), HTML for notebooks and the journal.
A service that echoes a key back (URL-encoded or JSON-escaped, too) gets ``***`` in its place.
"""
from __future__ import annotations

import json
import logging
import threading
from typing import Any
from urllib.parse import quote, quote_plus

logger = logging.getLogger("akool_nb")

MASK = "***"
MIN_SECRET_LENGTH = 6  # very short strings would mask ordinary words; real keys are long
_lock = threading.Lock()
_secrets: set[str] = set()
_ordered: tuple[str, ...] = ()  # longest first, so a secret containing another is masked whole
_json_plain = True  # every registered form appears verbatim in JSON text (enables the fast path)


def register_secret(value: str | None) -> None:
    global _ordered, _json_plain
    if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH:
        return
    with _lock:
        forms = {value, quote(value, safe=""), quote_plus(value), value.replace("/", "\\/")}
        _secrets.update(forms)
        _ordered = tuple(sorted(_secrets, key=len, reverse=True))
        _json_plain = all(json.dumps(s, ensure_ascii=False)[1:-1] == s for s in _ordered)


def mask(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    for secret in _ordered:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def scrub(value: Any) -> Any:
    """``value`` with every registered secret masked, deeply (dict keys and values, lists, tuples, sets,
    bytes). Returns ``value`` itself when it holds no secret; other objects are returned as they are."""
    if not _ordered:
        return value
    if _json_plain and isinstance(value, (dict, list)):
        try:  # one C-speed pass decides whether the walk is needed at all (most service answers)
            blob = json.dumps(value, ensure_ascii=False, default=repr)
        except (TypeError, ValueError, RecursionError):
            blob = None
        if blob is not None and not any(s in blob for s in _ordered):
            return value
    return _walk(value, 0)


def _walk(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, (bytes, bytearray)):
        out = bytes(value)
        for secret in _ordered:
            out = out.replace(secret.encode("utf-8", "surrogatepass"), MASK.encode())
        return value if out == value else out
    if depth > 100:  # deeper than any service answer: keep nothing that might hide a secret
        return mask(repr(value)[:200])
    if isinstance(value, dict):
        items = [(_walk(k, depth + 1), _walk(v, depth + 1)) for k, v in value.items()]
        changed = any(k is not k0 or v is not v0 for (k, v), (k0, v0) in zip(items, value.items()))
        return dict(items) if changed else value
    if type(value) in (list, tuple, set, frozenset):
        items = [_walk(v, depth + 1) for v in value]
        return type(value)(items) if any(a is not b for a, b in zip(items, value)) else value
    return value


# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is scrubbed too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class SecretMaskingFilter(logging.Filter):
    """Rewrites a record so no registered secret reaches any handler: the message with its args, the
    traceback and stack texts, and the ``extra`` fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _ordered:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error handling
            return True
        masked = mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info != (None, None, None):
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            if mask(text) != text:
                record.exc_info = None  # the exception object itself would carry the secret to a handler
            record.exc_text = mask(text)
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD:
                setattr(record, name, scrub(value))
        return True


_FILTER = SecretMaskingFilter()
# Filters on a logger see only records logged to that very logger, not its children's: each gets one.
for _name in ("akool_nb", "akool_nb.sim", "akool_nb.widgets", "akool_nb.jobs"):
    logging.getLogger(_name).addFilter(_FILTER)


def get_logger(name: str) -> logging.Logger:
    """A logger under ``akool_nb`` with the masking filter attached (use it for new child loggers)."""
    child = logging.getLogger(name)
    if _FILTER not in child.filters:
        child.addFilter(_FILTER)
    return child
