from __future__ import annotations

import math
import re
import typing
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from .._exceptions import InvalidParameterError
from ..spec.common import URL_MAX_CHARS, WEBHOOK_SPELLINGS, webhook_problem

# Generic caps, for values the docs give no limit for (documented limits live beside their models):
ID_MAX_CHARS = 256  # an id (voice, avatar, job, knowledge, session, ...): Akool's are 20-64 characters
TEXT_MAX_CHARS = 50_000  # any text field: the largest documented text limit (TTS input_text, Business plan)
LIST_MAX_ITEMS = 1000  # items of a list argument (ids, tags, urls, documents, ...)
INT_MAX = 2**53 - 1  # the largest integer JSON carries exactly
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tabs and line breaks are fine in text
_NOT_IN_IDS = set("/?#%&,\"'<>\\")


def short(value: Any) -> str:
    """``value`` as a message shows it: short, whatever its size."""
    if isinstance(value, str) and len(value) > 40:
        return f"{value[:20]!r}… ({len(value):,} characters)"
    if isinstance(value, (list, tuple, set, dict)) and len(value) > 5:
        return f"a {type(value).__name__} of {len(value):,} items"
    if type(value).__repr__ is object.__repr__:
        return kind_of(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:40] + "…"


def kind_of(value: Any) -> str:
    """``"an int"``, ``"a list"``, ``"None"``: what the user passed, for a message."""
    if value is None:
        return "None"
    name = {"str": "text", "bool": f"the bool {value}"}.get(type(value).__name__, type(value).__name__)
    return name if name.startswith(("text", "the ")) else ("an " if name[0] in "aeiou" else "a ") + name


def id_problem(value: Any, what: str = "id") -> str | None:
    """What is wrong with ``value`` as an Akool id (None when nothing is): the one id rule."""
    if not isinstance(value, str):
        return f"must be the {what} (a string), not {kind_of(value)}"
    if not value.strip():
        return f"is empty; pass the {what}"
    if len(value) > ID_MAX_CHARS:
        return f"is {len(value):,} characters long; an {what} has at most {ID_MAX_CHARS}"
    if any(c.isspace() for c in value):
        return f"contains whitespace; an {what} has none (copy it without spaces or line breaks)"
    if not (value.isascii() and value.isprintable()):
        return f"contains control or non-ASCII characters; an {what} has letters, digits, '-' and '_'"
    bad = sorted(set(value) & _NOT_IN_IDS)
    if bad:
        return f"contains {bad[0]!r}, which no {what} has"
    return None


def id_list(values: Any, param: str, what: str = "id", attribute: str = "id") -> list[str]:
    """Ids from one id, a comma-separated string, or a list of ids / records with ``.id``; each checked by the
    id rule, at most ``LIST_MAX_ITEMS``."""
    listed = isinstance(values, (list, tuple, set))
    if listed and len(values) > LIST_MAX_ITEMS:
        raise InvalidParameterError(param, f"has {len(values):,} items; at most {LIST_MAX_ITEMS:,} per call",
                                    value=values)
    out: list[str] = []
    for item in (list(values) if listed else [values]):
        found = getattr(item, attribute, None) if not isinstance(item, str) else None
        if isinstance(item, str):
            parts = [part.strip() for part in item.split(",") if part.strip()]
        elif isinstance(found, str) and found:
            parts = [found]
        else:
            raise InvalidParameterError(param, f"must be {what}s (strings), jobs or results, not {kind_of(item)}",
                                        value=item)
        for part in parts:
            problem = id_problem(part, what)
            if problem:
                raise InvalidParameterError(param, problem, value=part)
        out += parts
    if not out:
        raise InvalidParameterError(param, f"needs at least one {what}", value=values)
    if len(out) > LIST_MAX_ITEMS:
        raise InvalidParameterError(param, f"has {len(out):,} ids; at most {LIST_MAX_ITEMS:,} per call")
    return out


def check_id(value: Any) -> str:
    """A pydantic validator applying :func:`id_problem`."""
    problem = id_problem(value)
    if problem:
        raise ValueError(problem)
    return value


class ResponseModel(BaseModel):
    """What Akool answers: unknown fields are kept (``model_extra``), ``_id`` is available as ``id``."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)

    def __getitem__(self, key: str) -> Any:  # records also read like the docs' JSON: voice["voice_id"]
        return self.model_dump(by_alias=True)[key]


_TYPE_WORDS = {
    "string_type": "text (a string)", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "True or False", "bool_parsing": "True or False", "list_type": "a list",
    "dict_type": "a dict", "model_type": "a dict of the documented fields", "model_attributes_type": "a dict",
    "literal_error": "", "enum": "", "int_parsing_size": "a whole number of a sane size",
}
_BOUNDS = {"greater_than_equal": "ge", "less_than_equal": "le", "greater_than": "gt", "less_than": "lt"}


def webhook_or_empty(value: Any) -> Any:
    """``webhookUrl`` / ``webhookurl``: an http(s) URL, or "" exactly as the docs' examples send it."""
    if webhook_problem(value) is not None:
        raise ValueError(f"{value!r} is not an http(s) URL (at most {URL_MAX_CHARS} characters, no spaces)")
    return value


class RequestModel(BaseModel):
    """What we send: field names (or aliases) are exactly the documented wire names; nothing else.

    ``arguments`` maps a wire field to the argument the user passes for it (``input_text`` → ``text``), so
    that an error names what the user wrote. Every text is capped at ``TEXT_MAX_CHARS`` and free of control
    characters; numbers are finite, and a bool is not taken for a number."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True,
                              allow_inf_nan=False, str_max_length=TEXT_MAX_CHARS)
    endpoint: ClassVar[str] = ""
    arguments: ClassVar[dict[str, str]] = {}

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name in cls.model_fields:
            annotation = str(cls.model_fields[info.field_name].annotation)
            if "bool" not in annotation and "Any" not in annotation:
                raise ValueError(f"must not be {value}: this field is not a flag")
        return value

    @field_validator("*")
    @classmethod
    def _plain_values(cls, value: Any) -> Any:
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValueError("contains control characters (such as NUL or ESC); remove them")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT_MAX:
            raise ValueError(f"is too large; at most {INT_MAX:,}")
        if isinstance(value, list) and len(value) > LIST_MAX_ITEMS:
            raise ValueError(f"has {len(value):,} items; at most {LIST_MAX_ITEMS:,} are accepted")
        return value

    # The one webhook rule (akool_nb.spec.common) on every request model's webhook field, either spelling.
    _webhook = field_validator(*WEBHOOK_SPELLINGS, check_fields=False)(webhook_or_empty)

    @classmethod
    def build(cls, **fields: Any) -> "RequestModel":
        """Validate before any request; a failure names the argument, the limit and the fix."""
        try:
            return cls(**{k: v for k, v in fields.items() if v is not None})
        except ValidationError as exc:
            raise cls._refusal(exc) from None

    @classmethod
    def _refusal(cls, exc: ValidationError) -> InvalidParameterError:
        errors = exc.errors()
        first = errors[0]
        keep = first["type"] == "extra_forbidden"  # its last part is the unknown name itself
        loc, models = _clean_loc(cls, first["loc"] or _named_in(cls, first), keep)
        same = [e for e in errors if _clean_loc(cls, e["loc"], keep)[0] == loc]
        field = _dotted(loc) or cls.__name__
        head = str(loc[0]) if loc else ""
        if head in cls.arguments:  # "" maps a nested object's fields to arguments of their own
            mapped = cls.arguments[head]
            param = mapped + _dotted(loc[1:], leading=True) if mapped else (_dotted(loc[1:]) or head)
        else:
            argument = _default_argument(loc)
            param = argument + _dotted(loc[1:], leading=True) if argument else field
        message = _explain(first, same, models[-1] if models else cls, loc, param)
        extra = {} if first["type"] == "missing" or not loc else {"value": first.get("input")}
        if extra and message.startswith(repr(extra["value"]) + " "):  # the head shows the value already
            message = message[len(repr(extra["value"])) + 1:]
        return InvalidParameterError(param, message, endpoint=cls.endpoint, field=field, **extra)

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


_UNSET: Any = object()


def _named_in(cls: type[BaseModel], err: dict[str, Any]) -> tuple[Any, ...]:
    """A model-level check names its field first ("credentials ... do not belong ..."): use it as the loc."""
    word = str(err.get("msg", "")).removeprefix("Value error, ").split(" ", 1)[0].strip(",:.")
    head = word.split(".")[0]
    if any(head in (n, f.alias) for n, f in cls.model_fields.items()):
        return tuple(word.split("."))
    return ()


def _default_argument(loc: tuple[Any, ...]) -> str | None:
    return "webhook_url" if loc and loc[0] in ("webhookUrl", "webhookurl") else None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _clean_loc(cls: type[BaseModel], loc: tuple[Any, ...],
               keep_last: bool = False) -> tuple[tuple[Any, ...], list[type[BaseModel]]]:
    """``loc`` without pydantic's union-member tags ("int", "function-before[...]"), and the models it walks."""
    out: list[Any] = []
    models: list[type[BaseModel]] = []
    current: type[BaseModel] | None = cls
    for index, part in enumerate(loc):
        if isinstance(part, int) or (keep_last and index == len(loc) - 1):
            out.append(part)
            continue
        fields = current.model_fields if current is not None else {}
        name = next((n for n, f in fields.items() if part in (n, f.alias)), None)
        if name is None:
            continue
        out.append(fields[name].alias or name)
        models.append(current)  # type: ignore[arg-type]
        current = _inner_model(fields[name].annotation)
    return tuple(out), models


def _dotted(loc: tuple[Any, ...], leading: bool = False) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text or leading else str(part))
    return text


def _field_info(model: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    name = next((str(p) for p in reversed(loc) if not isinstance(p, int)), None)
    return next((f for n, f in model.model_fields.items() if name in (n, f.alias)), None)


def _explain(err: dict[str, Any], same: list[dict[str, Any]], model: type[BaseModel], loc: tuple[Any, ...],
             param: str) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a documented field of this request; check its spelling or drop it"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind == "finite_number":
        return "must be a finite number, not NaN or infinity"
    if kind == "string_too_long":
        return f"is {len(err['input']):,} characters; at most {ctx['max_length']:,} are accepted — shorten it"
    if kind in ("string_too_short", "too_short"):
        return "is empty" if kind == "string_too_short" else f"needs at least {ctx.get('min_length', 1)} item(s)"
    if kind == "too_long":
        return f"has {ctx.get('actual_length', '?'):,} items; at most {ctx.get('max_length', '?')} are accepted"
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected')}"
    if kind in _BOUNDS:
        return _bounds_message(_field_info(model, loc), err.get("input"), param)
    words = list(dict.fromkeys(_TYPE_WORDS.get(e["type"], "") for e in same if e["type"] in _TYPE_WORDS))
    if "a whole number" in words and "a number" in words:
        words.remove("a whole number")
    words = [w for w in words if w]
    if words:
        return f"must be {' or '.join(words)}, not {kind_of(err.get('input'))}"
    return "is not allowed here; see the method's docstring for what it takes"


def _bounds_message(info: Any, value: Any, param: str) -> str:
    bounds: dict[str, Any] = {}
    for meta in getattr(info, "metadata", []) or []:
        for key in ("ge", "le", "gt", "lt"):
            if getattr(meta, key, None) is not None:
                bounds[key] = getattr(meta, key)
    lo, hi = bounds.get("ge", bounds.get("gt")), bounds.get("le", bounds.get("lt"))
    if lo is not None and hi is not None and "gt" not in bounds and "lt" not in bounds:
        text = f"must be between {lo:g} and {hi:g}"
    elif lo is not None and hi is not None:
        text = (f"must be {'more than' if 'gt' in bounds else 'at least'} {lo:g} and "
                f"{'less than' if 'lt' in bounds else 'at most'} {hi:g}")
    elif lo is not None:
        text = f"must be {'greater than' if 'gt' in bounds else 'at least'} {lo:g}"
    else:
        text = f"must be {'less than' if 'lt' in bounds else 'at most'} {hi:g}"
    examples = getattr(info, "examples", None)
    if examples:
        example = examples[0]
    elif isinstance(value, (int, float)) and math.isfinite(value):
        example = min(max(value, lo if lo is not None else value), hi if hi is not None else value)
    else:
        example = lo if lo is not None else hi
    return f"{text}; pass e.g. {param}={example!r}"
