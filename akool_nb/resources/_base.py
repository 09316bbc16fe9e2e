from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any, Callable, Generator, TypeVar

from .._exceptions import InvalidParameterError
from ..media.inputs import Upload, prepare
from ..spec.common import URL_MAX_CHARS, webhook_problem
from ..models._base import _CONTROL, LIST_MAX_ITEMS, TEXT_MAX_CHARS, id_problem, kind_of

PAGE_MAX = 1_000_000  # generic caps for list queries where the docs give none
PAGE_SIZE_MAX = 1000
JOURNAL_LIMIT_MAX = 100_000  # jobs.recent(limit=)

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


def webhook(value: Any, param: str = "webhook_url") -> str | None:
    """An http(s) URL, or None / "" for none ("" is what the docs' examples send; bodies keep it)."""
    if webhook_problem(value) is not None:
        raise InvalidParameterError(param, f"is not an http(s) URL (at most {URL_MAX_CHARS} characters, no spaces); pass the "
                                           "URL of your webhook receiver, or leave it out", value=value)
    return value


def identifier(value: Any, param: str, what: str = "id", *, field: str | None = None) -> str:
    """``value`` checked by the one id rule (models/_base.py ``id_problem``)."""
    problem = id_problem(value, what)
    if problem:
        raise InvalidParameterError(param, problem, field=field, value=value)
    return value


def voice_id_of(value: Any, param: str | None = None) -> Any:
    """Accept a voice record (v3 or v4) wherever a ``voice_id`` is asked for (checked when ``param`` is given)."""
    value = getattr(value, "voice_id", value)
    return identifier(value, param, "voice_id") if param is not None and value is not None else value


def text(value: Any, param: str, *, max_chars: int = TEXT_MAX_CHARS, required: bool = False,
         field: str | None = None) -> str | None:
    """A plain text argument (a name, a filter, a code): a string, not blank, no control characters, capped."""
    if value is None and not required:
        return None
    problem = None
    if not isinstance(value, str):
        problem = f"must be text (a string), not {kind_of(value)}"
    elif not value.strip():
        problem = "is empty" + ("" if required else "; leave it out instead")
    elif len(value) > max_chars:
        problem = f"is {len(value):,} characters; at most {max_chars:,} are accepted"
    elif _CONTROL.search(value):
        problem = "contains control characters (such as NUL or ESC); remove them"
    if problem:
        raise InvalidParameterError(param, problem, field=field, value=value)
    return value


def number(value: Any, param: str, lo: float, hi: float, *, whole: bool = False, field: str | None = None,
           example: Any = None) -> Any:
    """A finite number (an int when ``whole``) in [lo, hi]."""
    ok_type = isinstance(value, int) if whole else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type or not math.isfinite(value) or not lo <= value <= hi:
        kind = "a whole number" if whole else "a number"
        raise InvalidParameterError(param, f"must be {kind} from {lo:,} to {hi:,}; pass e.g. "
                                           f"{param}={example if example is not None else lo!r}",
                                    field=field, value=value)
    return value


def choice(value: Any, param: str, allowed: tuple[Any, ...], *, field: str | None = None,
           meaning: str = "") -> Any:
    """One of ``allowed`` (compared without bools passing for 0/1)."""
    if isinstance(value, bool) or value not in allowed or type(value) not in {type(a) for a in allowed}:
        options = ", ".join(repr(a) for a in allowed)
        raise InvalidParameterError(param, f"must be one of {options}{f' ({meaning})' if meaning else ''}",
                                    field=field, value=value)
    return value


def flag(value: Any, param: str, *, optional: bool = True) -> bool | None:
    """True or False (or None, meaning Akool's default, when ``optional``)."""
    if (value is not None or not optional) and not isinstance(value, bool):
        raise InvalidParameterError(param, "must be True or False", value=value)
    return value


def wait_args(jobs: Any, timeout: Any, poll: Any, on_progress: Any) -> None:
    """``jobs.wait_all``: a list of jobs, a positive timeout (None: no deadline), a poll interval, a callable."""
    if not isinstance(jobs, (list, tuple)) or not all(hasattr(j, "_absorb") for j in items(jobs, "jobs")):
        raise InvalidParameterError("jobs", "must be a list of jobs (what the create calls return)", value=jobs)
    if timeout is not None:
        number(timeout, "timeout", 0, 10**7, example=900)
    if poll is not None:
        number(poll, "poll", 0.01, 3600, example=3)
    if on_progress is not None and not callable(on_progress):
        raise InvalidParameterError("on_progress", "must be a function taking a job", value=on_progress)


def page_args(page: Any, size: Any, size_max: int = PAGE_SIZE_MAX) -> None:
    number(page, "page", 1, PAGE_MAX, whole=True, example=1)
    number(size, "size", 1, size_max, whole=True, example=min(10, size_max))


def items(value: Any, param: str, *, scalar: tuple[type, ...] = (str,)) -> list[Any]:
    """A list argument (or one item of it): checked to be a list, tuple or set of at most LIST_MAX_ITEMS."""
    if isinstance(value, (list, tuple, set)):
        if len(value) > LIST_MAX_ITEMS:
            raise InvalidParameterError(param, f"has {len(value):,} items; at most {LIST_MAX_ITEMS:,} are accepted "
                                               "per call", value=value)
        return list(value)
    return [value]


def tags(value: Any, param: str) -> list[str] | None:
    """Tags (a value or a list of them), each a short text."""
    if value is None:
        return None
    out = [text(v, f"{param}[{i}]" if isinstance(value, (list, tuple, set)) else param, max_chars=100,
                required=True) for i, v in enumerate(items(value, param))]
    if not out:
        raise InvalidParameterError(param, "is an empty list; leave it out instead", value=value)
    return out  # type: ignore[return-value]


def csv(value: Any, param: str = "value") -> str | None:
    """A filter sent comma-separated: a value or a list of them."""
    found = tags(value, param)
    return ",".join(found) if found is not None else None


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
