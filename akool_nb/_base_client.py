"""The private core shared by :class:`Akool` and :class:`AsyncAkool`.

Request building, envelope parsing and retry decisions are plain functions of a :class:`APIRequest`; the
sync and async clients only differ in how they send and sleep.

Retry rules (paid jobs must never be submitted twice):

* reads and status polls (``paid=False``) retry connection errors, timeouts, HTTP 5xx/429 and code 1005;
* creates (``paid=True``) retry only when the request provably never reached the server (connect error,
  pool timeout) or the server answered 1005. Any other failure after sending raises
  :class:`AmbiguousSubmitError`, which says the job may exist and how to find it.

Timeouts and deadlines (one rule; the mechanics and their bounds are in :mod:`._deadline`):

* ``timeout`` bounds each attempt, phase by phase (connect/read/write/pool, as httpx defines them). The most
  specific one applies: ``APIRequest.timeout``, else the client's (``Akool(timeout=)``, ``with_options``).
* a deadline (``request(req, deadline=)``, absolute ``time.monotonic()``) bounds the whole call: each
  attempt's phases are cut to what remains, a backoff or Retry-After wait that would end past it is not
  started, and no attempt starts after it. ``wait(timeout=)``, ``wait_all(timeout=)`` and
  ``refresh(timeout=)`` pass theirs to every request they make.
* running out raises :class:`APITimeoutError` (``JobTimeoutError`` inside ``wait``), except that a paid
  create which may have reached the server raises :class:`AmbiguousSubmitError`, as above: a deadline
  never makes a create retried or reported as not created when it might have been.

Long because: request building, envelope parsing and the retry rules are the private core, kept in one place.
"""
from __future__ import annotations

import asyncio
import email.utils
import random
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import httpx

from ._auth import Credentials
from ._deadline import bound, clamp_sync_client, cut_timeout, remaining
from ._exceptions import (
    AkoolError,
    AmbiguousSubmitError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthError,
    RateLimitError,
    ServerError,
    error_for_code,
)
from ._logging import logger, register_secret, scrub

DEFAULT_BASE_URL = "https://openapi.akool.com"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_RETRIES = 3
# Keep every connection of a burst of concurrent creates alive (httpx keeps 20 by default and closes the rest
# after each request, so 64 concurrent creates would reconnect for most of them). Idle connections are dropped
# after 4 s, before the common 5 s server keep-alive, so a request rarely meets a connection closing under it.
DEFAULT_LIMITS = httpx.Limits(max_connections=128, max_keepalive_connections=128, keepalive_expiry=4.0)
TOKEN_PATH = "/api/open/v3/getToken"
USER_AGENT = "akool_nb/0.1"

Envelope = Literal["standard", "token", "detect", "analyze", "raw"]


@dataclass
class APIRequest:
    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    paid: bool = False  # a create that costs credits: no retry unless provably not received
    envelope: Envelope = "standard"
    authenticated: bool = True
    find_hint: str = ""  # how to find a job after an ambiguous create
    timeout: httpx.Timeout | float | None = None

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class RetryPolicy:
    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def backoff(self, attempt: int) -> float:
        # Capped exponential backoff with jitter (between half and the full step).
        step = min(self.max_delay, self.initial_delay * (2**attempt))
        return step * (0.5 + random.random() / 2)


def _retry_after(response: httpx.Response | None) -> float | None:
    if response is None:
        return None
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())


# Exceptions raised before a single byte could reach the server.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class _Retry(Exception):
    """Internal signal: wait ``delay`` seconds, then send again."""

    def __init__(self, delay: float, reason: str) -> None:
        self.delay, self.reason = delay, reason


class _RefreshToken(Exception):
    """Internal signal: the bearer token was rejected (1101); fetch a new one and send once more."""


class BaseClient:
    """Configuration and the pure parts of a request's life: build, interpret, decide to retry."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str | None = None,
        timeout: httpx.Timeout | float | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._credentials = credentials
        for secret in credentials.secrets():
            register_secret(secret)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        self.retry = retry or RetryPolicy(max_retries=max_retries)
        self._token: str | None = None
        self._token_lock = threading.Lock()

    # -- building ---------------------------------------------------------------------------------
    def _auth_headers(self) -> dict[str, str]:
        creds = self._credentials
        if creds.api_key is not None:
            return {"x-api-key": creds.api_key.reveal()}
        if self._token:
            # Only one header: a stale Bearer token would silently override a good x-api-key (docs F.11).
            return {"Authorization": f"Bearer {self._token}"}
        return {}

    def _build(self, http: httpx.Client | httpx.AsyncClient, req: APIRequest,
               deadline: float | None = None) -> httpx.Request:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **req.headers}
        if req.authenticated:
            headers.update(self._auth_headers())
        kwargs: dict[str, Any] = {"headers": headers, "params": _clean_params(req.params)}
        if req.content is not None:
            kwargs["content"] = req.content
        elif req.json is not None:
            kwargs["json"] = req.json
        kwargs["timeout"] = cut_timeout(req.timeout if req.timeout is not None else self.timeout, deadline)
        # An absolute path is a documented endpoint on another host (e.g. the legacy face detect, docs F.1).
        url = req.path if req.path.startswith(("http://", "https://")) else self.base_url + req.path
        return http.build_request(req.method, url, **kwargs)

    def _token_request(self) -> APIRequest:
        creds = self._credentials
        assert creds.client_id and creds.client_secret
        return APIRequest(
            "POST",
            TOKEN_PATH,
            json={"clientId": creds.client_id, "clientSecret": creds.client_secret.reveal()},
            envelope="token",
            authenticated=False,
        )

    def _store_token(self, body: Any) -> None:
        # The docs put the token at the top level; one sample reads data.token (F.9). Accept both.
        token = body.get("token") if isinstance(body, dict) else None
        if not token and isinstance(body, dict) and isinstance(body.get("data"), dict):
            token = body["data"].get("token")
        if not token:
            raise APIError("getToken answered without a token", endpoint=f"POST {TOKEN_PATH}", body=body)
        register_secret(token)
        self._token = token

    # -- interpreting -----------------------------------------------------------------------------
    def _interpret(self, req: APIRequest, response: httpx.Response, attempt: int) -> Any:
        """Return the payload, or raise a typed error, :class:`_Retry` or :class:`_RefreshToken`."""
        status = response.status_code
        logger.debug("%s -> HTTP %s", req.endpoint, status)
        body: Any = None
        try:
            body = response.json()
        except ValueError:
            body = None
        if req.envelope != "token":  # an echoed key never reaches records, results, errors or the journal
            body = scrub(body)

        if not isinstance(body, dict):
            if status >= 500 or status == 429:
                self._maybe_retry(req, attempt, f"HTTP {status}", response, http_error=True)
                raise ServerError(
                    f"HTTP {status} without a JSON answer", endpoint=req.endpoint, http_status=status
                )
            if req.envelope == "raw" and 200 <= status < 300:
                return response.content
            raise APIError(
                f"HTTP {status}: the answer is not a JSON object", endpoint=req.endpoint, http_status=status
            )

        # Auth and rate errors come in the standard {code, msg} form from every endpoint, detection included.
        standard = req.envelope in ("standard", "token") or (
            "code" in body and "error_code" not in body and "success" not in body)
        if standard:
            code = body.get("code")
            if code == 1000 or code == "1000":
                return body if req.envelope == "token" else body.get("data")
            code_int = _as_int(code)
            if code_int == 1005:
                self._maybe_retry(req, attempt, "Akool 1005 (frequent operation)", response, http_error=False)
            if code_int == 1101 and self._credentials.uses_token and req.authenticated:
                raise _RefreshToken()
            if code_int is None and status >= 500:
                self._maybe_retry(req, attempt, f"HTTP {status}", response, http_error=True)
            err = error_for_code(code_int, body.get("msg"), endpoint=req.endpoint, http_status=status, body=body)
            if isinstance(err, RateLimitError):
                err.retry_after = _retry_after(response)
            raise err
        if req.envelope == "detect":
            # Face detection: {error_code: 0|1, error_msg, ...}, possibly with HTTP 400/500 (docs F.12).
            if _as_int(body.get("error_code")) == 0:
                return body
            if status >= 500:
                self._maybe_retry(req, attempt, f"HTTP {status}", response, http_error=True)
            raise APIError(
                str(body.get("error_msg") or "face detection failed"),
                code=_as_int(body.get("error_code")),
                endpoint=req.endpoint,
                http_status=status,
                body=body,
            )
        if req.envelope == "analyze":
            if body.get("success") is True:
                return body
            if status >= 500:
                self._maybe_retry(req, attempt, f"HTTP {status}", response, http_error=True)
            raise APIError(
                str(body.get("error") or "analyze_frames failed"), endpoint=req.endpoint, http_status=status, body=body
            )
        return body

    def _maybe_retry(
        self, req: APIRequest, attempt: int, reason: str, response: httpx.Response | None, *, http_error: bool
    ) -> None:
        """Raise :class:`_Retry` if this answer may be retried; otherwise return (caller raises)."""
        if req.paid and http_error:
            # A 5xx to a create is ambiguous: the job may have been created before the error.
            raise AmbiguousSubmitError(
                _ambiguous_message(req, reason), endpoint=req.endpoint, reason=reason,
                http_status=response.status_code if response is not None else None,
            )
        if attempt >= self.retry.max_retries:
            return
        delay = _retry_after(response)
        delay = min(delay, self.retry.max_retry_after) if delay is not None else self.retry.backoff(attempt)
        raise _Retry(delay, reason)

    def _after_transport_error(self, req: APIRequest, exc: httpx.TransportError, attempt: int,
                               deadline: float | None = None) -> float:
        """Delay before resending after a transport error, or raise the right error."""
        never_sent = isinstance(exc, _NEVER_SENT)
        reason = type(exc).__name__
        if req.paid and not never_sent:
            raise AmbiguousSubmitError(_ambiguous_message(req, reason), endpoint=req.endpoint, reason=reason) from None
        if attempt >= self.retry.max_retries:
            what = "could not reach" if never_sent else "lost the connection to"
            error = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
            raise error(
                f"{what} {self.base_url} after {attempt + 1} attempts ({reason}: {exc})", endpoint=req.endpoint
            ) from None
        return self._fit(req, self.retry.backoff(attempt), deadline, attempt, reason)

    # -- deadlines (see the module docstring) ------------------------------------------------------
    def _fit(self, req: APIRequest, delay: float, deadline: float | None, attempt: int, reason: str) -> float:
        """``delay`` if waiting it and sending again ends before the deadline; else raise APITimeoutError."""
        left = remaining(deadline)
        if left is not None and delay >= left:
            detail = (f"after {attempt + 1} attempt(s) ({reason}), a retry in {delay:.1f}s would pass it "
                      f"({max(left, 0):.1f}s left)")
            raise self._deadline_error(req, detail)
        return delay

    def _before_attempt(self, req: APIRequest, deadline: float | None, attempt: int) -> None:
        left = remaining(deadline)
        if left is not None and left <= 0:
            raise self._deadline_error(req, "it passed before the request was sent" if attempt == 0
                                       else f"it passed after {attempt} attempt(s)")

    @staticmethod
    def _deadline_error(req: APIRequest, detail: str) -> APITimeoutError:
        # Only refused or never-sent attempts of a create are retried, so here Akool made no job.
        paid = " Akool did not create the job: no attempt reached it, or it refused (1005)." if req.paid else ""
        error = APITimeoutError(f"no complete answer before the deadline: {detail}.{paid}", endpoint=req.endpoint)
        error.by_deadline = True
        return error

    def _fresh_copy_kwargs(self) -> dict[str, Any]:
        return {"timeout": self.timeout, "retry": replace(self.retry)}


def _ambiguous_message(req: APIRequest, reason: str) -> str:
    hint = f" {req.find_hint}" if req.find_hint else ""
    return (
        f"The create request may have reached Akool, but no complete answer came back ({reason}). "
        "It was NOT retried, so you are not charged twice. A job may exist: check for it before "
        f"creating again (jobs you passed a webhook_url for will still call it).{hint}"
    )


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _clean_params(params: dict[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    return {k: v for k, v in params.items() if v is not None}


class SyncAPIClient(BaseClient):
    def __init__(self, credentials: Credentials, *, transport: httpx.BaseTransport | None = None,
                 http_client: httpx.Client | None = None, **kwargs: Any) -> None:
        super().__init__(credentials, **kwargs)
        self._http = http_client or httpx.Client(transport=transport, timeout=self.timeout, limits=DEFAULT_LIMITS)
        self._owns_http = http_client is None
        # Every socket operation of a pool we built ends by the deadline (see _deadline).
        self.clamped = self._owns_http and clamp_sync_client(self._http)

    def request(self, req: APIRequest, *, deadline: float | None = None) -> Any:
        """Send ``req`` (with retries) and return its payload; ``deadline`` bounds it all (module docstring)."""
        attempt = 0
        refreshed = False
        while True:
            self._before_attempt(req, deadline, attempt)
            if req.authenticated and self._credentials.uses_token and not self._token:
                self._refresh_token(deadline=deadline)
            try:
                with bound(deadline):
                    response = self._http.send(self._build(self._http, req, deadline))
            except httpx.TransportError as exc:
                delay = self._after_transport_error(req, exc, attempt, deadline)
                logger.info("%s: %s, retrying in %.2fs", req.endpoint, type(exc).__name__, delay)
                time.sleep(delay)
                attempt += 1
                continue
            try:
                return self._interpret(req, response, attempt)
            except _Retry as retry:
                delay = self._fit(req, retry.delay, deadline, attempt, retry.reason)
                logger.info("%s: %s, retrying in %.2fs", req.endpoint, retry.reason, delay)
                time.sleep(delay)
                attempt += 1
            except _RefreshToken:
                if refreshed:
                    raise AuthError("the token was refused again after a refresh", code=1101,
                                    endpoint=req.endpoint) from None
                refreshed = True
                self._refresh_token(force=True, deadline=deadline)

    def _refresh_token(self, force: bool = False, deadline: float | None = None) -> None:
        left = remaining(deadline)
        if not self._token_lock.acquire(timeout=-1 if left is None else max(left, 0.0)):
            raise self._deadline_error(APIRequest("POST", TOKEN_PATH), "another thread was fetching a token")
        try:
            if self._token and not force:
                return
            self._token = None
            body = self.request(self._token_request(), deadline=deadline)
            self._store_token(body)
        finally:
            self._token_lock.release()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()


class AsyncAPIClient(BaseClient):
    def __init__(self, credentials: Credentials, *, transport: httpx.AsyncBaseTransport | None = None,
                 http_client: httpx.AsyncClient | None = None, **kwargs: Any) -> None:
        super().__init__(credentials, **kwargs)
        if transport is None and http_client is None:
            from ._pool import ShardedTransport  # many concurrent creates, at a few pools' cost (see there)

            transport = ShardedTransport(DEFAULT_LIMITS)
        self._http = http_client or httpx.AsyncClient(transport=transport, timeout=self.timeout,
                                                      limits=DEFAULT_LIMITS)
        self._owns_http = http_client is None
        self._async_token_lock: asyncio.Lock | None = None

    async def request(self, req: APIRequest, *, deadline: float | None = None) -> Any:
        """Send ``req`` (with retries) and return its payload; ``deadline`` bounds it all (module docstring)."""
        attempt = 0
        refreshed = False
        while True:
            self._before_attempt(req, deadline, attempt)
            if req.authenticated and self._credentials.uses_token and not self._token:
                await self._refresh_token(deadline=deadline)
            try:
                response = await self._send(self._build(self._http, req, deadline), deadline)
            except httpx.TransportError as exc:
                delay = self._after_transport_error(req, exc, attempt, deadline)
                logger.info("%s: %s, retrying in %.2fs", req.endpoint, type(exc).__name__, delay)
                await asyncio.sleep(delay)
                attempt += 1
                continue
            try:
                return self._interpret(req, response, attempt)
            except _Retry as retry:
                delay = self._fit(req, retry.delay, deadline, attempt, retry.reason)
                logger.info("%s: %s, retrying in %.2fs", req.endpoint, retry.reason, delay)
                await asyncio.sleep(delay)
                attempt += 1
            except _RefreshToken:
                if refreshed:
                    raise AuthError("the token was refused again after a refresh", code=1101,
                                    endpoint=req.endpoint) from None
                refreshed = True
                await self._refresh_token(force=True, deadline=deadline)

    async def _send(self, request: httpx.Request, deadline: float | None) -> httpx.Response:
        left = remaining(deadline)
        if left is None:
            return await self._http.send(request)
        try:  # the whole send, however the server trickles its answer
            return await asyncio.wait_for(self._http.send(request), max(left, 0.0))
        except asyncio.TimeoutError:
            # Treated like a read timeout: the request may have reached the server.
            raise httpx.ReadTimeout("the call's deadline passed during the request", request=request) from None

    async def _refresh_token(self, force: bool = False, deadline: float | None = None) -> None:
        if self._async_token_lock is None:
            self._async_token_lock = asyncio.Lock()
        lock = self._async_token_lock
        try:
            await asyncio.wait_for(lock.acquire(), remaining(deadline))
        except asyncio.TimeoutError:
            raise self._deadline_error(APIRequest("POST", TOKEN_PATH), "another task was fetching a token") from None
        try:
            if self._token and not force:
                return
            self._token = None
            body = await self.request(self._token_request(), deadline=deadline)
            self._store_token(body)
        finally:
            lock.release()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()


__all__ = ["APIRequest", "APITimeoutError", "AkoolError", "AsyncAPIClient", "BaseClient", "RetryPolicy",
           "SyncAPIClient"]
