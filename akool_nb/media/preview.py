"""Local previews of layouts: a still at any scale and a short clip, with the shared layout renderer.

The offline Akool renders talking-avatar results with :mod:`akool_nb.media.layout`; the composer panels
preview with the same code, so what you see before submitting is laid out exactly like the result.

    from akool_nb.media.preview import ElementLoader, layout_still, layout_clip
    loader = ElementLoader(avatars={"simAnna01": "https://.../simAnna01.mp4"})
    layout_still(elements, loader=loader, scale=0.25)          # PIL image, 960×540
    layout_clip(elements, "preview.mp4", loader=loader)         # ~3 s, 640×360, silent unless audio has a URL
"""
from __future__ import annotations

import io
import subprocess
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .layout import TALKING_AVATAR_CANVAS, Layer, is_colour, render_layers, talking_avatar_layers
from .thumbnails import _is_url, ffmpeg_exe, media_kind, poster_frame, thumbnail

__all__ = ["ElementLoader", "layout_still", "layout_clip", "PLACEHOLDER"]

#: What a layer whose media cannot be loaded shows: a translucent grey rectangle (the layout stays visible).
PLACEHOLDER = "#8a8f9899"


class ElementLoader:
    """``load(element) -> PIL image | colour`` for :func:`~akool_nb.media.layout.talking_avatar_layers`.

    URLs are fetched once (images) or reduced to their first frame (videos); ``avatars`` maps an official
    ``avatar_id`` to its video or picture URL. Decoded pictures are cached, so re-rendering while dragging
    costs only the resize and paste. A source that cannot be loaded becomes :data:`PLACEHOLDER` and its
    problem is kept in ``errors``.
    """

    def __init__(self, avatars: Mapping[str, str] | None = None, *, max_size: int = 1280,
                 timeout: float = 20.0, fetch: Callable[[str], bytes] | None = None) -> None:
        self.avatars = dict(avatars or {})
        self.max_size = max_size
        self.timeout = timeout
        self._fetch = fetch
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.errors: dict[str, str] = {}

    def source_of(self, element: Mapping[str, Any]) -> str | None:
        url = element.get("url")
        if isinstance(url, (str, Path)) and str(url):
            return str(url)
        avatar_id = element.get("avatar_id")
        if avatar_id:
            return self.avatars.get(str(avatar_id))
        return None

    def fetch(self, url: str) -> bytes:
        if self._fetch is not None:
            return self._fetch(url)
        import httpx

        response = httpx.get(url, follow_redirects=True, timeout=self.timeout)
        response.raise_for_status()
        return response.content

    def picture(self, source: str, kind: str = "") -> Any:
        """The decoded (and size-capped) picture of ``source``; videos give their first frame."""
        with self._lock:
            if source in self._cache:
                return self._cache[source]
        from PIL import Image

        kind = media_kind(source) or kind
        if kind == "video":
            img = poster_frame(source, max_size=self.max_size)
        elif _is_url(source):
            img = thumbnail(Image.open(io.BytesIO(self.fetch(source))), self.max_size)
        else:
            img = thumbnail(Path(source).expanduser(), self.max_size)
        if img.mode not in ("RGB", "RGBA"):
            img = img.convert("RGBA" if "transparency" in img.info or img.mode in ("LA", "PA") else "RGB")
        img.load()
        with self._lock:
            self._cache[source] = img
        return img

    def __call__(self, element: Mapping[str, Any]) -> Any:
        source = self.source_of(element)
        if source is None:
            return PLACEHOLDER
        if is_colour(source):
            return source
        try:
            return self.picture(source, "video" if element.get("type") in ("avatar", "video") else "")
        except Exception as exc:  # a preview never fails because one layer cannot be loaded
            self.errors[source] = f"{type(exc).__name__}: {exc}"
            return PLACEHOLDER

    def frames(self, element: Mapping[str, Any], size: tuple[int, int], count: int, fps: float) -> list[Any]:
        """``count`` frames at ``fps`` of a video element, each resized to ``size``; stills repeat."""
        from PIL import Image

        source = self.source_of(element)
        still = self(element)
        if source is None or is_colour(source) or media_kind(source) != "video" and element.get("type") != "avatar":
            return [still] * count
        if media_kind(source) == "image":
            return [still] * count
        w, h = max(2, size[0]), max(2, size[1])
        try:
            proc = subprocess.run(
                [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", source,
                 "-vf", f"fps={fps},scale={w}:{h}", "-frames:v", str(count), "-f", "rawvideo", "-pix_fmt", "rgb24",
                 "-"], capture_output=True, timeout=self.timeout * 3)
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.errors[source] = f"{type(exc).__name__}: {exc}"
            return [still] * count
        frame_bytes = w * h * 3
        frames = [Image.frombytes("RGB", (w, h), proc.stdout[i:i + frame_bytes])
                  for i in range(0, len(proc.stdout) - frame_bytes + 1, frame_bytes)]
        if not frames:
            return [still] * count
        return [frames[i % len(frames)] for i in range(count)]  # loops short videos, as the renderer does


class _ScaledLoader:
    """Wraps a loader so each picture comes pre-resized to its on-screen size, cached by (source, size):
    while a layer is dragged only its position changes, so a preview update is a paste per layer, not a
    resize. The renderer then meets pictures of exactly the drawn size (its resize is a copy), so the
    result is the same as without the cache."""

    def __init__(self, loader: Callable[[Mapping[str, Any]], Any], scale: float, cache: dict[Any, Any]) -> None:
        self.loader, self.scale, self.cache = loader, scale, cache

    def __call__(self, element: Mapping[str, Any]) -> Any:
        from PIL import Image

        source = self.loader(element)
        if not isinstance(source, Image.Image):
            return source

        def num(key: str, default: float | None) -> float | None:
            value = element.get(key)
            return default if value is None or value == "" else float(value)

        sx, sy = num("scale_x", 1.0), num("scale_y", 1.0)
        width = num("width", None) or source.width
        height = num("height", None) or source.height
        size = (round(width * sx * self.scale), round(height * sy * self.scale))
        if size[0] <= 0 or size[1] <= 0 or size == source.size:
            return source
        key = (id(source), size)
        patch = self.cache.get(key)
        if patch is None:
            patch = source.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
            patch.info.update(source.info)
            if len(self.cache) > 64:
                self.cache.pop(next(iter(self.cache)))
            self.cache[key] = patch
        # The layer must still be laid out at the element's canvas size, not the patch's pixel size.
        return _Sized(patch, width, height)


class _Sized:
    def __init__(self, image: Any, width: float, height: float) -> None:
        self.image, self.width, self.height = image, width, height


def layout_still(elements: Iterable[Mapping[str, Any]], *, loader: Callable[[Mapping[str, Any]], Any] | None = None,
                 scale: float = 0.25, width: int | None = None, background: str = "#000000") -> Any:
    """The talking-avatar layout as a picture: ``scale`` of the 3840×2160 canvas (or ``width`` pixels wide).
    Pictures resized for this scale are cached on the loader, so re-rendering after a move is cheap."""
    from PIL import Image

    if width is not None:
        scale = width / TALKING_AVATAR_CANVAS[0]
    loader = loader or ElementLoader()
    cache = getattr(loader, "_scaled", None)
    if cache is None:
        cache = {}
        try:
            loader._scaled = cache  # type: ignore[union-attr]
        except AttributeError:
            pass
    memo: dict[int, Any] = {}

    def once(el: Mapping[str, Any]) -> Any:
        if id(el) not in memo:
            memo[id(el)] = loader(el)
        return memo[id(el)]

    scaled = _ScaledLoader(once, scale, cache)
    layers = []
    for el in elements:
        found = talking_avatar_layers([el], once)  # [] for audio or an element left out
        if not found:
            continue
        layer = found[0]
        if isinstance(layer.source, Image.Image):
            value = scaled(el)
            if isinstance(value, _Sized):
                layer = Layer(value.image, layer.x, layer.y, layer.width, layer.height)
        layers.append(layer)
    return render_layers(TALKING_AVATAR_CANVAS, layers, scale=scale, background=background)


def _audio_source(elements: list[Mapping[str, Any]]) -> str | None:
    for el in elements:
        if str(el.get("type")) == "audio" and el.get("url"):
            return str(el["url"])
    return None


def layout_clip(elements: Iterable[Mapping[str, Any]], out_path: str | Path, *,
                loader: ElementLoader | None = None, seconds: float = 3.0, fps: int = 12, width: int = 640,
                background: str = "#000000", audio: str | Path | None | bool = True) -> Path:
    """A short MP4 preview of a talking-avatar layout: avatar and video layers move (their first
    ``seconds``), images stay; the audio element's file is muxed in when it has a URL (``audio=False``
    for a silent clip). Returns ``out_path``."""
    import imageio_ffmpeg

    elements = list(elements)
    loader = loader or ElementLoader()
    width -= width % 2
    scale = width / TALKING_AVATAR_CANVAS[0]
    height = round(TALKING_AVATAR_CANVAS[1] * scale)
    height -= height % 2
    count = max(1, round(seconds * fps))
    visual = [el for el in elements if str(el.get("type")) in ("image", "avatar", "video")]
    base_layers = talking_avatar_layers(visual, loader)
    # talking_avatar_layers skips nothing visual (colours included), so layers and visual elements align.
    moving: dict[int, list[Any]] = {}
    for i, (el, layer) in enumerate(zip(visual, base_layers)):
        if str(el.get("type")) in ("avatar", "video") and not isinstance(layer.source, str):
            size = (max(2, round((layer.width or 2) * scale)), max(2, round((layer.height or 2) * scale)))
            moving[i] = loader.frames(el, size, count, fps)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    audio_path = _audio_source(elements) if audio is True else (str(audio) if audio else None)
    writer = imageio_ffmpeg.write_frames(str(out), (width, height), fps=fps, macro_block_size=2, quality=6,
                                         audio_path=audio_path, audio_codec="aac" if audio_path else None,
                                         output_params=["-t", f"{count / fps:.3f}"] if audio_path else None)
    writer.send(None)
    try:
        for n in range(count):
            layers = [Layer(moving[i][n], layer.x, layer.y, layer.width, layer.height) if i in moving else layer
                      for i, layer in enumerate(base_layers)]
            frame = render_layers(TALKING_AVATAR_CANVAS, layers, scale=scale, background=background)
            if frame.size != (width, height):
                frame = frame.crop((0, 0, width, height))
            writer.send(frame.convert("RGB").tobytes())
    finally:
        writer.close()
    return out
