"""Jobs across products: re-attach by id (after a kernel restart), recent jobs, settle lost answers, wait for many."""
from __future__ import annotations

from typing import Any

from .._exceptions import AkoolError, AmbiguousSubmitError, InvalidParameterError
from .._journal import Entry, tagged
from .._journal.reconcile import _view, reconcile_steps
from ..jobs import PRODUCTS
from ._base import JOURNAL_LIMIT_MAX, Resource, Steps, flag, identifier, number, operation, text, wait_args

TAG_MAX_CHARS = 512  # a campaign name or a row key, not a document


class Jobs(Resource):
    @operation
    def attach(self, job_id: str, product: str | None = None) -> Steps[Any]:
        """Re-attach to a job by id. ``product`` may be omitted for jobs this machine created (journal)."""
        identifier(job_id, "job_id", "job id")
        if product is not None and (not isinstance(product, str) or product not in PRODUCTS):
            raise InvalidParameterError("product", f"is not a product; use one of {', '.join(PRODUCTS)}",
                                        value=product)
        entry = self._entry(job_id)
        if product is None:
            if entry is None or entry.product not in PRODUCTS:
                raise AkoolError(f"unknown job {job_id!r}: pass product= one of {', '.join(PRODUCTS)}",
                                 job_id=job_id)
            product = entry.product
        elif product not in PRODUCTS:
            raise AkoolError(f"unknown product {product!r}; use one of {', '.join(PRODUCTS)}", job_id=job_id)
        job = self._client._job_class(self._client, product, job_id, request=entry.body if entry else None,
                                      created_at=entry.first_sent if entry else None)
        job._absorb((yield job._status_request()))
        return job

    def recent(self, limit: int | None = 20, *, meta: dict[str, Any] | None = None) -> list[Any]:
        """What this machine sent to this service, newest first (from the local journal; not refreshed):
        a :class:`Job` for each create that made a job, and an :class:`Entry` for each whose outcome is not
        known (answer lost, or never answered) or that was proven not created. ``meta`` keeps the entries
        tagged with these values (see :meth:`tag`)."""
        if limit is not None:
            number(limit, "limit", 1, JOURNAL_LIMIT_MAX, whole=True, example=20)
        if meta is not None:
            if not isinstance(meta, dict) or not meta:
                raise InvalidParameterError("meta", "must be a dict of tags, e.g. meta={'campaign': 'spring'}",
                                            value=meta)
            self.tag(**meta)  # the same rule as the tags themselves
        journal = self._client._journal
        if journal is None:
            return []
        return [_view(self._client, e) for e in journal.recent(self._client._service_key, limit, meta=meta)]

    @operation
    def reconcile(self, entry: Any = None, *, job_id: str | None = None, resend: bool = False) -> Steps[list[Any]]:
        """Settle creates whose answer was lost (or never came: the kernel died first).

        * ``reconcile()``: every unsettled entry is looked for in its product's list (where the API has one):
          found ones are attached; proven absent ones are marked so (``resend=True`` sends those again);
          the rest stay ``unknown``.
        * ``reconcile(entry, job_id="...")``: you found the job (webhook, Akool dashboard): attach it.
        * ``reconcile(entry, resend=True)``: send it again; where the list can show the job it is looked for
          first, elsewhere this is your call (use it when you know it was not created).

        ``entry``: an :class:`Entry`, its key, or the :class:`AmbiguousSubmitError`. Returns one item per
        entry: a :class:`Job` where a job is known, else the :class:`Entry` as it now stands. On AsyncAkool,
        await it."""
        if entry is not None and not isinstance(entry, (Entry, AmbiguousSubmitError)):
            identifier(entry, "entry", "journal entry key")
        if job_id is not None:
            identifier(job_id, "job_id", "job id")
        flag(resend, "resend", optional=False)
        return (yield from reconcile_steps(self._client, entry, job_id=job_id, resend=resend))

    @staticmethod
    def tag(**meta: Any) -> Any:
        """``with client.jobs.tag(campaign="spring", row=7): ...``: creates inside are journaled with this meta."""
        for name, value in meta.items():  # journaled as JSON and matched by recent(meta=): plain values only
            if isinstance(value, str):
                text(value, name, max_chars=TAG_MAX_CHARS)
            elif value is not None and not isinstance(value, bool):
                number(value, name, -(2**53), 2**53, whole=isinstance(value, int), example=7)
        return tagged(**meta)

    def save_pending(self, save_to: Any) -> Any:
        """Download every journaled finished job whose result file was never saved into ``save_to`` (named by
        content; Akool deletes results 7 days after they finish). Returns the files saved; on AsyncAkool,
        await it."""
        from ..campaign.save import folder, save_pending

        path = folder(save_to)
        if self._client._is_async:
            import asyncio

            return asyncio.to_thread(save_pending, self._client, path)
        return save_pending(self._client, path)

    def _entry(self, job_id: str) -> Entry | None:
        journal = self._client._journal
        return journal.get(self._client._service_key, job_id) if journal is not None else None

    def wait_all(self, jobs: list[Any], timeout: float | None = 900.0, poll: float | None = None,
                 on_progress: Any = None) -> Any:
        """Wait for every job; results in the same order. Products with a many-ids result endpoint are
        polled together, so many jobs cost few requests. On AsyncAkool, await it."""
        wait_args(jobs, timeout, poll, on_progress)
        from ..jobs import async_wait_all, wait_all

        if self._client._is_async:
            return async_wait_all(jobs, timeout=timeout, poll=poll, on_progress=on_progress)
        return wait_all(jobs, timeout=timeout, poll=poll, on_progress=on_progress)
