"""Typed errors. Every error the toolkit raises derives from :class:`AkoolError`.

Errors the service answers (``code != 1000``) become an :class:`APIError` subclass chosen by the Akool
business code (the global table in the docs' "Error Code" page), carrying ``code``, ``message``,
``endpoint`` and, where known, ``job_id``. No error text ever contains credentials: messages are built
from the service's ``msg`` and our own wording only.
"""
from __future__ import annotations

import re
from typing import Any

# The docs' global error-code table (ai-tools-suite/error-code), plus the knowledge-base codes.
ERROR_CODES: dict[int, str] = {
    1003: "Parameter error",
    1004: "Requires verification",
    1005: "Frequent operation",
    1006: "Insufficient quota balance",
    1007: "Face count changes exceed",
    1008: "content not exist",
    1009: "permission denied",
    1010: "This content cannot be operated",
    1011: "This content has been operated",
    1013: "Use audio in video",
    1014: "Resource does not exist",
    1015: "Video processing error",
    1016: "Face swapping error",
    1017: "Audio not created",
    1101: "Illegal token",
    1102: "token cannot be empty",
    1103: "Not paid or payment is overdue",
    1104: "Insufficient credit balance",
    1105: "avatar processing error",
    1108: "image processing error",
    1109: "account not exist",
    1110: "audio processing error",
    1111: "avatar callback processing error",
    1112: "voice processing error",
    1200: "Account blocked",
    1201: "create audio processing error",
    1202: "Video lip sync same language out of range",
    1203: "Using Video and Audio",
    1204: "video duration exceed",
    1205: "create video processing error",
    1206: "background change processing error",
    1207: "video size exceed",
    1208: "video parsing error",
    1209: "The video encoding format is not supported",
    1210: "video fps exceed",
    1211: "Creating lip sync errors",
    1212: "Sentiment analysis fails",
    1213: "Requires subscription user to use",
    1214: "liveAvatar in processing",
    1215: "liveAvatar processing is busy",
    1216: "liveAvatar session not exist",
    1217: "liveAvatar callback error",
    1218: "liveAvatar processing error",
    1219: "liveAvatar closed",
    1220: "liveAvatar upload avatar error",
    1221: "Account not subscribed",
    1222: "Resource already exist",
    1223: "liveAvatar upload exceed",
    1232: "Knowledge not found",
    1233: "Knowledge already exists",
    1234: "Knowledge creation error",
    1235: "Knowledge update error",
    1236: "Knowledge detail error",
}


class AkoolError(Exception):
    """Base of every akool_nb error.

    Its message, args, repr and ``body`` never hold a registered secret (API key, client secret, token):
    they are scrubbed when set (:func:`akool_nb._logging.scrub`), also when the service echoed one back.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        endpoint: str | None = None,
        job_id: str | None = None,
        http_status: int | None = None,
        body: Any = None,
    ) -> None:
        self.message = message
        self.code = code
        self.endpoint = endpoint
        self.job_id = job_id
        self.http_status = http_status
        self.body = body
        super().__init__(self.message)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("message", "body", "endpoint", "job_id", "args"):
            from ._logging import scrub  # a service that echoes a key back must not leak it into tracebacks

            value = scrub(value)
        super().__setattr__(name, value)

    def __str__(self) -> str:
        parts = []
        if self.code is not None:
            parts.append(f"[Akool {self.code}]")
        parts.append(self.message)
        where = []
        if self.endpoint:
            where.append(self.endpoint)
        if self.job_id:
            where.append(f"job {self.job_id}")
        if where:
            parts.append(f"({'; '.join(where)})")
        from ._logging import mask  # secrets registered after the error was made are masked too

        return mask(" ".join(parts))

    def __repr__(self) -> str:
        from ._logging import mask

        return mask(super().__repr__())


class MissingCredentialsError(AkoolError):
    """No API key could be found (argument, AKOOL_API_KEY, Colab secret)."""


class APIError(AkoolError):
    """The service answered with a business error code (code != 1000) or an error envelope."""


class AuthError(APIError):
    """1101 invalid/expired token or key, 1102 missing credentials."""


class PermissionDeniedError(APIError):
    """1009 permission denied, 1200 account blocked, 1213/1221 subscription needed."""


class QuotaError(APIError):
    """1006 insufficient quota, 1103 unpaid, 1104 insufficient credit."""


class RateLimitError(APIError):
    """1005 frequent operation. Retried automatically; raised when retries run out."""

    retry_after: float | None = None


class InvalidRequestError(APIError):
    """1003 parameter error and the documented limit codes (1007, 1204, 1207, 1209, 1210, ...)."""


class NotFoundError(APIError):
    """1008 content not exist, 1014 resource does not exist, 1216 session, 1232 knowledge."""


class ServerError(APIError):
    """HTTP 5xx without a usable envelope, after retries."""


class APIConnectionError(AkoolError):
    """The request could not be completed (connection refused, timeout) after retries."""


class APITimeoutError(APIConnectionError, TimeoutError):
    """No answer in time: the configured timeout ran out on the last attempt, or the call's deadline
    passed (then no further attempt or wait was started). Inside ``wait()`` it becomes
    :class:`JobTimeoutError`. A paid create that may have reached the server raises
    :class:`AmbiguousSubmitError` instead. ``by_deadline`` says which of the two ran out."""

    by_deadline: bool = False


class AmbiguousSubmitError(APIConnectionError):
    """A paid create may have reached the server but no answer came back, and whether it made a job could
    not be decided (where the product's list can show the job, the client looked first and attached it).

    It is never sent again blindly (that could pay twice). ``entry`` is the journal entry that keeps the
    request (listed by ``client.jobs.recent()``, settled by ``client.jobs.reconcile(entry, ...)``; None with
    ``journal=False``); ``reason`` says how the answer was lost. The message says what is known.
    """

    def __init__(self, message: str, *, entry: Any = None, reason: str | None = None, **kwargs: Any) -> None:
        self.entry = entry
        self.reason = reason
        super().__init__(message, **kwargs)


class JobFailedError(AkoolError):
    """A job finished with status 4 (failed)."""


class JobTimeoutError(AkoolError, TimeoutError):
    """``wait()`` ran past its deadline. The job goes on at Akool; ``job_id`` re-attaches to it."""


class WebhookError(AkoolError, ValueError):
    """A webhook payload could not be verified, decrypted or parsed, or is stale."""


class WebhookReplayError(WebhookError):
    """A genuine webhook body that was accepted before (a replay, or Akool retrying after a lost 200).

    :class:`~akool_nb.webhook.Receiver` answers it 200 (so Akool stops retrying) without recording it again.
    """


_CODE_CLASSES: dict[int, type[APIError]] = {}
for _cls, _codes in (
    (AuthError, (1101, 1102)),
    (PermissionDeniedError, (1009, 1200, 1213, 1221)),
    (QuotaError, (1006, 1103, 1104)),
    (RateLimitError, (1005,)),
    (InvalidRequestError, (1003, 1007, 1202, 1203, 1204, 1207, 1209, 1210)),
    (NotFoundError, (1008, 1014, 1216, 1232)),
):
    for _code in _codes:
        _CODE_CLASSES[_code] = _cls


def error_for_code(
    code: int | None,
    msg: str | None,
    *,
    endpoint: str | None = None,
    job_id: str | None = None,
    http_status: int | None = None,
    body: Any = None,
) -> APIError:
    """Build the typed exception for an Akool business code."""
    cls = _CODE_CLASSES.get(code, APIError) if code is not None else APIError
    meaning = ERROR_CODES.get(code) if code is not None else None
    text = (msg or "").strip() or meaning or "unknown error"
    if meaning and meaning.lower() not in text.lower():
        text = f"{text} ({meaning})"
    return cls(text, code=code, endpoint=endpoint, job_id=job_id, http_status=http_status, body=body)


class InvalidParameterError(AkoolError, ValueError):
    """An argument cannot be sent as it is. Raised before any request: nothing was sent or paid for.

    ``param`` is the argument as the user wrote it (``text``, ``elements[0].url``); ``field`` is the wire
    field when Akool names it differently (``input_text``). The message says what is wrong with the value
    and how to fix it: ``speed=5: must be between 0.7 and 1.2; pass e.g. speed=1.0``."""

    MAX_MESSAGE = 600  # a message never echoes a huge value back

    def __init__(self, param: str, message: str, *, endpoint: str | None = None, field: str | None = None,
                 value: Any = ...) -> None:
        from .models._base import short

        self.param = param
        self.field = field if field != param else None
        message = re.sub(r"<([\w.]+) object at 0x[0-9a-fA-F]+>", r"a \1 object", message)
        if len(message) > self.MAX_MESSAGE:
            message = message[:400] + " … " + message[-150:]
        self.problem = message
        head = param if value is ... else f"{param}={short(value)}"
        if self.field:
            head += f" (sent as {self.field})"
        super().__init__(f"{head}: {message}", endpoint=endpoint)
