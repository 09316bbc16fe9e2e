"""Akool webhook payloads: verify the signature, decrypt the data (and the inverse, for the offline Akool).

Akool POSTs ``{"signature", "dataEncrypt", "timestamp", "nonce"}`` to your ``webhookUrl``:

* ``signature = sha1_hex("".join(sorted([client_id, str(timestamp), str(nonce), dataEncrypt])))``
* ``dataEncrypt = base64(AES-CBC(json, key=client_secret, iv=client_id))`` with PKCS#7 padding to 16 bytes.

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

Every failure raises :class:`~akool_nb._exceptions.WebhookError`; no message ever contains the secret.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import string
import time
from typing import Any

from Crypto.Cipher import AES
from Crypto.Util.Padding import pad, unpad

from akool_nb._exceptions import WebhookError

__all__ = ["verify_and_decrypt", "sign_and_encrypt", "signature_for"]

FIELDS = ("signature", "dataEncrypt", "timestamp", "nonce")
_WRONG_CREDS = "(wrong client_secret or client_id?)"


def _text(value: Any) -> str:
    """String form used for signing: integral floats print like JavaScript's ``String(1710757981609)``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def signature_for(client_id: str, timestamp: Any, nonce: Any, data_encrypt: str) -> str:
    """Lowercase sha1 hex of the lexicographically sorted, concatenated four values."""
    parts = sorted([client_id, _text(timestamp), _text(nonce), data_encrypt])
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()


def _cipher(client_id: str, client_secret: str):
    key = client_secret.encode("utf-8")
    if len(key) not in (16, 24, 32):
        raise WebhookError(
            f"client_secret is {len(key)} bytes (UTF-8); AES needs 16, 24 or 32 bytes (AES-128/192/256)"
        )
    iv = client_id.encode("utf-8")[:16].ljust(16, b"\0")
    return AES.new(key, AES.MODE_CBC, iv)


def _ciphertext_bytes(data_encrypt: str) -> bytes:
    text = data_encrypt.strip()
    if text and len(text) % 32 == 0 and all(c in string.hexdigits for c in text):
        raw = bytes.fromhex(text)  # Java sample #1 (printHexBinary)
    else:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise WebhookError(f"dataEncrypt is not valid base64: {exc}") from None
    if not raw or len(raw) % 16:
        raise WebhookError(f"dataEncrypt is {len(raw)} bytes; AES-CBC needs a non-zero multiple of 16")
    return raw


def _parse(payload: Any) -> dict:
    if isinstance(payload, (bytes, bytearray, memoryview)):
        try:
            payload = bytes(payload).decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookError("webhook body is not UTF-8") from None
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise WebhookError(f"webhook body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise WebhookError(f"webhook body must be a JSON object, got {type(payload).__name__}")
    for field in FIELDS:
        if payload.get(field) is None:
            raise WebhookError(f"webhook body is missing field {field!r}")
    for field in ("signature", "dataEncrypt"):
        if not isinstance(payload[field], str):
            raise WebhookError(f"webhook field {field!r} must be a string, got {type(payload[field]).__name__}")
    return payload


def verify_and_decrypt(payload: Any, *, client_id: str, client_secret: str) -> dict:
    """Check the signature of an Akool webhook body (dict, JSON text or raw bytes) and return its decrypted data."""
    body = _parse(payload)
    cipher = _cipher(client_id, client_secret)  # fail fast on a misconfigured key
    expected = signature_for(client_id, body["timestamp"], body["nonce"], body["dataEncrypt"])
    if not hmac.compare_digest(expected.encode(), body["signature"].strip().lower().encode("utf-8")):
        raise WebhookError("signature mismatch: the body was altered, forged, or signed for another client_id")
    raw = _ciphertext_bytes(body["dataEncrypt"])
    try:
        plain = unpad(cipher.decrypt(raw), 16, style="pkcs7")
    except ValueError:
        raise WebhookError(f"dataEncrypt has bad PKCS#7 padding after decryption {_WRONG_CREDS}") from None
    try:
        text = plain.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookError(f"decrypted data is not UTF-8 {_WRONG_CREDS}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WebhookError(f"decrypted data is not JSON ({exc}) {_WRONG_CREDS}") from None
    if not isinstance(data, dict):
        raise WebhookError(f"decrypted data must be a JSON object, got {type(data).__name__}")
    return data


def sign_and_encrypt(
    data: dict,
    *,
    client_id: str,
    client_secret: str,
    timestamp: int | None = None,
    nonce: str | int | None = None,
) -> dict:
    """Build the webhook body Akool would send for ``data`` (used by the offline Akool)."""
    plain = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    encrypted = base64.b64encode(_cipher(client_id, client_secret).encrypt(pad(plain, 16, style="pkcs7"))).decode()
    timestamp = int(time.time() * 1000) if timestamp is None else timestamp
    nonce = f"{secrets.randbelow(10**6):06d}" if nonce is None else nonce
    return {
        "signature": signature_for(client_id, timestamp, nonce, encrypted),
        "dataEncrypt": encrypted,
        "timestamp": timestamp,
        "nonce": nonce,
    }
