"""Notebook panels: pick, preview, compose and follow jobs by clicking instead of writing JSON.

    from akool_nb.widgets import AvatarPicker, VoicePicker, MediaPreview, JobMonitor, TalkingAvatarComposer, Studio
    from akool_nb.widgets import FacePanel, FaceSwapPanel, BackgroundComposer, EffectPicker, ModelPicker

Each panel's ``value`` holds the programmatic result and ``on_select(callback)`` (or ``observe``) reacts to
changes; errors appear inside the panel with the fix (and in the ``akool_nb`` log); media load by URL; a
static HTML copy stays in the notebook for viewers without a kernel. Imported on first use, so
``import akool_nb`` stays light.
"""
from __future__ import annotations

from typing import Any

__all__ = ["AvatarPicker", "VoicePicker", "EffectPicker", "ModelPicker", "MediaPreview", "JobMonitor",
           "TalkingAvatarComposer", "BackgroundComposer", "FacePanel", "FaceSwapPanel", "Studio", "Panel",
           "register_deleter", "CampaignTable"]

_LAZY = {
    "AvatarPicker": "pickers", "VoicePicker": "pickers", "EffectPicker": "pickers", "ModelPicker": "pickers",
    "BackgroundComposer": "background", "FacePanel": "faces", "FaceSwapPanel": "faces", "MediaPreview": "preview", "JobMonitor": "monitor",
    "register_deleter": "monitor", "CampaignTable": "campaign", "TalkingAvatarComposer": "composer", "Studio": "studio", "Panel": "_base",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
