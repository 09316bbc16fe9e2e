// ModelPicker front end (anywidget ES module, no build step).
// Helpers h(), errorBox() and pauseOthers() come from _common.js, prepended when the module is loaded.

const KINDS = [["", "All"], ["image_to_video", "Image to video"], ["text_to_video", "Text to video"], ["character_swap", "Character swap"]];

export default {
  render({ model, el }) {
    const root = h("div", { class: "aknb aknb-model-picker" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const status = h("span", { class: "aknb-status" });
    const chips = h("div", { class: "aknb-bar", role: "radiogroup", "aria-label": "Kind of model", "aria-orientation": "horizontal" });
    root.append(h("div", { class: "aknb-head" }, h("span", { class: "aknb-title" }, "AI models"),
      simBadge(model, "Offline Akool: simulated models"),
      h("span", { class: "aknb-grow" }), status), errBox, chips);
    const list = h("div", { class: "aknb-list", role: "listbox", "aria-label": "AI models (arrow keys move, Enter selects)" });
    // the chosen model's resolution and length: radio groups under the list (no controls inside an option)
    const settings = h("div", { class: "aknb-model-settings" });
    const chosen = h("div", { class: "aknb-sub aknb-mono", style: { marginTop: "10px" } });
    root.append(list, settings, chosen);
    const syncKinds = roving(chips, { onActivate: (n) => model.send({ action: "kind", value: n.dataset.kind }) });
    const syncList = roving(list, { onActivate: (n) => model.send({ action: "select", model_name: n.dataset.key }) });

    const drawChips = () => { chips.replaceChildren(...KINDS.map(([v, label]) => h("button", {
      class: "aknb-chip" + (model.get("kind") === v ? " on" : ""), "data-kind": v, "data-key": v || "-", role: "radio",
      "aria-checked": model.get("kind") === v ? "true" : "false", onclick: () => model.send({ action: "kind", value: v }) }, label))); syncKinds(); };
    const pill = (on, text, title, onclick, key) => h("button", { class: "aknb-chip small" + (on ? " on" : ""), title, role: "radio",
      "aria-checked": on ? "true" : "false", "data-key": key, onclick: (e) => { e.stopPropagation(); onclick(); } }, text);
    const group = (label, pills, pick) => {
      const node = h("div", { class: "aknb-tags", role: "radiogroup", "aria-label": label, "aria-orientation": "horizontal", style: { alignItems: "center" } },
        h("span", { class: "aknb-sub" }, label), ...pills);
      roving(node, { onActivate: (n) => pick(n.dataset.key) })();
      return node;
    };
    const drawList = () => {
      const items = model.get("items") || [];
      const visible = new Set(model.get("visible") || []);
      const value = model.get("value");
      const shown = items.filter((i) => visible.has(i.model_name));
      if (!shown.length) { list.replaceChildren(h("div", { class: "aknb-empty", role: "option", "aria-disabled": "true", "aria-selected": "false" }, model.get("status") || "No models of this kind.")); }
      else list.replaceChildren(...shown.map((item) => {
        const selected = item.model_name === value;
        const select = () => model.send({ action: "select", model_name: item.model_name });
        const res = item.resolutions.map((r) => h("span", { class: "aknb-tagpill" }, r.label));
        const dur = item.durations.map((d) => h("span", { class: "aknb-tagpill" }, `${d} s`));
        return h("div", { class: "aknb-row aknb-model" + (selected ? " selected" : ""), tabindex: "-1", role: "option", "data-key": item.model_name,
          "aria-selected": selected ? "true" : "false", "data-model": item.model_name, onclick: select, "aria-label": `${item.label}, ${item.kind}` },
          h("div", { style: { flex: "1", minWidth: "0" } },
            h("div", { style: { display: "flex", gap: "6px", alignItems: "center", flexWrap: "wrap" } },
              h("b", {}, item.label), item.pro ? h("span", { class: "aknb-badge pro" }, "PRO") : null,
              h("span", { class: "aknb-sub" }, `${item.kind} · ${item.provider}`)),
            h("div", { class: "aknb-sub", style: { margin: "2px 0 4px" } }, item.description),
            h("div", { class: "aknb-tags", style: { alignItems: "center" } },
              res.length ? h("span", { class: "aknb-sub" }, "Resolution") : null, ...res,
              dur.length ? h("span", { class: "aknb-sub", style: { marginLeft: "8px" } }, "Length") : null, ...dur,
              item.last_frame ? h("span", { class: "aknb-tagpill" }, "last frame") : null)),
          h("code", { class: "aknb-sub", style: { alignSelf: "flex-start" } }, item.model_name));
      }));
      const picked = items.find((i) => i.model_name === value);
      const f = document.activeElement;
      const refocus = settings.contains(f) && f.dataset.key ? [f.closest("[role=radiogroup]").getAttribute("aria-label"), f.dataset.key] : null;
      settings.replaceChildren(...(picked ? [h("div", { class: "aknb-sub", style: { margin: "8px 0 4px" } }, `Options of ${picked.label}`),
        h("div", { class: "aknb-bar", style: { marginBottom: 0 } },
          picked.resolutions.length ? group("Resolution", picked.resolutions.map((r) => pill(model.get("resolution") === r.value, r.label,
            `${r.credit ?? "?"} credits per unit`, () => model.send({ action: "option", name: "resolution", value: r.value }), r.value)),
            (v) => model.send({ action: "option", name: "resolution", value: v })) : null,
          picked.durations.length ? group("Length", picked.durations.map((d) => pill(model.get("duration") === d, `${d} s`, "video length",
            () => model.send({ action: "option", name: "duration", value: d }), String(d))),
            (v) => model.send({ action: "option", name: "duration", value: Number(v) })) : null)] : []));
      if (refocus) { const n = settings.querySelector(`[aria-label="${refocus[0]}"] [data-key="${refocus[1]}"]`); if (n) n.focus(); }
      syncList();
      const params = value ? { model_name: value, resolution: model.get("resolution") || undefined, video_length: model.get("duration") || undefined } : null;
      chosen.textContent = params ? `create_batch(..., ${Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")})` : "Click a model; then pick its resolution and length.";
    };
    const drawStatus = () => { status.textContent = model.get("status") || ""; };
    const handlers = [["change:items change:visible change:value change:resolution change:duration", drawList],
      ["change:kind", drawChips], ["change:status", drawStatus], ["change:error", drawError]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    drawChips(); drawList(); drawStatus();
    model.set("ready", true); model.save_changes();
    return () => { for (const [ev, fn] of handlers) model.off(ev, fn); };
  },
};
