"""Studio: avatar + voice + text → speech → talking avatar → preview, in one panel (the quickstart's panel).

    studio = Studio(client)
    studio            # pick an avatar and a voice, type, click "Make the video"
    studio.value      # the finished talking-avatar Result
"""
from __future__ import annotations

import threading
from typing import Any

import ipywidgets as W
import traitlets as t

from ..spec.video import TALKING_AVATAR_CANVAS as CANVAS
from ._base import Panel, PanelMixin, esm
from .monitor import JobMonitor
from .pickers import AvatarPicker, VoicePicker
from .preview import MediaPreview


class StudioBar(Panel):
    """Studio's own controls: the title with the one SIMULATED badge, what to say, "Make the video" and the
    chain's progress. ``value`` is the text."""

    _esm = esm("studio.js")
    text = t.Unicode("").tag(sync=True)
    message = t.Unicode("").tag(sync=True)
    busy = t.Bool(False).tag(sync=True)

    def __init__(self, owner: "Studio", client: Any = None, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.owner = owner

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.text = text

    def _on_run(self) -> None:
        self.owner.run()

    def _set_error(self, state: dict[str, str]) -> None:
        self.owner._set_error(state)


class Studio(PanelMixin, W.VBox):
    """One panel chaining avatar + voice + text → TTS → talking avatar → preview. ``value`` is the final
    Result; ``speech`` the intermediate audio."""

    value = t.Any(None)
    error = t.Dict()

    def __init__(self, client: Any, *, text: str = "Hello! I am a talking avatar made with akool_nb.",
                 background: str = "#1d3557", avatar_page_size: int = 6, **kwargs: Any) -> None:
        self.client = client
        self.background = background
        self.speech: Any = None
        self.job: Any = None
        self._thread: threading.Thread | None = None
        # the bar at the top carries the one SIMULATED badge; the parts inside show none
        self.bar = StudioBar(self, client, text=text)
        self.text = self.bar  # ``studio.text.value`` is what the avatar says
        self.avatars = AvatarPicker(client, source="official", page_size=avatar_page_size, show_badge=False)
        self.voices = VoicePicker(client, show_badge=False)
        self.monitor = JobMonitor(client=client, title="Studio jobs", show_badge=False)
        self.preview = MediaPreview(client=client, show_badge=False)
        self.preview.layout.display = "none"
        head = W.HTML('<div style="display:flex;align-items:baseline;gap:10px;margin:2px 0 4px;font-family:system-ui,'
                      'sans-serif"><span style="font-size:16px;font-weight:650">Studio</span><span style="opacity:.75">'
                      "1 pick an avatar · 2 pick a voice · 3 type what to say · 4 make the video</span></div>")
        super().__init__(children=[head, self.avatars, self.voices, self.bar, self.monitor, self.preview], **kwargs)

    def run(self, *, wait: bool = False, timeout: float | None = 900.0) -> Any:
        """Start the chain in the background (``wait=True`` blocks and returns the Result)."""
        try:
            plan = self._plan()
        except Exception as exc:
            self.show_error(exc)
            if wait:
                raise
            return None
        self.clear_error()
        if self._thread is not None and self._thread.is_alive():
            self._say("Already making a video: wait for it to finish.")
            return None
        self.bar.busy = True
        self._thread = threading.Thread(target=self._chain, args=(plan,), name="akool-nb-studio", daemon=True)
        self._thread.start()
        if wait:
            self._thread.join(timeout)
            if self.error:
                raise RuntimeError(self.error.get("message"))
            return self.value
        return self._thread

    def _plan(self) -> dict[str, Any]:
        if not self.avatars.value:
            raise ValueError("step 1: click an avatar")
        if not self.voices.value:
            raise ValueError("step 2: click a voice")
        text = self.bar.text.strip()
        if not text:
            raise ValueError("step 3: type what the avatar should say")
        return {"avatar": dict(self.avatars.value), "record": self.avatars.avatar, "voice": self.voices.voice,
                "voice_id": self.voices.value, "text": text}

    def _chain(self, plan: dict[str, Any]) -> None:
        try:
            self._say("Making the speech…")
            voice = plan["voice"]
            if type(voice).__name__ == "VoiceV3":
                speech_job = self.client.tts.create_v3(text=plan["text"], voice_id=plan["voice_id"])
            else:
                speech_job = self.client.tts.create(text=plan["text"], voice_id=plan["voice_id"])
            self.monitor.add(speech_job)
            self.monitor.wait()
            self.speech = speech_job.result
            self._say("Making the talking avatar…")
            avatar: dict[str, Any] = {"type": "avatar", "width": 1440, "height": 1440, "scale_x": 1, "scale_y": 1,
                                      "offset_x": 1200, "offset_y": 720}
            record = plan["record"]
            if plan["avatar"].get("from") == 3 and record is not None and record.url:
                avatar["url"] = record.url
            else:
                avatar["avatar_id"] = plan["avatar"]["avatar_id"]
            elements = [{"type": "image", "url": self.background, "width": CANVAS[0], "height": CANVAS[1], "scale_x": 1,
                         "scale_y": 1, "offset_x": 0, "offset_y": 0}, avatar,
                        {"type": "audio", "url": self.speech.url}]
            self.job = self.client.talking_avatar.create(elements)
            self.monitor.add(self.job)
            self.monitor.wait()
            result = self.job.result
            self.preview.show(result, title="Your talking avatar")
            self.preview.layout.display = ""
            self.value = result
            self._say("Done: studio.value is the result; studio.value.save('video.mp4') keeps it.")
        except Exception as exc:
            self.show_error(exc)
        finally:
            self.bar.busy = False

    def _say(self, text: str) -> None:
        self.bar.message = text

    def _set_error(self, state: dict[str, str]) -> None:
        self.error = state
        self.bar.error = state
        if state:
            self.bar.message = ""


    def _static_html(self) -> str:
        if self.value is not None:
            from ..display import media_html

            body = media_html(self.value.url, self.value.media, poster=self.value.poster_url)
        else:
            body = '<div style="opacity:.7">No video made yet.</div>'
        return self._static_card("Studio", body)


__all__ = ["Studio"]
