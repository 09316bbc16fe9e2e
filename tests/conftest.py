"""Shared fixtures: an offline Akool on real loopback HTTP (fast mode), and clients pointed at it."""
from __future__ import annotations

import http.server
import os
import threading

import pytest

# Never touch the developer's ~/.akool_nb or pick up a real key while testing.
os.environ.pop("AKOOL_API_KEY", None)
os.environ.pop("AKOOL_CLIENT_ID", None)
os.environ.pop("AKOOL_CLIENT_SECRET", None)

API_KEY = "test-key-0123456789abcde"  # 24 chars: also a valid AES-192 webhook key
CLIENT_ID = "akoolnbtestclient"


@pytest.fixture(scope="session", autouse=True)
def _isolated_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("akool_nb_home")
    os.environ["AKOOL_NB_HOME"] = str(home)
    yield home


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    from akool_nb import sim as sim_module

    server = sim_module.start(api_key=API_KEY, client_id=CLIENT_ID, fast=True,
                              data_dir=tmp_path_factory.mktemp("sim"))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _clean_faults(request):
    yield
    if "sim" in request.fixturenames:
        request.getfixturevalue("sim").faults.reset()


@pytest.fixture
def client(sim, tmp_path):
    import akool_nb as ak

    with ak.Akool(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05,
                  max_poll_interval=0.2, journal=tmp_path / "jobs.sqlite") as c:
        yield c


@pytest.fixture
async def aclient(sim, tmp_path):
    import akool_nb as ak

    async with ak.AsyncAkool(api_key=API_KEY, base_url=sim.base_url, offline=True, poll_interval=0.05,
                             max_poll_interval=0.2, journal=tmp_path / "jobs.sqlite") as c:
        yield c


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def hook_server():
    """A webhook receiver on loopback; ``received`` collects the raw bodies."""
    received: list[bytes] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
