// CampaignTable front end (anywidget ES module, no build step): counts, a bar, and the rows worth seeing
// (running, then failures, then the latest done); rows are keyed by row key and patched in place.
// h() and errorBox() come from _common.js, prepended when the module is loaded.

const COLOURS = { done: "#27ae60", failed: "#e5484d", ambiguous: "#f2994a", running: "#2f80ed" };

export default {
  render({ model, el }) {
    const root = h("div", { class: "aknb aknb-campaign" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const title = h("span", { class: "aknb-title" });
    const summary = h("span", { class: "aknb-summary", "aria-live": "polite" });
    root.append(h("div", { class: "aknb-head" }, title, simBadge(model, "Offline Akool: simulated results"), summary), errBox);
    const bar = h("div");
    root.append(h("div", { class: "aknb-progress", role: "progressbar", "aria-label": "Rows finished",
      "aria-valuemin": "0", "aria-valuemax": "100" }, bar));
    const note = h("div", { class: "aknb-sub", style: { margin: "4px 0" } });
    const body = h("tbody");
    root.append(note, h("table", { class: "aknb-table", style: { borderCollapse: "collapse", width: "100%" } },
      h("thead", {}, h("tr", {}, ...["row", "status", "", "error"].map((c) => h("th", { style: { textAlign: "left" } }, c)))), body));
    const views = new Map();  // row key -> {node, status, thumb, error, key}

    const draw = () => {
      const counts = model.get("counts") || {};
      const total = model.get("total") || 0;
      const finished = Object.entries(counts).reduce((n, [s, c]) => n + (s === "running" ? 0 : c), 0);
      title.textContent = `Campaign ${model.get("name")}`;
      summary.textContent = Object.entries(counts).filter(([, c]) => c).map(([s, c]) => `${c} ${s}`).join(" · ") +
        ` of ${total} rows` + (model.get("finished") ? " (run ended)" : "");
      const pct = total ? Math.round((100 * finished) / total) : 0;
      bar.style.width = `${pct}%`;
      bar.parentNode.setAttribute("aria-valuenow", String(pct));
      note.textContent = model.get("note") || "";
      const rows = model.get("rows") || [];
      const seen = new Set();
      rows.forEach((row, index) => {
        seen.add(row.row);
        let view = views.get(row.row);
        if (!view) {
          const status = h("span", { class: "aknb-badge" });
          const thumb = h("img", { alt: "", loading: "lazy", style: { height: "32px", borderRadius: "4px", display: "none" } });
          const error = h("td", { style: { color: "var(--aknb-bad, #e5484d)" } });
          const node = h("tr", { "data-row": row.row }, h("td", {}, h("code", {}, row.row)), h("td", {}, status), h("td", {}, thumb), error);
          view = { node, status, thumb, error };
          views.set(row.row, view);
        }
        if (body.children[index] !== view.node) body.insertBefore(view.node, body.children[index] || null);
        view.status.textContent = row.status;
        view.status.style.background = COLOURS[row.status] || "#8a8f98";
        if (row.thumbnail && view.thumb.getAttribute("src") !== row.thumbnail) {
          view.thumb.src = row.thumbnail; view.thumb.style.display = "";
        }
        view.error.textContent = row.error || "";
      });
      for (const [key, view] of views) if (!seen.has(key)) { view.node.remove(); views.delete(key); }
      drawError();
    };
    for (const name of ["rows", "counts", "note", "finished", "error"]) model.on(`change:${name}`, draw);
    draw();
  },
};
