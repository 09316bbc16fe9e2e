"""MediaPreview: an image, audio or video with what a person wants to know about it (size, duration,
resolution, file size, expiry), by URL: the notebook keeps a link and a small poster, never the file.

    MediaPreview(result)              # a finished job's Result (or a completed Job)
    MediaPreview("talk.mp4")          # a local file (served by Jupyter from the notebook's folder)
    MediaPreview("https://…/a.mp3")   # a URL
"""
from __future__ import annotations

import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import traitlets as t

from ._base import Panel, esc, esm, in_background

_UNITS = ("B", "KB", "MB", "GB")


def human_size(n: int | None) -> str:
    if n is None:
        return ""
    size = float(n)
    for unit in _UNITS:
        if size < 1024 or unit == _UNITS[-1]:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(round(seconds)), 60)
    return f"{minutes} min {sec:02d} s"


def _local_url(path: Path) -> str:
    """A URL Jupyter serves the file at, relative to the notebook (the kernel's working directory)."""
    try:
        return Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()


class MediaPreview(Panel):
    """Preview of an image, audio or video with its metadata; ``value`` is the metadata dict
    (``url``, ``kind``, ``width``, ``height``, ``duration``, ``size_bytes``, ``expires_at``)."""

    _esm = esm("media_preview.js")
    media = t.Unicode("").tag(sync=True)
    url = t.Unicode("").tag(sync=True)
    local = t.Bool(False).tag(sync=True)
    poster = t.Unicode("").tag(sync=True)
    waveform = t.Unicode("").tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    meta = t.Dict().tag(sync=True)
    value = t.Dict().tag(sync=True)

    def __init__(self, source: Any = None, *, client: Any = None, title: str | None = None, probe: bool = True,
                 poster_size: int = 360, **kwargs: Any) -> None:
        super().__init__(client if client is not None else _client_of(source), **kwargs)
        self.poster_size = poster_size
        self._probe_thread: threading.Thread | None = None
        self._probe = probe
        if source is not None:
            self.show(source, title=title)

    def show(self, source: Any, *, title: str | None = None) -> None:
        """Preview another source in this panel."""
        self.clear_error()
        try:
            state = self._resolve(source)
        except Exception as exc:
            self.show_error(exc)
            return
        if title:
            state["title"] = title
        meta = state.pop("meta")
        with self.hold_trait_notifications():
            for key, value in state.items():
                setattr(self, key, value)
            self.meta = meta
            self.value = {"url": self.url, **meta}
        if self._probe and self.url:
            self.status = "Reading the file's details…"
            self._probe_thread = in_background(self._load_details, "akool-nb-probe")

    def wait(self, timeout: float | None = 30.0) -> dict[str, Any]:
        """Block until the metadata is read; returns ``value``."""
        if self._probe_thread is not None:
            self._probe_thread.join(timeout)
        return self.value

    # -- sources ----------------------------------------------------------------------------------
    def _resolve(self, source: Any) -> dict[str, Any]:
        from ..media.thumbnails import media_kind

        kind_name = type(source).__name__
        if kind_name in ("Job", "AsyncJob"):
            if not source.done:
                raise ValueError(f"{source.product.label} job {source.id} is still {source.status.label}; "
                                 "call .wait() first, or show it in a JobMonitor")
            source = source.result
            kind_name = "Result"
        if kind_name == "Result":
            expires: datetime = source.expires_at
            meta = {"kind": source.media, "expires_at": expires.isoformat(),
                    "expired": expires <= datetime.now(timezone.utc), "name": _name_of(source.url or "")}
            return {"media": source.media if source.media in ("image", "audio", "video") else
                    media_kind(source.url or ""), "url": source.url or "", "local": False,
                    "poster": source.poster_url or "", "title": source.job.product.label, "meta": meta}
        if isinstance(source, (str, os.PathLike)) and str(source).startswith(("http://", "https://")):
            url = str(source)
            return {"media": media_kind(url), "url": url, "local": False, "poster": "", "title": _name_of(url),
                    "meta": {"kind": media_kind(url), "name": _name_of(url)}}
        if isinstance(source, (str, os.PathLike)):
            path = Path(source).expanduser()
            if not path.is_file():
                raise FileNotFoundError(f"no such file: {str(path)!r}")
            self._path = path
            kind = media_kind(path)
            return {"media": kind, "url": _local_url(path), "local": True, "poster": "", "title": path.name,
                    "meta": {"kind": kind, "name": path.name, "size_bytes": path.stat().st_size}}
        raise TypeError(f"cannot preview a {type(source).__name__}: pass a Result, a completed Job, a URL or a path")

    def _source_for_probe(self) -> str:
        return str(self._path) if self.local else self.url

    def _load_details(self) -> None:
        from ..media.thumbnails import data_uri, poster_frame, probe

        source = self._source_for_probe()
        try:
            info = probe(source)
            meta = {**self.meta, **{k: v for k, v in info.as_dict().items() if v not in (None, "")}}
            if not self.media and info.kind:
                self.media = info.kind
            updates: dict[str, Any] = {}
            if self.media == "video" and not self.poster:
                updates["poster"] = data_uri(poster_frame(source, max_size=self.poster_size), quality=70)
            elif self.media == "image" and self.local and not self.poster:
                updates["poster"] = data_uri(poster_frame(source, max_size=self.poster_size), quality=75)
            elif self.media == "audio" and not self.waveform:
                from ..media.waveform import waveform_image

                updates["waveform"] = data_uri(waveform_image(source, width=480, height=56), fmt="PNG")
            with self.hold_trait_notifications():
                for key, value in updates.items():
                    setattr(self, key, value)
                self.meta = meta
                self.value = {"url": self.url, **meta}
                self.status = ""
        except Exception as exc:
            self.status = ""
            self.show_error(exc, "The preview still plays from the link; only its details could not be read.")

    def _static_html(self) -> str:
        if self._probe_thread is not None:
            self._probe_thread.join(3.0)  # the static copy then carries the poster and the details
        meta = self.meta
        facts = " · ".join(x for x in (
            meta.get("kind", ""), f"{meta['width']}×{meta['height']}" if meta.get("width") else "",
            human_duration(meta.get("duration")), human_size(meta.get("size_bytes")),
            f"expires {meta['expires_at'][:16].replace('T', ' ')} UTC" if meta.get("expires_at") else "") if x)
        src = esc(self.url)
        one = "onplay=\"document.querySelectorAll('audio,video').forEach(m=>{if(m!==this)m.pause()})\""
        if self.media == "video":
            poster = f' poster="{esc(self.poster)}"' if self.poster else ""
            body = (f'<video controls preload="none" playsinline {one}{poster} src="{src}" style="max-width:'
                    f'min(560px,100%);max-height:320px;border-radius:6px;background:#000"></video>')
        elif self.media == "audio":
            wave = f'<img src="{esc(self.waveform)}" style="display:block;max-width:480px">' if self.waveform else ""
            body = f'{wave}<audio controls preload="none" {one} src="{src}" style="width:360px"></audio>'
        elif self.media == "image":
            body = f'<img src="{esc(self.poster or self.url)}" loading="lazy" style="max-width:560px;border-radius:6px">'
        else:
            body = ""
        link = f'<a href="{src}" target="_blank" rel="noopener">{esc(meta.get("name") or "open")}</a>' if src else ""
        return self._static_card(self.title or "Media", f'{body}<div style="opacity:.75;margin-top:6px">'
                                                        f'{esc(facts)} {link}</div>')


def _name_of(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(Path(urlsplit(url).path).name) or url


def _client_of(source: Any) -> Any:
    job = getattr(source, "job", source)
    return getattr(job, "_client", None)
