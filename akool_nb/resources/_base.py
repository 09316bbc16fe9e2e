from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Generator, TypeVar

from ..media.inputs import Upload, prepare

if TYPE_CHECKING:
    from ..client import _ClientBase
    from ..jobs import _JobBase

T = TypeVar("T")
Steps = Generator[Any, Any, T]


def operation(fn: Callable[..., Steps[T]]) -> Callable[..., T]:
    """Run a generator method on the resource's client: a value on ``Akool``, a coroutine on ``AsyncAkool``."""

    @functools.wraps(fn)
    def run(self: Resource, *args: Any, **kwargs: Any) -> Any:
        return self._client._run(fn(self, *args, **kwargs))

    return run


class Resource:
    def __init__(self, client: _ClientBase) -> None:
        self._client = client

    @staticmethod
    def _prepare(value: Any, param: str, *kinds: str, check_extension: bool = True) -> str | Upload:
        return prepare(value, param, kinds, check_extension=check_extension)

    @staticmethod
    def _url(prepared: str | Upload) -> Steps[str]:
        if isinstance(prepared, Upload):
            return (yield prepared)
        return prepared

    def _job(self, product: str, data: Any, request: dict[str, Any]) -> "_JobBase":
        return self._client._new_job(product, data, request)


def webhook(value: str | None) -> str | None:
    # "" is what the docs' examples send when there is no webhook; keep it so bodies match them exactly.
    if value and not value.startswith(("http://", "https://")):
        from .._exceptions import InvalidParameterError

        raise InvalidParameterError("webhook_url", f"{value!r} is not an http(s) URL")
    return value


def voice_id_of(value: Any) -> Any:
    """Accept a voice record (v3 or v4) wherever a ``voice_id`` is asked for."""
    return getattr(value, "voice_id", value)


def csv(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value)
    return str(value)


class Page(list):  # type: ignore[type-arg]
    """A list of records that also remembers the page it came from."""

    def __init__(self, items: list[Any], *, count: int | None = None, page: int | None = None,
                 size: int | None = None) -> None:
        super().__init__(items)
        self.count = count if count is not None else len(items)
        self.page, self.size = page, size

    def _repr_html_(self) -> str:
        from ..display import page_html

        return page_html(self)
