"""The offline Akool's API: one module per client family, named as ``akool_nb/resources/<family>.py``.

Each family module holds its handlers and ``ROUTES = [(method, path, handler, needs_auth), ...]``, optionally
``BAD_REQUEST = {path: refuse(field, rule)}`` (an endpoint answering outside the envelope), and registers its job
kinds with ``jobs.register_kind`` (and, for results read through ``infobymodelid``, ``_video.register_record``)
at import. Modules whose name starts with ``_`` hold what several families share (``_auth`` is getToken).
:func:`route_modules` is the one place the route table reads them.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

MODULES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__)))


def route_modules() -> list[ModuleType]:
    """Every module of this package that has routes, imported (which registers its job kinds)."""
    modules = [importlib.import_module(f"{__name__}.{name}") for name in MODULES]
    return [m for m in modules if hasattr(m, "ROUTES")]
