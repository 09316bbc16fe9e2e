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

from ._base import PanelMixin, esc
from .monitor import JobMonitor
from .pickers import AvatarPicker, VoicePicker
from .preview import MediaPreview

_HEAD = ('<div style="display:flex;align-items:baseline;gap:10px;margin:2px 0 4px">'
         '<span style="font-size:16px;font-weight:650">Studio</span><span style="opacity:.7">'
         "1 pick an avatar · 2 pick a voice · 3 type what to say · 4 make the video</span>{badge}</div>")


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
        self.avatars = AvatarPicker(client, source="official", page_size=avatar_page_size)
        self.voices = VoicePicker(client)
        self.text = W.Textarea(value=text, placeholder="What should the avatar say?",
                               layout=W.Layout(width="100%", max_width="1000px", height="72px"))
        self.button = W.Button(description="Make the video", button_style="primary", icon="play",
                               layout=W.Layout(width="180px"))
        self.button.on_click(lambda _b: self.run())
        self.message = W.HTML(layout=W.Layout(margin="0 0 0 12px"))
        self.monitor = JobMonitor(client=client, title="Studio jobs")
        self.preview = MediaPreview(client=client)
        self.preview.layout.display = "none"
        badge = ('<span style="background:#f2994a;color:#fff;border-radius:10px;padding:1px 8px;font-size:11px;'
                 'font-weight:600">SIMULATED</span>') if getattr(client, "offline", False) else ""
        super().__init__(children=[W.HTML(_HEAD.format(badge=badge)), self.avatars, self.voices, self.text,
                                   W.HBox([self.button, self.message], layout=W.Layout(align_items="center")),
                                   self.monitor, self.preview], **kwargs)

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
        self.button.disabled = True
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
        text = self.text.value.strip()
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
            elements = [{"type": "image", "url": self.background, "width": 3840, "height": 2160, "scale_x": 1,
                         "scale_y": 1, "offset_x": 0, "offset_y": 0}, avatar,
                        {"type": "audio", "url": self.speech.url}]
            self.job = self.client.talking_avatar.create(elements)
            self.monitor.add(self.job)
            self.monitor.wait()
            result = self.job.result
            self.preview.show(result, title="Your talking avatar")
            self.preview.layout.display = ""
            self.value = result
            self._say("Done: <code>studio.value</code> is the result; <code>studio.value.save('video.mp4')</code> keeps it.")
        except Exception as exc:
            self.show_error(exc)
        finally:
            self.button.disabled = False

    def _say(self, html_text: str) -> None:
        self.message.value = f'<span style="opacity:.8">{html_text}</span>'

    def _set_error(self, state: dict[str, str]) -> None:
        self.error = state
        if state:
            self.message.value = (f'<span style="color:#e5484d"><b>{esc(state.get("kind"))}</b> {esc(state["message"])}'
                                  f'</span><br><span style="opacity:.8">➜ {esc(state.get("fix"))}</span>')
        else:
            self.message.value = ""


    def _static_html(self) -> str:
        if self.value is not None:
            from ..display import media_html

            body = media_html(self.value.url, self.value.media, poster=self.value.poster_url)
        else:
            body = '<div style="opacity:.7">No video made yet.</div>'
        return self._static_card("Studio", body)


__all__ = ["Studio"]
