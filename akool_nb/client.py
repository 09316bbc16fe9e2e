"""``Akool`` and ``AsyncAkool``: one client per service, one attribute per API family.

    client = Akool()                       # key from AKOOL_API_KEY or a Colab secret
    job = client.talking_photo.create(photo="me.png", audio=speech)
    video = job.wait()

Long because: the two clients each list every API family.
"""
from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Generator
from urllib.parse import unquote, urlsplit

import httpx

from ._auth import Credentials, require_credentials
from ._base_client import APIRequest, AsyncAPIClient, BaseClient, SyncAPIClient
from ._exceptions import AkoolError, InvalidParameterError
from ._journal import Journal
from ._journal.reconcile import Outcome, Pause, Try, Wait, create_steps
from ._logging import logger
from ._resources import RESOURCES, Resources
from .assets import OfflineHost, PassThroughHost, UploadCache, as_asset_host
from .jobs import AsyncJob, Job, _JobBase
from .media.inputs import Upload

DEFAULT_POLL_INTERVAL = 3.0
DEFAULT_MAX_POLL_INTERVAL = 15.0
DEFAULT_RECONCILE_GRACE = 5.0  # seconds after a lost answer before a list can prove the job absent
JOURNAL_WAIT = 30.0  # seconds a create waits for its intent to be committed before going on unjournaled


class _ClientBase(Resources):
    _core: BaseClient
    _job_class: type[_JobBase]
    _is_async = False

    _RESOURCES = RESOURCES  # the typed, lazy resource properties: akool_nb/_resources.py

    def _setup(self, credentials: Credentials, *, asset_host: Any, poll_interval: float | None,
               max_poll_interval: float | None, journal: bool | str | Path | Journal | None,
               offline: bool, reconcile_grace: float | None = None, webhooks: Any = None) -> None:
        self.offline = offline
        # A request still in flight (at a proxy, at Akool) when its answer was lost must have landed before a
        # list can prove its job absent; only then may the create be sent again.
        self.reconcile_grace = DEFAULT_RECONCILE_GRACE if reconcile_grace is None else float(reconcile_grace)
        self.poll_interval = poll_interval if poll_interval is not None else DEFAULT_POLL_INTERVAL
        self.max_poll_interval = max_poll_interval if max_poll_interval is not None else DEFAULT_MAX_POLL_INTERVAL
        if asset_host is None and offline:
            asset_host = OfflineHost(self._offline_upload_request)
        self._assets = UploadCache(as_asset_host(asset_host))
        if journal is True or journal is None:
            self._journal: Journal | None = Journal()
        elif journal is False:
            self._journal = None
        else:
            self._journal = journal if isinstance(journal, Journal) else Journal(journal)
        self._credentials = credentials
        # Journal rows are keyed by service; the offline Akool may come back on another port.
        self._service_key = "offline" if offline else self._core.base_url
        # Webhooks (a Receiver, or the public URL of one in another process): see akool_nb.webhook._listen.
        self._webhooks: Any = None
        self._webhook_source: Any = None
        if webhooks is not None:
            from .webhook._listen import listener_for

            self._webhooks, self._webhook_source = listener_for(self, webhooks)

    @property
    def base_url(self) -> str:
        return self._core.base_url

    # -- jobs -------------------------------------------------------------------------------------
    def _new_job(self, product: str, data: Any, request: dict[str, Any]) -> _JobBase:
        record = data if isinstance(data, dict) else {}
        job_id = record.get("_id") or record.get("id")
        if not job_id:
            from ._exceptions import APIError

            raise APIError("the create call succeeded but returned no _id; the job cannot be tracked", body=data)
        # The create itself was journaled by create_steps (intent before the POST, the id from its answer).
        job = self._job_class(self, product, str(job_id), record=record, request=request)
        if self._webhooks is not None:
            from .webhook._fields import notifies

            job._webhooked = notifies(request, self._webhook_url())
        logger.info("created %s job %s", product, job.id)
        return job

    def _journal_update(self, job: _JobBase) -> None:
        if self._journal is not None:
            try:
                self._journal.set_status(self._service_key, job.id, int(job.status), job.url)
            except Exception as exc:  # the journal is a safety net; never fail a job because of it
                logger.warning("could not update the job journal: %s", exc)

    def _advance(self, stack: list[Generator[Any, Any, Any]], value: Any) -> tuple[Any, Any]:
        """Send ``value`` into the generator stack until it yields an I/O step: ``(step, None)``, or
        ``(_DONE, result)`` once the outermost generator returns. A paid create the journal covers is run by
        its create_steps, pushed on the stack, whose answer goes back to the resource's generator as if the
        request had answered directly. Shared by Akool._run and AsyncAkool._run, which only do the I/O."""
        while True:
            try:
                op = stack[-1].send(value)
            except StopIteration as stop:
                stack.pop()
                if not stack:
                    return _DONE, stop.value
                value = stop.value
                continue
            if type(op) is APIRequest and op.paid and self._webhooks is not None:
                self._fill_webhook(op)
            if type(op) is APIRequest and self._journals(op):
                stack.append(self._create_steps(op))
                value = None
                continue
            return op, None

    def _webhook_url(self) -> str | None:
        source = self._webhook_source
        return source if isinstance(source, str) else source.url

    def _fill_webhook(self, op: APIRequest) -> None:
        """A paid create that takes a webhook and was given none gets the receiver's URL (in place, so the
        journal and the job's ``request`` show what was sent)."""
        from .webhook._fields import WEBHOOK_FIELDS, fill_webhook

        if op.path in WEBHOOK_FIELDS:
            url = self._webhook_url()
            if url is None:
                raise AkoolError("the webhook receiver given to this client is not serving, so Akool could not "
                                 "reach it: call receiver.serve() first, or give Receiver(public_url=...)")
            fill_webhook(op.path, op.json, url)

    def _create_steps(self, op: APIRequest) -> Generator[Any, Any, Any]:
        # A seam: a campaign's row view replays the creates its row already made (akool_nb/campaign/).
        return create_steps(self, op)

    def campaign(self, name: str, rows: Any, make: Any) -> Any:
        """A campaign: ``make(c, row)`` run for every row of ``rows`` (a list of dicts, a DataFrame or a CSV
        path), resumable by ``name``; see :mod:`akool_nb.campaign` (``preview()``, ``run()``, ``results()``)."""
        from .campaign import new_campaign

        return new_campaign(self, name, rows, make)

    def _journals(self, op: APIRequest) -> bool:
        """Whether this request goes through the journal (a paid create, journal on)."""
        return op.paid and self._journal is not None and self._journal.enabled

    # -- uploads ----------------------------------------------------------------------------------
    def _upload(self, op: Upload) -> str:
        if isinstance(self._assets.host, PassThroughHost):
            raise InvalidParameterError(op.param, PassThroughHost.MESSAGE)
        return self._assets.upload(op.data, op.filename, op.content_type)

    def _offline_upload_request(self, req: APIRequest) -> Any:
        raise NotImplementedError

    # -- downloads --------------------------------------------------------------------------------
    @staticmethod
    def _target(url: str, path: str | Path | None) -> Path:
        name = unquote(Path(urlsplit(url).path).name) or "result"
        if path is None:
            return Path(name)
        target = Path(path).expanduser()
        return target / name if target.is_dir() else target

    def __repr__(self) -> str:
        mode = "OFFLINE (simulated results)" if self.offline else "live"
        auth = "token (client_id)" if self._credentials.uses_token else "api_key=***"
        return f"<{type(self).__name__} {mode} base_url={self.base_url!r} {auth} from {self._credentials.source}>"

    def _repr_html_(self) -> str:
        from .display import client_html

        return client_html(self)


_DONE = object()  # _advance: the outermost generator returned


def _wait(op: Wait) -> Any:
    if op.future is None:
        return None
    try:
        return op.future.result(JOURNAL_WAIT)
    except Exception as exc:  # a stuck journal never holds a create back for good
        logger.warning("the job journal did not answer in %.0fs: %s", JOURNAL_WAIT, exc)
        return exc


async def _await(op: Wait) -> Any:
    # No timeout here (asyncio.wait_for costs a timer per create): the writer resolves every future, with
    # an error at worst, once its own retries on a locked file (30 s each) are used up.
    if op.future is None:
        return None
    if op.future.done():
        return op.future.result()
    return await asyncio.wrap_future(op.future)


def _stream_to_file(http: httpx.Client, url: str, target: Path, chunk_size: int) -> Path:
    """Stream ``url`` to ``target`` via a ``.part`` file, so an interrupted download never looks complete.
    No auth headers are sent: result files live on a CDN that must never see the API key."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    started = time.monotonic()
    with http.stream("GET", url, follow_redirects=True) as response:
        response.raise_for_status()
        with open(partial, "wb") as fh:
            for chunk in response.iter_bytes(chunk_size):
                fh.write(chunk)
    partial.replace(target)
    logger.info("saved %s (%d bytes) in %.2fs", target, target.stat().st_size, time.monotonic() - started)
    return target


class Akool(_ClientBase):
    """The synchronous client. Credentials: ``api_key`` → ``AKOOL_API_KEY`` → Colab secret; or the legacy
    ``client_id`` + ``client_secret`` (exchanged once for a bearer token, refreshed once on 1101).

    ``journal``: where paid creates are journaled (True: ``$AKOOL_NB_HOME/jobs.sqlite`` or
    ``~/.akool_nb/jobs.sqlite``; a path; a :class:`Journal`; False: off). With it, a create whose answer is
    lost is looked for in its product's list and attached, or sent again once the list proves it absent
    ``reconcile_grace`` seconds (default 5) after the failure; see ``client.jobs.recent()``/``reconcile()``.

    ``webhooks``: a served :class:`~akool_nb.webhook.Receiver` (or the public URL of one running in another
    process on the same journal). Paid creates then send its URL as their webhook when you gave none, and
    ``wait()``/``wait_all()`` finish jobs from the deliveries, polling only what did not arrive in time."""

    _job_class = Job

    def __init__(self, api_key: str | None = None, *, client_id: str | None = None,
                 client_secret: str | None = None, base_url: str | None = None,
                 timeout: httpx.Timeout | float | None = None, max_retries: int = 3,
                 transport: httpx.BaseTransport | None = None, http_client: httpx.Client | None = None,
                 asset_host: Any = None, poll_interval: float | None = None,
                 max_poll_interval: float | None = None, journal: bool | str | Path | Journal | None = True,
                 offline: bool = False, reconcile_grace: float | None = None, webhooks: Any = None) -> None:
        credentials = require_credentials(api_key, client_id, client_secret)
        self._core = SyncAPIClient(credentials, base_url=base_url, timeout=timeout, max_retries=max_retries,
                                   transport=transport, http_client=http_client)
        self._setup(credentials, asset_host=asset_host, poll_interval=poll_interval,
                    max_poll_interval=max_poll_interval, journal=journal, offline=offline,
                    reconcile_grace=reconcile_grace, webhooks=webhooks)

    def _request(self, req: APIRequest, deadline: float | None = None) -> Any:
        return self._core.request(req, deadline=deadline)

    _offline_upload_request = _request

    def _run(self, steps: Generator[Any, Any, Any]) -> Any:
        stack, value = [steps], None
        while True:
            op, value = self._advance(stack, value)
            if op is _DONE:
                return value
            if type(op) is APIRequest:
                value = self._request(op)
            elif isinstance(op, Upload):
                value = self._upload(op)
            elif isinstance(op, Try):
                try:
                    value = Outcome(self._request(op.request))
                except AkoolError as exc:
                    value = Outcome(error=exc)
            elif isinstance(op, Wait):
                value = _wait(op)
            elif isinstance(op, Pause):
                time.sleep(op.seconds)
                value = None
            else:
                raise TypeError(f"unknown step {op!r}")

    def with_options(self, *, timeout: httpx.Timeout | float | None = None,
                     max_retries: int | None = None) -> Akool:
        """A copy sharing the connection pool with other per-request settings:
        ``client.with_options(timeout=5).voices.list()``."""
        clone = object.__new__(type(self))
        clone.__dict__.update({k: v for k, v in self.__dict__.items() if k not in self._RESOURCES})
        core = object.__new__(type(self._core))
        core.__dict__.update(self._core.__dict__)
        core._owns_http = False
        if timeout is not None:
            core.timeout = timeout
        if max_retries is not None:
            core.retry = type(core.retry)(**{**core.retry.__dict__, "max_retries": max_retries})
        clone._core = core
        return clone

    def _download(self, url: str, path: str | Path | None, chunk_size: int) -> Path:
        return _stream_to_file(self._core._http, url, self._target(url, path), chunk_size)

    async def _adownload(self, url: str, path: str | Path | None, chunk_size: int) -> Path:
        return await asyncio.to_thread(self._download, url, path, chunk_size)

    def close(self) -> None:
        self._core.close()
        if self._journal is not None:
            self._journal.flush(5)  # the journal's queued writes are committed (also at exit, regardless)

    def __enter__(self) -> Akool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncAkool(_ClientBase):
    """The asyncio client: the same resources; methods return coroutines, jobs are :class:`AsyncJob`."""

    _job_class = AsyncJob
    _is_async = True

    def __init__(self, api_key: str | None = None, *, client_id: str | None = None,
                 client_secret: str | None = None, base_url: str | None = None,
                 timeout: httpx.Timeout | float | None = None, max_retries: int = 3,
                 transport: httpx.AsyncBaseTransport | None = None, http_client: httpx.AsyncClient | None = None,
                 asset_host: Any = None, poll_interval: float | None = None,
                 max_poll_interval: float | None = None, journal: bool | str | Path | Journal | None = True,
                 offline: bool = False, reconcile_grace: float | None = None, webhooks: Any = None) -> None:
        credentials = require_credentials(api_key, client_id, client_secret)
        self._core = AsyncAPIClient(credentials, base_url=base_url, timeout=timeout, max_retries=max_retries,
                                    transport=transport, http_client=http_client)
        self._sync_core: SyncAPIClient | None = None
        self._setup(credentials, asset_host=asset_host, poll_interval=poll_interval,
                    max_poll_interval=max_poll_interval, journal=journal, offline=offline,
                    reconcile_grace=reconcile_grace, webhooks=webhooks)

    async def _request(self, req: APIRequest, deadline: float | None = None) -> Any:
        return await self._core.request(req, deadline=deadline)

    def _offline_upload_request(self, req: APIRequest) -> Any:
        # Uploads run in a worker thread (see _run), so they use a small sync core of their own.
        if self._sync_core is None:
            self._sync_core = SyncAPIClient(self._credentials, base_url=self.base_url, timeout=self._core.timeout)
        return self._sync_core.request(req)

    async def _run(self, steps: Generator[Any, Any, Any]) -> Any:
        stack, value = [steps], None  # as Akool._run; journal waits are awaited, never blocking the loop
        while True:
            op, value = self._advance(stack, value)
            if op is _DONE:
                return value
            if type(op) is APIRequest:
                value = await self._request(op)
            elif isinstance(op, Upload):
                value = await asyncio.to_thread(self._upload, op)
            elif isinstance(op, Try):
                try:
                    value = Outcome(await self._request(op.request))
                except AkoolError as exc:
                    value = Outcome(error=exc)
            elif isinstance(op, Wait):
                value = await _await(op)
            elif isinstance(op, Pause):
                await asyncio.sleep(op.seconds)
                value = None
            else:
                raise TypeError(f"unknown step {op!r}")

    async def _adownload(self, url: str, path: str | Path | None, chunk_size: int) -> Path:
        target = self._target(url, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        async with self._core._http.stream("GET", url, follow_redirects=True) as response:
            response.raise_for_status()
            with open(partial, "wb") as fh:
                async for chunk in response.aiter_bytes(chunk_size):
                    fh.write(chunk)
        partial.replace(target)
        return target

    def _download(self, url: str, path: str | Path | None, chunk_size: int) -> Path:
        with httpx.Client(timeout=self._core.timeout) as http:
            return _stream_to_file(http, url, self._target(url, path), chunk_size)

    async def close(self) -> None:
        await self._core.aclose()
        if self._sync_core is not None:
            self._sync_core.close()

    async def __aenter__(self) -> AsyncAkool:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
