from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from .._exceptions import InvalidParameterError


class ResponseModel(BaseModel):
    """What Akool answers: unknown fields are kept (``model_extra``), ``_id`` is available as ``id``."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)

    def __getitem__(self, key: str) -> Any:  # records also read like the docs' JSON: voice["voice_id"]
        return self.model_dump(by_alias=True)[key]


class RequestModel(BaseModel):
    """What we send: field names (or aliases) are exactly the documented wire names; nothing else."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)
    endpoint: ClassVar[str] = ""

    @classmethod
    def build(cls, **fields: Any) -> "RequestModel":
        """Validate before any request; a failure names the field, the limit and the fix."""
        try:
            return cls(**{k: v for k, v in fields.items() if v is not None})
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"]) or cls.__name__
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                message = "is required"
            elif err["type"] == "extra_forbidden":
                message = "is not a documented field of this request"
            raise InvalidParameterError(loc, message, endpoint=cls.endpoint) from None

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")
