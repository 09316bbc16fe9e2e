"""Secrets never come back: a service that echoes the key, the client secret or the bearer token in every kind
of answer, driven through the real client. None of them reaches an exception (str, repr, args, body, traceback),
a log record, a repr, the HTML a notebook shows, the journal, or a saved notebook."""
from __future__ import annotations

import json
import logging
import os
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import akool_nb as ak
from akool_nb._logging import mask, scrub

KEY = "sk-echo-KEY-0123456789abcdef+/="
CLIENT_SECRET = "cs-echo-SECRET-0123456789"
TOKEN = "tok-echo-TOKEN-abcdef0123456789"
SECRETS = (KEY, CLIENT_SECRET, TOKEN)


class Echo(BaseHTTPRequestHandler):
    """Akool's paths, answered in the way ``server.mode`` says, echoing every credential the request carried."""

    def log_message(self, *args):  # quiet
        pass

    def _answer(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        sent = json.loads(raw) if raw.startswith(b"{") else {}
        echo = " ".join(filter(None, [self.headers.get("x-api-key"), self.headers.get("authorization"),
                                      sent.get("clientSecret")]))
        mode, path = self.server.mode, self.path
        if path.startswith("/api/open/v3/getToken"):
            return self._json(200, {"code": 1000, "msg": f"token for {echo}", "token": TOKEN})
        if mode == "500 text":
            return self._send(500, f"Internal Server Error: upstream rejected {echo}".encode(), "text/plain")
        if mode in ("1101", "1003", "1005", "1006"):
            return self._json(200, {"code": int(mode), "msg": f"refused credentials {echo}",
                                    "data": {"echo": [echo, {"again": echo}]}})
        if self.command == "POST":
            return self._json(200, {"code": 1000, "data": {"_id": "job1", "status": 1, "note": echo}})
        if mode == "job failure":
            return self._json(200, {"code": 1000, "data": {"_id": "job1", "status": 4, "preview": "",
                                                           "error_reason": f"render failed for {echo}"}})
        return self._json(200, {"code": 1000, "data": {"_id": "job1", "status": 3, "text": echo,
                                                       "preview": f"https://cdn.example/a.mp3?k={echo}"}})

    def _json(self, status, body):
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(self, status, content, kind):
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _answer


@pytest.fixture
def service():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    server.mode = "1101"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()


@pytest.fixture
def records():
    """Every log record of the toolkit, formatted the way a handler at DEBUG would write it."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record) + " " + repr(vars(record)))

    handler = Keep(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("akool_nb")
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lines
    root.removeHandler(handler)
    root.setLevel(old)


def leaks(*texts: str) -> list[str]:
    return [s for s in SECRETS for t in texts if s in t]


def error_texts(err: BaseException) -> list[str]:
    return [str(err), repr(err), repr(err.args), repr(getattr(err, "body", None)), repr(vars(err)),
            "".join(traceback.format_exception(err))]


def clients(service, tmp_path, auth):
    kw = dict(base_url=service.url, journal=tmp_path / f"{auth}.sqlite", max_retries=0, poll_interval=0.01,
              max_poll_interval=0.02)
    if auth == "api_key":
        return ak.Akool(api_key=KEY, **kw)
    return ak.Akool(client_id="cid-echo", client_secret=CLIENT_SECRET, **kw)


@pytest.mark.parametrize("auth", ["api_key", "token"])
@pytest.mark.parametrize("mode", ["1101", "1003", "1005", "1006", "500 text", "job failure"])
def test_an_echoing_service_never_gets_a_secret_into_errors_logs_or_reprs(service, records, tmp_path, auth, mode):
    service.mode = mode
    client = clients(service, tmp_path, auth)
    with pytest.raises(ak.AkoolError) as info:
        client.tts.create(text="hello", voice_id="v1").wait(timeout=10)
    err = info.value
    assert leaks(*error_texts(err), *records, repr(client), client._repr_html_()) == []
    # The echo did reach the client (except where no service text is kept: a text 500, a token refused twice).
    assert "***" in " ".join(error_texts(err) + records) or mode == "500 text" or (mode, auth) == ("1101", "token")
    if mode == "job failure":
        assert "render failed for" in str(err) and str(err).count("***") == 1


@pytest.mark.parametrize("auth", ["api_key", "token"])
def test_an_echoed_secret_never_reaches_a_result_its_reprs_html_or_the_journal(service, records, tmp_path, auth):
    service.mode = "result"
    client = clients(service, tmp_path, auth)
    job = client.tts.create(text="hello", voice_id="v1")
    result = job.wait(timeout=10)
    shown = [repr(job), job._repr_html_(), repr(result), result._repr_html_(), str(result.url), repr(job.record),
             repr(client.jobs.recent()), *records]
    assert leaks(*shown) == [] and result.url.endswith("***")
    journal = (tmp_path / f"{auth}.sqlite").read_bytes()
    assert not [s for s in SECRETS if s.encode() in journal]


@pytest.mark.parametrize("mode", ["1101", "job failure"])
def test_the_async_client_keeps_secrets_out_too(service, records, tmp_path, mode):
    import asyncio

    service.mode = mode

    async def run():
        async with ak.AsyncAkool(api_key=KEY, base_url=service.url, journal=False, max_retries=0,
                                 poll_interval=0.01) as client:
            job = await client.tts.create(text="hello", voice_id="v1")
            await job.wait(timeout=10)

    with pytest.raises(ak.AkoolError) as info:
        asyncio.run(run())
    assert leaks(*error_texts(info.value), *records) == [] and "***" in str(info.value)


def test_the_log_filter_scrubs_args_tracebacks_stacks_and_extra_fields(records):
    ak.Akool(api_key=KEY, journal=False)  # registers the key
    log = logging.getLogger("akool_nb.sim")  # a child logger: filters on the parent would not see it
    log.warning("key %s and %r", KEY, {"k": KEY})
    try:
        raise KeyError(f"lookup of {KEY}")
    except KeyError:
        logging.getLogger("akool_nb").exception("failed", extra={"request": {"headers": {"x-api-key": KEY}}})
    logging.getLogger("akool_nb").info("stack", stack_info=True, extra={"token": [KEY.encode()]})
    assert len(records) == 3 and leaks(*records) == []
    assert "lookup of ***" in records[1] and "'x-api-key': '***'" in records[1]


def test_one_scrub_for_everything_deep_and_in_the_forms_a_service_may_echo():
    ak.Akool(api_key=KEY, journal=False)
    from urllib.parse import quote

    value = {KEY: [KEY, (f"Bearer {KEY}",), {b"k": KEY.encode()}], "url": f"https://x/?k={quote(KEY, safe='')}",
             "json": json.dumps({"k": KEY}).replace("/", "\\/"), "n": 3, "plain": "nothing to see"}
    scrubbed = scrub(value)
    assert leaks(repr(scrubbed)) == [] and quote(KEY, safe="") not in repr(scrubbed)
    assert scrubbed["n"] == 3 and scrubbed["plain"] == "nothing to see" and "***" in scrubbed["url"]
    clean = {"a": ["b", {"c": 1}]}
    assert scrub(clean) is clean and mask("plain text") == "plain text"


def test_the_repr_names_the_true_source_of_the_key(monkeypatch, service):
    monkeypatch.setenv("AKOOL_API_KEY", KEY)
    monkeypatch.delenv("AKOOL_NB_OFFLINE", raising=False)
    client = ak.connect(base_url=service.url, journal=False)
    assert "from $AKOOL_API_KEY" in repr(client) and KEY not in repr(client)
    assert "from argument" in repr(ak.connect(KEY, base_url=service.url, journal=False, offline=False))


NOTEBOOK = [
    "import logging, sys\nimport akool_nb as ak\n"
    "logging.basicConfig(stream=sys.stdout, level=logging.DEBUG, force=True)\n"
    "client = ak.Akool(base_url=URL, journal=False, max_retries=0, poll_interval=0.01)  # key from AKOOL_API_KEY\n"
    "client",
    "client.tts.create(text='hello', voice_id='v1')  # the service answers 1101, echoing the key",
    "try:\n    client.tts.create(text='hello', voice_id='v1')\nexcept ak.AkoolError as err:\n"
    "    print(repr(err), err.args, err.body)\n    error = err\nerror",
    "ak.connect(base_url=URL, journal=False)",
]


def test_an_executed_notebook_saves_no_secret(service, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    service.mode = "1101"
    monkeypatch.setenv("AKOOL_API_KEY", KEY)  # the kernel inherits it: the notebook's source never holds the key
    monkeypatch.delenv("AKOOL_NB_OFFLINE", raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"URL = {service.url!r}")]
                                  + [nbformat.v4.new_code_cell(src) for src in NOTEBOOK])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    path = tmp_path / "echo.ipynb"
    nbformat.write(nb, path)
    saved = path.read_text()
    assert KEY not in saved and json.dumps(KEY)[1:-1] not in saved
    outputs = json.dumps([cell.get("outputs", []) for cell in nb.cells])
    assert "AuthError" in outputs and "refused credentials ***" in outputs and "from $AKOOL_API_KEY" in outputs
