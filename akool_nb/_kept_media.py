"""Notebook outputs that outlive the offline Akool: copies of its media beside the notebook.

The offline Akool serves its files on a loopback port that goes away with the kernel that started it, so a
notebook run offline and reopened later would show dead players. When a notebook output shows offline media,
a copy is saved in ``akool_media/`` beside the notebook (the kernel's working directory) and the output links
that copy *relatively* first, the live URL second: JupyterLab and Notebook 7 resolve the relative link against
the notebook (also with no kernel running), and a front end that does not (VS Code) falls back to the live URL.

Only loopback URLs are copied (the real Akool never answers with those; its results are yours to ``save()``),
and only inside a notebook kernel, or when ``AKOOL_NB_KEEP_MEDIA=1``; ``AKOOL_NB_KEEP_MEDIA=0`` turns it off.
``AKOOL_NB_MEDIA_DIR`` puts the copies elsewhere (relative to the working directory). Delete the folder to
clear them; the notebook then links the live URLs only.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ._logging import logger

ENV_KEEP = "AKOOL_NB_KEEP_MEDIA"
ENV_DIR = "AKOOL_NB_MEDIA_DIR"
DEFAULT_DIR = "akool_media"
MAX_BYTES = 200 * 1024 * 1024  # a copy larger than this is not worth keeping beside a notebook
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}

_lock = threading.Lock()
_kept: dict[str, str] = {}


def _enabled() -> bool:
    flag = os.environ.get(ENV_KEEP)
    if flag is not None:
        return flag == "1"
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _is_offline_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and (parts.hostname or "") in _LOOPBACK


def kept_src(url: str | None) -> str | None:
    """The relative link of a local copy of ``url`` (made now if needed), or None when there is none."""
    if not url or not _is_offline_url(url) or not _enabled():
        return None
    with _lock:
        if url in _kept:
            return _kept[url]
    folder = Path(os.environ.get(ENV_DIR) or DEFAULT_DIR)
    name = unquote(Path(urlsplit(url).path).name) or "media"
    target = folder / f"{hashlib.sha1(url.encode()).hexdigest()[:10]}-{name}"
    try:
        if not target.exists():
            _download(url, target)
        rel = os.path.relpath(target, Path.cwd()) if target.is_absolute() else str(target)
    except Exception as exc:  # a copy is a convenience: the live URL still works while the kernel runs
        logger.info("could not keep a copy of %s beside the notebook: %s", url, exc)
        return None
    rel = rel.replace(os.sep, "/")
    with _lock:
        _kept[url] = rel
    return rel


def _download(url: str, target: Path) -> None:
    import httpx

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    size = 0
    try:
        with httpx.stream("GET", url, timeout=30.0) as response:
            response.raise_for_status()
            with open(partial, "wb") as fh:
                for chunk in response.iter_bytes(1 << 16):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise ValueError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
                    fh.write(chunk)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
