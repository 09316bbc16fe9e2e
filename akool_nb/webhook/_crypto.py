"""The cryptography of Akool's webhook scheme (catalog §E.4-E.5): the sha1 signature and AES-CBC data."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import string
import time
from typing import Any

from Crypto.Cipher import AES
from Crypto.Util.Padding import pad, unpad

from akool_nb._exceptions import WebhookError

WRONG_CREDS = "(wrong client_secret or client_id?)"


def signature_for(client_id: str, timestamp: Any, nonce: Any, data_encrypt: str) -> str:
    """Lowercase sha1 hex of the lexicographically sorted, concatenated four values (stringified)."""
    parts = sorted([client_id, str(timestamp), str(nonce), data_encrypt])
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()


def check_credentials(client_id: Any, client_secret: Any) -> None:
    """Refuse a misconfigured receiver with a reason that never shows the secret itself."""
    for name, value in (("client_id", client_id), ("client_secret", client_secret)):
        if not isinstance(value, str) or not value:
            raise WebhookError(f"{name} must be a non-empty str (your Akool {name}), got {type(value).__name__}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise WebhookError(f"{name} contains a lone surrogate; it cannot be your Akool {name}") from None
    size = len(client_secret.encode("utf-8"))
    if size not in (16, 24, 32):
        raise WebhookError(f"client_secret is {size} bytes (UTF-8); AES needs 16, 24 or 32 bytes (AES-128/192/256)")


def _cipher(client_id: str, client_secret: str):
    check_credentials(client_id, client_secret)
    iv = client_id.encode("utf-8")[:16].ljust(16, b"\0")
    return AES.new(client_secret.encode("utf-8"), AES.MODE_CBC, iv)


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


def decrypt_text(data_encrypt: str, client_id: str, client_secret: str) -> str:
    """The UTF-8 plaintext of ``dataEncrypt``; bad padding or bad UTF-8 means the wrong key (or a forgery)."""
    raw = _ciphertext_bytes(data_encrypt)
    try:
        plain = unpad(_cipher(client_id, client_secret).decrypt(raw), 16, style="pkcs7")
    except ValueError:
        raise WebhookError(f"dataEncrypt has bad PKCS#7 padding after decryption {WRONG_CREDS}") from None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookError(f"decrypted data is not UTF-8 {WRONG_CREDS}") from None


def akool_nonce() -> str:
    """A nonce in the form Akool sends: a short digit string (the docs' examples show ``"1529"``)."""
    return str(1000 + secrets.randbelow(9000))


def sign_and_encrypt(
    data: dict,
    *,
    client_id: str,
    client_secret: str,
    timestamp: int | None = None,
    nonce: str | int | None = None,
) -> dict:
    """Build the webhook body Akool would send for ``data`` now (used by the offline Akool)."""
    plain = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    encrypted = base64.b64encode(_cipher(client_id, client_secret).encrypt(pad(plain, 16, style="pkcs7"))).decode()
    timestamp = int(time.time() * 1000) if timestamp is None else timestamp
    nonce = akool_nonce() if nonce is None else nonce
    return {
        "signature": signature_for(client_id, timestamp, nonce, encrypted),
        "dataEncrypt": encrypted,
        "timestamp": timestamp,
        "nonce": nonce,
    }
