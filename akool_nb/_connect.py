"""``connect()``: the real Akool when a key is configured, otherwise the offline Akool — and it says so."""
from __future__ import annotations

import os
import secrets
import sys
import threading
from pathlib import Path
from typing import Any

from ._auth import find_credentials
from ._exceptions import MissingCredentialsError
from ._journal import ENV_HOME
from .client import Akool, AsyncAkool

ENV_OFFLINE = "AKOOL_NB_OFFLINE"  # "1": always use the offline Akool, even when a key is configured
ENV_SIM_FAST = "AKOOL_NB_SIM_FAST"  # "1": the offline Akool finishes jobs in a fraction of a second

_lock = threading.Lock()
_server: Any = None


def _offline_service(fast: bool | None, data_dir: str | Path | None) -> Any:
    """One offline Akool per Python process, started on first use and reused afterwards."""
    global _server
    with _lock:
        if _server is None:
            from . import sim

            if fast is None:
                fast = os.environ.get(ENV_SIM_FAST) == "1"
            if data_dir is None:
                home = os.environ.get(ENV_HOME)
                data_dir = Path(home) / "offline" if home else Path.home() / ".akool_nb" / "offline"
            # A fresh random key per service: the offline Akool checks keys just like Akool does.
            _server = _start_on_stable_port(sim, Path(data_dir), fast)
        return _server


PORT_FILE = "service.port"


def _start_on_stable_port(sim: Any, data_dir: Path, fast: bool) -> Any:
    """Start the offline Akool on the port it had last time for this data directory (when free), so links
    in earlier outputs (results, voice previews) answer again once a new kernel connects."""
    key = secrets.token_urlsafe(18)
    port_file = data_dir / PORT_FILE
    try:
        port = int(port_file.read_text().strip())
    except (OSError, ValueError):
        port = 0
    try:
        server = sim.start(api_key=key, data_dir=data_dir, fast=fast, port=port)
    except OSError:  # taken by another program (or another kernel's offline Akool): any free port
        server = sim.start(api_key=key, data_dir=data_dir, fast=fast)
    try:
        port_file.write_text(str(server.port))
    except OSError:
        pass
    return server


def _announce_offline(reason: str, base_url: str) -> None:
    text = (f"akool_nb is OFFLINE: {reason}\n"
            f"Using the offline Akool at {base_url}: every result is SIMULATED locally and no credits are used.\n"
            "Set AKOOL_API_KEY (or pass api_key=) to use the real service.")
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None and getattr(get_ipython(), "kernel", None) is not None:
            from .display import e

            banner = (f'<div style="border:2px solid #f2994a;border-radius:8px;padding:8px 12px;margin:4px 0;'
                      f'background:rgba(242,153,74,.12);font-family:system-ui,sans-serif">'
                      f'<b style="color:#f2994a">akool_nb is OFFLINE</b> — {e(reason)}<br>Using the offline Akool '
                      f'at <code>{e(base_url)}</code>: every result is <b>simulated</b> locally; no credits are '
                      f'used. Set <code>AKOOL_API_KEY</code> to use the real service.</div>')
            display({"text/plain": text, "text/html": banner}, raw=True)
            return
    except ImportError:
        pass
    print(text, file=sys.stderr)


def _resolve(api_key: str | None, client_id: str | None, client_secret: str | None,
             offline: bool | None) -> tuple[Any, str]:
    requested = "offline=True was requested"
    if offline is None and os.environ.get(ENV_OFFLINE) == "1":
        offline, requested = True, f"{ENV_OFFLINE}=1 is set"
    creds, why = find_credentials(api_key, client_id, client_secret)
    if offline is True:
        return None, requested
    if creds is None:
        if offline is False:
            raise MissingCredentialsError(why)
        return None, "no Akool API key was found (argument, AKOOL_API_KEY or Colab secret)"
    return creds, ""


def _client(cls: type, api_key: str | None, client_id: str | None, client_secret: str | None,
            offline: bool | None, fast: bool | None, data_dir: str | Path | None, options: dict[str, Any]) -> Any:
    creds, reason = _resolve(api_key, client_id, client_secret, offline)
    if creds is not None:
        # The user's own arguments: the client finds the same credentials and names their true source.
        return cls(api_key=api_key, client_id=client_id, client_secret=client_secret, **options)
    server = _offline_service(fast, data_dir)
    _announce_offline(reason, server.base_url)
    options.setdefault("poll_interval", 0.1 if server.fast else 0.5)
    options.setdefault("max_poll_interval", 0.5 if server.fast else 2.0)
    client = cls(api_key=server.api_key, base_url=server.base_url, offline=True, **options)
    client.sim = server
    return client


def connect(api_key: str | None = None, *, client_id: str | None = None, client_secret: str | None = None,
            offline: bool | None = None, fast: bool | None = None, data_dir: str | Path | None = None,
            **client_options: Any) -> Akool:
    """A ready client: the real Akool if a key is configured, else the offline Akool (announced loudly).

    ``offline=True`` forces the offline Akool; ``offline=False`` refuses it (raises without a key).
    ``fast`` makes offline jobs finish in a fraction of a second (tests; also ``AKOOL_NB_SIM_FAST=1``).
    """
    return _client(Akool, api_key, client_id, client_secret, offline, fast, data_dir, client_options)


def connect_async(api_key: str | None = None, *, client_id: str | None = None, client_secret: str | None = None,
                  offline: bool | None = None, fast: bool | None = None, data_dir: str | Path | None = None,
                  **client_options: Any) -> AsyncAkool:
    """Like :func:`connect`, returning an :class:`AsyncAkool`."""
    return _client(AsyncAkool, api_key, client_id, client_secret, offline, fast, data_dir, client_options)
