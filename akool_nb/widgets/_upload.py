"""Files dropped on a panel arrive as base64 chunks in custom messages (Colab drops binary widget buffers, and
Jupyter's websocket refuses messages above ~10 MB). :class:`ChunkAssembler` puts them back together on disk:

    assembler = ChunkAssembler(uploads_dir(), max_bytes=300 * MB, kinds=("image", "video"))
    path = assembler.add(upload_id=..., name=..., size=..., index=..., total=..., data=...)  # None until the last

Chunks must come in order; the declared size, the limit and the file type (magic bytes of the first chunk) are
checked before anything is kept. The file grows as ``<dir>/.<random>.part`` and is renamed, complete, to
``<dir>/<8 hex of sha256>-<safe name>``. Any refusal raises :class:`UploadError` (message + fix) and deletes the
part file, so nothing half-written stays behind.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
import uuid
from pathlib import Path
from typing import BinaryIO

from .._journal import default_path
from ..media.inputs import FORMATS, _sniff

MB = 1024 * 1024
_SAME_FORMAT = {".jpg": {".jpg", ".jpeg"}}  # sniffing says .jpg for every JPEG


class UploadError(ValueError):
    """A refused upload; ``fix`` says what to do instead. ``repeat``: a chunk of an upload refused before (the
    front end had it in flight), nothing new to tell the user."""

    def __init__(self, message: str, fix: str, *, repeat: bool = False) -> None:
        super().__init__(message)
        self.fix, self.repeat = fix, repeat


def uploads_dir() -> Path:
    """``<AKOOL_NB_HOME or ~/.akool_nb>/uploads`` (resolved like the job journal)."""
    return default_path().parent / "uploads"


def safe_name(name: str, suffix: str | None = None) -> str:
    """``name`` reduced to a plain file name: no folders, ASCII letters/digits/``._-`` only, no leading dot. With
    ``suffix`` (the sniffed type) the extension is made to agree with the content."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()  # "été" -> "ete"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:80].strip("._-") or "upload"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:10]
    base = f"{stem}.{ext}" if ext else stem
    if suffix and f".{ext.lower()}" not in _SAME_FORMAT.get(suffix, {suffix}):
        base += suffix  # "passwd" -> "passwd.jpg": detection picks the format by extension
    return base


_A = {"image": "an image", "video": "a video", "audio": "an audio file"}


def _describe(kinds: tuple[str, ...]) -> str:
    return " or ".join(f"{_A[kind]} ({', '.join(e.lstrip('.').upper() for e in sorted(FORMATS[kind]))})"
                       for kind in kinds)


class _Upload:
    def __init__(self, upload_id: str, name: str, size: int, total: int, part: Path, handle: BinaryIO,
                 suffix: str) -> None:
        self.upload_id, self.name, self.size, self.total = upload_id, name, size, total
        self.part, self.handle, self.suffix = part, handle, suffix
        self.next_index = 0
        self.received = 0
        self.sha256 = hashlib.sha256()


class ChunkAssembler:
    """Reassembles one upload at a time; a new ``upload_id`` (chunk 0) replaces an unfinished one."""

    def __init__(self, directory: Path | None = None, *, max_bytes: int = 300 * MB,
                 kinds: tuple[str, ...] = ("image", "video")) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.max_bytes = max_bytes
        self.kinds = kinds
        self._current: _Upload | None = None
        self._refused: list[str] = []  # recent refused upload_ids

    @property
    def active(self) -> str | None:
        """The upload_id being received, or None."""
        return self._current.upload_id if self._current else None

    def add(self, *, upload_id: str, name: str, size: int, index: int, total: int, data: str) -> Path | None:
        """Take chunk ``index`` of ``total`` (base64 ``data``); returns the saved file after the last chunk."""
        upload_id = str(upload_id)
        if upload_id in self._refused:
            raise UploadError(f"{safe_name(name)} was refused already", "Drop or choose the file again.", repeat=True)
        try:
            return self._add(upload_id, name, int(size), int(index), int(total), data)
        except UploadError:
            self._refused = [*self._refused[-15:], upload_id]
            raise

    def cancel(self) -> None:
        """Drop the unfinished upload, if any (its part file is deleted)."""
        current, self._current = self._current, None
        if current is not None:
            current.handle.close()
            current.part.unlink(missing_ok=True)

    # -- internals --------------------------------------------------------------------------------
    def _add(self, upload_id: str, name: str, size: int, index: int, total: int, data: str) -> Path | None:
        current = self._current
        if current is None or current.upload_id != upload_id:
            if index != 0:
                raise UploadError(f"chunk {index + 1} of {total} belongs to an upload this panel is not receiving "
                                  "(it was replaced by a newer file, or the kernel restarted)",
                                  "Drop or choose the file again.")
            self.cancel()
            chunk = self._decode(data, name)
            current = self._start(upload_id, name, size, total, chunk)
        else:
            chunk = self._decode(data, name)
        if index != current.next_index:
            self.cancel()
            raise UploadError(f"{current.name}: chunk {index + 1} arrived where chunk {current.next_index + 1} of "
                              f"{current.total} was expected; the upload was dropped",
                              "Drop or choose the file again (one file at a time).")
        if current.received + len(chunk) > current.size:
            self.cancel()
            raise UploadError(f"{current.name}: more data arrived than its declared {current.size} bytes",
                              "Drop or choose the file again; if it happens again, save the file anew first.")
        current.handle.write(chunk)
        current.sha256.update(chunk)
        current.received += len(chunk)
        current.next_index += 1
        if current.next_index < current.total:
            return None
        if current.received != current.size:
            self.cancel()
            raise UploadError(f"{current.name}: {current.received} bytes arrived of its declared {current.size}",
                              "Drop or choose the file again (the file may have changed while it was sent).")
        return self._finish(current)

    def _decode(self, data: str, name: str) -> bytes:
        try:
            return base64.b64decode(data or "", validate=True)
        except (binascii.Error, ValueError, TypeError):
            self.cancel()
            raise UploadError(f"{safe_name(name)}: a chunk was not valid base64", "Drop or choose the file again.")

    def _start(self, upload_id: str, name: str, size: int, total: int, chunk: bytes) -> _Upload:
        label = safe_name(name)
        if size <= 0:
            raise UploadError(f"{label} is empty", "Choose the photo or video itself, not an empty file.")
        if size > self.max_bytes:
            raise UploadError(f"{label} is {size / MB:.1f} MB; this panel takes files up to "
                              f"{self.max_bytes / MB:g} MB",
                              "Use a shorter or more compressed file, or give its https:// URL instead.")
        if total < 1 or total > size:
            raise UploadError(f"{label}: {total} chunks cannot make {size} bytes", "Drop or choose the file again.")
        suffix = _sniff(chunk)
        allowed = frozenset().union(*(FORMATS[k] for k in self.kinds))
        if suffix not in allowed:
            found = f"{suffix.lstrip('.').upper()} data" if suffix else "not a format it recognises"
            raise UploadError(f"{label} is not {' or '.join(_A[k] for k in self.kinds)}: its content is {found}",
                              f"Choose {_describe(self.kinds)}.")
        directory = self.directory if self.directory is not None else uploads_dir()
        directory.mkdir(parents=True, exist_ok=True)
        part = directory / f".{uuid.uuid4().hex}.part"
        self._current = _Upload(upload_id, label, size, total, part, part.open("wb"), suffix)
        return self._current

    def _finish(self, current: _Upload) -> Path:
        current.handle.close()
        self._current = None
        final = current.part.parent / f"{current.sha256.hexdigest()[:8]}-{safe_name(current.name, current.suffix)}"
        current.part.replace(final)
        return final


__all__ = ["ChunkAssembler", "MB", "UploadError", "safe_name", "uploads_dir"]
