"""AsyncAkool's connections live in a few small pools (akool_nb/_pool.py), so 64 concurrent creates stay cheap:
each request goes to the least busy pool and counts as under way until its response is closed."""
from __future__ import annotations

import asyncio

import httpx
import pytest

import akool_nb as ak
from akool_nb._pool import SHARDS, ShardedTransport
from tests.conftest import API_KEY


def test_an_async_client_spreads_64_concurrent_requests_over_every_pool_and_releases_them(sim, tmp_path):
    async def run() -> tuple[list[int], list[int], int]:
        async with ak.AsyncAkool(api_key=API_KEY, base_url=sim.base_url, offline=True, journal=False) as client:
            transport = client._core._http._transport
            assert isinstance(transport, ShardedTransport)
            seen: list[int] = []
            original = transport.handle_async_request

            async def spy(request: httpx.Request) -> httpx.Response:
                seen.append(sum(transport._busy))
                return await original(request)

            transport.handle_async_request = spy  # type: ignore[method-assign]
            await asyncio.gather(*(client.voices.list() for _ in range(64)))
            used = [len(pool._pool.connections) for pool in transport._pools]
            return seen, used, sum(transport._busy)

    seen, used, busy_after = asyncio.run(run())
    assert max(seen) > SHARDS  # the requests really overlapped
    assert all(n >= 1 for n in used), used  # every pool carried some of them
    assert max(used) <= -(-64 // SHARDS) + 1  # and none carried much more than its share
    assert busy_after == 0  # each closed response released its pool


def test_a_request_that_fails_releases_its_pool():
    async def run() -> int:
        transport = ShardedTransport(httpx.Limits(max_connections=8))
        async with httpx.AsyncClient(transport=transport, timeout=2) as http:
            for _ in range(5):
                with pytest.raises(httpx.ConnectError):
                    await http.get("http://127.0.0.1:9/")  # discard port: nothing listens
        return sum(transport._busy)

    assert asyncio.run(run()) == 0


def test_the_limits_are_shared_out_never_exceeded():
    transport = ShardedTransport(httpx.Limits(max_connections=10, max_keepalive_connections=6), shards=4)
    assert len(transport._pools) == 4
    per_pool = [pool._pool._max_connections for pool in transport._pools]
    assert per_pool == [3, 3, 2, 2]  # 10 in all, as asked
    assert [p._pool._max_keepalive_connections for p in transport._pools] == [2, 2, 1, 1]
    assert len(ShardedTransport(httpx.Limits(max_connections=2), shards=8)._pools) == 2  # never a pool of 0
