// JobMonitor front end (anywidget ES module, no build step). Rows are keyed by job id and patched in
// place, so updates never flicker; elapsed time ticks locally between updates from the kernel.
// Helpers h(), errorBox() and pauseOthers() come from _common.js, prepended when the module is loaded.

const clock = (s) => (s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")} min`);

export default {
  render({ model, el }) {
    const root = h("div", { class: "aknb aknb-job-monitor" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const title = h("span", { class: "aknb-title" });
    const summary = h("span", { class: "aknb-summary" });
    const stopAll = h("button", { class: "aknb-btn small", title: "Stop watching every job here (they go on at Akool)",
      onclick: () => model.send({ action: "stop_all" }) }, "Stop watching all");
    root.append(h("div", { class: "aknb-head" }, title, simBadge(model, "Offline Akool: simulated results"),
      summary, stopAll), errBox);
    const list = h("div", { class: "aknb-list", role: "list", "aria-label": "Jobs", style: { maxHeight: "none" } });
    root.append(list);
    const views = new Map();  // job id -> {node, parts, row, receivedAt, bodyKey}

    const makeView = (row) => {
      const badge = h("span", { class: "aknb-badge" });
      const elapsed = h("span", { class: "aknb-elapsed" });
      const stop = h("button", { class: "aknb-btn small", title: "Stop watching this job here (it goes on at Akool)",
        onclick: () => model.send({ action: "stop", id: row.id }) }, "Stop watching");
      // Delete (and Cancel) ask first: a deleted result is gone for good, and it was paid for
      const confirm = h("span", { class: "aknb-confirm", role: "group", "aria-label": "Confirm", style: { display: "none" } });
      const askFirst = () => {
        const v = views.get(row.id); const r = v.row;
        const yes = h("button", { class: "aknb-btn small danger", "data-confirm": "yes",
          onclick: () => { confirm.style.display = "none"; del.style.display = "none"; model.send({ action: "delete", id: row.id }); } },
          r.running ? "Cancel the job" : "Delete for good");
        const no = h("button", { class: "aknb-btn small", "data-confirm": "no",
          onclick: () => { confirm.style.display = "none"; del.style.display = ""; del.focus(); } }, "Keep it");
        confirm.replaceChildren(h("span", { class: "aknb-sub" }, r.running ? "Cancel this job at Akool?" : "Delete this result at Akool? It cannot be undone."), yes, no);
        confirm.style.display = ""; del.style.display = "none";
        no.focus();
      };
      const del = h("button", { class: "aknb-btn small danger", title: "Delete at Akool", onclick: askFirst }, "Delete");
      const bar = h("div");
      const note = h("div", { class: "aknb-sub", style: { marginTop: "4px" } });
      const body = h("div", { class: "aknb-job-body" });
      const node = h("div", { class: "aknb-job", "data-job-id": row.id, "data-product": row.product },
        h("div", { class: "aknb-job-head" }, h("b", {}, row.label), badge,
          h("span", { class: "aknb-mono aknb-sub", title: "job id" }, row.id), h("span", { class: "aknb-grow" }), elapsed, stop, del, confirm),
        h("div", { class: "aknb-progress", role: "progressbar", "aria-label": `${row.label} progress`, "aria-valuemin": "0", "aria-valuemax": "100" }, bar),
        note, body);
      node.setAttribute("role", "listitem");
      return { node, badge, elapsed, stop, del, confirm, bar, note, body, bodyKey: null };
    };

    const fillBody = (view, row) => {
      const key = `${row.url}|${row.error}`;
      if (view.bodyKey === key) return;
      view.bodyKey = key;
      view.body.replaceChildren();
      if (row.error) { view.body.append(h("div", { style: { color: "var(--aknb-bad)" } }, row.error)); return; }
      if (!row.url) return;
      let player = null;
      if (row.media === "video") player = h("video", { controls: true, playsinline: true, preload: row.poster ? "none" : "metadata",
        poster: row.poster || null, src: row.poster ? row.url : row.url + "#t=0.1", style: { maxWidth: "min(480px, 100%)", maxHeight: "300px", borderRadius: "8px", background: "#000", display: "block" } });
      else if (row.media === "audio") player = h("audio", { controls: true, preload: "none", src: row.url, style: { width: "340px", maxWidth: "100%" } });
      else if (row.media === "image") player = h("img", { src: row.url, loading: "lazy", style: { maxWidth: "min(480px, 100%)", borderRadius: "8px", display: "block" } });
      if (player && player.tagName !== "IMG") player.addEventListener("play", () => pauseOthers(player));
      const stamp = row.expires_at ? `expires ${row.expires_at.slice(0, 16).replace("T", " ")} UTC` : "";
      view.body.append(player || "", h("div", { class: "aknb-sub", style: { marginTop: "4px" } },
        h("a", { href: row.url, target: "_blank", rel: "noopener" }, "open"), stamp ? ` · ${stamp}` : "", " · .save(path) keeps it"));
    };

    const draw = () => {
      const rows = model.get("rows") || [];
      const now = performance.now();
      const seen = new Set();
      rows.forEach((row, index) => {
        seen.add(row.id);
        let view = views.get(row.id);
        if (!view) { view = makeView(row); views.set(row.id, view); }
        if (list.children[index] !== view.node) list.insertBefore(view.node, list.children[index] || null);
        view.row = row; view.receivedAt = now;
        view.node.className = `aknb-job ${row.status}`;
        view.badge.className = `aknb-badge ${row.status}`;
        view.badge.textContent = row.status;
        // a deleted or cancelled job has no progress to show (not a full bar)
        const pct = row.deleted ? 0 : Math.round(row.progress * 100);
        view.bar.style.width = `${pct}%`;
        view.bar.parentNode.style.display = row.deleted ? "none" : "";
        view.bar.parentNode.setAttribute("aria-valuenow", String(pct));
        view.stop.style.display = row.running ? "" : "none";
        const canDelete = row.deletable && !row.deleted && (row.running ? row.cancellable : row.status !== "stopped");
        const asking = view.confirm.style.display !== "none";
        if (!canDelete) view.confirm.style.display = "none";
        view.del.style.display = canDelete && !asking ? "" : "none";
        view.del.textContent = row.running ? "Cancel" : "Delete";
        view.del.title = row.running ? "Cancel the job at Akool" : "Delete the result at Akool (for good)";
        view.note.textContent = [row.note, row.warning].filter(Boolean).join(" · ");
        view.note.style.display = view.note.textContent ? "" : "none";
        view.elapsed.textContent = clock(row.elapsed);
        view.elapsed.title = row.running ? "elapsed so far" : "time from start to finish";
        fillBody(view, row);
      });
      for (const [id, view] of views) if (!seen.has(id)) { view.node.remove(); views.delete(id); }
      const total = model.get("total") || rows.length;
      const finished = total > rows.length ? model.get("finished") : rows.filter((r) => !r.running).length;
      const hidden = total - rows.length;
      title.textContent = model.get("title") || "Jobs";
      summary.textContent = rows.length ? `${finished} of ${total} finished` + (hidden > 0 ? ` (${hidden} not shown)` : "") : "No jobs yet.";
      stopAll.style.display = rows.some((r) => r.running) ? "" : "none";
      if (!rows.length && !list.querySelector(".aknb-empty")) list.append(h("div", { class: "aknb-empty", role: "listitem" }, "Jobs you add appear here."));
      if (rows.length) list.querySelectorAll(".aknb-empty").forEach((n) => n.remove());
    };
    const tick = setInterval(() => {
      const now = performance.now();
      for (const view of views.values()) {
        if (view.row && view.row.running) view.elapsed.textContent = clock(view.row.elapsed + (now - view.receivedAt) / 1000);
      }
    }, 500);
    const handlers = [["change:rows change:title change:total change:finished", draw], ["change:error", drawError]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    draw();
    model.set("ready", true); model.save_changes();
    return () => { clearInterval(tick); for (const [ev, fn] of handlers) model.off(ev, fn); };
  },
};
