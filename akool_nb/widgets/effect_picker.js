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
      model.get("offline") ? h("span", { class: "aknb-badge sim", title: "Offline Akool: simulated effects" }, "SIMULATED") : null,
      h("span", { class: "aknb-grow" }), status), errBox, h("div", { class: "aknb-bar" }, search));
    const grid = h("div", { class: "aknb-grid" });
    const chosen = h("div", { class: "aknb-sub", style: { marginTop: "10px" } });
    root.append(grid, chosen);
    const select = (item) => model.send({ action: "select", effect_code: item.effect_code });

    const play = (ev, item, card) => {
      ev.stopPropagation();
      let video = card.querySelector("video");
      if (!video) {
        video = h("video", { class: "aknb-thumb", src: item.video, preload: "none", playsinline: true, controls: true, poster: item.logo || null });
        video.addEventListener("play", () => pauseOthers(video));
        video.addEventListener("click", (e) => e.stopPropagation());
        card.querySelector(".aknb-thumb").replaceWith(video);
      }
      video.play().catch(() => {});
    };
    const drawGrid = () => {
      const items = model.get("items") || [];
      const query = (model.get("search") || "").trim().toLowerCase();
      const shown = items.filter((i) => !query || `${i.name} ${i.effect_code}`.toLowerCase().includes(query));
      const value = model.get("value");
      if (!shown.length) grid.replaceChildren(h("div", { class: "aknb-empty", style: { gridColumn: "1 / -1" } }, model.get("status") || "No effects match."));
      else grid.replaceChildren(...shown.map((item) => {
        const selected = value === item.effect_code;
        const thumb = item.logo ? h("img", { class: "aknb-thumb", src: item.logo, loading: "lazy", alt: item.name, draggable: "false" }) : h("div", { class: "aknb-thumb" });
        const card = h("div", { class: "aknb-card" + (selected ? " selected" : ""), tabindex: "0", role: "option",
          "aria-selected": selected ? "true" : "false", "data-effect-code": item.effect_code, title: item.effect_code,
          onclick: () => select(item), onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(item); } } },
          thumb, h("span", { class: "aknb-check" }, "✓"),
          h("div", { class: "aknb-cap", style: { display: "flex", alignItems: "center", gap: "6px" } },
            item.video ? h("button", { class: "aknb-play", title: "Play the effect's preview", "aria-label": `Play ${item.name}` }, "▶") : null,
            h("div", { style: { minWidth: 0 } }, h("div", { class: "aknb-name" }, item.name), h("div", { class: "aknb-meta aknb-mono" }, item.effect_code))));
        const btn = card.querySelector(".aknb-play");
        if (btn) btn.addEventListener("click", (ev) => play(ev, item, card));
        return card;
      }));
      chosen.textContent = value ? `Selected: effect_code ${value}` : "Click an effect to select it; ▶ plays its preview.";
    };
    const drawStatus = () => { status.textContent = model.get("status") || ""; };
    const handlers = [["change:items change:value", drawGrid], ["change:status", drawStatus], ["change:error", drawError],
      ["change:search", () => { if (document.activeElement !== search) search.value = model.get("search") || ""; drawGrid(); }]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    drawGrid(); drawStatus();
    model.set("ready", true); model.save_changes();
    return () => { for (const [ev, fn] of handlers) model.off(ev, fn); };
  },
};
