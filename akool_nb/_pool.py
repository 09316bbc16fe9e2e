"""An async transport made of a few small connection pools, so many concurrent requests stay cheap.

httpcore's pool, on every request and every response, compares each queued request with each of its
connections (``_assign_requests_to_connections``). With 64 concurrent creates on 64 connections that is
thousands of checks per event: measured, 72% of the client's CPU, and 64 concurrent creates went out at a
quarter of the rate of 4 (benchmarks/bench_jobs.py). Spreading the same connections over ``SHARDS`` pools
keeps each pool's checks at a few dozen. Each request goes to the pool with the fewest requests under way;
keep-alive, limits and timeouts stay httpx's own.
"""
from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx

SHARDS = 8


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One context for every pool (loading the CA bundle costs about 40 ms each time)."""
    return httpx.create_ssl_context()


def _share(total: int, shards: int, i: int) -> int:
    """Pool ``i``'s part of ``total``: the parts add up to it exactly."""
    return total // shards + (1 if i < total % shards else 0)


class _Counted(httpx.AsyncByteStream):
    """The response body; the request counts as under way until it is closed."""

    def __init__(self, stream: Any, done: Any) -> None:
        self._stream, self._done = stream, done

    async def __aiter__(self) -> Any:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            done, self._done = self._done, None
            if done is not None:
                done()


class ShardedTransport(httpx.AsyncBaseTransport):
    def __init__(self, limits: httpx.Limits, shards: int = SHARDS, **kwargs: Any) -> None:
        total = limits.max_connections or 100
        shards = max(1, min(shards, total))
        keep = total if limits.max_keepalive_connections is None else limits.max_keepalive_connections
        kwargs.setdefault("verify", _ssl_context())
        self._pools = [
            httpx.AsyncHTTPTransport(limits=httpx.Limits(
                max_connections=_share(total, shards, i), max_keepalive_connections=max(1, _share(keep, shards, i)),
                keepalive_expiry=limits.keepalive_expiry), **kwargs)
            for i in range(shards)]
        self._busy = [0] * shards

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        i = min(range(len(self._pools)), key=self._busy.__getitem__)
        self._busy[i] += 1

        def done() -> None:
            self._busy[i] -= 1

        try:
            response = await self._pools[i].handle_async_request(request)
        except BaseException:
            done()
            raise
        response.stream = _Counted(response.stream, done)
        return response

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()
