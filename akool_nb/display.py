"""Inline HTML for notebooks. Media is always referenced by URL (never embedded), nothing autoplays, and
every value is escaped. Colours are translucent so cards read in light and dark themes alike."""
from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ._logging import mask

if TYPE_CHECKING:
    from .jobs import Result, _JobBase

_STATUS_COLOURS = {"queued": "#8a8f98", "processing": "#2f80ed", "completed": "#27ae60", "failed": "#eb5757"}
_CARD = ("font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:13px;border:1px solid "
         "rgba(128,128,128,.35);border-radius:8px;padding:10px 12px;margin:4px 0;max-width:560px;"
         "background:rgba(128,128,128,.06);color:inherit")
_MUTED = "opacity:.72"
# Starting one clip pauses the others on the page (no autoplay, no loops).
_ONE_AT_A_TIME = ("onplay=\"document.querySelectorAll('audio,video').forEach(m=>{if(m!==this)m.pause()})\"")


def e(value: Any) -> str:
    """Escaped text for HTML; a secret echoed by the service never reaches a notebook output."""
    return html.escape(mask("" if value is None else str(value)), quote=True)


def _badge(label: str) -> str:
    colour = _STATUS_COLOURS.get(label, "#8a8f98")
    return (f'<span style="background:{colour};color:#fff;border-radius:10px;padding:1px 8px;'
            f'font-size:11px;font-weight:600">{e(label)}</span>')


def _offline_badge(client: Any) -> str:
    if not getattr(client, "offline", False):
        return ""
    return ('<span style="background:#f2994a;color:#fff;border-radius:10px;padding:1px 8px;font-size:11px;'
            'font-weight:600;margin-left:6px" title="Made by the offline Akool, not by Akool">SIMULATED</span>')


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    return f"{minutes} min {sec:02d} s"


def _expiry(when: datetime) -> str:
    left = (when - datetime.now(timezone.utc)).total_seconds()
    stamp = when.strftime("%Y-%m-%d %H:%M UTC")
    if left <= 0:
        return f"expired {stamp}"
    days, rest = divmod(int(left), 86400)
    return f"expires in {days} d {rest // 3600} h ({stamp})"


def _src(url: str, suffix: str = "") -> str:
    """The ``src`` (and fallback) attributes of a media element. Offline media links its copy kept beside the
    notebook (front ends resolve a relative ``src`` against the notebook, also with no kernel), with the live URL
    as the fallback where the front end runs scripts (``<source>`` children would be neater, but JupyterLab's
    sanitizer strips their ``src`` in untrusted notebooks)."""
    from ._kept_media import kept_src

    kept = kept_src(url)
    if not kept:
        return f'src="{e(url + suffix)}"'
    fallback = f"this.onerror=null;this.src={(url + suffix)!r}"
    return f'src="{e(kept + suffix)}" onerror="{e(fallback)}"'


def image_html(url: str | None, style: str) -> str:
    if not url:
        return ""
    return f'<img {_src(url)} loading="lazy" style="{style}">'


def media_html(url: str | None, media: str, *, poster: str | None = None, width: int = 480) -> str:
    if not url:
        return ""
    if media == "audio":
        return f'<audio controls preload="none" {_ONE_AT_A_TIME} {_src(url)} style="width:{width}px"></audio>'
    if media == "video":
        # preload=metadata plus a #t fragment shows the first frame when no poster image is known. A poster
        # of the offline Akool would die with it (front ends resolve src, not poster): the frame stands in.
        from ._kept_media import kept_src

        if poster and kept_src(url):
            poster = None
        poster_attr = f' poster="{e(poster)}"' if poster else ""
        return (f'<video controls preload="metadata" playsinline {_ONE_AT_A_TIME}{poster_attr} '
                f'{_src(url, "" if poster else "#t=0.1")} '
                f'style="max-width:min({width}px,100%);max-height:320px;border-radius:6px;background:#000"></video>')
    if media == "image":
        return image_html(url, f"max-width:{width}px;border-radius:6px")
    return ""


def _header(job: _JobBase) -> str:
    return (f'<div style="display:flex;gap:8px;align-items:center;margin-bottom:6px">'
            f'<b>{e(job.product.label)}</b>{_badge(job.status.label)}{_offline_badge(job._client)}</div>'
            f'<div style="{_MUTED}">id <code>{e(job.id)}</code> · elapsed {_duration(job.elapsed)} · '
            f'{job.polls} polls</div>')


def job_html(job: _JobBase) -> str:
    body = _header(job)
    if job.status.label == "completed":
        result = job.result
        body += _result_body(result)
    elif job.status.label == "failed":
        body += f'<div style="color:#eb5757;margin-top:6px">{e(job.failure_reason or "failed")}</div>'
    else:
        body += f'<div style="{_MUTED};margin-top:6px">Call <code>.wait()</code> to follow it to the end.</div>'
    return f'<div style="{_CARD}">{body}</div>'


def _result_body(result: Result) -> str:
    record_html = getattr(result.data, "_repr_html_", None)
    if not result.url and callable(record_html):  # a result that is a record, not a file (e.g. a moderation)
        return f'<div style="margin-top:8px">{record_html()}</div>'
    from ._kept_media import kept_src

    href = kept_src(result.url) or result.url  # the copy beside the notebook outlives the offline Akool
    link = f'<a href="{e(href)}" target="_blank" rel="noopener" style="color:#4a90e2">open</a>' if href else ""
    return (f'<div style="margin-top:8px">{media_html(result.url, result.media, poster=result.poster_url)}</div>'
            f'<div style="{_MUTED};margin-top:4px">{link} · {_expiry(result.expires_at)} · '
            f'<code>.save(path)</code> to keep it</div>')


def result_html(result: Result) -> str:
    return f'<div style="{_CARD}">{_header(result.job)}{_result_body(result)}</div>'


def voice_html(voice: Any) -> str:
    tags = ", ".join(t for t in [getattr(voice, "language", None) or getattr(voice, "accent", None),
                                 voice.gender, *(getattr(voice, "age", None) or []),
                                 *(getattr(voice, "style", None) or [])] if t)
    return (f'<div style="{_CARD}"><b>{e(voice.name or voice.voice_id)}</b> <span style="{_MUTED}">'
            f'{e(tags)}</span><div style="{_MUTED}">voice_id <code>{e(voice.voice_id)}</code></div>'
            f'{media_html(voice.preview, "audio", width=320)}</div>')


def avatar_html(avatar: Any) -> str:
    thumb = avatar.thumbnailUrl or (avatar.url if (avatar.url or "").lower().endswith((".png", ".jpg", ".jpeg",
                                                                                        ".webp")) else None)
    img = image_html(thumb, "width:96px;border-radius:6px")
    return (f'<div style="{_CARD};display:flex;gap:10px;align-items:center">{img}<div><b>{e(avatar.name)}</b>'
            f'<div style="{_MUTED}">avatar_id <code>{e(avatar.avatar_id)}</code> · from {e(avatar.from_)}</div>'
            f'</div></div>')


def page_html(items: list[Any], limit: int = 12) -> str:
    rows = []
    for item in items[:limit]:
        rows.append(item._repr_html_() if hasattr(item, "_repr_html_") else f"<pre>{e(item)}</pre>")
    more = f'<div style="{_MUTED}">… and {len(items) - limit} more</div>' if len(items) > limit else ""
    return (f'<div style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:13px">'
            f'<div style="{_MUTED}">{len(items)} items</div>'
            f'<div style="display:flex;flex-wrap:wrap;gap:6px">{"".join(rows)}</div>{more}</div>')


def client_html(client: Any) -> str:
    if client.offline:
        return (f'<div style="{_CARD};border-color:#f2994a"><b>Offline Akool</b>{_offline_badge(client)}'
                f'<div>{e(client.base_url)} · results are simulated locally, no credits are used.</div></div>')
    return f'<div style="{_CARD}"><b>Akool</b> · {e(client.base_url)}</div>'
