"""A run's feedback: a tqdm bar (``tqdm.auto``: the notebook bar in Jupyter, text elsewhere; optional) and, in a
notebook, the live CampaignTable panel. Both are best effort: a run never fails because of them."""
from __future__ import annotations

import threading
from typing import Any

from .._logging import logger


def in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def thumbnail(job: Any) -> str:
    """A small picture for the table: an image result itself, else the photo a video was made from."""
    if job is None:
        return ""
    url = job.url or ""
    if job.product.media == "image" and url:
        return url
    request = job.request or {}
    for name in ("talking_photo_url", "image_url", "targetImage"):
        value = request.get(name)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return value
    return ""


class Feedback:
    def __init__(self, name: str, total: int, done: int, *, progress: bool, panel: Any, client: Any = None) -> None:
        self._lock = threading.Lock()
        self.bar = None
        if progress:
            try:
                from tqdm.auto import tqdm

                self.bar = tqdm(total=total, initial=done, desc=f"campaign {name}", unit="row", leave=True)
            except Exception as exc:  # tqdm is optional ([campaign] extra)
                logger.debug("no progress bar: %s", exc)
        self.panel = None
        if panel is None:
            panel = in_notebook()
        if panel:
            try:
                from ..widgets.campaign import CampaignTable
                from IPython.display import display

                self.panel = CampaignTable(name=name, total=total, client=client)
                self.panel.counts = {"done": done}
                display(self.panel)
            except Exception as exc:
                logger.debug("no campaign panel: %s", exc)

    def row(self, key: str, status: str, *, job: Any = None, error: str = "", finished: bool = False) -> None:
        with self._lock:
            if finished and self.bar is not None:
                self.bar.update(1)
            if self.panel is not None:
                try:
                    self.panel.set_row(key, status, thumbnail=thumbnail(job), error=error)
                except Exception as exc:
                    logger.debug("campaign panel update failed: %s", exc)

    def note(self, message: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(message[:60])
        if self.panel is not None:
            self.panel.note = message

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.panel is not None:
            try:
                self.panel.finish()
            except Exception as exc:
                logger.debug("campaign panel finish failed: %s", exc)
