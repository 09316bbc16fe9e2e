"""The ``akool_nb`` logger, with a filter that masks every secret a client has registered."""
from __future__ import annotations

import logging
import threading

logger = logging.getLogger("akool_nb")

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    # Very short strings would mask ordinary words; real keys are long.
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def mask(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, "***")
    return text


class SecretMaskingFilter(logging.Filter):
    """Rewrites a record's final message so no registered secret reaches any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error handling
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


logger.addFilter(SecretMaskingFilter())
