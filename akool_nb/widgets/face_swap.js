// FaceSwapPanel's own controls (anywidget ES module, no build step): the mode, face enhance, the pairs the two
// selections make (with thumbnails of the faces), the ready request and "Swap faces".
// Helpers h(), errorBox(), simBadge() and roving() come from _common.js, prepended when the module is loaded.

const MODES = [["v3", "Face swap v3 · up to 8 faces"], ["pro", "Face Swap Pro v4 · one face"]];

export default {
  render({ model, el }) {
    const root = h("div", { class: "aknb aknb-swap-bar" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const modes = h("div", { class: "aknb-bar", role: "radiogroup", "aria-label": "Face swap mode", "aria-orientation": "horizontal", style: { marginBottom: 0 } });
    const pick = (v) => model.send({ action: "mode", value: v });
    const syncModes = roving(modes, { onActivate: (n) => pick(n.dataset.key) });
    const enhance = h("input", { type: "checkbox", "aria-label": "Face enhance", onchange: (e) => model.send({ action: "enhance", value: e.target.checked }) });
    const swap = h("button", { class: "aknb-btn primary", "data-action": "swap", onclick: () => model.send({ action: "submit" }) }, "Swap faces");
    const pairs = h("div", { class: "aknb-swap-pairs" });
    const request = h("div");
    root.append(h("div", { class: "aknb-head" }, h("span", { class: "aknb-title" }, "Face swap"), simBadge(model), h("span", { class: "aknb-grow" })),
      errBox, h("div", { class: "aknb-bar" }, modes, h("label", { class: "aknb-sub", style: { display: "flex", gap: "6px", alignItems: "center" } }, enhance, "Face enhance"),
        h("span", { class: "aknb-grow" }), swap), pairs, request);

    const face = (thumb, label) => h("span", { class: "aknb-swap-face" }, thumb ? h("img", { src: thumb, alt: "" }) : null, label);
    const draw = () => {
      const mode = model.get("mode");
      modes.replaceChildren(...MODES.map(([v, label]) => h("button", { class: "aknb-chip" + (v === mode ? " on" : ""), role: "radio", "data-key": v,
        "data-mode": v, "aria-checked": v === mode ? "true" : "false", onclick: () => pick(v) }, label)));
      syncModes();
      enhance.checked = !!model.get("face_enhance");
      const s = model.get("summary") || {};
      swap.disabled = !!s.problem || !!model.get("busy");
      swap.title = s.problem || "Create the face swap job";
      pairs.replaceChildren();
      request.replaceChildren();
      if (s.problem) { pairs.append(h("div", { class: "aknb-sub", role: "status" }, s.problem)); return; }
      pairs.append(...(s.pairs || []).map((p) => h("div", { class: "aknb-swap-pair" },
        face(p.source_thumb, `Source face ${p.source}`), h("span", { "aria-label": "replaces" }, " → "), face(p.target_thumb, `target face ${p.target}`))));
      request.append(h("div", { class: "aknb-sub", style: { margin: "4px 0" } }, h("span", { class: "aknb-mono" }, s.endpoint || ""), " · the same in code: ",
        h("code", { class: "aknb-mono" }, s.call || "")),
        h("details", {}, h("summary", { class: "aknb-sub" }, "Request body"), h("pre", { class: "aknb-payload aknb-mono", tabindex: "0", "aria-label": "Request body (JSON)" }, s.body || "")));
    };
    const handlers = [["change:mode change:face_enhance change:summary change:busy", draw], ["change:error", drawError]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    draw();
    model.set("ready", true); model.save_changes();
    return () => { for (const [ev, fn] of handlers) model.off(ev, fn); };
  },
};
