"""Sample inputs for tutorials, made locally (nothing is downloaded)."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def portrait(path: str | Path | None = "portrait.png", *, size: int = 768, seed: int = 0) -> Any:
    """A drawn presenter portrait (PIL image), saved to ``path`` unless it is None. Use your own photo with
    the real Akool: its face detector expects a photograph."""
    from .media.portraits import make_sample_portrait

    return make_sample_portrait(Path(path) if path is not None else None, size=size, seed=seed)
