// EffectPicker front end (anywidget ES module, no build step).
// Helpers h(), errorBox() and pauseOthers() come from _common.js, prepended when the module is loaded.

export default {
  render({ model, el }) {
    const root = h("div", { class: "aknb aknb-effect-picker" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const status = h("span", { class: "aknb-status" });
    const search = h("input", { type: "search", placeholder: "Search effects", "aria-label": "Search effects", value: model.get("search") || "" });
    search.addEventListener("input", () => { model.set("search", search.value); model.save_changes(); drawGrid(); });
    root.append(h("div", { class: "aknb-head" }, h("span", { class: "aknb-title" }, "Image-to-video effects"),
      simBadge(model, "Offline Akool: simulated effects"),
      h("span", { class: "aknb-grow" }), status), errBox, h("div", { class: "aknb-bar" }, search));
    const grid = h("div", { class: "aknb-grid", role: "listbox", "aria-label": "Effects (arrow keys move, Enter selects, P plays)" });
    const chosen = h("div", { class: "aknb-sub", style: { marginTop: "10px" } });
    root.append(grid, chosen);
    const select = (item) => model.send({ action: "select", effect_code: item.effect_code });

    // The preview plays in the card, without controls (no focusable control inside an option): ▶ or P plays
    // and pauses it.
    const play = (ev, item, card) => {
      if (ev) ev.stopPropagation();
      let video = card.querySelector("video");
      if (!video) {
        video = h("video", { class: "aknb-thumb", src: item.video, preload: "none", playsinline: true, poster: item.logo || null,
          "aria-label": `Preview of ${item.name}` });
        video.addEventListener("play", () => pauseOthers(video));
        card.querySelector(".aknb-thumb").replaceWith(video);
      }
      if (video.paused) video.play().catch(() => {}); else video.pause();
    };
    const drawGrid = () => {
      const items = model.get("items") || [];
      const query = (model.get("search") || "").trim().toLowerCase();
      const shown = items.filter((i) => !query || `${i.name} ${i.effect_code}`.toLowerCase().includes(query));
      const value = model.get("value");
      if (!shown.length) grid.replaceChildren(h("div", { class: "aknb-empty", role: "option", "aria-disabled": "true", "aria-selected": "false", style: { gridColumn: "1 / -1" } }, model.get("status") || "No effects match."));
      else grid.replaceChildren(...shown.map((item) => {
        const selected = value === item.effect_code;
        const thumb = item.logo ? h("img", { class: "aknb-thumb", src: item.logo, loading: "lazy", alt: item.name, draggable: "false" }) : h("div", { class: "aknb-thumb" });
        const card = h("div", { class: "aknb-card" + (selected ? " selected" : ""), tabindex: "-1", role: "option", "data-key": item.effect_code,
          "aria-selected": selected ? "true" : "false", "data-effect-code": item.effect_code, title: item.name,
          "aria-label": item.name + (item.video ? " (P plays the preview)" : ""), onclick: () => select(item) },
          thumb, h("span", { class: "aknb-check" }, "✓"),
          h("div", { class: "aknb-cap", style: { display: "flex", alignItems: "center", gap: "6px" } },
            item.video ? h("span", { class: "aknb-play", title: "Play the effect's preview (P)", "aria-hidden": "true" }, "▶") : null,
            h("div", { style: { minWidth: 0 } }, h("div", { class: "aknb-name" }, item.name), h("div", { class: "aknb-meta aknb-mono" }, item.effect_code))));
        const btn = card.querySelector(".aknb-play");
        if (btn) btn.addEventListener("click", (ev) => play(ev, item, card));
        return card;
      }));
      const picked = items.find((i) => i.effect_code === value);
      chosen.textContent = value ? `Selected: ${picked ? picked.name : value} (effect_code ${value})` : "Click an effect (or Enter) to select it; ▶ (or P) plays its preview.";
      syncGrid();
    };
    const syncGrid = roving(grid, { grid: true, onActivate: (n) => model.send({ action: "select", effect_code: n.dataset.key }),
      onKey: (e, n) => {
        if ((e.key !== "p" && e.key !== "P") || e.ctrlKey || e.metaKey) return false;
        const item = (model.get("items") || []).find((i) => i.effect_code === n.dataset.key);
        if (item && item.video) play(null, item, n);
        return true;
      } });
    const drawStatus = () => { status.textContent = model.get("status") || ""; };
    const handlers = [["change:items change:value", drawGrid], ["change:status", drawStatus], ["change:error", drawError],
      ["change:search", () => { if (document.activeElement !== search) search.value = model.get("search") || ""; drawGrid(); }]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    drawGrid(); drawStatus();
    model.set("ready", true); model.save_changes();
    return () => { for (const [ev, fn] of handlers) model.off(ev, fn); };
  },
};
