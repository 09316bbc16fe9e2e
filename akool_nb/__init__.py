"""akool_nb: a notebook-first creative toolkit over the Akool AI media API.

    import akool_nb as ak
    client = ak.connect()        # the real Akool with a key, else the offline Akool (it says so)

``import akool_nb`` loads only the error classes; the client, jobs and asset hosts load on first use
(module ``__getattr__``), so importing costs about what ``import httpx, pydantic`` does.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._exceptions import (
    AkoolError,
    AmbiguousSubmitError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthError,
    InvalidParameterError,
    InvalidRequestError,
    JobFailedError,
    JobTimeoutError,
    MissingCredentialsError,
    NotFoundError,
    PermissionDeniedError,
    QuotaError,
    RateLimitError,
    ServerError,
    WebhookError,
    WebhookReplayError,
)

if TYPE_CHECKING:
    from . import samples
    from ._connect import connect, connect_async
    from .assets import AssetHost, CallableHost, PassThroughHost
    from .client import Akool, AsyncAkool
    from .jobs import PRODUCTS, AsyncJob, Job, JobStatus, Result

__version__ = "0.1.0"

# public name -> the module that defines it, imported on first access
_LAZY = {
    "connect": "._connect", "connect_async": "._connect",
    "AssetHost": ".assets", "CallableHost": ".assets", "PassThroughHost": ".assets",
    "Akool": ".client", "AsyncAkool": ".client",
    "PRODUCTS": ".jobs", "AsyncJob": ".jobs", "Job": ".jobs", "JobStatus": ".jobs", "Result": ".jobs",
}

__all__ = [
    "PRODUCTS", "APIConnectionError", "APIError", "Akool", "AkoolError", "AmbiguousSubmitError", "AssetHost",
    "AsyncAkool", "AsyncJob", "AuthError", "CallableHost", "InvalidParameterError", "InvalidRequestError", "Job",
    "JobFailedError", "JobStatus", "JobTimeoutError", "MissingCredentialsError", "NotFoundError",
    "PassThroughHost", "PermissionDeniedError", "QuotaError", "RateLimitError", "Result", "ServerError",
    "APITimeoutError", "WebhookError", "WebhookReplayError", "connect", "connect_async",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module, __name__), name)
    elif not name.startswith("__"):
        try:  # a submodule (ak.samples, ak.webhook, ak.jobs, ...), as if it had been imported
            value = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, "samples"})
