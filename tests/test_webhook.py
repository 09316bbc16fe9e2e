"""The Akool webhook scheme (catalog §E): sha1 signature over the sorted fields, AES-CBC/PKCS#7/base64 data."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import time

import pytest
from Crypto.Cipher import AES

from akool_nb._exceptions import WebhookError
from akool_nb.webhook import sign_and_encrypt, signature_for
from akool_nb.webhook import verify_and_decrypt as verify_now

CLIENT_ID = "AKDt8rWEczpYPzCG"  # 16 bytes
SECRET_24 = "nmwUjMAK0PJpl0MOiXLOOOwZ"  # 24 bytes -> AES-192, as the docs say
DATA = {"_id": "660d15b83ec46e810ca642f5", "status": 3, "type": "image", "url": "https://example.com/result.png"}

# Catalog §E.7 self-generated vector.
E7 = {
    "signature": "f625f4e6cd13f0628aea31f7b808b61a9b3860a4",
    "dataEncrypt": "Tji47VdusUW5jEf8diSUxTs0q0qBVLIjelTcxs49PGJQRDHCAQhmpAjX6egc74xn2IY9qxgPUK+9cuj03xC+wcUG4g3J6RC7"
    "bqYgbGfZ5n/4uwB0+e7UWXM4FILwvZn9aI297TYSYQtAfQKdhWGxOw==",
    "timestamp": 1710757981609,
    "nonce": "1529",
}
AT_E7 = E7["timestamp"] / 1000  # the vector's own moment: fixed bodies are judged fresh as of then
E7_PLAINTEXT = '{"_id":"660d15b83ec46e810ca642f5","status":3,"type":"image","url":"https://example.com/result.png"}'

# The docs' worked example (§E.6): not self-consistent, must be rejected.
DOCS_EXAMPLE = {
    "signature": "04e30dd43d9d8f95dd7c127dad617f0929d61c1d",
    "dataEncrypt": "LuG1OVSVIwOO/xpW00eSYo77Ncxa9h4VKmOJRjwoyoAmCIS/8FdJRJ+BpZn90BVAAg8xpU1bMmcDlAYDT010Wa9tNi1jivX25Ld03iA4EKs=",
    "timestamp": 1710757981609,
    "nonce": 1529,
}
DOCS_CLIENT_ID = "AKDt8rWEczpYPzCGur2xE="
DOCS_SECRET = "nmwUjMAK0PJpl0MOiXLOOOwZADm0gkLo"


def verify_and_decrypt(body, **kw):
    """The real check, as of the catalog vector's moment (the fixed bodies below carry its timestamp)."""
    kw.setdefault("now", AT_E7)
    return verify_now(body, **kw)


def envelope(plaintext: bytes, *, client_id: str = CLIENT_ID, secret: str = SECRET_24) -> dict:
    """An independently built body around arbitrary plaintext bytes (pycryptodome + hashlib, no akool_nb)."""
    padded = plaintext + bytes([16 - len(plaintext) % 16]) * (16 - len(plaintext) % 16)
    iv = client_id.encode()[:16].ljust(16, b"\0")
    ct = base64.b64encode(AES.new(secret.encode(), AES.MODE_CBC, iv).encrypt(padded)).decode()
    return resign({"dataEncrypt": ct, "timestamp": 1710757981609, "nonce": "1529"}, client_id)


def resign(body: dict, client_id: str = CLIENT_ID) -> dict:
    parts = sorted([client_id, str(body["timestamp"]), str(body["nonce"]), body["dataEncrypt"]])
    return {**body, "signature": hashlib.sha1("".join(parts).encode()).hexdigest()}


def reject(body, reason: str, *, client_id: str = CLIENT_ID, secret: str = SECRET_24) -> WebhookError:
    with pytest.raises(WebhookError) as info:
        verify_and_decrypt(body, client_id=client_id, client_secret=secret)
    assert reason in str(info.value)
    assert secret not in str(info.value) and secret not in repr(info.value)
    return info.value


# --- round trip ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", ["k" * 16, SECRET_24, "s" * 32], ids=["aes128", "aes192", "aes256"])
@pytest.mark.parametrize("client_id", ["short", CLIENT_ID, "AKDt8rWEczpYPzCGur2xE=", "ünïcødé-client-id-longer"])
def test_round_trip_for_every_key_size_and_client_id_length(secret, client_id):
    body = sign_and_encrypt(DATA, client_id=client_id, client_secret=secret)
    assert set(body) == {"signature", "dataEncrypt", "timestamp", "nonce"}
    assert verify_now(body, client_id=client_id, client_secret=secret) == DATA


def test_defaults_are_akools_form_a_ms_timestamp_of_now_and_a_four_digit_nonce():
    before = time.time() * 1000
    bodies = [sign_and_encrypt(DATA, client_id=CLIENT_ID, client_secret=SECRET_24) for _ in range(200)]
    assert all(isinstance(b["timestamp"], int) and before - 1 <= b["timestamp"] <= time.time() * 1000 + 1
               for b in bodies)
    assert all(isinstance(b["nonce"], str) and re.fullmatch(r"[1-9][0-9]{3}", b["nonce"]) for b in bodies)
    assert len({b["nonce"] for b in bodies}) > 150  # random, like "1529"


@pytest.mark.parametrize(
    "timestamp, nonce",
    [(1710757981609, "1529"), (1710757981609, 1529), ("1710757981609", "1529"), ("1710757981609", 1529)],
)
def test_timestamp_and_nonce_may_be_numbers_or_strings(timestamp, nonce):
    body = sign_and_encrypt(DATA, client_id=CLIENT_ID, client_secret=SECRET_24, timestamp=1710757981609, nonce="1529")
    body.update(timestamp=timestamp, nonce=nonce)  # same signature whatever the JSON type
    assert verify_and_decrypt(body, client_id=CLIENT_ID, client_secret=SECRET_24) == DATA


@pytest.mark.parametrize("form", ["dict", "str", "bytes"])
def test_payload_may_be_dict_json_text_or_raw_bytes(form):
    body = sign_and_encrypt(DATA, client_id=CLIENT_ID, client_secret=SECRET_24)
    payload = {"dict": body, "str": json.dumps(body), "bytes": json.dumps(body).encode()}[form]
    assert verify_now(payload, client_id=CLIENT_ID, client_secret=SECRET_24) == DATA


def test_unicode_payload_round_trips_and_is_encoded_compactly_as_utf8():
    data = {"type": "talking photo", "msg": "héllo 世界 🎬", "status": 3}
    body = sign_and_encrypt(data, client_id=CLIENT_ID, client_secret=SECRET_24)
    assert verify_now(body, client_id=CLIENT_ID, client_secret=SECRET_24) == data
    iv = CLIENT_ID.encode()
    plain = AES.new(SECRET_24.encode(), AES.MODE_CBC, iv).decrypt(base64.b64decode(body["dataEncrypt"]))
    assert plain[: -plain[-1]] == '{"type":"talking photo","msg":"héllo 世界 🎬","status":3}'.encode()


@pytest.mark.parametrize("client_id", ["abc", "AKDt8rWEczpYPzCGur2xE=", "é" * 10], ids=["short", "22-bytes", "utf8"])
def test_iv_is_the_first_16_utf8_bytes_of_client_id_zero_padded(client_id):
    body = envelope(E7_PLAINTEXT.encode(), client_id=client_id)  # built without akool_nb
    assert verify_and_decrypt(body, client_id=client_id, client_secret=SECRET_24) == DATA


def test_signature_comparison_ignores_case():
    body = sign_and_encrypt(DATA, client_id=CLIENT_ID, client_secret=SECRET_24)
    body["signature"] = body["signature"].upper()
    assert verify_now(body, client_id=CLIENT_ID, client_secret=SECRET_24) == DATA


def test_hex_ciphertext_as_in_the_first_java_sample_is_accepted():
    hex_ct = base64.b64decode(E7["dataEncrypt"]).hex().upper()
    body = resign({**E7, "dataEncrypt": hex_ct})
    assert verify_and_decrypt(body, client_id=CLIENT_ID, client_secret=SECRET_24) == DATA


# --- the catalog's self-generated vector ----------------------------------------------------------------------


def test_catalog_e7_vector_signature_and_plaintext():
    assert signature_for(CLIENT_ID, E7["timestamp"], E7["nonce"], E7["dataEncrypt"]) == E7["signature"]
    assert verify_and_decrypt(E7, client_id=CLIENT_ID, client_secret=SECRET_24) == json.loads(E7_PLAINTEXT)


def test_sign_and_encrypt_reproduces_the_catalog_e7_vector():
    body = sign_and_encrypt(
        json.loads(E7_PLAINTEXT), client_id=CLIENT_ID, client_secret=SECRET_24, timestamp=1710757981609, nonce="1529"
    )
    assert body == E7


# --- an independent implementation: the openssl CLI -----------------------------------------------------------

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")


def openssl(*args: str, data: bytes) -> bytes:
    key, iv = SECRET_24.encode().hex(), CLIENT_ID.encode().hex()
    cmd = ["openssl", "enc", *args, "-aes-192-cbc", "-K", key, "-iv", iv, "-base64", "-A"]
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


@needs_openssl
def test_body_built_with_openssl_and_hashlib_is_accepted():
    plaintext = json.dumps({"_id": "abc", "status": 4, "type": "video translate", "url": ""}).encode()
    ct = openssl(data=plaintext).decode().strip()
    ts, nonce = 1720000000123, 987
    signature = hashlib.sha1("".join(sorted([CLIENT_ID, str(ts), str(nonce), ct])).encode()).hexdigest()
    body = {"signature": signature, "dataEncrypt": ct, "timestamp": ts, "nonce": nonce}
    assert verify_and_decrypt(body, client_id=CLIENT_ID, client_secret=SECRET_24, now=ts / 1000) == json.loads(plaintext)


@needs_openssl
def test_sign_and_encrypt_output_decrypts_with_openssl():
    data = {"_id": "xyz", "status": 3, "type": "audio", "url": "https://example.com/ä.mp3"}
    body = sign_and_encrypt(data, client_id=CLIENT_ID, client_secret=SECRET_24)
    assert json.loads(openssl("-d", data=body["dataEncrypt"].encode() + b"\n")) == data


# --- rejections -----------------------------------------------------------------------------------------------


def test_tampered_signature_is_rejected():
    body = dict(E7, signature="0" * 40)
    reject(body, "signature mismatch")


def test_changed_nonce_breaks_the_signature():
    reject(dict(E7, nonce="1530"), "signature mismatch")


def test_signature_for_another_client_id_is_rejected():
    reject(E7, "signature mismatch", client_id="AKsomeoneelse123")


def test_tampered_ciphertext_fails_padding_even_when_resigned():
    raw = bytearray(base64.b64decode(E7["dataEncrypt"]))
    raw[-17] ^= 0xFF  # flips the last plaintext byte (the pad length) to >= 0xEF
    reject(resign(dict(E7, dataEncrypt=base64.b64encode(raw).decode())), "padding")


def test_truncated_ciphertext_is_rejected_for_its_length():
    raw = base64.b64decode(E7["dataEncrypt"])[:-5]
    reject(resign(dict(E7, dataEncrypt=base64.b64encode(raw).decode())), "multiple of 16")


def test_wrong_client_secret_is_rejected():
    err = reject(E7, "wrong client_secret", secret="X" * 24)
    assert SECRET_24 not in str(err)


@pytest.mark.parametrize(
    "data_encrypt",
    ["not*base64!", E7["dataEncrypt"][:40] + "!" + E7["dataEncrypt"][40:], E7["dataEncrypt"].rstrip("=")],
    ids=["junk", "one-stray-char", "padding-stripped"],
)
def test_bad_base64_is_rejected_strictly(data_encrypt):
    reject(resign(dict(E7, dataEncrypt=data_encrypt)), "not valid base64")


def test_wrong_key_length_is_rejected_without_echoing_the_secret():
    secret = "openapi.akool.com"  # the auth page's sample secret: 17 bytes
    err = reject(E7, "17 bytes", secret=secret)
    assert "16, 24 or 32" in str(err)
    with pytest.raises(WebhookError, match="17 bytes"):
        sign_and_encrypt(DATA, client_id=CLIENT_ID, client_secret=secret)


@pytest.mark.parametrize("field", ["signature", "dataEncrypt", "timestamp", "nonce"])
def test_missing_field_is_named(field):
    body = {k: v for k, v in E7.items() if k != field}
    reject(body, f"missing field '{field}'")


@pytest.mark.parametrize("payload, reason", [(b"\xff\xfe", "not UTF-8"), ("{oops", "not JSON"), ("[1]", "JSON object")])
def test_unreadable_outer_body_is_rejected(payload, reason):
    reject(payload, reason)


def test_plaintext_that_is_not_json_is_rejected():
    reject(envelope(b"status=3&type=image"), "not JSON")


def test_plaintext_that_is_not_utf8_is_rejected():
    reject(envelope(b'{"url":"\xff"}'), "not UTF-8")


def test_json_plaintext_that_is_not_an_object_is_rejected():
    reject(envelope(b'["_id", 3]'), "JSON object, got list")


def test_the_docs_worked_example_is_rejected():
    """The docs' own example (§E.6) is not self-consistent (§E.7): its signature does not match."""
    reject(DOCS_EXAMPLE, "signature mismatch", client_id=DOCS_CLIENT_ID, secret=DOCS_SECRET)
