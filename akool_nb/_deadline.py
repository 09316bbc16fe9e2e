"""Deadlines: one absolute ``time.monotonic()`` bound on a whole call, retries and waits included.

A *timeout* (the client's, ``with_options(timeout=)``'s or ``APIRequest.timeout``, the most specific
winning) bounds each attempt phase by phase, as httpx defines it. A *deadline* bounds everything a call
does: every attempt's connect/read/write/pool timeouts are cut to what remains (:func:`cut_timeout`), no
backoff or Retry-After wait is started that would end past it, and no attempt starts after it.

How far past its deadline a call can run:

* async: the send runs under ``asyncio.wait_for``, so a call ends at its deadline plus scheduling latency,
  whatever the server does (a server trickling a byte per second included);
* sync, on a connection pool the client built itself (the default, also with ``transport=``): every socket
  operation (connect, TLS handshake, each read, each write) gets at most the time that remains
  (:class:`ClampedBackend`), so a trickling server is cut at the deadline too. What remains unbounded is
  what Python cannot interrupt: name resolution (``getaddrinfo``) and one ``send()`` of a write buffer to a
  server that stops reading;
* sync, with an ``http_client=`` of your own: the attempt's timeouts are cut and the deadline is checked
  between attempts, but a server that sends a byte within every read timeout can hold one attempt open
  for up to (bytes it sends) × (read timeout).
"""
from __future__ import annotations

import contextlib
import contextvars
import time
from typing import Any, Iterable, Iterator

import httpcore
import httpx

# The deadline of the sync request in progress on this thread (read by ClampedStream at each I/O call).
current: contextvars.ContextVar[float | None] = contextvars.ContextVar("akool_nb_deadline", default=None)


def after(seconds: float | None) -> float | None:
    """The deadline ``seconds`` from now (``None``: no deadline)."""
    return None if seconds is None else time.monotonic() + seconds


def remaining(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.monotonic()


@contextlib.contextmanager
def bound(deadline: float | None) -> Iterator[None]:
    """Make ``deadline`` the current one for the sync I/O inside the block."""
    token = current.set(deadline)
    try:
        yield
    finally:
        current.reset(token)


def cut_timeout(timeout: httpx.Timeout | float | None, deadline: float | None) -> httpx.Timeout | float | None:
    """The attempt's timeout: each phase (connect, read, write, pool) cut to what remains of the deadline.
    Without a deadline the configured timeout is returned unchanged."""
    left = remaining(deadline)
    if left is None:
        return timeout
    left = max(left, 0.001)  # 0 would mean "non-blocking" to a socket; the caller checks for a passed deadline
    base = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)

    def cut(phase: float | None) -> float:
        return left if phase is None else min(phase, left)

    return httpx.Timeout(connect=cut(base.connect), read=cut(base.read), write=cut(base.write), pool=cut(base.pool))


def _clamp(timeout: float | None, error: type[Exception]) -> float | None:
    left = remaining(current.get())
    if left is None:
        return timeout
    if left <= 0:
        raise error("the call's deadline passed")
    return left if timeout is None else min(timeout, left)


class ClampedStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the current deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout))
        return ClampedStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class ClampedBackend(httpcore.NetworkBackend):
    """Wraps httpcore's sync backend so connections it opens are :class:`ClampedStream` s. Inert (one
    context-variable read per I/O call) when no deadline is set."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, _clamp(timeout, httpcore.ConnectTimeout), local_address,
                                           socket_options)
        return ClampedStream(stream)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(path, _clamp(timeout, httpcore.ConnectTimeout), socket_options)
        return ClampedStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def clamp_sync_client(http: httpx.Client) -> bool:
    """Install :class:`ClampedBackend` in every httpcore pool of a client we built (its transport and the
    proxy mounts httpx made from the environment). Returns whether every pool got it; a transport that is
    not httpx's own (a MockTransport, say) keeps the between-attempts checks only."""
    transports = [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]
    clamped = True
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend):
            if not isinstance(backend, ClampedBackend):
                pool._network_backend = ClampedBackend(backend)  # type: ignore[union-attr]
        elif transport is not None:
            clamped = False
    return clamped
