"""Local media helpers shared by notebook previews and the offline Akool.

Kept import-light on purpose: ``import akool_nb.media`` must not pull in
numpy, moviepy or even Pillow, because the package is imported by every
notebook.  Public names are resolved lazily from their submodules.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Layer",
    "TALKING_AVATAR_CANVAS",
    "parse_colour",
    "render_layers",
    "render_talking_avatar",
    "talking_avatar_layers",
]

_LAZY = {name: "akool_nb.media.layout" for name in __all__}


def __getattr__(name: str) -> Any:  # PEP 562 lazy re-export
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
