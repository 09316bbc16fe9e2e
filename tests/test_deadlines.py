"""Deadlines are real: ``wait(timeout=)``, ``wait_all(timeout=)``, ``refresh(timeout=)`` and the core's
``request(deadline=)`` end on time whatever the service does, on Akool and AsyncAkool.

The timing claims run against real loopback servers (one that accepts and never answers, one that trickles
a byte at a time, one that answers 1005 with Retry-After or 503s). Elapsed times are correctness bounds
(the deadline plus a margin for a loaded machine), not speed targets.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

import akool_nb as ak
from akool_nb._base_client import APIRequest, RetryPolicy
from akool_nb._deadline import ClampedBackend
from akool_nb.jobs import LAST_LOOK, AsyncJob, Job

KEY = "sk-test-deadline-0000"
MARGIN = 1.5  # seconds a loaded 2-core machine may add to a deadline
STATUS = "/api/open/v3/content/video/infobymodelid"
GET = APIRequest("GET", "/api/open/v3/avatar/list")
CREATE = APIRequest("POST", "/api/open/v3/content/video/createbytalkingphoto", json={}, paid=True)
pytestmark = pytest.mark.timeout(60)  # a deadline that is not honoured fails here instead of hanging


# -- loopback services --------------------------------------------------------------------------------------
class RawServer:
    """A TCP server; ``behaviour(conn, stop)`` runs per connection in its own thread."""

    def __init__(self, behaviour) -> None:
        self.behaviour = behaviour
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            self.behaviour(conn, self.stop)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.close()


def _read_head(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk


def silent(conn: socket.socket, stop: threading.Event) -> None:
    """Accept, read the request, never answer."""
    _read_head(conn)
    stop.wait()


def trickle_head(conn: socket.socket, stop: threading.Event) -> None:
    """Answer one header byte at a time, every 0.3 s, forever: each read is quick, the answer never ends."""
    _read_head(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not stop.wait(0.3):
        conn.sendall(b"a")


def trickle_body(conn: socket.socket, stop: threading.Event) -> None:
    """Complete headers, then a 1 MB JSON body one byte every 0.3 s."""
    _read_head(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{")
    while not stop.wait(0.3):
        conn.sendall(b" ")


class Scripted:
    """An HTTP service answering (status, body, headers) in order (the last one repeats); counts requests."""

    def __init__(self, *answers) -> None:
        self.answers = answers
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                self._answer()

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("content-length") or 0))
                self._answer()

            def _answer(self) -> None:
                outer.requests.append(self.path)
                status, body, headers = outer.answers[min(len(outer.requests), len(outer.answers)) - 1]
                content = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"Content-Length": str(len(content)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(server):
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


FREQUENT = (200, {"code": 1005, "msg": "Frequent operation"}, {"Retry-After": "60"})
UNAVAILABLE = (503, b"Service Unavailable", {"Content-Type": "text/plain"})
DONE = (200, {"code": 1000, "data": {"_id": "j1", "video_status": 3, "video": "https://cdn.test/j1.mp4"}}, {})


def sync_client(base_url: str, **kw) -> ak.Akool:
    return ak.Akool(api_key=KEY, base_url=base_url, journal=False, poll_interval=0.2, **kw)


def async_client(base_url: str, **kw) -> ak.AsyncAkool:
    return ak.AsyncAkool(api_key=KEY, base_url=base_url, journal=False, poll_interval=0.2, **kw)


def wait_on(flavour: str, base_url: str, timeout: float, *, ids=("j1",), retry: RetryPolicy | None = None,
            poll: float | None = None, **kw):
    """Run ``wait`` (one id) or ``wait_all`` (several) on a fresh client of ``flavour``; return the outcome
    (the result or the exception) and the seconds it took."""

    def configured(client):
        if retry is not None:
            client._core.retry = retry
        return client

    async def run_async():
        client = configured(async_client(base_url, **kw))
        try:
            jobs = [AsyncJob(client, "talking_photo", i) for i in ids]
            if len(jobs) == 1:
                return await jobs[0].wait(timeout=timeout, poll=poll)
            return await client.jobs.wait_all(jobs, timeout=timeout, poll=poll)
        finally:
            await client.close()

    def run_sync():
        with configured(sync_client(base_url, **kw)) as client:
            jobs = [Job(client, "talking_photo", i) for i in ids]
            if len(jobs) == 1:
                return jobs[0].wait(timeout=timeout, poll=poll)
            return client.jobs.wait_all(jobs, timeout=timeout, poll=poll)

    started = time.monotonic()
    try:
        outcome = asyncio.run(run_async()) if flavour == "async" else run_sync()
    except Exception as exc:  # the tests assert on it
        outcome = exc
    return outcome, time.monotonic() - started


CLIENTS = ["sync", "async"]


# -- wait(timeout=) against services that do not answer ---------------------------------------------------------
@pytest.mark.parametrize("flavour", CLIENTS)
def test_wait_on_a_service_that_never_answers_times_out_at_its_deadline(serve, flavour):
    server = serve(RawServer(silent))
    outcome, elapsed = wait_on(flavour, server.base_url, 5)
    assert isinstance(outcome, ak.JobTimeoutError), outcome
    assert outcome.job_id == "j1" and "timeout=5s" in str(outcome) and "attach('j1')" in str(outcome)
    assert 5 - 0.3 <= elapsed <= 5 + MARGIN  # it really waited, and no longer than asked


@pytest.mark.parametrize("behaviour", [trickle_head, trickle_body], ids=["headers", "body"])
@pytest.mark.parametrize("flavour", CLIENTS)
def test_wait_on_a_trickling_service_times_out_at_its_deadline(serve, flavour, behaviour):
    # Each byte comes well within any read timeout: only a bound on the whole attempt ends it.
    server = serve(RawServer(behaviour))
    outcome, elapsed = wait_on(flavour, server.base_url, 3)
    assert isinstance(outcome, ak.JobTimeoutError), outcome
    assert outcome.job_id == "j1"
    assert 3 - 0.3 <= elapsed <= 3 + MARGIN


def test_the_sync_client_clamps_socket_reads_on_pools_it_builds():
    assert sync_client("http://127.0.0.1:9")._core.clamped
    assert ak.Akool(api_key=KEY, journal=False, transport=httpx.HTTPTransport())._core.clamped
    own = httpx.Client()
    assert not ak.Akool(api_key=KEY, journal=False, http_client=own)._core.clamped  # never touches yours
    assert not isinstance(own._transport._pool._network_backend, ClampedBackend)


# -- retries and Retry-After inside a deadline --------------------------------------------------------------
@pytest.mark.parametrize("flavour", CLIENTS)
def test_wait_never_sleeps_a_retry_after_past_its_deadline(serve, flavour):
    service = serve(Scripted(FREQUENT))
    outcome, elapsed = wait_on(flavour, service.base_url, 3)
    assert isinstance(outcome, ak.JobTimeoutError), outcome
    assert outcome.job_id == "j1" and "1005" in str(outcome) and "60.0s" in str(outcome)
    assert elapsed <= 3 + MARGIN
    assert len(service.requests) == 1  # the 60 s wait was not started, nor was a second request sent


@pytest.mark.parametrize("flavour", CLIENTS)
def test_short_retry_afters_that_fit_are_still_honoured(serve, flavour):
    soon = (200, {"code": 1005, "msg": "Frequent operation"}, {"Retry-After": "0.5"})
    service = serve(Scripted(soon, soon, DONE))
    outcome, elapsed = wait_on(flavour, service.base_url, 5)
    assert isinstance(outcome, ak.Result), outcome
    assert outcome.url == "https://cdn.test/j1.mp4" and len(service.requests) == 3
    assert elapsed >= 1.0  # both waits were slept


@pytest.mark.parametrize("flavour", CLIENTS)
def test_5xx_retries_are_cut_by_the_deadline(serve, flavour):
    # 50 retries 0.2-0.4 s apart would take about 15 s; the deadline stops them after about 2.
    service = serve(Scripted(UNAVAILABLE))
    patient = RetryPolicy(max_retries=50, initial_delay=0.2, max_delay=0.4)
    outcome, elapsed = wait_on(flavour, service.base_url, 2, retry=patient)
    assert isinstance(outcome, ak.JobTimeoutError), outcome
    assert elapsed <= 2 + MARGIN
    assert 3 <= len(service.requests) < 51  # it did retry, and stopped at the deadline


# -- wait_all(timeout=) ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("flavour", CLIENTS)
def test_wait_all_on_a_service_that_never_answers_times_out_at_its_deadline(serve, flavour):
    server = serve(RawServer(silent))
    outcome, elapsed = wait_on(flavour, server.base_url, 3, ids=("j1", "j2", "j3"))
    assert isinstance(outcome, ak.JobTimeoutError), outcome
    assert outcome.job_id in {"j1", "j2", "j3"}
    assert 3 - 0.3 <= elapsed <= 3 + MARGIN


# -- plain requests -------------------------------------------------------------------------------------------
def test_refresh_with_a_timeout_raises_a_typed_timeout_naming_the_job(serve):
    server = serve(RawServer(silent))
    with sync_client(server.base_url) as client:
        started = time.monotonic()
        with pytest.raises(ak.APITimeoutError) as info:
            Job(client, "talking_photo", "j7").refresh(timeout=1)
    elapsed = time.monotonic() - started
    assert 1 - 0.3 <= elapsed <= 1 + MARGIN
    error = info.value
    assert error.by_deadline and error.job_id == "j7" and "deadline" in str(error)
    assert isinstance(error, ak.APIConnectionError) and isinstance(error, TimeoutError)


@pytest.mark.parametrize("flavour", CLIENTS)
def test_a_deadline_free_call_keeps_the_configured_timeout(serve, flavour):
    # timeout=1, two attempts: about 2 s plus a backoff, then the same typed error (not a deadline's).
    server = serve(RawServer(silent))

    async def run_async():
        client = async_client(server.base_url, timeout=1.0, max_retries=1)
        try:
            await client._request(GET)
        finally:
            await client.close()

    def run_sync():
        with sync_client(server.base_url, timeout=1.0, max_retries=1) as client:
            client._request(GET)

    started = time.monotonic()
    with pytest.raises(ak.APITimeoutError) as info:
        asyncio.run(run_async()) if flavour == "async" else run_sync()
    elapsed = time.monotonic() - started
    assert not info.value.by_deadline and "after 2 attempts" in str(info.value)
    assert 2.0 <= elapsed <= 2.0 + 1.0 + MARGIN
    assert server.connections == 2


def test_every_timeout_phase_is_cut_to_what_remains_and_only_then():
    seen = []

    def handler(request):
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={"code": 1000, "data": {}})

    client = ak.Akool(api_key=KEY, base_url="https://akool.test", journal=False,
                      transport=httpx.MockTransport(handler), timeout=httpx.Timeout(60.0, connect=10.0))
    client._request(GET)
    assert seen[-1] == {"connect": 10.0, "read": 60.0, "write": 60.0, "pool": 60.0}  # no deadline: as configured
    client._request(GET, time.monotonic() + 2.0)
    assert all(1.5 < value <= 2.0 for value in seen[-1].values())
    client._request(GET, time.monotonic() + 30.0)  # connect stays 10: the deadline only ever shortens
    assert seen[-1]["connect"] == 10.0 and 29 < seen[-1]["read"] <= 30
    specific = APIRequest("GET", GET.path, timeout=0.5)  # the most specific timeout, then the deadline
    client.with_options(timeout=5)._request(specific, time.monotonic() + 30.0)
    assert set(seen[-1].values()) == {0.5}
    client.with_options(timeout=5)._request(GET, time.monotonic() + 30.0)
    assert set(seen[-1].values()) == {5.0}
    with pytest.raises(ak.APITimeoutError, match="passed before the request was sent"):
        client._request(GET, time.monotonic() - 0.1)
    assert len(seen) == 5  # a passed deadline sends nothing


# -- paid creates keep their rule under a deadline --------------------------------------------------------------
def test_a_create_cut_by_its_deadline_after_sending_is_ambiguous_and_never_resent(serve):
    server = serve(RawServer(silent))
    with sync_client(server.base_url) as client:
        started = time.monotonic()
        with pytest.raises(ak.AmbiguousSubmitError):
            client._request(CREATE, time.monotonic() + 1.5)
    assert time.monotonic() - started <= 1.5 + MARGIN
    assert server.connections == 1


@pytest.mark.parametrize("flavour", CLIENTS)
def test_a_create_refused_with_1005_past_its_deadline_says_nothing_was_created(serve, flavour):
    service = serve(Scripted(FREQUENT))

    async def run_async():
        client = async_client(service.base_url)
        try:
            await client._request(CREATE, time.monotonic() + 3)
        finally:
            await client.close()

    def run_sync():
        with sync_client(service.base_url) as client:
            client._request(CREATE, time.monotonic() + 3)

    with pytest.raises(ak.APITimeoutError) as info:
        asyncio.run(run_async()) if flavour == "async" else run_sync()
    assert not isinstance(info.value, ak.AmbiguousSubmitError)
    assert info.value.by_deadline and "did not create the job" in str(info.value)
    assert len(service.requests) == 1


# -- the last look ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("flavour", CLIENTS)
def test_the_last_status_check_starts_before_the_deadline_so_it_can_finish(serve, flavour):
    # poll=10 s would next look long after timeout=3; the last look is kept LAST_LOOK before the deadline.
    processing = (200, {"code": 1000, "data": {"_id": "j1", "video_status": 2}}, {})
    service = serve(Scripted(processing, DONE))
    outcome, elapsed = wait_on(flavour, service.base_url, 3, poll=10)
    assert isinstance(outcome, ak.Result), outcome
    assert len(service.requests) == 2 and 3 - LAST_LOOK - 0.3 <= elapsed < 3


@pytest.mark.parametrize("flavour", CLIENTS)
def test_a_job_unfinished_at_the_last_look_times_out_without_more_requests(serve, flavour):
    processing = (200, {"code": 1000, "data": {"_id": "j1", "video_status": 2}}, {})
    service = serve(Scripted(processing))
    outcome, elapsed = wait_on(flavour, service.base_url, 3, poll=10)
    assert isinstance(outcome, ak.JobTimeoutError) and "still processing" in str(outcome)
    assert len(service.requests) == 2 and elapsed < 3 + MARGIN


# -- the legacy token exchange runs inside the same deadline ---------------------------------------------------
@pytest.mark.parametrize("flavour", CLIENTS)
def test_the_token_exchange_is_cut_by_the_callers_deadline(serve, flavour):
    server = serve(RawServer(silent))
    kw = {"client_id": "id-1", "client_secret": "secret-1", "base_url": server.base_url, "journal": False}

    async def run_async():
        client = ak.AsyncAkool(**kw)
        try:
            await client._request(GET, time.monotonic() + 1.5)
        finally:
            await client.close()

    def run_sync():
        with ak.Akool(**kw) as client:
            client._request(GET, time.monotonic() + 1.5)

    started = time.monotonic()
    with pytest.raises(ak.APITimeoutError) as info:
        asyncio.run(run_async()) if flavour == "async" else run_sync()
    assert info.value.by_deadline and "getToken" in str(info.value) and "secret-1" not in repr(info.value)
    assert time.monotonic() - started <= 1.5 + MARGIN
