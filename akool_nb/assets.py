"""Asset hosts: where local media goes so that Akool, which only takes URLs, can fetch it.

An asset host is any object with ``upload(data, filename, content_type) -> url`` (or a plain callable
with that signature). The offline Akool hosts uploads itself; against the real service you bring your own
(an S3 bucket, a CDN, ...). The default, :class:`PassThroughHost`, accepts URLs only and says so.
"""
from __future__ import annotations

import hashlib
import threading
from typing import Any, Callable, Protocol, runtime_checkable

from ._exceptions import InvalidParameterError


@runtime_checkable
class AssetHost(Protocol):
    def upload(self, data: bytes, filename: str, content_type: str) -> str: ...


class PassThroughHost:
    """Accepts URLs only: a local file raises a clear error naming the parameter and the ways out."""

    MESSAGE = (
        "is local data, but Akool only fetches media from public URLs. Either upload it yourself and pass "
        "its https URL, or give the client an asset host: Akool(asset_host=my_upload) where "
        "my_upload(data, filename, content_type) returns a public URL. (The offline Akool from "
        "akool_nb.connect() hosts local files by itself.)"
    )

    def upload(self, data: bytes, filename: str, content_type: str, *, param: str | None = None) -> str:
        raise InvalidParameterError(param or filename, self.MESSAGE)


class CallableHost:
    def __init__(self, fn: Callable[[bytes, str, str], str]) -> None:
        self._fn = fn

    def upload(self, data: bytes, filename: str, content_type: str) -> str:
        url = self._fn(data, filename, content_type)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"the asset host returned {url!r}, not an http(s) URL")
        return url


class OfflineHost:
    """Uploads to the offline Akool (``POST /_sim/assets``), which serves the file back by URL."""

    def __init__(self, request: Callable[[Any], Any]) -> None:
        self._request = request

    def upload(self, data: bytes, filename: str, content_type: str) -> str:
        from ._base_client import APIRequest

        payload = self._request(APIRequest(
            "POST", "/_sim/assets", params={"filename": filename}, content=data,
            headers={"Content-Type": content_type},
        ))
        return payload["url"]


def as_asset_host(host: Any) -> AssetHost:
    if host is None:
        return PassThroughHost()
    if hasattr(host, "upload"):
        return host
    if callable(host):
        return CallableHost(host)
    raise TypeError(f"asset_host must have upload(data, filename, content_type) or be callable, not {host!r}")


class UploadCache:
    """Uploads each distinct content once per client (notebooks re-run cells a lot)."""

    def __init__(self, host: AssetHost) -> None:
        self.host = host
        self._urls: dict[str, str] = {}
        self._lock = threading.Lock()

    def upload(self, data: bytes, filename: str, content_type: str) -> str:
        key = hashlib.sha256(data).hexdigest() + filename
        with self._lock:
            if key in self._urls:
                return self._urls[key]
        url = self.host.upload(data, filename, content_type)
        with self._lock:
            self._urls[key] = url
        return url
