"""The ASGI app: Akool's routes (one ``sim/api/<family>`` module per client family), files, the asset host and ``/_sim/*`` controls.

``ApiDoor`` takes every Akool request (``/api/``, ``/interface/``, the legacy ``/detect``): it reads the body
once (keeping at most ``validate.MAX_BODY_BYTES``), records the request, applies the fault knobs
(``faults.py``) and answers it (:func:`answer`): auth, the request check (``validate.parse_body`` and
``check_params``: 1003 naming the field, before any handler runs), the handler, the envelope. Business
errors are HTTP 200 with ``{code, msg}`` (the docs never name another status). Requests that match no route
go on to Starlette (404/405 envelopes, trailing-slash redirects, HEAD), whose API routes use the same
:func:`answer`.
"""
from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
import re
import time
from typing import Any, Callable
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from .validate import MAX_BODY_BYTES, ApiError, Ctx, ParamError, Raw, check_params, parse_body

log = logging.getLogger("akool_nb.sim")
mimetypes.add_type("image/webp", ".webp")
mimetypes.add_type("audio/mpeg", ".mp3")
mimetypes.add_type("video/mp4", ".mp4")
API_PREFIXES = ("/api/", "/interface/")  # face detection lives outside /api/ (docs §A.1), and the legacy /detect
BODY_METHODS = ("POST", "DELETE")  # DELETE: knowledge/delete takes a JSON body


class DroppedConnection(Exception):
    """Raised after a response head to make uvicorn close the connection (the ``drop`` fault)."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


def envelope(code: int, msg: str, data: Any = None, status: int = 200) -> JSONResponse:
    body = {"code": code, "msg": msg} if data is None else {"code": code, "msg": msg, "data": data}
    return JSONResponse(body, status_code=status)


def encode(content: Any) -> bytes:
    """JSON as Starlette's JSONResponse writes it."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


class ApiRoute:
    """One Akool endpoint: ``handler(ctx)`` returns the envelope's ``data`` (or a :class:`Raw` body).
    ``refuse(field, rule)`` answers a request the request check refused (default: 1003 naming the field);
    the detection endpoints answer in their own envelope (a route module's ``BAD_REQUEST``)."""

    # Handlers are plain functions; some read media or the network. Each starts in the thread pool; one whose
    # last PROMOTE_AFTER calls each took under CHEAP_CPU_S of CPU (GIL waits do not count) then runs on the
    # event loop (a thread hop costs more than the handler), and goes back to the pool as soon as one call
    # there takes over SLOW_WALL_S.
    PROMOTE_AFTER, CHEAP_CPU_S, SLOW_WALL_S = 32, 0.002, 0.02

    def __init__(self, method: str, path: str, handler: Callable[[Ctx], Any], auth: bool,
                 refuse: Callable[[str, str], Raw] | None = None):
        self.method, self.path, self.handler, self.auth, self.refuse = method, path, handler, auth, refuse
        self.pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$") if "{" in path else None
        self.inline, self.cheap_calls = False, 0

    def _in_thread(self, ctx: Ctx) -> tuple[Any, float]:
        start = time.thread_time()
        try:
            return self.handler(ctx), time.thread_time() - start
        except ApiError as exc:
            exc.cpu_s = time.thread_time() - start  # type: ignore[attr-defined]
            raise

    def _note(self, cpu_s: float) -> None:
        self.cheap_calls = self.cheap_calls + 1 if cpu_s < self.CHEAP_CPU_S else 0
        if self.cheap_calls >= self.PROMOTE_AFTER:
            self.inline = True

    async def call(self, ctx: Ctx) -> Any:
        if self.inline:
            start = time.perf_counter()
            try:
                return self.handler(ctx)
            finally:
                if time.perf_counter() - start > self.SLOW_WALL_S:
                    self.inline, self.cheap_calls = False, 0
        try:
            data, cpu_s = await run_in_threadpool(self._in_thread, ctx)
        except ApiError as exc:
            self._note(getattr(exc, "cpu_s", 1.0))
            raise
        self._note(cpu_s)
        return data


def _bad_request(route: ApiRoute, error: ParamError) -> tuple[int, bytes]:
    if route.refuse is not None:
        raw = route.refuse(error.field, error.rule)
        return getattr(raw, "status_code", 200), encode(dict(raw))
    return 200, encode({"code": error.code, "msg": error.msg})


async def answer(sim, route: ApiRoute, path: str, headers: dict[str, str], body: Any, body_error: ParamError | None,
                 query: dict[str, str], query_lists: dict[str, list[str]], path_params: dict[str, str]) -> tuple[int, bytes]:
    """(HTTP status, JSON body) for one request to ``route`` (``body``: parsed by ``validate.parse_body``,
    or ``body_error`` what it refused)."""
    if route.auth and (err := sim.authenticate(headers)) is not None:
        return 200, encode({"code": err.code, "msg": err.msg})
    try:
        if route.method in BODY_METHODS and body_error is not None:
            raise body_error
        check_params(query)
        check_params(path_params)
    except ParamError as exc:
        return _bad_request(route, exc)
    ctx = Ctx(sim, path, query, body if route.method in BODY_METHODS else None, path_params)
    ctx.query_lists = query_lists  # types[]=a&types[]=b
    try:
        data = await route.call(ctx)
    except ApiError as exc:
        return 200, encode({"code": exc.code, "msg": exc.msg})
    except ImportError as exc:  # an optional part (the face detector) is not installed: say which extra
        return 200, encode({"code": 1015, "msg": f"The offline Akool cannot do this on this machine: {exc}"})
    if (edit := getattr(sim, "answer_profile", None)) is not None and not isinstance(data, Raw):
        data = edit(path, data)  # tests only: a deliberately different service (akool_nb.conformance)
    if isinstance(data, Raw):
        return getattr(data, "status_code", 200), encode(dict(data))
    return 200, encode({"code": 1000, "msg": "OK", "data": data})


def _query(scope) -> tuple[dict[str, str], dict[str, list[str]]]:
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    lists: dict[str, list[str]] = {}
    for key, value in pairs:
        lists.setdefault(key, []).append(value)
    return dict(pairs), lists


def starlette_route(route: ApiRoute) -> Route:
    """The same endpoint for Starlette, which sees the requests ``ApiDoor`` does not dispatch itself."""

    async def endpoint(request: Request) -> Response:
        seen = request.scope.get("akool_nb.body")
        if seen is None:  # not through ApiDoor (never for the API prefixes; kept for completeness)
            try:
                seen = (parse_body(await request.body()), None)
            except ParamError as exc:
                seen = (None, exc)
        query, lists = _query(request.scope)
        status, content = await answer(request.app.state.sim, route, request.url.path, dict(request.headers), *seen,
                                       query, lists, dict(request.path_params))
        return Response(content, status, media_type="application/json")

    return Route(route.path, endpoint, methods=[route.method])


# ------------------------------------------------------------ files & assets
async def serve_file(request: Request) -> Response:
    sim = request.app.state.sim
    path = await run_in_threadpool(sim.ensure_file, request.path_params["rel"])
    if path is None:
        return envelope(1008, "The content you get does not exist", status=404)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, headers={"access-control-allow-origin": "*"})


async def upload_asset(request: Request) -> Response:
    sim = request.app.state.sim
    if (err := sim.authenticate(request.headers)) is not None:
        return envelope(err.code, err.msg)
    data = await request.body()
    if not data:
        return envelope(1003, "Parameter error: body must contain the file's bytes")
    rel = await run_in_threadpool(sim.store_upload, request.query_params.get("filename") or "upload.bin", data)
    return envelope(1000, "OK", {"url": sim.url_for(rel)})


# ------------------------------------------------------------ /_sim controls
async def health(request: Request) -> Response:
    return envelope(1000, "OK", {"status": "ok", "simulated": True})


async def faults(request: Request) -> Response:
    sim = request.app.state.sim
    if request.method == "POST":
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            if body.pop("clear", False):
                sim.faults.clear()
            if body.pop("expire_tokens", False):
                sim.faults.expire_tokens()
            sim.faults.set(**body)
        except (ValueError, TypeError, RecursionError) as exc:
            return envelope(1003, f"Parameter error: {exc}", status=400)
    return envelope(1000, "OK", sim.faults.snapshot())


async def stats(request: Request) -> Response:
    return JSONResponse(request.app.state.sim.stats())


async def recorded(request: Request) -> Response:
    return JSONResponse(request.app.state.sim.recorded_requests())


async def jobs(request: Request) -> Response:
    """Every job the service holds (``?since=`` epoch seconds: created at or after), oldest first:
    ``[{id, kind, path, created, params, fingerprint}]``, where ``fingerprint`` is the sha256 of the job's stored
    parameters as canonical JSON (what a chaos test needs to tell which creates really happened, and whether one
    happened twice)."""
    import hashlib

    try:
        since = float(request.query_params.get("since") or 0)
    except ValueError:
        return envelope(1003, "Parameter error: since must be a number (epoch seconds)", status=400)
    out = []
    for job in await run_in_threadpool(request.app.state.sim.jobs_since, since):
        canonical = json.dumps(job["params"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        out.append({"id": job["id"], "kind": job["kind"], "path": job["path"], "created": job["created"],
                    "params": job["params"], "fingerprint": hashlib.sha256(canonical.encode()).hexdigest()})
    return envelope(1000, "OK", out)


async def reset(request: Request) -> Response:
    request.app.state.sim.reset()
    return envelope(1000, "OK")


async def not_found(request: Request, exc: Exception) -> Response:
    return envelope(1008, f"The content you get does not exist: no endpoint {request.method} {request.url.path}", status=404)


async def not_allowed(request: Request, exc: Exception) -> Response:
    return envelope(1008, f"Method {request.method} is not allowed on {request.url.path}", status=405)


# ------------------------------------------------------------------ the door
async def _read_body(receive) -> tuple[bytes | None, int]:
    """The request body (None past ``MAX_BODY_BYTES``: the rest is read and dropped) and its size; size -1 if
    the client went away."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None, -1
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
        more = message.get("more_body", False)
    return (b"".join(chunks) if size <= MAX_BODY_BYTES else None), size


def _json_messages(status: int, content: bytes, extra: list | None = None) -> list[dict]:
    headers = [(b"content-length", str(len(content)).encode()), (b"content-type", b"application/json")]
    return [{"type": "http.response.start", "status": status, "headers": headers + (extra or [])},
            {"type": "http.response.body", "body": content}]


class ApiDoor:
    """Answer Akool's routes (recorded, faulted, checked); everything else goes to the Starlette app."""

    def __init__(self, app, sim, routes: list[ApiRoute]):
        self.app, self.sim = app, sim
        self.exact = {(r.method, r.path): r for r in routes if r.pattern is None}
        self.patterns = [r for r in routes if r.pattern is not None]

    def route_for(self, method: str, path: str) -> tuple[ApiRoute | None, dict[str, str]]:
        route = self.exact.get((method, path))
        if route is not None:
            return route, {}
        for route in self.patterns:
            if route.method == method and (m := route.pattern.match(path)):
                return route, m.groupdict()
        return None, {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not (scope["path"].startswith(API_PREFIXES) or scope["path"] == "/detect"):
            return await self.app(scope, receive, send)
        path, method, sim = scope["path"], scope["method"], self.sim
        raw, size = await _read_body(receive)
        if size < 0:
            return
        headers: dict[str, str] = {}
        for key, value in scope["headers"]:
            headers[key.decode("latin-1").lower()] = value.decode("latin-1")
        body, body_error = None, None
        try:
            if raw is None:
                raise ParamError("body", f"must be at most {MAX_BODY_BYTES // 1048576} MB (it has {size} bytes)")
            body = parse_body(raw)
        except ParamError as exc:
            body_error = exc
        query, query_lists = _query(scope)
        auth = "bearer" if headers.get("authorization") else ("x-api-key" if headers.get("x-api-key") else None)
        sim.note_request(method, path, query, body if body_error is None else None, auth)

        faults = sim.faults
        if faults.take("answer_500", path):
            return await Response("Internal Server Error (simulated)", 500, media_type="text/plain")(scope, receive, send)
        if faults.take("answer_1005", path):
            for message in _json_messages(200, encode({"code": 1005, "msg": "Frequent operation"}),
                                          [(b"retry-after", b"0")]):
                await send(message)
            return
        drop = faults.take("drop", path)

        route, path_params = self.route_for(method, path)
        if route is not None:
            messages = _json_messages(*await answer(sim, route, path, headers, body, body_error, query,
                                                    query_lists, path_params))
        else:  # 404, 405, redirects, HEAD: Starlette, with the body already read
            scope["akool_nb.body"] = (body, body_error)
            messages = []
            replayed = False

            async def replay():
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": raw or b"", "more_body": False}
                return await receive()

            async def capture(message) -> None:
                messages.append(message)

            await self.app(scope, replay, capture)
        delay = faults.delay_for(path)
        if delay:
            await asyncio.sleep(delay)
        if drop:
            await send(messages[0])  # the response head, then the connection goes away
            raise DroppedConnection("simulated dropped connection (fault drop)")
        for message in messages:
            await send(message)


def build_app(sim):
    from .api import route_modules

    routes: list[ApiRoute] = []
    for module in route_modules():  # one module per client family (sim/api/<family>.py)
        refusals = getattr(module, "BAD_REQUEST", {})
        routes += [ApiRoute(m, p, h, auth, refusals.get(p)) for m, p, h, auth in module.ROUTES]
    app = Starlette(routes=[starlette_route(r) for r in routes] + [
        Route("/_sim/files/{rel:path}", serve_file, methods=["GET", "HEAD"]),
        Route("/_sim/assets", upload_asset, methods=["POST"]),
        Route("/_sim/health", health, methods=["GET"]),
        Route("/_sim/faults", faults, methods=["GET", "POST"]),
        Route("/_sim/stats", stats, methods=["GET"]),
        Route("/_sim/requests", recorded, methods=["GET"]),
        Route("/_sim/jobs", jobs, methods=["GET"]),
        Route("/_sim/reset", reset, methods=["POST"]),
    ], exception_handlers={404: not_found, 405: not_allowed})
    app.state.sim = sim
    return ApiDoor(app, sim, routes)
