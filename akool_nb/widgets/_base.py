"""What every panel shares: an anywidget with a hand-written ES module, ``value`` + ``on_select``, errors shown
inside the panel (and logged) with the fix, actions from the front end as messages, and a static HTML copy
displayed after the live view, which the live front end hides and every viewer without the live panel shows
(nbviewer, GitHub, VS Code, Colab, JupyterLab without saved widget state).

A new panel (FacePanel, BackgroundComposer, EffectPicker, ModelPicker …) is a :class:`Panel` subclass with
an ``_esm`` file, its traits, ``_on_<action>`` methods for front-end actions and ``_static_html()``.
"""
from __future__ import annotations

import html
import threading
from pathlib import Path
from typing import Any, Callable

import anywidget
import anywidget._util  # repr_mimebundle: the widget bundle with Colab's metadata
import ipywidgets as W
import traitlets as t

from .._exceptions import (AkoolError, APIConnectionError, AuthError, InvalidParameterError, JobFailedError,
                           JobTimeoutError, MissingCredentialsError, NotFoundError, PermissionDeniedError,
                           QuotaError, RateLimitError)
from .._logging import logger

HERE = Path(__file__).resolve().parent
CSS = HERE / "panels.css"


def esm(name: str) -> str:
    """A panel's ES module, assembled into the one file anywidget loads: the shared helpers of ``_common.js``,
    then the panel's own module, whose default export is wrapped by ``withCommon`` (what every panel does when
    it renders: hide its static copy)."""
    panel = (HERE / name).read_text(encoding="utf-8")
    if panel.count("export default ") != 1:
        raise ValueError(f"{name} must have exactly one 'export default'")
    panel = panel.replace("export default ", "const panel = ", 1)
    return (HERE / "_common.js").read_text(encoding="utf-8") + "\n" + panel + "\nexport default withCommon(panel);\n"

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
    # Displaying a panel makes TWO outputs: the live widget view, then a static HTML copy (marked
    # data-aknb-static="<model id>"). The live front end hides the copy (see liveStatic in _common.js); every
    # viewer without a live panel shows it: nbviewer, GitHub, VS Code or Colab without a kernel, and JupyterLab
    # reopening a notebook saved without widget state, where the widget output can only say "model not found".
    def _static_html(self) -> str:
        return ""

    def _static_card(self, title: str, body: str) -> str:
        note = ('<div style="opacity:.6;font-size:11px;margin-top:6px">Static copy of an interactive akool_nb '
                'panel: run the cell to use it.</div>')
        return (f'<div style="{_CARD}"><div style="font-weight:600;margin-bottom:6px">{esc(title)}</div>'
                f'{body}{note}</div>')

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The live widget view plus the static HTML copy, in one bundle (for callers other than IPython's
        display, which uses ``_ipython_display_`` and gets the copy as an output of its own)."""
        bundle = self._view_bundle()
        if bundle is None:
            return None
        data, meta = bundle
        try:
            data["text/html"] = self._static_html()
        except Exception as exc:  # a fallback must never hide the live panel
            logger.debug("no static fallback for %s: %s", type(self).__name__, exc)
        return data, meta

    def _view_bundle(self) -> tuple[dict[str, Any], dict[str, Any]] | None:
        model_id = getattr(self, "model_id", None)
        if not model_id:  # closed
            return None
        # anywidget's bundle: in Colab it also switches on Colab's custom widget manager (third-party widgets
        # do not render there without it) and names it in the metadata; boxes of our panels need that too
        data, meta = anywidget._util.repr_mimebundle(model_id=model_id, repr_text="")
        data["text/plain"] = f"{type(self).__name__}: an interactive akool_nb panel (run the cell to use it)"
        if IPYWIDGETS_7:  # the protocol version ipywidgets 7 itself announces (anywidget says 2.1)
            data["application/vnd.jupyter.widget-view+json"]["version_minor"] = 0
        return data, meta

    def _ipython_display_(self, **kwargs: Any) -> None:
        from IPython.display import display

        bundle = self._view_bundle()
        if bundle is None:
            display({"text/plain": f"{type(self).__name__} (closed)"}, raw=True)
            return
        key = bundle[0]["application/vnd.jupyter.widget-view+json"]["model_id"]
        for panel in _live_parts(self):  # told before the view is shown, so the copy never flashes
            if key not in panel._static_copies:
                panel._static_copies = [*panel._static_copies, key]
        display(bundle[0], metadata=bundle[1], raw=True)
        static = self._static_output(key)
        if static is not None:
            if not hasattr(self, "_static_handles"):
                self._static_handles: list[tuple[str, Any]] = []
                self.observe(self._refresh_static_later, names="value")  # type: ignore[attr-defined]
            self._static_handles.append((key, display(static, raw=True, display_id=True)))

    def _refresh_static_later(self, _change: Any = None) -> None:
        # Selections and drags change ``value`` many times a second: refresh the copy once, shortly after.
        if getattr(self, "_static_timer", None) is not None:
            return

        def refresh() -> None:
            self._static_timer = None
            self.refresh_static_copy()

        self._static_timer: threading.Timer | None = threading.Timer(STATIC_REFRESH_DELAY, refresh)
        self._static_timer.daemon = True
        self._static_timer.start()

    def refresh_static_copy(self) -> None:
        """Bring the static copies up to date (the saved notebook then shows the latest selection/result)."""
        for key, handle in getattr(self, "_static_handles", []):
            try:
                static = self._static_output(key)
                if static is not None and handle is not None:
                    handle.update(static, raw=True)
            except Exception as exc:  # only the saved copy would be stale; the live panel is fine
                logger.debug("could not refresh the static copy of %s: %s", type(self).__name__, exc)

    def _static_output(self, key: str) -> dict[str, str] | None:
        try:
            body = self._static_html()
        except Exception as exc:  # a fallback must never hide the live panel
            logger.debug("no static fallback for %s: %s", type(self).__name__, exc)
            return None
        if not body:
            return None
        return {"text/html": f'<div class="aknb-static" data-aknb-static="{esc(key)}">{body}</div>{_STATIC_STYLE}',
                "text/plain": f"(static copy of an akool_nb {type(self).__name__}: run the cell to use it)"}


STATIC_REFRESH_DELAY = 1.0  # seconds after a change of ``value`` until the static copy follows it

# In JupyterLab and Notebook 7, a widget output whose model is gone is a bare text line ("Loading widget…",
# "Error displaying widget: model not found"): an element with no child elements. When our static copy follows
# it, hide that line; the copy says what to do. A live view has child elements, so it is never hidden.
# (:has() cannot nest, hence the two separate ones.)
_STATIC_STYLE = ("<style>.jp-OutputArea-child:has(+ .jp-OutputArea-child [data-aknb-static]) > "
                 ".jp-OutputArea-output.jupyter-widgets:not(:has(*)){display:none}</style>")


def _live_parts(widget: Any) -> list["Panel"]:
    """The anywidget panels inside ``widget`` (itself included): the front ends that hide its static copy."""
    found: list[Panel] = []
    stack, seen = [widget], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Panel):
            found.append(node)
        stack.extend(getattr(node, "children", ()) or ())
    return found


class Panel(PanelMixin, anywidget.AnyWidget):
    """Base of the anywidget panels."""

    _css = CSS
    ready = t.Bool(False).tag(sync=True)  # set by the front end once it has rendered
    error = t.Dict().tag(sync=True)  # {"message", "fix", "kind"} or {}
    status = t.Unicode("").tag(sync=True)  # a one-line status ("Loading voices…")
    offline = t.Bool(False).tag(sync=True)
    show_badge = t.Bool(True).tag(sync=True)  # the SIMULATED badge; off for a panel inside a composite panel
    # model ids of the displays whose static copy this front end hides (see PanelMixin._ipython_display_)
    _static_copies = t.List(t.Unicode()).tag(sync=True)

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
