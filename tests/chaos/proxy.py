"""A fault-injecting HTTP/1.1 proxy on loopback, between a client and the offline Akool.

    with ChaosProxy(server.base_url, rates=FaultRates.mixed(0.2), seed=7, client_timeout=3) as proxy:
        client = ak.AsyncAkool(base_url=proxy.url, timeout=3, ...)
        ...
        proxy.injected          # every fault: method, path, kind, whether the service saw the request

Each request to a faultable path (``/api/...`` and face detection by default; never ``/_sim/...``) draws
once from a seeded RNG and gets at most one fault:

=================  ===========================================================  ===================
kind               what the client sees                                         reached the service
=================  ===========================================================  ===================
reset_before       the connection is reset (RST) once the request is read       no
reset_after        the request is forwarded, the answer dropped, then RST       yes
http_502/503_before  502/503 from the "gateway", nothing forwarded              no
http_502/503_after   forwarded and processed, then 502/503 instead of the answer  yes
delay_after        forwarded, the answer held past ``client_timeout``           yes
burst_1005         ``{"code": 1005}`` for this and the next ``burst - 1``       no
                   faultable requests (a rate-limit storm)
=================  ===========================================================  ===================

``script`` maps a request's tag (see ``tag``) to faults its next requests get before any random draw,
so a test can be sure that, say, the first create of each product loses its answer.
Connections are kept alive on both sides (httpx reuses them); requests are parsed with h11. Run it by
hand with ``python -m tests.chaos.proxy --upstream http://127.0.0.1:8765 --rate 0.2``.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, fields
from typing import Callable
from urllib.parse import urlsplit

import h11

BEFORE = ("reset_before", "http_502_before", "http_503_before", "burst_1005")
AFTER = ("reset_after", "http_502_after", "http_503_after", "delay_after")
KINDS = BEFORE + AFTER
_HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade",
               b"transfer-encoding", b"content-length", b"host"}
_FRESH_FOR = 2.0  # reuse an idle upstream connection only this long (uvicorn closes them after 5 s)


@dataclass
class FaultRates:
    """Probability per faultable request of each fault kind (their sum is the total fault rate)."""

    reset_before: float = 0.0
    reset_after: float = 0.0
    http_502_before: float = 0.0
    http_503_before: float = 0.0
    http_502_after: float = 0.0
    http_503_after: float = 0.0
    delay_after: float = 0.0
    burst_1005: float = 0.0

    @classmethod
    def mixed(cls, total: float, burst: int = 3) -> "FaultRates":
        """``total`` spread evenly over the issue's five families (resets, 5xx, delays, 1005 bursts, half of
        the resets and 5xx before forwarding, half after); a burst of ``burst`` answers counts ``burst``
        times, so about ``total`` of all faultable requests are broken."""
        if not 0 <= total <= 1:
            raise ValueError(f"total fault rate must be within 0..1, got {total!r}")
        share = total / 5
        return cls(reset_before=share / 2, reset_after=share / 2, http_502_before=share / 4,
                   http_503_before=share / 4, http_502_after=share / 4, http_503_after=share / 4,
                   delay_after=share, burst_1005=share / burst)

    @property
    def total(self) -> float:
        return sum(getattr(self, f.name) for f in fields(self))

    def pick(self, draw: float) -> str | None:
        """The fault for a uniform ``draw`` in [0, 1), or None."""
        edge = 0.0
        for f in fields(self):
            edge += getattr(self, f.name)
            if draw < edge:
                return f.name
        return None


@dataclass(frozen=True)
class Injected:
    """One injected fault. ``reached_service`` says whether the service received (and processed) it."""

    seq: int
    method: str
    path: str
    kind: str
    reached_service: bool
    upstream_status: int | None
    at: float
    tag: str | None = None  # what ``tag(method, path, body)`` said about the request


def default_faultable(method: str, path: str) -> bool:
    return path.startswith(("/api/", "/interface/")) or path == "/detect"


class ChaosProxy:
    """The proxy, served by its own event loop in a background thread (sync and async clients alike)."""

    def __init__(self, upstream: str, *, rates: FaultRates | float = 0.0, seed: int = 0,
                 client_timeout: float = 5.0, burst: int = 3, host: str = "127.0.0.1", port: int = 0,
                 faultable: Callable[[str, str], bool] = default_faultable,
                 tag: Callable[[str, str, bytes], str | None] | None = None,
                 script: dict[str, list[str]] | None = None) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be an http:// URL, got {upstream!r}")
        self.upstream = (parts.hostname, parts.port or 80)
        self.rates = FaultRates.mixed(rates, burst) if isinstance(rates, (int, float)) else rates
        self.client_timeout, self.burst, self.faultable, self.tag = client_timeout, burst, faultable, tag
        self._script = {label: list(kinds) for label, kinds in (script or {}).items()}
        for kind in (k for kinds in self._script.values() for k in kinds):
            if kind not in KINDS:
                raise ValueError(f"unknown fault {kind!r}; known: {', '.join(KINDS)}")
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._burst_left = 0
        self._injected: list[Injected] = []
        self.requests: Counter[str] = Counter()  # "faultable" / "other"
        self.connections = 0  # client connections accepted (keep-alive makes this small)
        self._bind = (host, port)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self.url = ""

    # ------------------------------------------------------------------ control
    def start(self) -> "ChaosProxy":
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            self._server = await asyncio.start_server(self._connection, *self._bind)
            port = self._server.sockets[0].getsockname()[1]
            self.url = f"http://{self._bind[0]}:{port}"
            ready.set()

        self._thread = threading.Thread(target=self._loop.run_forever, name="chaos-proxy", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(serve(), self._loop).result(10)
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return

        async def shutdown() -> None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> "ChaosProxy":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_rates(self, rates: FaultRates | float) -> None:
        """Change the rates (0 passes everything through, e.g. while checking what the service holds)."""
        with self._lock:
            self.rates = FaultRates.mixed(rates, self.burst) if isinstance(rates, (int, float)) else rates
            self._burst_left = 0

    @property
    def injected(self) -> list[Injected]:
        with self._lock:
            return list(self._injected)

    def summary(self) -> dict[str, int]:
        """Injected faults by kind."""
        return dict(Counter(f.kind for f in self.injected))

    # ------------------------------------------------------------------ decisions
    def _decide(self, method: str, path: str, body: bytes) -> str | None:
        if not self.faultable(method, path):
            self.requests["other"] += 1
            return None
        label = self.tag(method, path, body) if self.tag and self._script else None
        with self._lock:
            self.requests["faultable"] += 1
            if label in self._script and self._script[label]:  # scripted faults come first, in order
                return self._script[label].pop(0)
            if self._burst_left > 0:
                self._burst_left -= 1
                return "burst_1005"
            kind = self.rates.pick(self._rng.random())
            if kind == "burst_1005":
                self._burst_left = self.burst - 1
            return kind

    def _log(self, method: str, path: str, body: bytes, kind: str, status: int | None) -> None:
        label = self.tag(method, path, body) if self.tag else None
        with self._lock:
            self._injected.append(Injected(len(self._injected), method, path, kind, kind in AFTER, status,
                                           time.time(), label))

    # ------------------------------------------------------------------ serving
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        self.connections += 1
        _nodelay(writer)
        down = h11.Connection(h11.SERVER)
        up = _Upstream(*self.upstream)
        try:
            while True:
                head, body = await _read_message(reader, down)
                if head is None:
                    return
                method, target = head.method.decode(), head.target.decode("latin-1")
                path = urlsplit(target).path
                kind = self._decide(method, path, body)
                if kind in BEFORE:
                    self._log(method, path, body, kind, None)
                    if kind == "reset_before":
                        return _reset(writer)
                    await _respond(writer, down, *_synthetic(kind))
                else:
                    try:
                        status, headers, answer = await up.exchange(head, body)
                    except (OSError, h11.ProtocolError, asyncio.IncompleteReadError):
                        self._log(method, path, body, "upstream_error", None)  # not injected: a proxy fault
                        return _reset(writer)
                    if kind is None:
                        await _respond(writer, down, status, headers, answer)
                    else:
                        self._log(method, path, body, kind, status)
                        if kind == "reset_after":
                            return _reset(writer)
                        if kind == "delay_after":
                            await asyncio.sleep(self.client_timeout + 0.5)
                            return _reset(writer)  # the client gave up long ago
                        await _respond(writer, down, *_synthetic(kind))
                if down.our_state is not h11.DONE or down.their_state is not h11.DONE:
                    return
                down.start_next_cycle()
        except (OSError, h11.ProtocolError, asyncio.IncompleteReadError):
            return
        except asyncio.CancelledError:
            return
        finally:
            up.close()
            if not writer.transport.is_closing():
                writer.close()
            self._tasks.discard(task)


class _Upstream:
    """One kept-alive upstream connection per client connection (opened on first use)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.conn: h11.Connection | None = None
        self.idle_since = 0.0

    async def exchange(self, head: h11.Request, body: bytes) -> tuple[int, list, bytes]:
        if self.writer is None or time.monotonic() - self.idle_since > _FRESH_FOR:
            self.close()
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            _nodelay(self.writer)
            self.conn = h11.Connection(h11.CLIENT)
        headers = [(b"host", f"{self.host}:{self.port}".encode())]
        headers += [(k, v) for k, v in head.headers if k.lower() not in _HOP_BY_HOP]
        headers.append((b"content-length", str(len(body)).encode()))
        out = self.conn.send(h11.Request(method=head.method, target=head.target, headers=headers))
        out += self.conn.send(h11.Data(data=body)) if body else b""
        out += self.conn.send(h11.EndOfMessage())
        self.writer.write(out)
        await self.writer.drain()
        response, answer = await _read_message(self.reader, self.conn)
        if response is None:
            raise OSError("upstream closed the connection without answering")
        if self.conn.our_state is h11.DONE and self.conn.their_state is h11.DONE:
            self.conn.start_next_cycle()
            self.idle_since = time.monotonic()
        else:
            self.close()
        keep_length = head.method == b"HEAD"  # its content-length describes a body that is not sent
        kept = [(k, v) for k, v in response.headers
                if k.lower() not in _HOP_BY_HOP or (keep_length and k.lower() == b"content-length")]
        return response.status_code, kept, answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = self.conn = None


async def _read_message(reader: asyncio.StreamReader, conn: h11.Connection):
    """The next complete request or response on ``conn`` as ``(head, body)``; ``(None, b"")`` at EOF."""
    head, body = None, bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(65536))
        elif isinstance(event, (h11.Request, h11.Response)):
            head = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return head, bytes(body)
        elif isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
            return None, b""


async def _respond(writer: asyncio.StreamWriter, conn: h11.Connection, status: int, headers: list,
                   body: bytes) -> None:
    if not any(k.lower() == b"content-length" for k, _ in headers):
        headers = [*headers, (b"content-length", str(len(body)).encode())]
    out = conn.send(h11.Response(status_code=status, headers=headers))
    out += conn.send(h11.Data(data=body)) if body else b""
    out += conn.send(h11.EndOfMessage())
    writer.write(out)
    await writer.drain()


def _synthetic(kind: str) -> tuple[int, list, bytes]:
    if kind == "burst_1005":  # Akool's rate limit: HTTP 200 with the business code, nothing processed
        return 200, [(b"content-type", b"application/json")], b'{"code":1005,"msg":"Frequent operation"}'
    status = 502 if "502" in kind else 503
    text = b"Bad Gateway" if status == 502 else b"Service Temporarily Unavailable"
    return status, [(b"content-type", b"text/html")], b"<html><body><h1>%d %s</h1></body></html>" % (status, text)


def _nodelay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashed gateway or a dropped NAT entry would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos.proxy", description=__doc__.split("\n")[0])
    parser.add_argument("--upstream", required=True, help="the service's base URL, e.g. http://127.0.0.1:8765")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=0.2, help="total fault rate, spread by FaultRates.mixed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--client-timeout", type=float, default=5.0, help="delay_after holds answers this + 0.5 s")
    args = parser.parse_args(argv)
    proxy = ChaosProxy(args.upstream, rates=args.rate, seed=args.seed, client_timeout=args.client_timeout,
                       port=args.port).start()
    print(f"{proxy.url} -> {args.upstream} (fault rate {args.rate:.0%}, seed {args.seed})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()
        print(json.dumps({"faults": proxy.summary(), "log": [asdict(f) for f in proxy.injected[-20:]]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
