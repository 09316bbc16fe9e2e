"""AvatarPicker, VoicePicker, EffectPicker and ModelPicker: pick from Akool's catalogues by looking and listening.

    picker = AvatarPicker(client)          # official / own / streaming avatars, a paged thumbnail grid
    picker                                 # click one
    picker.value                           # {"avatar_id": "...", "from": 2}
    voices = VoicePicker(client, language="en")
    voices.value                           # "voice_id" of the clicked voice
    effects = EffectPicker(client)         # image-to-video effects: logo + ▶ preview
    effects.value                          # "effect_code"
    models = ModelPicker(client, kind="image_to_video")
    models.params                          # {"model_name", "resolution", "video_length"}

Long because: four pickers over one paged-catalogue base; apart, the shared grid logic would be scattered.
"""
from __future__ import annotations

from typing import Any, Iterable

import traitlets as t

from ._base import Panel, esc, esm, in_background

_FROM = {"": None, "official": 2, "mine": 3}
_TYPE = {"": None, "talking": 1, "streaming": 2}


def _is_video(url: str | None) -> bool:
    return bool(url) and str(url).split("?")[0].lower().endswith((".mp4", ".mov", ".avi", ".webm", ".m4v"))


def _is_image(url: str | None) -> bool:
    return bool(url) and str(url).split("?")[0].lower().endswith((".png", ".jpg", ".jpeg", ".webp", ".gif"))


class AvatarPicker(Panel):
    """Official, your own and streaming avatars as a paged grid of thumbnails (video avatars show their
    poster). ``source`` = "" | "official" | "mine" (the API's ``from`` 2 / 3), ``kind`` = "" | "talking" |
    "streaming" (``type`` 1 / 2). Clicking one sets ``value`` to ``{"avatar_id", "from"}``."""

    _esm = esm("avatar_picker.js")
    items = t.List().tag(sync=True)
    source = t.Unicode("").tag(sync=True)
    kind = t.Unicode("").tag(sync=True)
    page = t.Int(1).tag(sync=True)
    page_size = t.Int(24).tag(sync=True)
    has_more = t.Bool(False).tag(sync=True)
    value = t.Dict(allow_none=True, default_value=None).tag(sync=True)

    def __init__(self, client: Any = None, *, source: str = "", kind: str = "", page_size: int = 24,
                 avatars: Iterable[Any] | None = None, load: bool = True, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self._records: dict[str, Any] = {}
        with self.hold_trait_notifications():
            self.source, self.kind, self.page_size = _check(source, _FROM, "source"), _check(kind, _TYPE, "kind"), page_size
        if avatars is not None:
            self.set_avatars(avatars)
        elif load and client is not None:
            self.refresh()
        self.observe(lambda _: self._filters_changed(), names=["source", "kind"])
        self.observe(lambda _: self.refresh(), names=["page"])

    # -- programmatic API -------------------------------------------------------------------------
    @property
    def avatar(self) -> Any:
        """The selected avatar record (``Avatar``), or None."""
        return self._records.get((self.value or {}).get("avatar_id"))

    @property
    def avatar_id(self) -> str | None:
        return (self.value or {}).get("avatar_id")

    @property
    def avatar_from(self) -> int | None:
        return (self.value or {}).get("from")

    def select(self, avatar_id: str) -> None:
        """Select by ``avatar_id`` (as a click does)."""
        self._on_select(avatar_id=avatar_id)

    def refresh(self) -> None:
        """(Re)load the current page with the current filters."""
        client = self._require_client()
        self.status = "Loading avatars…"
        try:
            rows = client.avatars.list(from_=_FROM[self.source], type=_TYPE[self.kind], page=self.page,
                                       size=self.page_size)
        except Exception as exc:
            self.status = ""
            self.show_error(exc)
            return
        self.clear_error()
        self.set_avatars(rows, has_more=len(rows) >= self.page_size)

    def set_avatars(self, avatars: Iterable[Any], *, has_more: bool = False) -> None:
        from ..models.avatars import Avatar

        items = []
        self._records = {}
        for raw in avatars:
            record = raw if isinstance(raw, Avatar) else Avatar.model_validate(raw)
            key = record.avatar_id or record.id or ""
            self._records[key] = record
            items.append(self._item(record, key))
        with self.hold_trait_notifications():
            self.items = items
            self.has_more = has_more
            self.status = "" if items else "No avatars match these filters."
        missing = [i for i in items if not i["thumb"] and i["video"]]
        if missing:
            in_background(lambda: self._make_posters(missing), "akool-nb-posters")

    @staticmethod
    def _item(record: Any, key: str) -> dict[str, Any]:
        url = record.url or ""
        thumb = record.thumbnailUrl or (url if _is_image(url) else "")
        return {"key": key, "avatar_id": record.avatar_id or "", "name": record.name or record.avatar_id or "",
                "from": record.from_, "type": record.type, "thumb": thumb, "video": url if _is_video(url) else "",
                "gender": record.gender or "", "status": record.status}

    def _make_posters(self, missing: list[dict[str, Any]]) -> None:
        from ..media.thumbnails import data_uri, poster_frame

        posters = {}
        for item in missing:
            try:
                posters[item["key"]] = data_uri(poster_frame(item["video"], max_size=240), quality=72)
            except Exception as exc:
                posters[item["key"]] = ""
                self.status = f"No poster for {item['name']}: {exc}"[:160]
        with self._lock:
            self.items = [{**i, "thumb": posters.get(i["key"], i["thumb"])} for i in self.items]

    # -- front-end actions ------------------------------------------------------------------------
    def _on_select(self, avatar_id: str) -> None:
        if avatar_id not in self._records:
            raise ValueError(f"unknown avatar {avatar_id!r}; pick one shown in the grid")
        record = self._records[avatar_id]
        self.value = {"avatar_id": record.avatar_id or avatar_id, "from": record.from_}

    def _on_page(self, delta: int) -> None:
        self.page = max(1, self.page + int(delta))

    def _filters_changed(self) -> None:
        if self.page != 1:
            self.page = 1  # triggers refresh
        elif self.client is not None:
            self.refresh()

    def _static_html(self) -> str:
        cells = []
        for item in self.items[:12]:
            chosen = (self.value or {}).get("avatar_id") == item["avatar_id"]
            border = "2px solid #5b6cff" if chosen else "1px solid rgba(128,128,128,.35)"
            img = (f'<img src="{esc(item["thumb"])}" loading="lazy" style="width:96px;height:96px;object-fit:cover;'
                   f'border-radius:6px;display:block">' if item["thumb"].startswith(("http", "data:")) else "")
            link = item["video"] or item["thumb"]
            cells.append(f'<a href="{esc(link)}" target="_blank" rel="noopener" style="color:inherit;text-decoration:'
                         f'none;border:{border};border-radius:8px;padding:4px;width:106px">{img}<div style="font-size:'
                         f'11px;margin-top:3px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap">'
                         f'{esc(item["name"])}</div></a>')
        chosen = f'<div style="margin-top:6px">Selected: <code>{esc(self.avatar_id)}</code></div>' if self.value else ""
        return self._static_card(f"Avatars ({len(self.items)} on this page)",
                                 f'<div style="display:flex;flex-wrap:wrap;gap:6px">{"".join(cells)}</div>{chosen}')


def _check(value: str, table: dict[str, Any], name: str) -> str:
    if value not in table:
        raise ValueError(f"{name}={value!r} is not one of {', '.join(repr(k) for k in table)}")
    return value


_FILTERS = ("language", "gender", "age", "style", "scenario")


class VoicePicker(Panel):
    """VoiceLab (v4) and v3 voices with filters (language, gender, age, style, scenario, name search) and
    a play button per voice for its preview. Clicking a voice sets ``value`` to its ``voice_id``."""

    _esm = esm("voice_picker.js")
    voices = t.List().tag(sync=True)
    visible = t.List().tag(sync=True)
    options = t.Dict().tag(sync=True)
    option_labels = t.Dict().tag(sync=True)  # "language:en" -> "English (en)": how a filter value reads
    version = t.Unicode("").tag(sync=True)  # "" both, "v4", "v3"
    language = t.Unicode("").tag(sync=True)
    gender = t.Unicode("").tag(sync=True)
    age = t.Unicode("").tag(sync=True)
    style = t.Unicode("").tag(sync=True)
    scenario = t.Unicode("").tag(sync=True)
    search = t.Unicode("").tag(sync=True)
    value = t.Unicode(None, allow_none=True).tag(sync=True)

    def __init__(self, client: Any = None, *, version: str = "", voices: Iterable[Any] | None = None,
                 load: bool = True, **filters: Any) -> None:
        panel_kwargs = {k: v for k, v in filters.items() if k not in (*_FILTERS, "search")}
        super().__init__(client, **panel_kwargs)
        self._records: dict[str, Any] = {}
        if version not in ("", "v4", "v3"):
            raise ValueError(f"version={version!r} is not one of '', 'v4', 'v3'")
        with self.hold_trait_notifications():
            self.version = version
            for name in (*_FILTERS, "search"):
                if filters.get(name):
                    setattr(self, name, str(filters[name]))
        if voices is not None:
            self.set_voices(voices)
        elif load and client is not None:
            self.refresh()
        self.observe(lambda _: self._apply_filters(), names=["version", *_FILTERS, "search"])

    def clear_filters(self) -> None:
        """Show every voice again (no language, gender, age, style, scenario, version or name filter)."""
        with self.hold_trait_notifications():
            for name in (*_FILTERS, "search", "version"):
                setattr(self, name, "")

    @property
    def voice(self) -> Any:
        """The selected voice record (``Voice`` or ``VoiceV3``), or None."""
        return self._records.get(self.value or "")

    def select(self, voice_id: str) -> None:
        self._on_select(voice_id=voice_id)

    def refresh(self) -> None:
        """Load both voice lists (VoiceLab v4 first, then v3)."""
        client = self._require_client()
        self.status = "Loading voices…"
        records: list[Any] = []
        problems = []
        try:
            page, size = 1, 100
            while True:
                batch = client.voices.list(page=page, size=size)
                records += batch
                if len(batch) < size or len(records) >= (batch.count or 0):
                    break
                page += 1
        except Exception as exc:
            problems.append(exc)
        try:
            records += client.voices.list_v3()
        except Exception as exc:
            problems.append(exc)
        self.set_voices(records)
        if problems:
            self.show_error(problems[0])
        else:
            self.clear_error()

    def set_voices(self, voices: Iterable[Any]) -> None:
        from ..models.voices import Voice, VoiceV3

        items, self._records = [], {}
        for raw in voices:
            if not isinstance(raw, (Voice, VoiceV3)):
                raw = Voice.model_validate(raw) if "locale" in raw or "scenario" in raw else VoiceV3.model_validate(raw)
            v3 = isinstance(raw, VoiceV3)
            key = raw.voice_id or raw.id or ""
            if key in self._records:  # the same voice in both lists: keep the v4 record
                continue
            self._records[key] = raw
            extra = raw.model_extra or {}
            items.append({
                "voice_id": key, "name": raw.name or key, "gender": raw.gender or "",
                "language": (extra.get("language") if v3 else raw.language) or "",
                "locale": "" if v3 else (raw.locale or ""),
                "accent": (raw.accent if v3 else extra.get("accent")) or "",
                "age": [] if v3 else list(raw.age or []), "style": [] if v3 else list(raw.style or []),
                "scenario": [] if v3 else list(raw.scenario or []), "preview": raw.preview or "",
                "version": "v3" if v3 else "v4",
            })
        options: dict[str, list[str]] = {}
        for name in _FILTERS:
            found: set[str] = set()
            for item in items:
                value = item[name]
                found.update(value if isinstance(value, list) else [value] if value else [])
            options[name] = sorted(found)
        with self.hold_trait_notifications():
            self.voices = items
            self.options = options
            self.status = ""
        self._apply_filters()

    def filtered(self) -> list[Any]:
        """The voice records the current filters let through, in list order."""
        return [self._records[i] for i in self.visible]

    def _matches(self, item: dict[str, Any]) -> bool:
        if self.version and item["version"] != self.version:
            return False
        lang = self.language.lower()
        if lang and lang not in (item["language"].lower(), item["locale"].lower()) \
                and not item["locale"].lower().startswith(lang + "-"):
            return False
        for name in ("gender", "age", "style", "scenario"):
            wanted = getattr(self, name).lower()
            if wanted:
                have = item[name] if isinstance(item[name], list) else [item[name]]
                if wanted not in {h.lower() for h in have}:
                    return False
        query = self.search.strip().lower()
        if query and query not in f"{item['name']} {item['voice_id']} {item['accent']}".lower():
            return False
        return True

    def _apply_filters(self) -> None:
        self.visible = [item["voice_id"] for item in self.voices if self._matches(item)]
        self.option_labels = self._labels()

    def _labels(self) -> dict[str, str]:
        """How the language filter reads when it is a code ("en" -> "English (en)", from the voices' locales)."""
        lang = self.language.strip()
        if not lang or lang.lower() in {v.lower() for v in self.options.get("language", [])}:
            return {}
        names = sorted({i["language"] for i in self.voices if i["language"] and (
            i["locale"].lower() == lang.lower() or i["locale"].lower().startswith(lang.lower() + "-"))})
        return {f"language:{lang}": f"{' / '.join(names)} ({lang})" if names else lang}

    def _on_clear_filters(self) -> None:
        self.clear_filters()

    def _on_select(self, voice_id: str) -> None:
        if voice_id not in self._records:
            raise ValueError(f"unknown voice {voice_id!r}; pick one from the list")
        self.value = voice_id

    def _on_filter(self, name: str, value: str) -> None:
        if name not in (*_FILTERS, "search", "version"):
            raise ValueError(f"unknown filter {name!r}")
        setattr(self, name, str(value or ""))

    def _static_html(self) -> str:
        rows = []
        visible = set(self.visible)
        for item in [i for i in self.voices if i["voice_id"] in visible][:8]:
            chosen = item["voice_id"] == self.value
            audio = (f'<audio controls preload="none" src="{esc(item["preview"])}" style="height:28px;width:220px" '
                     "onplay=\"document.querySelectorAll('audio,video').forEach(m=>{if(m!==this)m.pause()})\">"
                     "</audio>" if item["preview"] else "")
            rows.append(f'<div style="display:flex;gap:10px;align-items:center;padding:3px 0;'
                        f'{"font-weight:600" if chosen else ""}">{audio}<span>{esc(item["name"])}</span>'
                        f'<span style="opacity:.65">{esc(item["language"])} · {esc(item["gender"])} · '
                        f'<code>{esc(item["voice_id"])}</code></span></div>')
        more = len(visible) - len(rows)
        tail = f'<div style="opacity:.65">… and {more} more</div>' if more > 0 else ""
        chosen = f'<div style="margin-top:6px">Selected: <code>{esc(self.value)}</code></div>' if self.value else ""
        return self._static_card(f"Voices ({len(visible)} shown)", "".join(rows) + tail + chosen)


class EffectPicker(Panel):
    """Image-to-video effects (``client.image_to_video.effects()``) as a grid: each card shows the effect's logo
    and plays its preview video on ▶ (never by itself). Clicking one sets ``value`` to its ``effect_code``
    (pass it, or ``picker.effect``, as ``effect_code=`` to ``client.image_to_video.create``)."""

    _esm = esm("effect_picker.js")
    items = t.List().tag(sync=True)
    search = t.Unicode("").tag(sync=True)
    value = t.Unicode(None, allow_none=True).tag(sync=True)

    def __init__(self, client: Any = None, *, effects: Iterable[Any] | None = None, load: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self._records: dict[str, Any] = {}
        if effects is not None:
            self.set_effects(effects)
        elif load and client is not None:
            self.refresh()

    @property
    def effect(self) -> Any:
        """The selected ``Effect`` record, or None."""
        return self._records.get(self.value or "")

    def select(self, effect_code: str) -> None:
        self._on_select(effect_code=effect_code)

    def refresh(self) -> None:
        client = self._require_client()
        self.status = "Loading effects…"
        try:
            effects = client.image_to_video.effects()
        except Exception as exc:
            self.status = ""
            self.show_error(exc)
            return
        self.clear_error()
        self.set_effects(effects)

    def set_effects(self, effects: Iterable[Any]) -> None:
        from ..models.image_to_video import Effect

        items, self._records = [], {}
        for raw in effects:
            record = raw if isinstance(raw, Effect) else Effect.model_validate(raw)
            code = record.effect_code or record.id or ""
            if not code or code in self._records:
                continue
            self._records[code] = record
            items.append({"effect_code": code, "name": record.name or code, "logo": record.logo or "",
                          "video": record.video_url or ""})
        with self.hold_trait_notifications():
            self.items = items
            self.status = "" if items else "No effects are available."

    def _on_select(self, effect_code: str) -> None:
        if effect_code not in self._records:
            raise ValueError(f"unknown effect {effect_code!r}; pick one shown in the grid")
        self.value = effect_code

    def _on_filter(self, value: str) -> None:
        self.search = str(value or "")

    def _static_html(self) -> str:
        cells = []
        for item in self.items[:12]:
            chosen = item["effect_code"] == self.value
            border = "2px solid #5b6cff" if chosen else "1px solid rgba(128,128,128,.35)"
            img = (f'<img src="{esc(item["logo"])}" loading="lazy" style="width:96px;height:96px;object-fit:cover;'
                   f'border-radius:6px;display:block">' if item["logo"] else "")
            cells.append(f'<a href="{esc(item["video"] or item["logo"])}" target="_blank" rel="noopener" style="color:'
                         f'inherit;text-decoration:none;border:{border};border-radius:8px;padding:4px;width:106px">{img}'
                         f'<div style="font-size:11px;margin-top:3px">{esc(item["name"])}</div></a>')
        chosen = f'<div style="margin-top:6px">Selected: <code>{esc(self.value)}</code></div>' if self.value else ""
        return self._static_card(f"Image-to-video effects ({len(self.items)})",
                                 f'<div style="display:flex;flex-wrap:wrap;gap:6px">{"".join(cells)}</div>{chosen}')


_MODEL_TYPES = {"": None, "image_to_video": 1501, "text_to_video": 1502, "character_swap": 2101}


class ModelPicker(Panel):
    """AI models (``client.ai_models.list()``) with their resolutions, durations and pro flag, filtered by
    ``kind`` ("" all, "image_to_video", "text_to_video", "character_swap"). Clicking a model sets ``value`` to
    its ``model_name``; clicking one of its resolution / duration pills picks it (``resolution``,
    ``duration``). ``params`` is ``{"model_name", "resolution", "video_length"}`` for ``create_batch``."""

    _esm = esm("model_picker.js")
    items = t.List().tag(sync=True)
    kind = t.Unicode("").tag(sync=True)
    visible = t.List().tag(sync=True)
    resolution = t.Unicode("").tag(sync=True)
    duration = t.Int(0).tag(sync=True)
    value = t.Unicode(None, allow_none=True).tag(sync=True)

    def __init__(self, client: Any = None, *, kind: str = "", models: Iterable[Any] | None = None,
                 load: bool = True, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self._records: dict[str, Any] = {}
        self.kind = _check(kind, _MODEL_TYPES, "kind")
        if models is not None:
            self.set_models(models)
        elif load and client is not None:
            self.refresh()
        self.observe(lambda _c: self._apply_filter(), names="kind")
        self.observe(lambda _c: self._model_changed(), names="value")

    @property
    def model(self) -> Any:
        """The selected ``AIModel`` record, or None."""
        return self._records.get(self.value or "")

    @property
    def params(self) -> dict[str, Any]:
        """Keyword arguments for ``client.image_to_video.create_batch`` (the chosen model, resolution, length)."""
        if not self.value:
            return {}
        out: dict[str, Any] = {"model_name": self.value}
        if self.resolution:
            out["resolution"] = self.resolution
        if self.duration:
            out["video_length"] = self.duration
        return out

    def select(self, model_name: str, *, resolution: str | None = None, duration: int | None = None) -> None:
        self._on_select(model_name=model_name)
        if resolution is not None:
            self._on_option(name="resolution", value=resolution)
        if duration is not None:
            self._on_option(name="duration", value=duration)

    def refresh(self) -> None:
        client = self._require_client()
        self.status = "Loading models…"
        try:
            models = client.ai_models.list()
        except Exception as exc:
            self.status = ""
            self.show_error(exc)
            return
        self.clear_error()
        self.set_models(models)

    def set_models(self, models: Iterable[Any]) -> None:
        from ..models.images import MODEL_TYPES, AIModel

        items, self._records = [], {}
        for raw in models:
            record = raw if isinstance(raw, AIModel) else AIModel.model_validate(raw)
            name = record.value or ""
            if not name or name in self._records:
                continue
            self._records[name] = record
            items.append({"model_name": name, "label": record.label or name, "provider": record.provider or "",
                          "type": record.type, "kind": MODEL_TYPES.get(record.type or 0, ""),
                          "description": record.description or "", "pro": record.pro,
                          "resolutions": [{"value": r.value, "label": r.label or r.value, "credit": r.unit_credit}
                                          for r in record.resolutionList if r.value],
                          "durations": record.durations, "last_frame": bool(record.supportedLastFrame),
                          "max_count": record.maxCount})
        with self.hold_trait_notifications():
            self.items = items
            self.status = "" if items else "No models are available."
        self._apply_filter()

    def _apply_filter(self) -> None:
        wanted = _MODEL_TYPES[self.kind]
        self.visible = [i["model_name"] for i in self.items if wanted is None or i["type"] == wanted]

    def _model_changed(self) -> None:
        record = self.model
        with self.hold_trait_notifications():
            resolutions = record.resolutions if record is not None else []
            durations = record.durations if record is not None else []
            if self.resolution not in resolutions:
                self.resolution = resolutions[0] if resolutions else ""
            if self.duration not in durations:
                self.duration = durations[0] if durations else 0

    def _on_select(self, model_name: str) -> None:
        if model_name not in self._records:
            raise ValueError(f"unknown model {model_name!r}; pick one from the list")
        self.value = model_name

    def _on_option(self, name: str, value: Any) -> None:
        record = self.model
        if record is None:
            raise ValueError("pick a model first")
        if name == "resolution":
            if value not in record.resolutions:
                raise ValueError(f"{record.label} offers {', '.join(record.resolutions) or 'no resolutions'}, "
                                 f"not {value!r}")
            self.resolution = str(value)
        elif name == "duration":
            if int(value) not in record.durations:
                raise ValueError(f"{record.label} makes {', '.join(map(str, record.durations)) or 'no'} s videos, "
                                 f"not {value!r}")
            self.duration = int(value)
        else:
            raise ValueError(f"unknown option {name!r}")

    def _on_kind(self, value: str) -> None:
        self.kind = _check(str(value or ""), _MODEL_TYPES, "kind")

    def _static_html(self) -> str:
        rows = []
        shown = set(self.visible)
        for item in [i for i in self.items if i["model_name"] in shown][:12]:
            chosen = item["model_name"] == self.value
            pro = (' <span style="background:#9b51e0;color:#fff;border-radius:9px;padding:0 6px;font-size:10px">PRO'
                   '</span>') if item["pro"] else ""
            rows.append(f'<tr style="{"font-weight:600" if chosen else ""}"><td>{esc(item["label"])}{pro}</td>'
                        f'<td><code>{esc(item["model_name"])}</code></td><td>{esc(item["kind"])}</td>'
                        f'<td>{esc(", ".join(r["value"] for r in item["resolutions"]))}</td>'
                        f'<td>{esc(", ".join(f"{d} s" for d in item["durations"]))}</td></tr>')
        chosen = (f'<div style="margin-top:6px">Selected: <code>{esc(self.params)}</code></div>' if self.value else "")
        return self._static_card(f"AI models ({len(shown)})",
                                 '<table style="font-size:12px"><tr><th>model</th><th>model_name</th><th>for</th>'
                                 f'<th>resolutions</th><th>durations</th></tr>{"".join(rows)}</table>{chosen}')
