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

// What every panel does on render, around its own render().
function withCommon(panel) {
  return {
    ...panel,
    render(ctx) {
      ctx.el.classList.add("aknb-live");
      const off = liveStatic(ctx.model);
      const chain = (cleanup) => () => { off(); if (typeof cleanup === "function") cleanup(); };
      const result = panel.render(ctx);
      return result && typeof result.then === "function" ? result.then(chain) : chain(result);
    },
  };
}
