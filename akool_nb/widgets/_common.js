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

function errorBox(model) {
  const box = h("div");
  const draw = () => {
    const err = model.get("error") || {};
    box.replaceChildren();
    if (!err.message) return;
    box.append(h("div", { class: "aknb-error", role: "alert" },
      h("div", {}, h("b", {}, err.kind || "Error"), " ", err.message,
        err.fix ? h("div", { class: "aknb-fix" }, "➜ ", err.fix) : null),
      h("button", { class: "aknb-btn small", onclick: () => model.send({ action: "dismiss_error" }) }, "Dismiss")));
  };
  draw();
  return [box, draw];
}

// Starting one clip pauses every other clip on the page; nothing plays by itself.
function pauseOthers(media) {
  document.querySelectorAll("audio, video").forEach((m) => { if (m !== media && !m.paused) m.pause(); });
}
