"""The Akool webhook scheme (catalog §E): sha1 signature over the sorted fields, AES-CBC/PKCS#7/base64 data."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import random
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from Crypto.Cipher import AES

from akool_nb._exceptions import WebhookError, WebhookReplayError
from akool_nb.webhook import ReplayGuard, SQLiteReplayGuard, sign_and_encrypt, signature_for
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


def reject(body, reason: str, *, client_id: str = CLIENT_ID, secret: str = SECRET_24, **kw) -> WebhookError:
    kw = {"client_id": client_id, "client_secret": secret, **kw}
    with pytest.raises(WebhookError) as info:
        verify_and_decrypt(body, **kw)
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
    data = verify_and_decrypt(body, client_id=CLIENT_ID, client_secret=SECRET_24, now=ts / 1000)
    assert data == json.loads(plaintext)


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


# --- fresh: the timestamp is an integer millisecond epoch within the tolerance ---------------------------------


def fresh(data=DATA, *, at=None, nonce=None):
    """A genuine body signed at ``at`` (epoch seconds, default now)."""
    ts = int((time.time() if at is None else at) * 1000)
    return sign_and_encrypt(data, client_id=CLIENT_ID, client_secret=SECRET_24, timestamp=ts, nonce=nonce)


@pytest.mark.parametrize("age, reason", [(301, "5 minutes old"), (6 * 60, "6 minutes old"), (86400, "24 hours old"),
                                         (365 * 86400, "365 days old"), (-301, "in the future"),
                                         (-86400 * 30, "30 days in the future")])
def test_stale_and_future_deliveries_are_refused_with_their_age(age, reason):
    reject(fresh(at=time.time() - age), reason, now=None)


@pytest.mark.parametrize("age", [0, 299, -299])
def test_a_delivery_within_five_minutes_either_way_is_accepted(age):
    assert verify_now(fresh(at=time.time() - age), client_id=CLIENT_ID, client_secret=SECRET_24) == DATA


@pytest.mark.parametrize("tolerance", [30, 30.0, timedelta(seconds=30)])
def test_tolerance_is_configurable_in_seconds_or_as_a_timedelta(tolerance):
    kw = dict(client_id=CLIENT_ID, client_secret=SECRET_24, tolerance=tolerance)
    assert verify_now(fresh(at=time.time() - 25), **kw) == DATA
    with pytest.raises(WebhookError, match="tolerance is 30 s"):
        verify_now(fresh(at=time.time() - 35), **kw)
    assert verify_now(fresh(at=time.time() - 3000), **{**kw, "tolerance": 3600}) == DATA


@pytest.mark.parametrize("tolerance", [0, -5, float("nan"), float("inf"), "300", None, True])
def test_a_bad_tolerance_is_refused(tolerance):
    reject(E7, "tolerance must be a positive, finite number", tolerance=tolerance)


def test_a_seconds_timestamp_is_refused_as_seconds():
    reject(resign(dict(E7, timestamp=E7["timestamp"] // 1000)), "looks like seconds")


@pytest.mark.parametrize("timestamp, reason", [
    (1710757981609.0, "got float"), (True, "got bool"), ([1710757981609], "got list"), ({"ms": 1}, "got dict"),
    ("01710757981609", "13 digits"), ("171075798160", "13 digits"), (" 1710757981609", "13 digits"),
    ("1710757981609 ", "13 digits"), ("+1710757981609", "13 digits"),
    ("１７１０７５７９８１６０９", "13 digits"),
    (-1710757981609, "years old"), (10**4301, "in the future"), (-(10**5000), "ages old"), (171075798160, "old"),
], ids=lambda v: type(v).__name__ if isinstance(v, int) and abs(v) > 10**20 else None)
def test_timestamp_must_be_an_integer_millisecond_epoch(timestamp, reason):
    reject(dict(E7, timestamp=timestamp), reason)  # refused before the signature is even computed


def test_a_4301_digit_timestamp_in_json_text_is_a_webhook_error():
    text = json.dumps(E7).replace(str(E7["timestamp"]), "9" * 4301)
    reject(text, "not JSON")


# --- the nonce has the form Akool sends -----------------------------------------------------------------------


@pytest.mark.parametrize("nonce", ["1529", 1529, "0001", 0, "1234567890", 9_999_999_999, "7"])
def test_nonce_may_be_a_short_digit_string_or_number(nonce):
    body = resign(dict(E7, nonce=nonce))
    assert verify_and_decrypt(body, client_id=CLIENT_ID, client_secret=SECRET_24) == DATA


@pytest.mark.parametrize("nonce, reason", [
    ("12345678901", "1-10 digits"), (10**10, "out of range"), (-1, "out of range"), ("-1", "1-10 digits"),
    ("15a9", "1-10 digits"), (" 1529", "1-10 digits"), ("١٥٢٩", "1-10 digits"), ("", "1-10 digits"),
    (1529.0, "got float"), (False, "got bool"), (["1529"], "got list"), ("\ud800", "1-10 digits"),
], ids=lambda v: type(v).__name__ if isinstance(v, int) and abs(v) > 10**20 else None)
def test_nonce_in_another_form_is_refused(nonce, reason):
    reject(dict(E7, nonce=nonce), reason)


# --- the digit-shifting forgery -------------------------------------------------------------------------------


def shifted_forgeries(body: dict) -> list[dict]:
    """Every body that moves digits between timestamp and nonce and keeps the signature (and the ciphertext)."""
    t, n = str(body["timestamp"]), str(body["nonce"])
    forged = []
    for digits in {t + n, n + t}:
        for cut in range(1, len(digits)):
            for ts, nonce in ((digits[:cut], digits[cut:]), (digits[cut:], digits[:cut])):
                if (ts, nonce) != (t, n) and signature_for(CLIENT_ID, ts, nonce, body["dataEncrypt"]) == body[
                        "signature"]:
                    forged.append(dict(body, timestamp=int(ts) if ts.isdigit() else ts, nonce=nonce))
    return forged


def test_why_the_checks_close_the_digit_shifting_forgery():
    """Without separators, "1529"+"1710757981609" signs like "15291"+"710757981609": the signature holds, yet
    every shift changes the timestamp's length (not 13 digits) or its value by days or more (not fresh)."""
    rng, checked = random.Random(8), 0
    for _ in range(300):
        at = time.time() + rng.uniform(-3e7, 3e7)
        body = fresh(at=at, nonce=rng.choice([str(rng.randint(1000, 9999)), rng.randint(0, 10**6)]))
        for forged in shifted_forgeries(body):
            checked += 1
            ts = str(forged["timestamp"])
            assert len(ts) != 13 or abs(int(ts) - body["timestamp"]) > 86400 * 1000, (body, forged)
            with pytest.raises(WebhookError, match="timestamp|nonce"):
                verify_now(forged, client_id=CLIENT_ID, client_secret=SECRET_24, now=at)
    assert checked > 1000  # the shifts do keep the signature: the form and freshness checks refuse them


def test_the_rare_body_whose_digits_read_as_a_later_fresh_body_needs_the_replay_guard():
    """ "1771"+"1771000002345" also reads as "1771177100000"+"2345": fresh again 20 days later. No stateless check
    can tell the two apart; a guard remembers the signature until every reading is stale."""
    kw = dict(client_id=CLIENT_ID, client_secret=SECRET_24)
    body = sign_and_encrypt(DATA, **kw, timestamp=1771000002345, nonce="1771")
    later = dict(body, timestamp=1771177100000, nonce="2345")
    assert verify_now(later, **kw, now=1771177100.0) == DATA  # without a guard: the documented residue
    guard = ReplayGuard()
    assert verify_now(body, **kw, now=1771000002.345, replay_guard=guard) == DATA
    with pytest.raises(WebhookReplayError):
        verify_now(later, **kw, now=1771177100.0, replay_guard=guard)


# --- once: replay guards --------------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "sqlite"])
def guard(request, tmp_path):
    g = ReplayGuard() if request.param == "memory" else SQLiteReplayGuard(tmp_path / "seen.sqlite")
    yield g
    g.close()


def test_a_replay_inside_the_window_is_refused_and_outside_it_is_stale(guard):
    kw = dict(client_id=CLIENT_ID, client_secret=SECRET_24, replay_guard=guard)
    body, now = fresh(), time.time()
    assert verify_now(body, **kw, now=now) == DATA
    for replay in (body, json.dumps(body), json.dumps(body).encode(), dict(body, signature=body["signature"].upper())):
        with pytest.raises(WebhookReplayError, match="accepted before"):
            verify_now(replay, **kw, now=now + 200)
    with pytest.raises(WebhookError, match="old") as info:
        verify_now(body, **kw, now=now + 400)
    assert not isinstance(info.value, WebhookReplayError)
    assert verify_now(fresh(), **kw) == DATA  # another delivery is not a replay


def test_the_guard_remembers_a_signature_until_its_timestamp_leaves_the_window(guard):
    now = time.time()
    # A nonce of zeros sorts before the timestamp and no timestamp can start with 0: the body's digits have no
    # other reading, so the guard keeps it exactly timestamp + tolerance (a random nonce sometimes has a later
    # reading, which the guard rightly waits for: that made this test fail once in a while).
    body = fresh(at=now, nonce="0000")
    verify_now(body, client_id=CLIENT_ID, client_secret=SECRET_24, replay_guard=guard, now=now, tolerance=60)
    assert body["signature"] in guard and len(guard) == 1
    assert not guard.claim(body["signature"], now + 60, now=now + 59)
    assert guard.claim(body["signature"], now + 200, now=now + 61)  # expired: the claim is new again


def test_forget_lets_a_failed_delivery_be_processed_on_akools_retry(guard):
    kw = dict(client_id=CLIENT_ID, client_secret=SECRET_24, replay_guard=guard)
    body = fresh()
    verify_now(body, **kw)
    guard.forget(body["signature"])
    assert verify_now(body, **kw) == DATA


def test_only_verified_bodies_are_remembered(guard):
    body = fresh()
    with pytest.raises(WebhookError):
        verify_now(dict(body, dataEncrypt=body["dataEncrypt"][:-4] + "AAA="), client_id=CLIENT_ID,
                   client_secret=SECRET_24, replay_guard=guard)
    with pytest.raises(WebhookError, match="wrong client_secret"):
        verify_now(body, client_id=CLIENT_ID, client_secret="X" * 24, replay_guard=guard)
    assert len(guard) == 0
    assert verify_now(body, client_id=CLIENT_ID, client_secret=SECRET_24, replay_guard=guard) == DATA


def test_the_same_body_from_16_threads_is_accepted_exactly_once(guard):
    body, results = fresh(), []

    def deliver():
        try:
            results.append(verify_now(body, client_id=CLIENT_ID, client_secret=SECRET_24, replay_guard=guard))
        except WebhookReplayError:
            results.append("replay")

    threads = [threading.Thread(target=deliver) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results)).count("replay") == 15 and DATA in results


def test_the_sqlite_guard_survives_a_restart_and_is_shared_across_processes(tmp_path):
    path = tmp_path / "hooks" / "seen.sqlite"
    body = fresh()
    with SQLiteReplayGuard(path) as guard:
        verify_now(body, client_id=CLIENT_ID, client_secret=SECRET_24, replay_guard=guard)
    with SQLiteReplayGuard(path) as again:  # the receiver restarted
        with pytest.raises(WebhookReplayError):
            verify_now(body, client_id=CLIENT_ID, client_secret=SECRET_24, replay_guard=again)
    code = ("import sys; from akool_nb.webhook import SQLiteReplayGuard as G; g = G(sys.argv[1]); "
            "print(g.claim(sys.argv[2], 9e12), g.claim('f' * 40, 9e12))")
    out = subprocess.run([sys.executable, "-c", code, str(path), body["signature"]], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]


def test_a_damaged_sqlite_guard_file_gives_a_clear_error(tmp_path):
    path = tmp_path / "seen.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(WebhookError, match="delete the file"):
        SQLiteReplayGuard(path).claim("a" * 40, 9e12)


# --- caps before parsing, and every malformed input is a WebhookError -----------------------------------------


def test_an_oversized_body_is_refused_before_parsing():
    big = json.dumps(dict(E7, padding="x" * 70_000))
    reject(big, "the limit is 65,536")
    reject(big.encode(), "the limit is 65,536")
    reject(json.dumps(E7), "the limit is 100", max_bytes=100)


@pytest.mark.parametrize("depth", [17, 1000, 100_000])
def test_deep_nesting_is_refused_before_parsing(depth):
    text = json.dumps(dict(E7, extra=None)).replace("null", "[" * depth + "]" * depth)
    reject(text, "nests deeper than 16", max_bytes=10**6)
    reject(text.encode(), "nests deeper than 16", max_bytes=10**6)


def test_brackets_inside_strings_do_not_count_as_nesting():
    body = resign(dict(E7, nonce="1529"))
    body["note"] = "[" * 1000 + '\\"{' * 50
    assert verify_and_decrypt(json.dumps(body), client_id=CLIENT_ID, client_secret=SECRET_24) == DATA


def test_deeply_nested_decrypted_data_is_refused():
    reject(envelope(b'{"a":' + b"[" * 500 + b"]" * 500 + b"}"), "decrypted data nests deeper")


def _deep(n):
    value = []
    for _ in range(n):
        value = [value]
    return value


MALFORMED = [
    None, 0, -1, 10**5000, 1.5, float("nan"), True, b"", "", "null", "{}", "[]", "\ud800", b"\xed\xa0\x80",
    '{"signature": "\ud800"}', [E7], (E7,), {1, 2}, object(), bytearray(b"{"), memoryview(b"[]"),
    "[" * 100_000, "{\"a\":" * 50_000, _deep(100_000), {"signature": _deep(100_000)},
    dict(E7, signature="g" * 40), dict(E7, signature="0" * 39), dict(E7, signature=40 * "\ud800"),
    dict(E7, signature=b"f" * 40), dict(E7, dataEncrypt="\ud800" * 64), dict(E7, dataEncrypt=_deep(50_000)),
    dict(E7, dataEncrypt=""), dict(E7, dataEncrypt="é" * 64), dict(E7, timestamp=_deep(100_000)),
    dict(E7, nonce=_deep(100_000)), dict(E7, nonce=10**5000), dict(E7, timestamp=float("inf")),
    json.dumps(E7).replace('"1529"', "1e999"), json.dumps(E7)[:-1], json.dumps(E7) + "x",
    "\ufeff" + json.dumps(E7), json.dumps(E7).encode("utf-16"),
]


@pytest.mark.parametrize("payload", MALFORMED, ids=[f"m{i}" for i in range(len(MALFORMED))])
def test_every_malformed_input_is_a_webhook_error_without_the_secret(payload):
    with pytest.raises(WebhookError) as info:
        verify_and_decrypt(payload, client_id=CLIENT_ID, client_secret=SECRET_24)
    text = str(info.value) + repr(info.value)
    assert SECRET_24 not in text and len(text) < 600


@pytest.mark.parametrize("kw, reason", [
    (dict(client_id=None), "client_id must be a non-empty str"), (dict(client_id=""), "client_id must be"),
    (dict(client_secret=None), "client_secret must be a non-empty str"), (dict(client_id="\udc00"), "surrogate"),
    (dict(client_secret="\udc00" * 24), "surrogate"), (dict(max_bytes=0), "max_bytes must be a positive int"),
    (dict(max_depth="16"), "max_depth must be"), (dict(now=float("nan")), "now must be"),
    (dict(replay_guard=set()), "replay_guard must be a ReplayGuard"),
])
def test_a_misconfigured_receiver_is_told_what_is_wrong(kw, reason):
    reject(E7, reason, **kw)


def test_signatures_are_compared_in_constant_time(monkeypatch):
    import hmac

    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    verify_and_decrypt(E7, client_id=CLIENT_ID, client_secret=SECRET_24)
    assert calls == [(E7["signature"], E7["signature"])]
