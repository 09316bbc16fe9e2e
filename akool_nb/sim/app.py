"""The ASGI app: Akool's routes (the ``routes_*`` modules in ``ROUTE_MODULES``), files, the asset host and ``/_sim/*`` controls.

``FaultMiddleware`` wraps everything under ``/api/``: it records the request, then applies the fault knobs
(``faults.py``). Business errors are HTTP 200 with ``{code, msg}`` (the docs never name another status).
"""
from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
from typing import Any, Callable
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from .validate import ApiError, Ctx, Raw

_INVALID = object()  # a body that is not JSON
mimetypes.add_type("image/webp", ".webp")
mimetypes.add_type("audio/mpeg", ".mp3")
mimetypes.add_type("video/mp4", ".mp4")


class DroppedConnection(Exception):
    """Raised after a response head to make uvicorn close the connection (the ``drop`` fault)."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


def envelope(code: int, msg: str, data: Any = None, status: int = 200) -> JSONResponse:
    body = {"code": code, "msg": msg} if data is None else {"code": code, "msg": msg, "data": data}
    return JSONResponse(body, status_code=status)


def api_route(method: str, path: str, handler: Callable[[Ctx], Any], auth: bool) -> Route:
    async def endpoint(request: Request) -> Response:
        sim = request.app.state.sim
        if auth and (err := sim.authenticate(request.headers)) is not None:
            return envelope(err.code, err.msg)
        body: Any = None
        if method in ("POST", "DELETE"):  # DELETE: knowledge/delete takes a JSON body
            raw = await request.body()
            try:
                body = json.loads(raw) if raw.strip() else None
            except ValueError:
                body = _INVALID
        ctx = Ctx(sim, request.url.path, dict(request.query_params), body, dict(request.path_params))
        ctx.query_lists = {k: request.query_params.getlist(k) for k in request.query_params}  # types[]=a&types[]=b
        try:
            data = await run_in_threadpool(handler, ctx)
        except ApiError as exc:
            return envelope(exc.code, exc.msg)
        except ImportError as exc:  # an optional part (the face detector) is not installed: say which extra
            return envelope(1015, f"The offline Akool cannot do this on this machine: {exc}")
        if (edit := getattr(sim, "answer_profile", None)) is not None and not isinstance(data, Raw):
            data = edit(ctx.path, data)  # tests only: a deliberately different service (akool_nb.conformance)
        return (JSONResponse(dict(data), status_code=getattr(data, "status_code", 200)) if isinstance(data, Raw)
                else envelope(1000, "OK", data))

    return Route(path, endpoint, methods=[method])


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
        except (ValueError, TypeError) as exc:
            return envelope(1003, f"Parameter error: {exc}", status=400)
    return envelope(1000, "OK", sim.faults.snapshot())


async def stats(request: Request) -> Response:
    return JSONResponse(request.app.state.sim.stats())


async def recorded(request: Request) -> Response:
    return JSONResponse(request.app.state.sim.recorded_requests())


async def jobs(request: Request) -> Response:
    try:
        since = float(request.query_params.get("since") or 0)
    except ValueError:
        return envelope(1003, "Parameter error: since must be a number (epoch seconds)", status=400)
    return JSONResponse(request.app.state.sim.jobs_since(since))


async def reset(request: Request) -> Response:
    request.app.state.sim.reset()
    return envelope(1000, "OK")


async def not_found(request: Request, exc: Exception) -> Response:
    return envelope(1008, f"The content you get does not exist: no endpoint {request.method} {request.url.path}", status=404)


async def not_allowed(request: Request, exc: Exception) -> Response:
    return envelope(1008, f"Method {request.method} is not allowed on {request.url.path}", status=405)


# ---------------------------------------------------------------- middleware
# One module per family; each has ROUTES = [(method, path, handler, needs_auth), ...] and registers its job
# kinds with jobs.register_kind at import.
ROUTE_MODULES = ("routes_audio", "routes_video", "routes_voicelab", "routes_face", "routes_image",
                 "routes_media", "routes_live")


class FaultMiddleware:
    """Record ``/api/`` requests and apply the fault knobs to them."""

    def __init__(self, app, sim):
        self.app, self.sim = app, sim

    async def __call__(self, scope, receive, send) -> None:
        # Face detection lives outside /api/ (docs §A.1): /interface/detect-api/... and the legacy /detect.
        if scope["type"] != "http" or not (scope["path"].startswith(("/api/", "/interface/")) or scope["path"] == "/detect"):
            return await self.app(scope, receive, send)
        path, sim = scope["path"], self.sim
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        auth = "bearer" if headers.get("authorization") else ("x-api-key" if headers.get("x-api-key") else None)
        try:
            parsed = json.loads(body) if body.strip() else None
        except ValueError:
            parsed = None
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        sim.note_request(scope["method"], path, query, parsed, auth)

        if sim.faults.take("answer_500", path):
            return await Response("Internal Server Error (simulated)", 500, media_type="text/plain")(scope, receive, send)
        if sim.faults.take("answer_1005", path):
            reply = JSONResponse({"code": 1005, "msg": "Frequent operation"}, headers={"retry-after": "0"})
            return await reply(scope, receive, send)
        drop = sim.faults.take("drop", path)

        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        messages: list[dict] = []

        async def capture(message) -> None:
            messages.append(message)

        await self.app(scope, replay, capture)
        delay = sim.faults.delay_for(path)
        if delay:
            await asyncio.sleep(delay)
        if drop:
            await send(messages[0])  # the response head, then the connection goes away
            raise DroppedConnection("simulated dropped connection (fault drop)")
        for message in messages:
            await send(message)


def build_app(sim):
    import importlib

    routes = []
    for name in ROUTE_MODULES:
        module = importlib.import_module(f"akool_nb.sim.{name}")
        routes += [api_route(m, p, h, auth) for m, p, h, auth in module.ROUTES]
    routes += [
        Route("/_sim/files/{rel:path}", serve_file, methods=["GET", "HEAD"]),
        Route("/_sim/assets", upload_asset, methods=["POST"]),
        Route("/_sim/health", health, methods=["GET"]),
        Route("/_sim/faults", faults, methods=["GET", "POST"]),
        Route("/_sim/stats", stats, methods=["GET"]),
        Route("/_sim/requests", recorded, methods=["GET"]),
        Route("/_sim/jobs", jobs, methods=["GET"]),
        Route("/_sim/reset", reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_allowed})
    app.state.sim = sim
    return FaultMiddleware(app, sim)
