"""Job kinds and the worker pool that makes their media.

Every create stores a job (``state.SimState.create_job``) and submits it here; a pool of two threads fetches
the inputs (loopback ``/_sim/files`` URLs straight from disk, anything else with httpx), renders the result
with ``media.py`` / the layout renderer, and records ``media_state`` "done" (with the result's relative file
path) or "error" (with a reason). The status clock (``clock.py``) does the rest. Jobs still pending when the
service stopped are resumed when it starts again on the same data directory.
"""
from __future__ import annotations

import concurrent.futures as cf
import logging
import threading
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

from .validate import ext_of

log = logging.getLogger("akool_nb.sim")

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp")
VIDEO_EXTS = (".mp4", ".mov", ".avi")
MAX_INPUT_BYTES = 300 * 1024 * 1024


class InputError(Exception):
    """A job input could not be fetched or read; the message (short, for the user: no exception text) becomes
    the job's failure reason. The exception it was raised from, if any, goes to the service log."""


MAX_REASON = 300  # characters of a failure reason (they may quote a URL the user sent)


def _reason(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 1] + "…"


# ------------------------------------------------------------------ inputs
def fetch(sim, url: str, work: Path, label: str) -> Path:
    local = sim.local_file_for_url(url)
    if local is not None:
        return local
    import httpx

    work.mkdir(parents=True, exist_ok=True)
    name = "".join(c if c.isalnum() or c in "._-" else "_" for c in os.path.basename(urlparse(url).path))
    dest = work / f"{len(os.listdir(work))}_{name or 'input'}"
    try:
        with httpx.stream("GET", url, timeout=30.0, follow_redirects=True) as r:
            if r.status_code != 200:
                raise InputError(f"could not fetch {label} {url}: HTTP {r.status_code}")
            size = 0
            with open(dest, "wb") as f:
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > MAX_INPUT_BYTES:
                        raise InputError(f"{label} {url} is larger than 300MB")
                    f.write(chunk)
    except httpx.TimeoutException:
        raise InputError(f"could not fetch {label} {url}: the server did not answer in time") from None
    except httpx.HTTPError:
        raise InputError(f"could not fetch {label} {url}: the connection failed") from None
    return dest


def open_image(path: Path, label: str):
    from PIL import Image

    try:
        img = Image.open(path)
        img.load()
        return img
    except Exception:
        raise InputError(f"{label} is not an image this service can read") from None


def still_of(path: Path, work: Path, label: str):
    """A picture for a layout element: the image itself, or a video's first frame."""
    from . import media

    if ext_of(str(path)) in IMAGE_EXTS:
        return open_image(path, label)
    try:
        frame = media.make_poster(path, work / f"frame_{len(os.listdir(work))}.png", max_size=1920)
    except Exception:
        raise InputError(f"{label} is neither an image nor a video this service can read") from None
    return open_image(frame, label)


def speech(sim, text: str, out: Path, *, voice_id: str | None, language: str | None = None, speed: float = 1.0) -> float:
    from . import media

    lang = language or sim.catalog.language_of(voice_id)
    return media.synthesize_speech(text, out, language=lang, speed=speed, fast=sim.fast)


def audio_input(sim, work: Path, element: dict, label: str) -> Path:
    """The audio track: the element's ``url`` wins over ``input_text`` + ``voice_id`` (docs B.3.2)."""
    if element.get("url"):
        return fetch(sim, element["url"], work, label)
    out = work / "speech.mp3"
    speech(sim, element["input_text"], out, voice_id=element.get("voice_id"))
    return out


# --------------------------------------------------------------- renderers
def _out(sim, job: dict, suffix: str) -> Path:
    out = sim.files_dir / "results" / job["id"] / f"{job['id']}{suffix}"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def render_speech(sim, job: dict, work: Path) -> dict:
    p = job["params"]
    if p.get("voice_url"):  # v3 clone: the sample must at least be reachable
        fetch(sim, p["voice_url"], work, "voice_url")
    speed = p.get("speed") or 1.0
    out = _out(sim, job, ".mp3")
    duration = speech(sim, p["input_text"], out, voice_id=p.get("voice_id"), language=p.get("language"), speed=speed)
    return {"file": sim.rel_of(out), "duration": duration}


def _video_result(sim, job: dict, out: Path, duration: float) -> dict:
    from . import media

    poster = media.make_poster(out, out.with_name("poster.jpg"))
    return {"file": sim.rel_of(out), "duration": duration, "poster": sim.rel_of(poster)}


def render_note(sim, size: tuple[int, int], full_size: tuple[int, int]) -> dict:
    """``{"sim_render": ...}`` for a result rendered smaller than Akool's (render="fast"); the job's answer
    carries it, so nobody takes a preview's size for the product's. ``{}`` at the documented size."""
    if sim.render != "fast":
        return {}
    return {"sim_render": {"mode": "fast", "size": list(size), "full_size": list(full_size)}}


def render_talking_photo(sim, job: dict, work: Path) -> dict:
    from . import media

    p = job["params"]
    photo = open_image(fetch(sim, p["talking_photo_url"], work, "talking_photo_url"), "talking_photo_url")
    audio = fetch(sim, p["audio_url"], work, "audio_url")
    out = _out(sim, job, ".mp4")
    try:
        duration = media.make_talking_photo(photo, audio, out, resolution=int(p.get("resolution") or 720), fast=sim.fast)
    except RuntimeError:
        raise InputError("audio_url could not be decoded as audio") from None
    return _video_result(sim, job, out, duration)


def _avatar_still(sim, avatar_id: str, work: Path, label: str):
    official = sim.catalog.avatar(avatar_id)
    if official is not None:
        return open_image(sim.files_dir / official.get("layer", official["image"]), label)
    for job in sim.store.jobs(("avatar_upload",)):
        if job["params"]["avatar_id"] == avatar_id and job["media_state"] == "done":
            return open_image(sim.files_dir / job["result"]["poster"], label)
    raise InputError(f"{label} {avatar_id} does not exist")


def _layout_video(sim, job: dict, elements: list[dict], avatar_from: int | None, work: Path,
                  audio: Path | None, duration: float | None) -> dict:
    from akool_nb.media.layout import render_talking_avatar

    from . import media

    def load(el: dict):
        label = f"{el.get('type')} element"
        if el.get("avatar_id") and (avatar_from == 2 or not el.get("url")):
            return _avatar_still(sim, el["avatar_id"], work, label + " avatar_id")
        return still_of(fetch(sim, el["url"], work, label + " url"), work, label + " url")

    work.mkdir(parents=True, exist_ok=True)
    fast = sim.render == "fast"  # the docs: "the output video" is 3840x2160
    still = render_talking_avatar(elements, load, scale=0.1 if fast else 1.0)
    out = _out(sim, job, ".mp4")
    try:
        length = media.make_layout_video(still, audio, out, duration=duration, fps=12, fast=fast)
    except RuntimeError:
        raise InputError("the audio could not be decoded") from None
    return {**_video_result(sim, job, out, length), **render_note(sim, still.size, (3840, 2160))}


def render_talking_avatar(sim, job: dict, work: Path) -> dict:
    p = job["params"]
    work.mkdir(parents=True, exist_ok=True)
    audio_el = next(el for el in p["elements"] if el["type"] == "audio")
    audio = audio_input(sim, work, audio_el, "audio element url")
    return _layout_video(sim, job, p["elements"], p["avatar_from"], work, audio, None)


def render_avatar_video(sim, job: dict, work: Path) -> dict:
    """Legacy ``/v3/avatar/createVideo`` ([SUPPLEMENT] schema): its first ``data`` item, as a layout."""
    p = job["params"]
    item = p["data"][0]
    width, height = float(item.get("width") or 3840), float(item.get("height") or 2160)
    fx, fy = 3840 / width, 2160 / height
    elements: list[dict] = [{"type": "image", "url": item.get("background") or "#ffffff", "offset_x": 0,
                             "offset_y": 0, "width": 3840, "height": 2160, "scale_x": 1, "scale_y": 1}]
    for el in sorted(item.get("elements") or [], key=lambda e: e.get("layer_number") or 0):
        el = dict(el, type="avatar" if el.get("type") == "video" else el.get("type"))
        for key, f in (("offset_x", fx), ("offset_y", fy), ("width", fx), ("height", fy)):
            if el.get(key) is not None:
                el[key] = float(el[key]) * f
        elements.append(el)
    work.mkdir(parents=True, exist_ok=True)
    voice_url = (item.get("voice") or {}).get("voice_url")
    audio = fetch(sim, voice_url, work, "voice.voice_url") if voice_url else None
    ms = item.get("duration") or p.get("duration") or 5000
    return _layout_video(sim, job, elements, item.get("avatarFrom"), work, audio, float(ms) / 1000)


def render_avatar_upload(sim, job: dict, work: Path) -> dict:
    from . import media

    work.mkdir(parents=True, exist_ok=True)
    src = fetch(sim, job["params"]["url"], work, "url")
    poster = sim.files_dir / "results" / job["id"] / "thumbnail.jpg"
    poster.parent.mkdir(parents=True, exist_ok=True)
    if ext_of(str(src)) in IMAGE_EXTS:
        img = open_image(src, "url").convert("RGB")
        img.thumbnail((480, 480))
        img.save(poster, quality=85)
        return {"poster": sim.rel_of(poster)}
    try:
        media.make_poster(src, poster)
        duration = media.media_duration(src)
    except RuntimeError:
        raise InputError("url is neither an image nor a video this service can read") from None
    return {"poster": sim.rel_of(poster), "duration": duration}


@dataclass(frozen=True)
class Kind:
    status_field: str  # the product's status field name in responses
    webhook_type: str  # the decrypted webhook ``type`` (catalog §E.3)
    render: Callable[[Any, dict, Path], dict]
    error_code: int  # reported with a failed job (``error_code``/``error_reason``)
    webhook_processing: bool = True  # also call the webhook at status 2 (character swap: only 3 and 4)

    @property
    def failure(self) -> str:
        """The reason a job reports when its rendering broke for a reason of the service's own (logged)."""
        return f"The {self.webhook_type} task could not be processed"


KINDS: dict[str, Kind] = {
    "tts_v3": Kind("status", "audio", render_speech, 1201),
    "clone_v3": Kind("status", "audio", render_speech, 1201),
    "tts_v4": Kind("status", "audio", render_speech, 1112),
    "talking_photo": Kind("video_status", "talking photo", render_talking_photo, 1015),
    "talking_avatar": Kind("video_status", "avatar", render_talking_avatar, 1109),
    "avatar_video": Kind("video_status", "avatar", render_avatar_video, 1109),
    "avatar_upload": Kind("status", "avatar", render_avatar_upload, 1105),
}


def register_kind(name: str, kind: Kind) -> None:
    """Route modules of other families add their job kinds here (at import)."""
    KINDS[name] = kind


def public_url(sim, job: dict) -> str:
    """The result URL a finished job reports (and its webhook carries); "" before status 3."""
    if job["kind"] == "avatar_upload":
        return job["params"]["url"] if sim.status_of(job) == 3 else ""
    return sim.result_url(job)


class Runner:
    """Two worker threads making job media."""

    def __init__(self, sim):
        self.sim = sim
        self.pool = cf.ThreadPoolExecutor(max_workers=2, thread_name_prefix="akool-sim-job")
        self.futures: set[cf.Future] = set()
        self.lock = threading.Lock()
        self.rendered: dict[str, tuple[str, dict]] = {}
        self.stopping = False

    def submit(self, job_id: str) -> None:
        fut = self.pool.submit(self._run, job_id)
        with self.lock:
            self.futures.add(fut)
        fut.add_done_callback(self._done)

    def _done(self, fut: cf.Future) -> None:
        with self.lock:
            self.futures.discard(fut)

    def resume(self) -> None:
        for job in self.sim.store.pending_jobs():
            self.submit(job["id"])

    def _run(self, job_id: str) -> None:
        if self.stopping:
            return
        work = self.sim.files_dir / "work" / job_id
        try:
            job = self.sim.store.get_job(job_id)
            if job is None or job["media_state"] != "pending":
                return
            state, result, error = self._render(job, work)
            if not self.stopping:
                try:
                    self.sim.store.update_job(job_id, media_state=state, result=result, error=error)
                except ValueError:  # a result that is not strict JSON (NaN): a failure of ours, not a hang
                    log.warning("offline Akool: job %s (%s) made an unstorable result %r", job_id, job["kind"], result)
                    self.sim.store.update_job(job_id, media_state="error", result={}, error=KINDS[job["kind"]].failure)
        except Exception:  # the store was closed under us (service stopping): resumed at next start
            log.debug("offline Akool: job %s interrupted", job_id, exc_info=True)
        finally:
            if os.path.lexists(work):
                shutil.rmtree(work, ignore_errors=True)

    def _render(self, job: dict, work: Path) -> tuple[str, dict, str]:
        """(media_state, result, error) for a pending job; the user reads ``error``, the log gets the detail."""
        try:
            result = self._reuse(job)
            if result is None:
                result = KINDS[job["kind"]].render(self.sim, job, work)
                self._remember(job, result)
        except InputError as exc:
            if exc.__context__ is not None:
                log.info("offline Akool: job %s (%s): %s", job["id"], job["kind"], exc, exc_info=exc.__context__)
            return "error", {}, _reason(str(exc))
        except Exception:
            log.warning("offline Akool: job %s (%s) failed", job["id"], job["kind"], exc_info=True)
            return "error", {}, KINDS[job["kind"]].failure
        return "done", result, ""

    # Rendering is deterministic: a job whose kind and parameters equal an earlier job's gets hard links to
    # that job's files instead of a second render (notebooks re-run cells; benchmarks create many equal jobs).
    def _key(self, job: dict) -> str:
        import hashlib
        import json

        return hashlib.sha256(json.dumps([job["kind"], job["params"], self.sim.fast, self.sim.render], sort_keys=True,
                                         default=str).encode()).hexdigest()

    def _remember(self, job: dict, result: dict) -> None:
        with self.lock:
            self.rendered[self._key(job)] = (job["id"], result)

    def _reuse(self, job: dict) -> dict | None:
        with self.lock:
            earlier = self.rendered.get(self._key(job))
        if earlier is None:
            return None
        (earlier_id, earlier), sim, result = earlier, self.sim, {}
        # The earlier result's paths are ours ("results/<id>/<name>", written by a renderer), so plain string
        # paths do: no resolving (a create's cost is mostly this bookkeeping).
        folder = f"results/{job['id']}"
        for key, value in earlier.items():
            if isinstance(value, str) and value.startswith("results/"):
                source = os.path.join(sim.files_dir, value)
                if not os.path.isfile(source):
                    return None  # a file of the earlier job is gone: render again
                rel = f"{folder}/{os.path.basename(value).replace(earlier_id, job['id'])}"
                target = os.path.join(sim.files_dir, rel)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                try:
                    try:
                        os.link(source, target)
                    except OSError:
                        shutil.copyfile(source, target)
                except FileNotFoundError:
                    return None  # the earlier job was deleted after the check above: render again
                value = rel
            result[key] = value
        return result

    def stop(self, timeout: float = 15.0) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        with self.lock:
            running = list(self.futures)
        cf.wait(running, timeout=timeout)
        self.stopping = True
