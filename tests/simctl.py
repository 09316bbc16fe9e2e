"""Talking to the offline Akool's /_sim/* control endpoints from tests (over real HTTP)."""
from __future__ import annotations

from typing import Any

import httpx


def control(sim: Any, path: str, body: dict | None = None) -> Any:
    """GET /_sim/<path>, or POST it with ``body``; returns the envelope's data (or the plain JSON)."""
    url = f"{sim.base_url}/_sim/{path}"
    response = httpx.post(url, json=body) if body is not None else httpx.get(url)
    response.raise_for_status()
    payload = response.json()
    return payload.get("data", payload) if isinstance(payload, dict) and "code" in payload else payload


def creates(sim: Any, path_part: str) -> int:
    """How many creates the service counted on paths containing ``path_part``."""
    return sum(n for p, n in control(sim, "stats")["creates"].items() if path_part in p)


def last_body(sim: Any, path: str) -> Any:
    """The JSON body of the most recent request to ``path`` (what the client put on the wire)."""
    for item in reversed(control(sim, "requests")):
        if item["path"] == path:
            return item["json"]
    raise AssertionError(f"no request to {path} was recorded")


def webhooks(sim: Any, received: list[bytes], until: Any, timeout: float = 10.0) -> list[dict]:
    """Decrypt the webhook bodies ``received`` so far (with the service's keys) until ``until(decoded)`` holds."""
    import time

    from akool_nb.webhook import verify_and_decrypt

    deadline = time.monotonic() + timeout
    while True:
        decoded = [verify_and_decrypt(b, client_id=sim.client_id, client_secret=sim.client_secret)
                   for b in list(received)]
        if until(decoded) or time.monotonic() >= deadline:
            return decoded
        time.sleep(0.05)
