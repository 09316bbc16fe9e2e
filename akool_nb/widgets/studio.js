// Studio's own controls (anywidget ES module, no build step): the title, the four steps, what to say, and
// "Make the video" with the chain's progress in words.
// Helpers h(), errorBox() and simBadge() come from _common.js, prepended when the module is loaded.

export default {
  render({ model, el }) {
    const root = h("div", { class: "aknb aknb-studio" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const text = h("textarea", { class: "aknb-studio-text", rows: "3", placeholder: "What should the avatar say?", "aria-label": "What the avatar says" });
    let timer = null;
    text.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => { model.set("text", text.value); model.save_changes(); }, 200); });
    const make = h("button", { class: "aknb-btn primary", "data-action": "make", onclick: () => {
      clearTimeout(timer); model.set("text", text.value); model.save_changes(); model.send({ action: "run" }); } }, "Make the video");
    const message = h("span", { class: "aknb-sub", role: "status" });
    root.append(h("div", { class: "aknb-head" }, h("span", { class: "aknb-title" }, "3 · What the avatar says"),
      h("span", { class: "aknb-sub" }, "then 4 · make the video"), simBadge(model)),
      errBox, text, h("div", { class: "aknb-bar", style: { marginTop: "8px", marginBottom: 0 } }, make, message));
    const draw = () => {
      if (document.activeElement !== text) text.value = model.get("text") || "";
      make.disabled = !!model.get("busy");
      message.textContent = model.get("message") || "";
    };
    const handlers = [["change:text change:busy change:message", draw], ["change:error", drawError]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    draw();
    model.set("ready", true); model.save_changes();
    return () => { for (const [ev, fn] of handlers) model.off(ev, fn); };
  },
};
