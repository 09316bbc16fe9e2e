"""Fuzzing the webhook check with hypothesis: genuine bodies always verify, anything else is a WebhookError."""
from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akool_nb._exceptions import WebhookError
from akool_nb.webhook import ReplayGuard, WebhookReplayError, sign_and_encrypt, signature_for, verify_and_decrypt

CLIENT_ID, SECRET = "AKDt8rWEczpYPzCG", "nmwUjMAK0PJpl0MOiXLOOOwZ"
FUZZ = settings(max_examples=1000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

text = st.text(st.characters(codec=None), max_size=40)  # lone surrogates included
scalars = st.none() | st.booleans() | st.integers() | st.integers(min_value=10**4300, max_value=10**4400) \
    | st.floats() | text | st.binary(max_size=40)
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                    max_leaves=12)
json_data = st.dictionaries(st.text(max_size=10), st.recursive(
    st.none() | st.booleans() | st.integers(-10**15, 10**15) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6), max_size=4)
nonces = st.integers(0, 9999).map(str) | st.integers(0, 10**10 - 1) | st.from_regex(r"[0-9]{1,10}", fullmatch=True)


def as_form(body: dict, form: str):
    return {"dict": body, "str": json.dumps(body), "bytes": json.dumps(body).encode()}[form]


@settings(FUZZ, max_examples=600)
@given(data=json_data, nonce=nonces, skew=st.floats(-299, 299), form=st.sampled_from(["dict", "str", "bytes"]))
def test_every_genuine_body_verifies(data, nonce, skew, form):
    now = time.time()
    body = sign_and_encrypt(data, client_id=CLIENT_ID, client_secret=SECRET, timestamp=int((now + skew) * 1000),
                            nonce=nonce)
    assert verify_and_decrypt(as_form(body, form), client_id=CLIENT_ID, client_secret=SECRET, now=now) == data


@FUZZ
@given(payload=junk | st.binary(max_size=200) | text, field=st.sampled_from(
    ["signature", "dataEncrypt", "timestamp", "nonce", None]), value=junk)
def test_anything_else_is_a_webhook_error(payload, field, value):
    if field is not None:  # a genuine body with one field replaced by junk
        payload = dict(sign_and_encrypt({"_id": "x", "status": 3}, client_id=CLIENT_ID, client_secret=SECRET),
                       **{field: value})
    try:
        verify_and_decrypt(payload, client_id=CLIENT_ID, client_secret=SECRET)
    except WebhookError as exc:
        assert SECRET not in str(exc)
    else:  # only the untouched value can pass (e.g. junk that happens to equal the real nonce)
        assert field is not None


@settings(max_examples=400, deadline=None, database=None)
@given(nonce=nonces, skew=st.floats(-3e7, 3e7), cut=st.integers(1, 22), swap=st.booleans())
def test_no_digit_shift_and_no_replay_gets_in(nonce, skew, cut, swap):
    now = time.time() + skew
    body = sign_and_encrypt({"_id": "x"}, client_id=CLIENT_ID, client_secret=SECRET, timestamp=int(now * 1000),
                            nonce=nonce)
    t, n = str(body["timestamp"]), str(body["nonce"])
    digits = (t + n) if swap else (n + t)
    cut = min(cut, len(digits) - 1)
    ts, nc = digits[:cut], digits[cut:]
    for forged_ts, forged_nonce in ((ts, nc), (nc, ts)):
        if (forged_ts, forged_nonce) == (t, n) or signature_for(
                CLIENT_ID, forged_ts, forged_nonce, body["dataEncrypt"]) != body["signature"]:
            continue
        with pytest.raises(WebhookError):
            verify_and_decrypt(dict(body, timestamp=forged_ts, nonce=forged_nonce), client_id=CLIENT_ID,
                               client_secret=SECRET, now=now)
    guard = ReplayGuard()
    verify_and_decrypt(body, client_id=CLIENT_ID, client_secret=SECRET, now=now, replay_guard=guard)
    with pytest.raises(WebhookReplayError):
        verify_and_decrypt(body, client_id=CLIENT_ID, client_secret=SECRET, now=now + 1, replay_guard=guard)
