"""``Receiver``: the webhook endpoint that finishes jobs, as an ASGI app or a small server of its own.

    receiver = Receiver(client_id="...", client=client)       # the secret is the client's API key
    client = Akool(webhooks=receiver.serve())                 # or: Akool(webhooks=receiver) once served
    video = client.talking_photo.create(...).wait()           # completed by the delivery, not by polling

Each POST is checked by :func:`~akool_nb.webhook.verify_and_decrypt` (size and depth caps, form, freshness,
signature, decryption) and claimed once in a replay guard (``webhooks.sqlite`` beside the journal, so a
restarted receiver still refuses what it took before). Only then is it recorded: the job's status and result
URL in the journal, with a history line naming Akool's ``type``, and in :attr:`deliveries`, which wakes this
process's waiting jobs. Answers: 200 recorded, or a duplicate (this very body was recorded before: Akool
retries whatever is not answered 200, so a 4xx would bring it back again and again; nothing is recorded twice);
400 forged, stale or malformed; 413 too large; 422 genuine but not a job notification; 500 it could not be
recorded (the claim is let go, so Akool's retry gets in).
"""
from __future__ import annotations

import json
import math
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

from .._exceptions import AkoolError, InvalidParameterError, WebhookError, WebhookReplayError
from .._logging import get_logger
from . import DEFAULT_TOLERANCE, MAX_BODY_BYTES, verify_and_decrypt
from ._crypto import check_credentials
from ._listen import DEFAULT_FALLBACK_AFTER, Deliveries
from ._replay import ReplayGuard, SQLiteReplayGuard

log = get_logger("akool_nb.webhook")
PATH = "/akool/webhook"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0


class Receiver:
    """Verify, decrypt, de-duplicate and record Akool's webhook deliveries; wake the jobs waiting for them.

    ``client``: an :class:`~akool_nb.Akool`/``AsyncAkool`` whose credentials, journal and service it uses
    (each can be given instead). ``client_id``: your Akool client id, the AES IV (default: the client's, or
    ``AKOOL_CLIENT_ID``). ``client_secret``: the AES key (default: the client's secret or API key, which
    the docs say it is). ``journal``: where deliveries are recorded (a :class:`Journal`, a path; default the
    client's). ``public_url``: the URL Akool calls when the receiver sits behind a tunnel or proxy.
    ``fallback_after``: seconds after a create before a job whose delivery has not come is polled, until
    durations are learned from deliveries.
    """

    def __init__(self, client: Any = None, *, client_id: str | None = None, client_secret: str | None = None,
                 journal: Any = None, service: str | None = None, public_url: str | None = None,
                 tolerance: float = DEFAULT_TOLERANCE, fallback_after: float = DEFAULT_FALLBACK_AFTER) -> None:
        creds = getattr(client, "_credentials", None)
        if client is not None and creds is None:
            raise InvalidParameterError("client", f"must be an Akool or AsyncAkool client, got {type(client).__name__}")
        self._client_id = _text("client_id", client_id or getattr(creds, "client_id", None)
                                or os.environ.get("AKOOL_CLIENT_ID"),
                                "pass client_id= (your Akool client id) or set AKOOL_CLIENT_ID")
        secret = client_secret or _reveal(getattr(creds, "client_secret", None)) or _reveal(getattr(creds, "api_key", None))
        secret = _text("client_secret", secret or os.environ.get("AKOOL_CLIENT_SECRET") or os.environ.get("AKOOL_API_KEY"),
                       "pass client_secret= (the API key shown on Akool's API Keys page) or a client")
        from .._auth import Secret

        self._secret = Secret(secret)  # masked in every log and message from here on
        try:
            check_credentials(self._client_id, secret)
        except WebhookError as exc:
            raise InvalidParameterError("client_secret", str(exc)) from None
        self.tolerance = _positive("tolerance", tolerance)
        self.deliveries = Deliveries(_positive("fallback_after", fallback_after))
        self.public_url = _http_url("public_url", public_url) if public_url is not None else None
        self.journal = _journal_of(journal) if journal is not None else getattr(client, "_journal", None)
        self.service = _text("service", service, "") if service is not None else getattr(client, "_service_key", None)
        self._guard: ReplayGuard | None = None
        self._guard_lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._served_url: str | None = None
        self._inline = False  # handle deliveries on the serving loop itself (serve() sets it)
        self.counts = {"accepted": 0, "refused": 0, "replayed": 0, "stale": 0, "failed": 0}
        self._counts_lock = threading.Lock()

    # -- where Akool sends ------------------------------------------------------------------------
    @property
    def url(self) -> str | None:
        """The URL creates send as their webhook: ``public_url``, else the one :meth:`serve` listens on."""
        return self.public_url or self._served_url

    def _adopt(self, client: Any) -> None:
        """A client given this receiver lends it its journal and service when it has none of its own."""
        if self.journal is None:
            self.journal = getattr(client, "_journal", None)
        if self.service is None:
            self.service = client._service_key

    @property
    def replay_guard(self) -> ReplayGuard:
        with self._guard_lock:
            if self._guard is None:
                path = getattr(self.journal, "path", None)
                self._guard = SQLiteReplayGuard(Path(path).with_name("webhooks.sqlite")) if path else ReplayGuard()
            return self._guard

    # -- one delivery -----------------------------------------------------------------------------
    def handle(self, body: Any) -> tuple[int, dict[str, Any]]:
        """Process one delivery body (bytes, text or a dict); returns ``(HTTP status, answer)``, never raises.
        The ASGI app calls it (on :meth:`serve`'s own loop, or in a worker thread when mounted elsewhere); call
        it yourself from another web framework (Flask, Django) and answer with what it returns."""
        try:
            data = verify_and_decrypt(body, client_id=self._client_id, client_secret=self._secret.reveal(),
                                      tolerance=self.tolerance, replay_guard=self.replay_guard)
        except WebhookReplayError:
            # Recorded when it first came: say 200, or Akool (which retries anything else) sends it again and
            # again. A replayed capture gets the same answer and changes nothing.
            self._bump("replayed")
            return 200, {"ok": True, "duplicate": True}
        except WebhookError as exc:
            self._bump("refused")
            log.warning("webhook refused: %s", exc)
            return (413 if "the limit is" in str(exc) else 400), {"error": str(exc)}
        try:
            job_id, status, url, kind = read_delivery(data)
        except WebhookError as exc:
            self._bump("refused")
            log.warning("webhook refused: %s", exc)
            return 422, {"error": str(exc)}
        try:
            self._record(job_id, status, url, kind)
        except Exception as exc:  # let Akool's retry of this body in again
            self._bump("failed")
            self.replay_guard.forget(_signature(body))
            log.warning("webhook for job %s could not be recorded: %s", job_id, exc)
            return 500, {"error": "could not record the delivery; retry"}
        return 200, {"ok": True}

    def _record(self, job_id: str, status: int, url: str | None, kind: str) -> None:
        if self.deliveries._seen(job_id) is not None and not _newer(self.deliveries._seen(job_id), status):
            self._bump("stale")  # genuine, new, but older news than what we hold (2 after 3)
            return
        if self.journal is not None and self.service is not None and self.journal.enabled:
            # Queued, not waited for: the answer goes back at once. A crash before the commit loses only
            # this record; the job's fallback poll still finishes it.
            self.journal.record_webhook(self.service, job_id, status, url, kind)
        self.deliveries.publish(job_id, status, url)
        self._bump("accepted")
        log.info("webhook: job %s is %s (%s)", job_id, {2: "processing", 3: "completed", 4: "failed"}.get(status,
                                                                                                     status), kind)

    def _bump(self, what: str) -> None:
        with self._counts_lock:
            self.counts[what] += 1

    # -- ASGI -------------------------------------------------------------------------------------
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """A plain ASGI app (no framework in the way: a delivery costs about a millisecond): POST on any
        path is a delivery; anything else is answered 405."""
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await _answer(send, 405, {"error": "Akool's webhooks are POSTed; this URL takes nothing else"})
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        body, more = bytearray(), True
        too_large = declared.isdigit() and int(declared) > MAX_BODY_BYTES
        while more and not too_large:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            too_large = len(body) > MAX_BODY_BYTES
        if too_large:
            self._bump("refused")
            await _answer(send, 413, {"error": f"body over {MAX_BODY_BYTES:,} bytes"})
            return
        if self._inline:  # our own server: its loop is ours to spend
            status, answer = self.handle(bytes(body))
        else:  # mounted in someone's app: the SQLite claim goes to a worker thread
            import anyio.to_thread

            status, answer = await anyio.to_thread.run_sync(self.handle, bytes(body))
        await _answer(send, status, answer)

    # -- a server of its own ----------------------------------------------------------------------
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> "Receiver":
        """Listen on ``host:port`` (0: a free port) in a background daemon thread; returns the receiver,
        whose :attr:`url` is then set. For the real service Akool must reach that URL: see the README."""
        host = _text("host", host, "e.g. host='127.0.0.1' (this machine) or '0.0.0.0' (every interface)")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise InvalidParameterError("port", f"must be an integer from 0 to 65535 (0: any free port), got {port!r}")
        if self._server is not None:
            raise AkoolError(f"this receiver already serves at {self._served_url}; close() it first")
        import uvicorn

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise AkoolError(f"cannot listen on {host}:{port} ({exc}); pick another port, or port=0") from None
        self._inline = True
        config = uvicorn.Config(self, log_config=None, log_level="warning", access_log=False, lifespan="off",
                                ws="none", proxy_headers=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="akool-webhook-receiver",
                                  daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                thread.join(STOP_TIMEOUT)
                sock.close()
                raise AkoolError(f"the webhook receiver did not start on {host}:{port}")
            time.sleep(0.01)
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        self._server, self._thread, self._sock = server, thread, sock
        self._served_url = f"http://{shown}:{bound}{PATH}"
        return self

    def close(self) -> None:
        """Stop serving (a bounded join) and let go of the replay guard; safe to call twice."""
        server, self._server = self._server, None
        if server is not None:
            server.should_exit = True
            if self._thread is not None:
                self._thread.join(STOP_TIMEOUT)
            if self._sock is not None:
                self._sock.close()
            self._served_url, self._inline = None, False
        with self._guard_lock:
            guard, self._guard = self._guard, None
        if guard is not None:
            guard.close()

    def __enter__(self) -> "Receiver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.url or "not serving (call serve(), or mount it in your ASGI app)"
        counts = ", ".join(f"{n} {k}" for k, n in self.counts.items() if n)
        return f"<Receiver {where}{' · ' + counts if counts else ''}>"


async def _answer(send: Any, status: int, answer: dict[str, Any]) -> None:
    payload = json.dumps(answer).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


def read_delivery(data: dict[str, Any]) -> tuple[str, int, str | None, str]:
    """``(job id, status 2-4, result URL or None, type)`` from decrypted data, or WebhookError."""
    job_id = data.get("_id")
    if not isinstance(job_id, str) or not job_id.strip() or len(job_id) > 128:
        raise WebhookError("the delivery names no job: `_id` must be a non-empty string")
    status = data.get("status")
    if isinstance(status, str) and status.strip().isdigit():
        status = int(status)
    if isinstance(status, bool) or not isinstance(status, (int, float)) or status not in (1, 2, 3, 4):
        raise WebhookError(f"the delivery's status must be 1, 2, 3 or 4, got {type(status).__name__}")
    url = data.get("url")
    url = url if isinstance(url, str) and url.startswith(("http://", "https://")) else None
    kind = data.get("type")
    return job_id.strip(), int(status), url, kind if isinstance(kind, str) else ""


def _newer(known: tuple[int, str | None], status: int) -> bool:
    return known[0] < 3 and status > known[0]


def _signature(body: Any) -> str:
    try:
        loaded = body if isinstance(body, dict) else json.loads(body)
        return str(loaded.get("signature", ""))
    except (TypeError, ValueError, AttributeError):
        return ""


def _reveal(secret: Any) -> str | None:
    return secret.reveal() if secret else None


def _text(name: str, value: Any, fix: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 1000 or not value.isprintable():
        shown = type(value).__name__ if not isinstance(value, str) else ("empty" if not value.strip() else "unprintable or too long")
        raise InvalidParameterError(name, f"must be a non-empty string, got {shown}" + (f"; {fix}" if fix else ""))
    return value.strip()


def _positive(name: str, value: Any) -> float:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or value <= 0 or value > 86400 * 7:
        shown = repr(value) if number else type(value).__name__
        raise InvalidParameterError(name, f"must be a positive number of seconds (at most a week), got {shown}")
    return float(value)


def _http_url(name: str, value: Any) -> str:
    from urllib.parse import urlsplit

    text = _text(name, value, "e.g. 'https://abc.trycloudflare.com/akool/webhook'")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
        raise InvalidParameterError(name, f"must be an http(s) URL Akool can reach, got {text[:80]!r}")
    return text


def _journal_of(value: Any) -> Any:
    from .._journal import Journal

    if isinstance(value, Journal):
        return value
    text = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    if isinstance(text, str) and text.strip() and text.isprintable() and len(text) <= 4096:
        return Journal(value)
    raise InvalidParameterError("journal", f"must be a Journal or a path to its file, got {type(value).__name__}")
