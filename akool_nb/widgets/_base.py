"""What every panel shares: an anywidget with a hand-written ES module, ``value`` + ``on_select``, errors shown
inside the panel (and logged) with the fix, actions from the front end as messages, and a static HTML
fallback in the display bundle for notebooks reopened without a kernel (nbviewer, GitHub, VS Code, Colab).

A new panel (FacePanel, BackgroundComposer, EffectPicker, ModelPicker …) is a :class:`Panel` subclass with
an ``_esm`` file, its traits, ``_on_<action>`` methods for front-end actions and ``_static_html()``.
"""
from __future__ import annotations

import html
import threading
from pathlib import Path
from typing import Any, Callable

import anywidget
import ipywidgets as W
import traitlets as t

from .._exceptions import (AkoolError, APIConnectionError, AuthError, InvalidParameterError, JobFailedError,
                           JobTimeoutError, MissingCredentialsError, NotFoundError, PermissionDeniedError,
                           QuotaError, RateLimitError)
from .._logging import logger

HERE = Path(__file__).resolve().parent
CSS = HERE / "panels.css"


def esm(name: str) -> str:
    """A panel's ES module with the shared helpers of ``_common.js`` in front (anywidget loads one file)."""
    return (HERE / "_common.js").read_text(encoding="utf-8") + "\n" + (HERE / name).read_text(encoding="utf-8")

# Inline styles for the static fallback (no CSS file travels with a saved notebook's HTML output).
_CARD = ("font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:13px;border:1px solid "
         "rgba(128,128,128,.35);border-radius:10px;padding:10px 12px;margin:4px 0;max-width:980px;"
         "background:rgba(128,128,128,.05);color:inherit")
_MUTED = "opacity:.7"


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def fix_for(exc: BaseException) -> str:
    """The next step for the person looking at the panel."""
    if isinstance(exc, MissingCredentialsError):
        return "Set AKOOL_API_KEY (or pass api_key= to ak.Akool), or use ak.connect() for the offline Akool."
    if isinstance(exc, AuthError):
        return "Check the API key: it is wrong, expired or revoked (Akool → Settings → API keys)."
    if isinstance(exc, QuotaError):
        return "Your Akool account is out of credits: top up, or try the offline Akool (ak.connect() without a key)."
    if isinstance(exc, PermissionDeniedError):
        return "This feature needs a plan that includes it, or the account is blocked; see the Akool console."
    if isinstance(exc, RateLimitError):
        return "Too many requests: wait a few seconds and try again."
    if isinstance(exc, NotFoundError):
        return "The id or URL does not exist (any more); pick it again from the list."
    if isinstance(exc, InvalidParameterError):
        return f"Fix the value of {exc.param!r} and try again (nothing was sent or paid)."
    if isinstance(exc, JobFailedError):
        return "Akool could not make this result: check the inputs (face visible, supported format) and retry."
    if isinstance(exc, JobTimeoutError):
        return f"The job goes on at Akool: client.jobs.attach({exc.job_id!r}) later picks it up again."
    if isinstance(exc, APIConnectionError):
        return "The service could not be reached: check the network (or that the offline Akool is still running)."
    if isinstance(exc, (FileNotFoundError, IsADirectoryError)):
        return "Check the file path (relative paths start in the notebook's folder)."
    if isinstance(exc, AkoolError):
        return "See the message; client.jobs.recent() lists every job made here."
    if isinstance(exc, ValueError):
        return "Check the value you entered."
    return "See the log (logging.getLogger('akool_nb')) for details."


def error_state(exc: BaseException | str, fix: str | None = None) -> dict[str, str]:
    if isinstance(exc, BaseException):
        message = str(exc) or type(exc).__name__
        kind = type(exc).__name__
        fix = fix or fix_for(exc)
    else:
        message, kind = str(exc), "Error"
    return {"message": message, "fix": fix or "", "kind": kind}


IPYWIDGETS_7 = W.__version__.startswith("7.")


class PanelMixin:
    """``on_select`` / error display / static fallback for any HasTraits panel (anywidget or a Box)."""

    value: Any

    def on_select(self, callback: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Call ``callback(value)`` whenever the selection (``.value``) changes; usable as a decorator."""

        def handler(change: dict[str, Any]) -> None:
            try:
                callback(change["new"])
            except Exception as exc:  # a user callback must not break the panel
                self.show_error(exc, "Your on_select callback raised; the panel itself is fine.")

        self.observe(handler, names="value")  # type: ignore[attr-defined]
        return callback

    def show_error(self, exc: BaseException | str, fix: str | None = None) -> None:
        """Show ``exc`` in the panel with the fix, and log it."""
        state = error_state(exc, fix)
        logger.warning("%s: %s — %s", type(self).__name__, state["message"], state["fix"])
        self._set_error(state)

    def clear_error(self) -> None:
        self._set_error({})

    def _set_error(self, state: dict[str, str]) -> None:
        self.error = state  # type: ignore[attr-defined]

    # -- static fallback --------------------------------------------------------------------------
    def _static_html(self) -> str:
        return ""

    def _static_card(self, title: str, body: str) -> str:
        note = ('<div style="opacity:.6;font-size:11px;margin-top:6px">Static copy of an interactive akool_nb '
                'panel: run the cell to use it.</div>')
        return (f'<div style="{_CARD}"><div style="font-weight:600;margin-bottom:6px">{esc(title)}</div>'
                f'{body}{note}</div>')

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The live widget view plus a static HTML copy for viewers without a kernel."""
        parent = getattr(super(), "_repr_mimebundle_", None)  # ipywidgets 8
        bundle = parent(**kwargs) if parent is not None else None
        if bundle is None:  # ipywidgets 7 (Colab) has no widget mimebundle: build the one it would send
            bundle = ({"text/plain": repr(self), "application/vnd.jupyter.widget-view+json": {
                "version_major": 2, "version_minor": 0, "model_id": self.model_id}}, {})
        return self._add_fallback(bundle)

    if IPYWIDGETS_7:
        def _ipython_display_(self, **kwargs: Any) -> None:
            # ipywidgets 7 displays widgets through this hook; send our bundle so the static copy is kept.
            from IPython.display import display

            data, meta = self._repr_mimebundle_()
            display(data, metadata=meta, raw=True)

    def _add_fallback(self, bundle: Any) -> Any:
        data, meta = (bundle if isinstance(bundle, tuple) else (bundle, {}))
        if data is None:
            return bundle
        try:
            data = dict(data)
            data["text/html"] = self._static_html()
        except Exception as exc:  # a fallback must never hide the live panel
            logger.debug("no static fallback for %s: %s", type(self).__name__, exc)
        return data, meta


class Panel(PanelMixin, anywidget.AnyWidget):
    """Base of the anywidget panels."""

    _css = CSS
    ready = t.Bool(False).tag(sync=True)  # set by the front end once it has rendered
    error = t.Dict().tag(sync=True)  # {"message", "fix", "kind"} or {}
    status = t.Unicode("").tag(sync=True)  # a one-line status ("Loading voices…")
    offline = t.Bool(False).tag(sync=True)

    def __init__(self, client: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client
        self.offline = bool(getattr(client, "offline", False))
        self._lock = threading.RLock()
        self.on_msg(self._dispatch)

    # -- front-end actions ------------------------------------------------------------------------
    def _dispatch(self, _widget: Any, content: Any, _buffers: Any = None) -> None:
        if not isinstance(content, dict) or "action" not in content:
            return
        action = str(content["action"])
        handler = getattr(self, f"_on_{action}", None)
        if handler is None:
            logger.debug("%s: unknown front-end action %r", type(self).__name__, action)
            return
        try:
            handler(**{k: v for k, v in content.items() if k != "action"})
        except Exception as exc:
            self.show_error(exc)

    def _on_dismiss_error(self) -> None:
        self.clear_error()

    def _require_client(self) -> Any:
        if self.client is None:
            raise MissingCredentialsError("this panel needs a client: pass client=ak.connect()")
        return self.client


def in_background(target: Callable[[], Any], name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
