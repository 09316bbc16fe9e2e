"""Jobs across products: re-attach by id (after a kernel restart), recent jobs, wait for many."""
from __future__ import annotations

from typing import Any

from .._exceptions import AkoolError, InvalidParameterError
from ..jobs import PRODUCTS, JobStatus
from ._base import JOURNAL_LIMIT_MAX, Resource, Steps, identifier, number, operation, wait_args


class Jobs(Resource):
    @operation
    def attach(self, job_id: str, product: str | None = None) -> Steps[Any]:
        """Re-attach to a job by id. ``product`` may be omitted for jobs this machine created (journal)."""
        identifier(job_id, "job_id", "job id")
        if product is not None and (not isinstance(product, str) or product not in PRODUCTS):
            raise InvalidParameterError("product", f"is not a product; use one of {', '.join(PRODUCTS)}",
                                        value=product)
        if product is None:
            row = self._client._journal_get(job_id)
            if row is None:
                raise AkoolError(f"unknown job {job_id!r}: pass product= one of {', '.join(PRODUCTS)}",
                                 job_id=job_id)
            product = row["product"]
            request = row["request"]
        else:
            if product not in PRODUCTS:
                raise AkoolError(f"unknown product {product!r}; use one of {', '.join(PRODUCTS)}", job_id=job_id)
            row = self._client._journal_get(job_id)
            request = row["request"] if row else None
        job = self._client._job_class(self._client, product, job_id, request=request,
                                      created_at=row["created_at"] if row else None)
        job._absorb((yield job._status_request()))
        return job

    def recent(self, limit: int = 20) -> list[Any]:
        """Jobs this machine created on this service, newest first (from the local journal; not refreshed)."""
        number(limit, "limit", 1, JOURNAL_LIMIT_MAX, whole=True, example=20)
        jobs = []
        for row in self._client._journal_recent(limit):
            job = self._client._job_class(self._client, row["product"], row["job_id"], request=row["request"],
                                          created_at=row["created_at"])
            if row["status"]:  # the last status seen; refresh() asks the service
                job.status = JobStatus(row["status"])
                job.record = {job.product.status_field: row["status"], job.product.url_fields[0]: row["url"]}
            jobs.append(job)
        return jobs

    def wait_all(self, jobs: list[Any], timeout: float | None = 900.0, poll: float | None = None,
                 on_progress: Any = None) -> Any:
        """Wait for every job; results in the same order. Products with a many-ids result endpoint are
        polled together, so many jobs cost few requests. On AsyncAkool, await it."""
        wait_args(jobs, timeout, poll, on_progress)
        from ..jobs import async_wait_all, wait_all

        if self._client._is_async:
            return async_wait_all(jobs, timeout=timeout, poll=poll, on_progress=on_progress)
        return wait_all(jobs, timeout=timeout, poll=poll, on_progress=on_progress)
