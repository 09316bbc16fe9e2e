"""The webhook receiver under hostile input: bad arguments, fuzzed bodies (the strategies of
test_webhook_fuzz.py), and its process killed with SIGKILL in the middle of a run."""
from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import akool_nb as ak
from akool_nb._exceptions import InvalidParameterError
from akool_nb.webhook import Receiver

from .conftest import API_KEY, CLIENT_ID
from .simctl import control
from .test_webhook_fuzz import junk, json_data, text
from .test_webhook_receiver import genuine, receiver, status_polls, voice, webhook_lines  # noqa: F401 (fixtures)


# ------------------------------------------------------------------------------------ bad input
BAD_RECEIVER = [
    (dict(client_id=""), "client_id"), (dict(client_id=123), "client_id"), (dict(client_id="a\x00b"), "client_id"),
    (dict(client_secret="short"), "client_secret"), (dict(client_secret=b"x" * 24), "client_secret"),
    (dict(tolerance=0), "tolerance"), (dict(tolerance=float("nan")), "tolerance"), (dict(tolerance="5"), "tolerance"),
    (dict(fallback_after=-1), "fallback_after"), (dict(fallback_after=True), "fallback_after"),
    (dict(fallback_after=10**30), "fallback_after"), (dict(public_url="ftp://x"), "public_url"),
    (dict(public_url="not a url"), "public_url"), (dict(journal=42), "journal"), (dict(service=""), "service"),
    (dict(client=object()), "client"),
]


@pytest.mark.parametrize("kwargs, param", BAD_RECEIVER)
def test_bad_receiver_arguments_are_refused_naming_the_argument(kwargs, param):
    args = {"client_id": CLIENT_ID, "client_secret": API_KEY, **kwargs}
    with pytest.raises(InvalidParameterError) as err:
        Receiver(**args)
    assert err.value.param == param and API_KEY not in str(err.value)


@pytest.mark.parametrize("host, port, param", [("", 0, "host"), (None, 0, "host"), ("127.0.0.1", -1, "port"),
                                               ("127.0.0.1", 70000, "port"), ("127.0.0.1", "80", "port"),
                                               ("127.0.0.1", True, "port")])
def test_bad_serve_arguments_are_refused(host, port, param):
    receiver = Receiver(client_id=CLIENT_ID, client_secret=API_KEY)
    with pytest.raises(InvalidParameterError) as err:
        receiver.serve(host, port)
    assert err.value.param == param and receiver.url is None


@pytest.mark.parametrize("value", [42, "ftp://hooks.example", "", object(), b"https://x"])
def test_bad_webhooks_argument_is_refused_before_any_request(value, sim, tmp_path):
    control(sim, "reset", {})
    with pytest.raises(InvalidParameterError) as err:
        ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=tmp_path / "j.sqlite", webhooks=value)
    assert err.value.param == "webhooks" and status_polls(sim) == 0


# ------------------------------------------------------------------------------------ fuzzing the body
FUZZ = settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def fuzz_receiver():
    return Receiver(client_id=CLIENT_ID, client_secret=API_KEY)  # in memory: no journal, a memory guard


@FUZZ
@given(payload=junk | st.binary(max_size=300) | text, field=st.sampled_from(
    ["signature", "dataEncrypt", "timestamp", "nonce", None]), value=junk)
def test_fuzzed_bodies_get_a_4xx_and_are_never_recorded(fuzz_receiver, payload, field, value):
    if field is not None:
        payload = {**genuine({"_id": "fuzzed", "status": 3}), field: value}
    try:
        wire = payload if isinstance(payload, (bytes, str)) else json.dumps(payload, default=str)
    except (ValueError, RecursionError):
        return
    status, answer = fuzz_receiver.handle(wire)
    if status == 200:  # only the untouched value can pass (junk that equals the real field)
        assert field is not None
    else:
        assert 400 <= status < 500 and "error" in answer and API_KEY not in answer["error"]


@FUZZ
@given(data=json_data)
def test_genuine_bodies_with_fuzzed_data_are_recorded_only_when_they_name_a_job(fuzz_receiver, data):
    before = len(fuzz_receiver.deliveries)
    status, _ = fuzz_receiver.handle(genuine(data))
    valid = isinstance(data.get("_id"), str) and data["_id"].strip() and data.get("status") in (1, 2, 3, 4)
    assert status == (200 if valid else 422)
    assert len(fuzz_receiver.deliveries) <= before + (1 if valid else 0)


def test_a_few_fuzzed_bodies_over_http(receiver):
    lock = threading.Lock()
    codes = []

    def send(body: bytes) -> None:
        code = httpx.post(receiver.url, content=body, headers={"content-type": "application/json"}).status_code
        with lock:
            codes.append(code)

    bodies = [b"", b"null", b"{}", b'{"signature": 1}', b"\xff\xfe", b"[" * 5000, json.dumps(
        {**genuine({"_id": "y", "status": 3}), "nonce": "1" * 11}).encode()]
    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(codes) == len(bodies) and all(400 <= c < 500 for c in codes) and receiver.counts["accepted"] == 0


# ------------------------------------------------------------------------------------ kill -9 in the middle
SERVE = """
import sys, time
from akool_nb.webhook import Receiver
r = Receiver(client_id=sys.argv[1], client_secret=sys.argv[2], journal=sys.argv[3], service="offline")
r.serve("127.0.0.1", int(sys.argv[4]))
print(r.url, flush=True)
time.sleep(600)
"""


def test_a_receiver_killed_mid_run_and_restarted_loses_no_job(sim, tmp_path, voice):
    import signal
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    journal = str(tmp_path / "jobs.sqlite")

    def start() -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", SERVE, CLIENT_ID, API_KEY, journal, str(port)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().startswith("http://127.0.0.1:")
        return proc

    first = start()
    url = f"http://127.0.0.1:{port}/akool/webhook"
    with ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=journal, webhooks=url) as c:
        c._webhooks.fallback_after = 20.0  # well past the service's retries (about 6 s in fast mode)
        jobs = [c.tts.create(text=f"Through a crash {i}", voice_id=voice) for i in range(4)]
        first.send_signal(signal.SIGKILL)  # mid-run: deliveries fail until the restart
        first.wait(10)
        time.sleep(0.5)
        second = start()
        try:
            results = c.jobs.wait_all(jobs, timeout=60)
        finally:
            second.kill()
            second.wait(10)
        assert all(r.url for r in results)
        for job in jobs:  # each status recorded once, though some deliveries were sent more than once
            lines = webhook_lines(c, job)
            assert len(lines) == len(set(line.split(" ", 1)[1] for line in lines))
        assert sum(j.polls for j in jobs) <= 4  # finished by the restarted receiver, not by polling
    ids = {j.id for j in jobs}
    sent = [w for w in control(sim, "stats")["webhooks"] if w["job_id"] in ids]
    assert any(w["attempts"] > 1 for w in sent)  # some deliveries did hit the dead receiver, and were retried
