// Shared by every akool_nb panel front end: prepended to each panel's ES module when it is loaded
// (anywidget modules are single files; this keeps one copy of the helpers).
function h(tag, props = {}, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "style" && typeof v === "object") Object.assign(node.style, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false)
    node.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  return node;
}

// An error with the fix, as every panel shows it.
function errorNode(kind, message, fix, onDismiss) {
  return h("div", { class: "aknb-error", role: "alert" },
    h("div", {}, h("b", {}, kind || "Error"), " ", message, fix ? h("div", { class: "aknb-fix" }, "➜ ", fix) : null),
    h("button", { class: "aknb-btn small", onclick: onDismiss }, "Dismiss"));
}

// The panel's `error` trait ({kind, message, fix}), kept up to date by the returned draw().
function errorBox(model) {
  const box = h("div");
  const draw = () => {
    const err = model.get("error") || {};
    box.replaceChildren();
    if (err.message) box.append(errorNode(err.kind, err.message, err.fix, () => model.send({ action: "dismiss_error" })));
  };
  draw();
  return [box, draw];
}

// Starting one clip pauses every other clip on the page; nothing plays by itself.
function pauseOthers(media) {
  document.querySelectorAll("audio, video").forEach((m) => { if (m !== media && !m.paused) m.pause(); });
}

// A displayed panel is followed by its static copy (data-aknb-static="<model id>", see PanelMixin in _base.py)
// for viewers without the live panel. Once this front end renders, hide the copies of the displays it belongs
// to: one stylesheet rule per display, so a copy that is re-rendered or refreshed later stays hidden too.
function liveStatic(model) {
  let sheet = document.getElementById("aknb-static-rules");
  if (!sheet) {
    sheet = h("style", { id: "aknb-static-rules" });
    document.head.append(sheet);
  }
  const done = (globalThis.__aknbStaticKeys ||= new Set());
  const draw = () => {
    for (const key of model.get("_static_copies") || []) {
      if (done.has(key) || !/^[\w-]+$/.test(key)) continue;
      done.add(key);
      const copy = `[data-aknb-static="${key}"]`;
      // separate rules: a browser without :has() drops only the second one
      sheet.append(`${copy} { display: none !important; }\n`,
        `.jp-OutputArea-child:has(${copy}), .output_area:has(${copy}) { display: none !important; }\n`);
    }
  };
  draw();
  model.on("change:_static_copies", draw);
  return () => model.off("change:_static_copies", draw);
}

// Keys pressed inside a panel belong to the panel: JupyterLab, Notebook 7 and the classic Notebook listen for
// command-mode shortcuts (m, a, b, d d, x, arrows …) on the document, so a keydown that bubbles out of a panel
// would change the notebook. data-lm-suppress-shortcuts alone does not stop JupyterLab's notebook handlers.
// Only saving (Ctrl/Cmd+S) goes through: it changes no cell.
// Notebook 7 (and the classic Notebook) listen in the capture phase, before any panel sees the key: there Lumino
// skips its shortcuts only when the key's own target (not an ancestor: `... :focus` matches the target first)
// carries data-lm-suppress-shortcuts, so a window-level capture listener, which runs before them all, marks it.
function markTargets() {
  if (globalThis.__aknbKeyMarks) return;
  globalThis.__aknbKeyMarks = true;
  window.addEventListener("keydown", (e) => {
    const target = e.target;
    if (!target || !target.closest || !target.closest(".aknb-live")) return;
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && (e.key || "").toLowerCase() === "s") target.removeAttribute("data-lm-suppress-shortcuts");
    else target.setAttribute("data-lm-suppress-shortcuts", "true");
  }, true);
}

function keepKeys(node) {
  markTargets();
  node.setAttribute("data-lm-suppress-shortcuts", "true");
  const stop = (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && (e.key || "").toLowerCase() === "s") return;
    e.stopPropagation();
  };
  for (const type of ["keydown", "keypress", "keyup"]) node.addEventListener(type, stop);
  return () => { for (const type of ["keydown", "keypress", "keyup"]) node.removeEventListener(type, stop); };
}

// Roving tabindex over the items (`[data-key]`) of a list or grid: one item is in the Tab order; arrow keys,
// Home and End move between items (a grid moves by rows with Up/Down), Enter and Space activate. Call the
// returned sync() after every redraw: it keeps the focused item focused across the redraw.
function roving(container, { grid = false, onActivate = null, onKey = null } = {}) {
  let active = null;
  let focused = false;
  const items = () => [...container.querySelectorAll("[data-key]")];
  container.addEventListener("focusin", (e) => {
    const item = e.target.closest("[data-key]");
    focused = true;
    if (item && container.contains(item)) { active = item.dataset.key; mark(); }
  });
  container.addEventListener("focusout", (e) => {
    if (e.relatedTarget && !container.contains(e.relatedTarget)) focused = false;
    else if (!e.relatedTarget) setTimeout(() => { if (e.target.isConnected) focused = container.contains(document.activeElement); });
  });
  const mark = () => {
    const all = items();
    const current = all.find((n) => n.dataset.key === active) || all.find((n) => n.getAttribute("aria-selected") === "true"
      || n.getAttribute("aria-checked") === "true") || all[0];
    for (const n of all) n.tabIndex = n === current ? 0 : -1;
    return current;
  };
  const columns = (all) => {
    if (!grid || all.length < 2) return 1;
    const top = all[0].offsetTop;
    const n = all.findIndex((x) => x.offsetTop !== top);
    return n < 0 ? all.length : n;
  };
  container.addEventListener("keydown", (e) => {
    const item = e.target.closest("[data-key]");
    if (!item || !container.contains(item)) return;
    if (onKey && onKey(e, item) === true) { e.preventDefault(); return; }
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const all = items();
    const i = all.indexOf(item);
    const horizontal = grid || container.getAttribute("aria-orientation") === "horizontal";
    const vertical = grid || container.getAttribute("aria-orientation") !== "horizontal";
    const step = { ArrowDown: vertical ? columns(all) : 0, ArrowUp: vertical ? -columns(all) : 0,
      ArrowRight: horizontal ? 1 : 0, ArrowLeft: horizontal ? -1 : 0 }[e.key];
    let next = null;
    if (step) next = all[Math.max(0, Math.min(all.length - 1, i + step))];
    else if (e.key === "Home") next = all[0];
    else if (e.key === "End") next = all[all.length - 1];
    else if ((e.key === "Enter" || e.key === " ") && onActivate) { e.preventDefault(); onActivate(item, e); return; }
    if (next) { e.preventDefault(); active = next.dataset.key; mark(); next.focus(); }
  });
  return () => {
    const current = mark();
    if (focused && current && !container.contains(document.activeElement)) current.focus({ preventScroll: true });
  };
}

// The SIMULATED badge: one per panel (a panel inside a composite panel sets show_badge False).
function simBadge(model, title) {
  const badge = h("span", { class: "aknb-badge sim", title: title || "Offline Akool: results are simulated" }, "SIMULATED");
  const draw = () => { badge.style.display = model.get("offline") && model.get("show_badge") !== false ? "" : "none"; };
  draw();
  model.on("change:show_badge change:offline", draw);
  return badge;
}

// What every panel does on render, around its own render().
function withCommon(panel) {
  return {
    ...panel,
    render(ctx) {
      ctx.el.classList.add("aknb-live");
      const keys = keepKeys(ctx.el);
      const off = liveStatic(ctx.model);
      const chain = (cleanup) => () => { off(); keys(); if (typeof cleanup === "function") cleanup(); };
      const result = panel.render(ctx);
      return result && typeof result.then === "function" ? result.then(chain) : chain(result);
    },
  };
}
