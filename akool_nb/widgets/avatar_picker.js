// AvatarPicker front end (anywidget ES module, no build step).
// Helpers h(), errorBox() and pauseOthers() come from _common.js, prepended when the module is loaded.

const SOURCES = [["", "All"], ["official", "Official"], ["mine", "Mine"]];
const KINDS = [["", "Any type"], ["talking", "Talking"], ["streaming", "Streaming"]];

export default {
  render({ model, el }) {
    const root = h("div", { class: "aknb aknb-avatar-picker" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const chips = (values, trait) => {
      const wrap = h("div", { class: "aknb-bar", style: { marginBottom: "0" }, role: "radiogroup", "aria-orientation": "horizontal",
        "aria-label": trait === "source" ? "Whose avatars" : "Avatar type" });
      const pick = (v) => { model.set(trait, v); model.save_changes(); };
      const sync = roving(wrap, { onActivate: (n) => pick(n.dataset.value) });
      const draw = () => {
        wrap.replaceChildren(...values.map(([v, label]) => h("button", {
          class: "aknb-chip" + (model.get(trait) === v ? " on" : ""), "data-value": v, "data-key": v || "-", role: "radio",
          "aria-checked": model.get(trait) === v ? "true" : "false", onclick: () => pick(v),
        }, label)));
        sync();
      };
      draw();
      return [wrap, draw];
    };
    const [sourceChips, drawSources] = chips(SOURCES, "source");
    const [kindChips, drawKinds] = chips(KINDS, "kind");
    const status = h("span", { class: "aknb-status" });
    const head = h("div", { class: "aknb-head" },
      h("span", { class: "aknb-title" }, "Avatars"),
      simBadge(model, "Offline Akool: simulated avatars"),
      h("span", { class: "aknb-grow" }), status);
    const filters = h("div", { class: "aknb-bar" }, sourceChips, h("span", { class: "aknb-sub" }, "·"), kindChips);
    const grid = h("div", { class: "aknb-grid", role: "listbox", "aria-label": "Avatars (arrow keys move, Enter selects)" });
    const chosen = h("span", { class: "aknb-sub aknb-grow" });
    const prev = h("button", { class: "aknb-btn small", "aria-label": "Previous page", onclick: () => model.send({ action: "page", delta: -1 }) }, "‹ Prev");
    const next = h("button", { class: "aknb-btn small", "aria-label": "Next page", onclick: () => model.send({ action: "page", delta: 1 }) }, "Next ›");
    const pageLabel = h("span", { class: "aknb-sub" });
    const pager = h("div", { class: "aknb-pager" }, chosen, prev, pageLabel, next);
    root.append(head, errBox, filters, grid, pager);

    const select = (item) => model.send({ action: "select", avatar_id: item.key });
    const drawGrid = () => {
      const items = model.get("items") || [];
      const value = model.get("value") || {};
      if (!items.length) {
        grid.replaceChildren(h("div", { class: "aknb-empty", role: "option", "aria-disabled": "true", "aria-selected": "false", style: { gridColumn: "1 / -1" } },
          model.get("status") || "No avatars."));
      } else {
        grid.replaceChildren(...items.map((item) => {
          const selected = value && value.avatar_id === item.avatar_id;
          const thumb = item.thumb
            ? h("img", { class: "aknb-thumb", src: item.thumb, loading: "lazy", alt: item.name, draggable: "false" })
            : h("div", { class: "aknb-thumb" });
          const kind = item.type === 2 ? "streaming" : item.video ? "video" : "image";
          return h("div", {
            class: "aknb-card" + (selected ? " selected" : ""), tabindex: "-1", role: "option", "data-key": item.key,
            "aria-selected": selected ? "true" : "false", "data-avatar-id": item.avatar_id, title: item.name,
            "aria-label": `${item.name}, ${kind}${item.gender ? ", " + item.gender : ""}`, onclick: () => select(item),
          }, thumb, h("span", { class: "aknb-tag" }, kind), h("span", { class: "aknb-check" }, "✓"),
            h("div", { class: "aknb-cap" }, h("div", { class: "aknb-name" }, item.name),
              h("div", { class: "aknb-meta" }, (item.from === 3 ? "mine" : item.from === 2 ? "official" : "") +
                (item.gender ? " · " + item.gender : ""))));
        }));
      }
      const picked = items.find((i) => value && i.avatar_id === value.avatar_id);
      chosen.textContent = value && value.avatar_id ? `Selected: ${picked ? picked.name : value.avatar_id}` : "Click an avatar (or Enter) to select it.";
      chosen.title = value && value.avatar_id ? `avatar_id ${value.avatar_id} (from ${value.from})` : "";
      syncGrid();
      pageLabel.textContent = `Page ${model.get("page")}`;
      prev.disabled = model.get("page") <= 1;
      next.disabled = !model.get("has_more");
    };
    const syncGrid = roving(grid, { grid: true, onActivate: (n) => model.send({ action: "select", avatar_id: n.dataset.key }) });
    const drawStatus = () => { status.textContent = model.get("status") || ""; };
    const handlers = [["change:items change:value change:page change:has_more", drawGrid], ["change:status", drawStatus],
      ["change:error", drawError], ["change:source", drawSources], ["change:kind", drawKinds]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    drawGrid(); drawStatus();
    model.set("ready", true); model.save_changes();
    return () => { for (const [ev, fn] of handlers) model.off(ev, fn); };
  },
};
