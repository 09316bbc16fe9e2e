"""The offline Akool: a real HTTP service on loopback that behaves like the vendor docs say.

For people without credits and for tests: the real client talks to it over real HTTP and gets real (but
visibly simulated) media back::

    from akool_nb import sim
    with sim.start(fast=True) as server:
        print(server.base_url)          # http://127.0.0.1:54321 -- use as the client's base URL
        server.faults.answer_1005 = 1   # the next API request answers "Frequent operation"

Or from a shell: ``python -m akool_nb.sim --port 8765``.

Importing this package is cheap; the server stack (starlette, uvicorn, numpy …) loads in :func:`start`.
"""
from __future__ import annotations

import ipaddress
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from .clock import Timing

__all__ = ["start", "SimServer", "Timing", "DEFAULT_CLIENT_SECRET"]

#: The webhook key used when neither ``client_secret`` nor ``api_key`` is given (24 chars: AES-192).
DEFAULT_CLIENT_SECRET = "akoolnb-offline-secret24"

#: ``render=``: "full" makes the documented output sizes, "fast" small previews that say so.
RENDER_MODES = ("full", "fast")


def _require_server_stack() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f'the offline Akool needs starlette and uvicorn ({exc.name} is missing): pip install "akool_nb[sim]"'
        ) from exc


def _check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the offline Akool only listens on loopback (127.0.0.1, ::1, localhost), not {host!r}")


class SimServer:
    """A running offline Akool. Use :func:`start` to make one; ``stop()`` or ``with`` ends it."""

    def __init__(self, *, host: str, port: int, api_key: str | None, client_id: str, client_secret: str | None,
                 data_dir: Path | None, timing: Timing | None, fast: bool, answer_profile: Any = None,
                 render: str | None = None):
        _require_server_stack()
        _check_loopback(host)
        if render is not None and render not in RENDER_MODES:
            raise ValueError(f"render must be one of {', '.join(RENDER_MODES)} (or None: fast with fast=True, "
                             f"else full), not {render!r}")
        if not isinstance(client_id, str) or not client_id:
            raise ValueError("client_id must be a non-empty string")
        secret = client_secret or api_key or DEFAULT_CLIENT_SECRET
        if client_secret and len(client_secret.encode("utf-8")) not in (16, 24, 32):
            raise ValueError("client_secret must be 16, 24 or 32 bytes long (the webhook AES key), "
                             f"got {len(client_secret.encode('utf-8'))}")
        # An api_key of another length still serves everything, webhooks aside: said once here (and by
        # ``python -m akool_nb.sim`` on stderr); creates with a webhookUrl work (SimState.webhook_key_problem).
        self.api_key, self.client_id, self.client_secret = api_key, client_id, secret
        self._tmp = data_dir is None
        self.data_dir = Path(tempfile.mkdtemp(prefix="akool-sim-")) if data_dir is None else Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stopped = False

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this; without it uvicorn's h11 writes (head, then body) meet the
        # client's delayed ACK and every answer takes ~40 ms on loopback.
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.bind((host.strip("[]"), port))
        bound = self._sock.getsockname()[1]
        self.base_url = f"http://[{host.strip('[]')}]:{bound}" if family == socket.AF_INET6 else f"http://{host}:{bound}"
        self.port = bound

        from .app import build_app
        from .state import SimState

        timing = timing or (Timing.fast() if fast else Timing())
        self.state = SimState(data_dir=self.data_dir, base_url=self.base_url, api_key=api_key, client_id=client_id,
                              client_secret=secret, timing=timing, fast=fast, render=render)
        self.faults = self.state.faults
        self.state.answer_profile = answer_profile
        self.webhook_warning = self.state.webhook_key_problem
        if self.webhook_warning:
            import logging

            logging.getLogger("akool_nb.sim").warning("offline Akool: %s", self.webhook_warning)
        try:
            self._serve(build_app(self.state))
        except BaseException:
            self.stop()
            raise

    def _serve(self, app) -> None:
        import uvicorn

        # "auto": httptools and uvloop when installed (the sim extra brings them; a request costs the service
        # ~1.5x less CPU than on h11 and asyncio), else h11 on asyncio.
        config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="off",
                                http="auto", loop="auto", ws="none", proxy_headers=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name="akool-sim-server", daemon=True)
        self.state.start()
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the offline Akool did not start")
            time.sleep(0.01)

    # --------------------------------------------------------------- handle API
    @property
    def timing(self) -> Timing:
        return self.state.timing

    @property
    def fast(self) -> bool:
        return self.state.fast

    @property
    def render(self) -> str:
        """``"full"`` (documented output sizes) or ``"fast"`` (smaller previews that say so)."""
        return self.state.render

    def stats(self) -> dict[str, Any]:
        """``{"creates": {path: n}, "requests": n, "requests_by_path": {...}, "webhooks": [...]}``."""
        return self.state.stats()

    def requests(self) -> list[dict]:
        """Recorded API requests ``[{method, path, query, json, auth}]`` (never credentials)."""
        return self.state.recorded_requests()

    def reset(self) -> None:
        """Clear faults, counters and logs (jobs and files stay)."""
        self.state.reset()

    def expire_tokens(self) -> int:
        return self.faults.expire_tokens()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        server = getattr(self, "_server", None)
        if server is not None:
            server.should_exit = True
            self._thread.join(timeout=10)
        if hasattr(self, "state"):
            self.state.close()
        self._sock.close()
        if self._tmp:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> "SimServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<offline Akool {self.base_url} data_dir={str(self.data_dir)!r}{' stopped' if self._stopped else ''}>"


def start(*, host: str = "127.0.0.1", port: int = 0, api_key: str | None = None, client_id: str = "akoolnbsimclient",
          client_secret: str | None = None, data_dir: Path | str | None = None, timing: Timing | None = None,
          fast: bool = False, answer_profile: Any = None, render: str | None = None) -> SimServer:
    """Start the offline Akool in a background thread and return its handle once it answers.

    ``port=0`` picks a free port. Without ``api_key`` any ``x-api-key`` is accepted. ``client_id`` and the
    api key (as ``clientSecret``) get a token from ``getToken``. Webhooks are encrypted with
    ``client_secret``, else the api key, else :data:`DEFAULT_CLIENT_SECRET` (16/24/32 bytes). ``data_dir``
    keeps jobs and files across restarts (default: a temporary directory removed by ``stop()``).
    ``fast=True`` uses short timings (0.05 s queued, 0.2 s processing) and small media.
    ``render`` ("full" or "fast"; default "fast" with ``fast=True``, else "full"): "full" makes talking
    avatars 3840x2160 and U1-U4 upscales 4K, as the docs say; "fast" renders them small and says so in the
    job's answer (``sim_render: {"mode": "fast", "size": [w, h], "full_size": [W, H]}``) and on the picture.
    ``answer_profile`` (tests only): ``fn(path, data) -> data`` edits every answer's ``data``, making a
    deliberately different service for testing ``python -m akool_nb.conformance``.
    """
    return SimServer(host=host, port=port, api_key=api_key, client_id=client_id, client_secret=client_secret,
                     data_dir=None if data_dir is None else Path(data_dir), timing=timing, fast=fast,
                     answer_profile=answer_profile, render=render)
