"""Akool webhook payloads: check they are genuine, fresh and new, then decrypt the data (and the inverse).

Akool POSTs ``{"signature", "dataEncrypt", "timestamp", "nonce"}`` to your ``webhookUrl``:

* ``signature = sha1_hex("".join(sorted([client_id, str(timestamp), str(nonce), dataEncrypt])))``
* ``dataEncrypt = base64(AES-CBC(json, key=client_secret, iv=client_id))`` with PKCS#7 padding to 16 bytes.

    from akool_nb.webhook import SQLiteReplayGuard, verify_and_decrypt
    guard = SQLiteReplayGuard("~/.akool_nb/webhooks.sqlite")     # or ReplayGuard() in memory
    data = verify_and_decrypt(request_body, client_id=..., client_secret=..., replay_guard=guard)

What :func:`verify_and_decrypt` checks, in this order (each refusal is a :class:`WebhookError` with the reason;
a replay is the subclass :class:`WebhookReplayError`):

1. **Size and depth before parsing**: at most ``max_bytes`` (64 KiB) of body and ``max_depth`` (16) levels of
   JSON nesting, for the outer body and the decrypted data alike. A dict body is read field by field only.
2. **Form**: ``signature`` is 40 hex digits; ``dataEncrypt`` base64 (or hex) text; ``timestamp`` an integer
   millisecond epoch (13 digits, a number or a digit string); ``nonce`` a digit string of 1-10 digits, as a
   string or a number (the docs show ``"1529"`` and ``1529``).
3. **Freshness**: ``timestamp`` within ``tolerance`` (5 minutes) of now, in the past or the future.
4. **Signature**: compared in constant time, case-insensitively.
5. **Decryption** into a JSON object. The signature involves no secret (anyone with the client id can compute
   it), so this step, keyed by the client secret, is what tells a genuine body from a forged one.
6. **Once**: with a ``replay_guard``, a signature accepted before (until its timestamp leaves the window) is
   refused. A guard keeps each signature exactly as long as the freshness check would still let it in.

Why 2+3 close the digit-shifting forgery: the signed string is the four values concatenated *without
separators*, so digits moved between ``timestamp`` and ``nonce`` (``"1529"+"1710757981609"`` read as
``"15291"+"710757981609"``) keep the signature. A shift changes the timestamp's length (refused: not 13
digits) or, when the two swap places in the sort order, its value by days to centuries (refused: not fresh).
One residue no stateless check can close: a rare body (its nonce equal to the timestamp's leading digits,
e.g. ``"1771"`` + ``"1771000002345"``) also reads as ``"1771177100000"`` + ``"2345"``, which is fresh 20 days
later for 10 minutes (0.3% of bodies have such a reading within a year). A replay guard closes it: it
remembers a signature until *every* reading (up to ``REPLAY_HORIZON``, ten years) is stale.

Traps in the docs (catalog §E.4-E.7, §F.8), handled here:

* ``timestamp`` is a number and ``nonce`` a string *or* a number; both are stringified before sorting
  (the docs' Python sample would raise ``TypeError``).
* "clientSecret is fixed at 24 characters" (AES-192), yet the example secret has 32: the AES variant follows
  the key length, 16/24/32 bytes. The IV is the first 16 bytes of the UTF-8 client id, ``\\0``-padded if shorter.
* PKCS#7 pads to the 16-byte AES block, not to the key length as the docs' text says.
* One Java sample sends hex instead of base64; a ciphertext made only of hex digits (a whole number of
  blocks) is read as hex.
* The docs' worked example (signature ``04e30dd…``) is not self-consistent: it neither verifies nor
  decrypts. Do not test against it.

No message ever contains the secret, and no input of any type escapes as anything but a WebhookError.

:class:`Receiver` builds on this: an ASGI app (and a small server) that records every delivery in the job
journal and finishes the jobs waiting for it, with polling only as the fallback (``Akool(webhooks=...)``).
"""
from __future__ import annotations

import hmac
import math
import time
from datetime import timedelta
from typing import Any

from akool_nb._exceptions import WebhookError, WebhookReplayError

from ._body import MAX_BODY_BYTES, MAX_DEPTH, NONCE_MAX_DIGITS, load_json, parse_body, read_fields, readings
from ._crypto import WRONG_CREDS, check_credentials, decrypt_text, sign_and_encrypt, signature_for
from ._replay import ReplayGuard, SQLiteReplayGuard

__all__ = [
    "DEFAULT_TOLERANCE", "MAX_BODY_BYTES", "MAX_DEPTH", "NONCE_MAX_DIGITS", "REPLAY_HORIZON", "ReplayGuard",
    "Receiver", "SQLiteReplayGuard", "WebhookError", "WebhookReplayError", "sign_and_encrypt", "signature_for",
    "verify_and_decrypt",
]


def __getattr__(name: str) -> Any:
    if name == "Receiver":  # the ASGI receiver (starlette, uvicorn) loads on first use
        from ._receiver import Receiver

        return Receiver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

DEFAULT_TOLERANCE = 300.0  # seconds: Akool's retries and a few minutes of clock skew fit in it
# A reading of a body's digits that turns fresh later than this is not worth remembering the body for
# (keys are rotated sooner). Measured on bodies in Akool's form: 0.3% have a reading that turns fresh within
# a year, 2.8% within ten, so a guard holds about that share of signatures for longer than the window.
REPLAY_HORIZON = 10 * 365.25 * 86400.0


def verify_and_decrypt(
    payload: Any,
    *,
    client_id: str,
    client_secret: str,
    tolerance: float | timedelta = DEFAULT_TOLERANCE,
    replay_guard: ReplayGuard | None = None,
    now: float | None = None,
    max_bytes: int = MAX_BODY_BYTES,
    max_depth: int = MAX_DEPTH,
) -> dict:
    """Check an Akool webhook body (raw bytes, JSON text or a dict) and return its decrypted data.

    ``tolerance``: how far ``timestamp`` may be from now (seconds or a timedelta). ``replay_guard``: a
    :class:`ReplayGuard` or :class:`SQLiteReplayGuard` refusing a body accepted before. ``now``: the time to
    judge freshness by (epoch seconds; default the clock), e.g. when re-checking a stored delivery.
    """
    check_credentials(client_id, client_secret)  # a misconfigured receiver fails on every body, say so first
    tolerance_s = _seconds("tolerance", tolerance)
    now_s = time.time() if now is None else _seconds("now", now)
    for name, limit in (("max_bytes", max_bytes), ("max_depth", max_depth)):
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise WebhookError(f"{name} must be a positive int, got {_shown(limit)}")
    if replay_guard is not None and not callable(getattr(replay_guard, "claim", None)):
        raise WebhookError(f"replay_guard must be a ReplayGuard or SQLiteReplayGuard, got {type(replay_guard).__name__}")
    body = parse_body(payload, max_bytes=max_bytes, max_depth=max_depth)
    fields = read_fields(body, now_ms=now_s * 1000, tolerance_s=tolerance_s, max_bytes=max_bytes)
    expected = signature_for(client_id, fields.timestamp_text, fields.nonce_text, fields.data_encrypt)
    if not hmac.compare_digest(expected, fields.signature):
        raise WebhookError("signature mismatch: the body was altered, forged, or signed for another client_id")
    data = load_json(decrypt_text(fields.data_encrypt, client_id, client_secret), "decrypted data",
                     max_depth=max_depth, hint=f" {WRONG_CREDS}")
    if not isinstance(data, dict):
        raise WebhookError(f"decrypted data must be a JSON object, got {type(data).__name__}")
    if replay_guard is not None:
        # Remembered until every reading of the signed digits (within the horizon) is stale.
        horizon_ms = (now_s + REPLAY_HORIZON) * 1000
        latest = max((ts for ts, _ in readings(client_id, fields) if ts <= horizon_ms), default=0)
        expires_at = max(latest, fields.timestamp_ms) / 1000 + tolerance_s
        if not replay_guard.claim(fields.signature, expires_at, now=now_s):
            raise WebhookReplayError(
                "replayed delivery: this signature was accepted before (a retry after a lost 200, or a replay)")
    return data


def _seconds(name: str, value: Any) -> float:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise WebhookError(f"{name} must be a positive, finite number of seconds (or a timedelta), got {_shown(value)}")
    return float(value)


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, float) or (isinstance(value, int) and abs(value) < 10**12) \
        else type(value).__name__
