"""Result files kept before Akool deletes them (7 days after the job), and the manifest of a campaign.

Files are content-addressed (``<sha256[:20]>.<ext>``: the same bytes are stored once, a name never lies about
its content) and streamed via ``.parts/<hash of the URL>.part``: an interrupted download is resumed with a
``Range`` request where the server allows it, and redone from the start where it does not.
"""
from __future__ import annotations

import csv
import hashlib
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from .._logging import logger

CHUNK = 1 << 16
MANIFEST_COLUMNS = ("row", "status", "product", "job_id", "url", "file", "sha256", "credits", "steps",
                    "expires_at", "error")


def _suffix(url: str) -> str:
    suffix = Path(urlsplit(url).path).suffix.lower()
    return suffix if 1 < len(suffix) <= 6 and suffix[1:].isalnum() else ".bin"


def download(url: str, save_to: Path, *, http: httpx.Client | None = None) -> tuple[Path, str]:
    """Stream ``url`` into ``save_to``; returns (file, sha256). No auth headers: result files live on a CDN."""
    save_to.mkdir(parents=True, exist_ok=True)
    parts = save_to / ".parts"
    parts.mkdir(exist_ok=True)
    partial = parts / (hashlib.sha256(url.encode()).hexdigest()[:24] + ".part")
    own = http is None
    http = http or httpx.Client(timeout=httpx.Timeout(60, connect=10), follow_redirects=True)
    try:
        have = partial.stat().st_size if partial.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        with http.stream("GET", url, headers=headers) as response:
            if response.status_code == 416:  # the part is already whole
                response.read()
            else:
                response.raise_for_status()
                resumed = have and response.status_code == 206
                with open(partial, "ab" if resumed else "wb") as fh:
                    for chunk in response.iter_bytes(CHUNK):
                        fh.write(chunk)
    finally:
        if own:
            http.close()
    digest = hashlib.sha256()
    with open(partial, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    sha = digest.hexdigest()
    target = save_to / f"{sha[:20]}{_suffix(url)}"
    if target.exists():
        partial.unlink()
    else:
        partial.replace(target)
    logger.info("saved %s (%d bytes)", target, target.stat().st_size)
    return target, sha


def expires_at(finished_at: float | None) -> str:
    from datetime import datetime, timedelta, timezone

    if not finished_at:
        return ""
    return (datetime.fromtimestamp(finished_at, tz=timezone.utc) + timedelta(days=7)).strftime("%Y-%m-%d %H:%M UTC")


def manifest_records(rows: dict[str, dict[str, Any]], order: list[str]) -> list[dict[str, Any]]:
    """One record per result job of each row (a row without results: one record with its status and error)."""
    out = []
    for key in order:
        state = rows.get(key)
        if state is None:
            out.append({c: "" for c in MANIFEST_COLUMNS} | {"row": key, "status": "pending"})
            continue
        steps = ";".join(f"{s.get('product')}:{s.get('job_id')}" for s in state["steps"])
        jobs = state["jobs"] or [{}]
        for job in jobs:
            out.append({"row": key, "status": state["status"], "product": job.get("product", ""),
                        "job_id": job.get("job_id", ""), "url": job.get("url", ""), "file": job.get("file", ""),
                        "sha256": job.get("sha256", ""), "credits": job.get("credits", ""), "steps": steps,
                        "expires_at": expires_at(job.get("finished_at")), "error": state.get("error") or ""})
    return out


def write_manifest(records: list[dict[str, Any]], save_to: Path) -> list[Path]:
    """``manifest.csv`` (and ``manifest.parquet`` when pandas and pyarrow are importable), written atomically."""
    save_to.mkdir(parents=True, exist_ok=True)
    target = save_to / "manifest.csv"
    tmp = target.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(records)
    tmp.replace(target)
    written = [target]
    try:
        import pandas as pd
        import pyarrow  # noqa: F401
    except ImportError:
        return written
    frame = pd.DataFrame(records, columns=list(MANIFEST_COLUMNS)).astype({"credits": "string"})
    parquet = save_to / "manifest.parquet"
    frame.to_parquet(parquet.with_suffix(".parquet.tmp"), index=False)
    parquet.with_suffix(".parquet.tmp").replace(parquet)
    written.append(parquet)
    return written


def folder(value: Any, param: str = "save_to") -> Path:
    """A folder argument: a path (str or Path) that is not a file."""
    from .._exceptions import InvalidParameterError

    text = str(value) if isinstance(value, (str, Path)) else ""
    if not text.strip() or len(text) > 4096 or any(ord(ch) < 32 for ch in text):
        raise InvalidParameterError(param, "must be a folder path (str or Path, at most 4096 characters, no "
                                           f"control characters) for the result files, e.g. {param}='results/'",
                                    value=value)
    path = Path(value).expanduser()
    try:
        is_file = path.exists() and not path.is_dir()
    except OSError as exc:  # a name too long for this file system, …
        raise InvalidParameterError(param, f"cannot be used as a folder here ({exc.strerror})", value=value)
    if is_file:
        raise InvalidParameterError(param, "is a file; pass a folder for the result files", value=str(value))
    return path


def save_pending(client: Any, save_to: Path) -> list[Path]:
    """Every journaled finished job of this service whose result was never saved, downloaded into ``save_to``
    (content-addressed); a file that cannot be fetched any more (expired) is logged and skipped."""
    from .._journal.entry import CREATED
    from .state import state_for

    journal = client._journal
    if journal is None or not journal.enabled:
        return []
    state = state_for(journal.path)
    out = []
    with httpx.Client(timeout=httpx.Timeout(60, connect=10), follow_redirects=True) as http:
        for entry in journal.recent(client._service_key, None, states=(CREATED,)):
            if entry.status != 3 or not entry.url or not entry.job_id:
                continue
            known = state.saved(client._service_key, entry.job_id)
            if known and known["file"] and Path(known["file"]).exists():
                continue
            try:
                out.append(Path(save_job(state, client._service_key, entry.job_id, entry.url, save_to, http)[0]))
            except httpx.HTTPError as exc:
                logger.warning("could not save job %s from %s: %s (expired?)", entry.job_id, entry.url, exc)
    return out


def save_job(state: Any, service: str, job_id: str, url: str, save_to: Path,
             http: httpx.Client | None = None) -> tuple[str, str]:
    """Download a job's file unless it was saved before (and is still there); (file, sha256)."""
    known = state.saved(service, job_id)
    if known and known["file"] and Path(known["file"]).exists() and Path(known["file"]).parent == Path(save_to):
        return known["file"], known["sha256"]
    started = time.monotonic()
    path, sha = download(url, save_to, http=http)
    state.mark_saved(service, job_id, url, str(path), sha)
    logger.debug("job %s saved in %.2fs", job_id, time.monotonic() - started)
    return str(path), sha
