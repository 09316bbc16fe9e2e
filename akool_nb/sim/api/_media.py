"""What image to video, character swap, lip sync and translation share (catalog §B.10–B.12, §B.14).

Inputs on this service's own file URLs are probed at create time, so the documented limit codes come back
synchronously (1203 no audio, 1204 too long, 1207 too big, 1209 unreadable, 1210 too many fps); other URLs
are checked when the job fetches them, and a job that breaks a limit fails with that code.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from ..jobs import InputError, KINDS
from ..validate import ApiError, Ctx, Fields, ParamError, ext_of


SWAP, LIPSYNC, TRANSLATE = "character_swap", "lip_sync", "translation"


_assets_lock = threading.Lock()  # effect previews and flags, made once per data directory


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _fast_div(sim) -> int:
    return 4 if sim.fast else 1


def _err(job: dict, kind: str) -> tuple[int, str]:
    """(error_code, reason) of a failed job: "[1204] ..." reasons carry their documented code."""
    m = re.match(r"^\[(\d{4})\] (.*)$", job["error"] or "", re.S)
    return (int(m.group(1)), m.group(2)) if m else (KINDS[kind].error_code, job["error"])


def _done_time(sim, job: dict) -> int:
    status = sim.status_of(job)
    return _ms(job["created"] + (sim.timing.queue_s + sim.timing.process_s if status >= 3 else 0))


# ------------------------------------------------------------------------------------ input probing
def _local(ctx: Ctx, url: str) -> Path | None:
    return ctx.sim.local_file_for_url(url)


def video_limits(path: Path, label: str, *, max_s: float, max_fps: float, needs_audio: bool,
                 max_mb: int = 300) -> None:
    """Raise ``InputError("[code] message")`` when a video breaks the documented limits."""
    from ..media_video import probe

    info = probe(path)
    if info.size > max_mb * 1024 * 1024:
        raise InputError(f"[1207] The video you are using exceeds the size limit of {max_mb}MB ({label})")
    if not info.has_video:
        raise InputError(f"[1209] Please upload a video in another encoding format ({label} is not a readable video)")
    if needs_audio and not info.has_audio:
        raise InputError(f"[1203] Video should contain audio ({label} has no audio track)")
    if info.duration is not None and info.duration > max_s + 0.05:
        raise InputError(f"[1204] Your video duration exceeds {max_s:g} seconds ({label} lasts {info.duration:.1f} s)")
    if info.fps is not None and info.fps > max_fps + 0.01:
        raise InputError(f"[1210] The video you are using exceeds the frame rate limit of {max_fps:g}fps "
                         f"({label} runs at {info.fps:g} fps)")


def _check_now(ctx: Ctx, url: str, label: str, **limits: Any) -> None:
    """Create-time check for this service's own files: a broken limit answers its code at once."""
    path = _local(ctx, url)
    if path is None:
        return
    try:
        video_limits(path, label, **limits)
    except InputError as exc:
        code, msg = re.match(r"^\[(\d{4})\] (.*)$", str(exc), re.S).groups()  # type: ignore[union-attr]
        raise ApiError(int(code), msg) from None


def _url_ext(f: Fields, field: str, exts: tuple[str, ...], what: str, *, required: bool = True) -> str | None:
    url = f.str(field, required=required, url=True)
    if url is not None and ext_of(url) and ext_of(url) not in exts:
        raise ParamError(f.name(field), f"must be {what} ({', '.join(exts)})")
    return url


def _webhook(f: Fields, primary: str, other: str) -> str:
    """The documented spelling, or the other one (the docs use both, §F.15)."""
    return f.webhook(primary) or f.webhook(other)
