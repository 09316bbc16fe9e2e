"""akool_nb: a notebook-first creative toolkit over the Akool AI media API.

    import akool_nb as ak
    client = ak.connect()        # the real Akool with a key, else the offline Akool (it says so)
"""
from ._connect import connect, connect_async
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
)
from .assets import AssetHost, CallableHost, PassThroughHost
from .client import Akool, AsyncAkool
from .jobs import PRODUCTS, AsyncJob, Job, JobStatus, Result
from . import samples

__version__ = "0.1.0"

__all__ = [
    "PRODUCTS", "APIConnectionError", "APIError", "Akool", "AkoolError", "AmbiguousSubmitError", "AssetHost",
    "AsyncAkool", "AsyncJob", "AuthError", "CallableHost", "InvalidParameterError", "InvalidRequestError", "Job",
    "JobFailedError", "JobStatus", "JobTimeoutError", "MissingCredentialsError", "NotFoundError",
    "PassThroughHost", "PermissionDeniedError", "QuotaError", "RateLimitError", "Result", "ServerError",
    "WebhookError", "connect", "connect_async",
    "APITimeoutError",
]
