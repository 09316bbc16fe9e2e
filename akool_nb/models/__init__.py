"""Pydantic models: exact about what we send (``RequestModel``), lenient about what we receive
(``ResponseModel`` keeps unknown fields and coerces numeric strings)."""
from ._base import RequestModel, ResponseModel

__all__ = ["RequestModel", "ResponseModel"]
