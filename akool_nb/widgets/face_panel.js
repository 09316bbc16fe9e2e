// FacePanel front end (anywidget ES module, no build step).
// Face boxes in the model are in REAL picture pixels (`size`); hit areas are laid over the annotated JPEG in
// percentages of that size, so they stay on the faces at any display width.
// Helpers h(), errorBox() and pauseOthers() come from _common.js, prepended when the module is loaded.

const PALETTE = ["#4a90e2", "#f5a623", "#27ae60", "#e74c3c", "#9b59b6", "#1abc9c", "#e67e22", "#ff5fa2"];
const LANDMARKS = ["left eye", "right eye", "nose tip", "mouth centre", "left mouth corner", "right mouth corner"];

export default {
  render({ model, el }) {
    const root = h("div", { class: "aknb aknb-face-panel" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const title = h("span", { class: "aknb-title" });
    const status = h("span", { class: "aknb-status" });
    root.append(h("div", { class: "aknb-head" }, title,
      model.get("offline") ? h("span", { class: "aknb-badge sim", title: "Offline Akool: a real detector, simulated service" }, "SIMULATED") : null,
      h("span", { class: "aknb-grow" }), status), errBox);

    const img = h("img", { class: "aknb-face-img", alt: "faces found", draggable: "false" });
    const hits = h("div", { class: "aknb-face-hits" });
    const stage = h("div", { class: "aknb-face-stage" }, img, hits);
    const empty = h("div", { class: "aknb-empty" }, "No picture yet: give one below and press Detect.");
    const frames = h("div", { class: "aknb-bar aknb-frames" });
    const chips = h("div", { class: "aknb-face-chips" });
    const source = h("div", { class: "aknb-sub aknb-face-source" });
    const input = h("input", { type: "text", placeholder: "https://…/photo.jpg, a path, or a video", "aria-label": "Picture or video to analyse" });
    const detect = () => { if (input.value.trim()) model.send({ action: "detect", media: input.value }); };
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") detect(); });
    const detectBtn = h("button", { class: "aknb-btn", onclick: detect }, "Detect");
    const clearBtn = h("button", { class: "aknb-btn small", onclick: () => model.send({ action: "clear" }) }, "Clear selection");
    const legend = h("details", { class: "aknb-sub aknb-legend" }, h("summary", {}, "Landmarks 0–5"),
      h("ol", { start: "0" }, ...LANDMARKS.map((n) => h("li", {}, n))));
    root.append(frames, stage, empty, source, chips,
      h("div", { class: "aknb-addform", style: { marginTop: "8px" } }, input, detectBtn, clearBtn), legend);

    const toggle = (i) => model.send({ action: "toggle", index: i });

    const drawTitle = () => { title.textContent = model.get("title") || "Faces"; };
    const drawStatus = () => { status.textContent = model.get("busy") || model.get("status") || ""; detectBtn.disabled = !!model.get("busy"); };
    const drawImage = () => {
      const src = model.get("image");
      const [w] = model.get("size") || [0, 0];
      stage.style.display = src ? "" : "none";
      empty.style.display = src ? "none" : "";
      stage.style.maxWidth = `${model.get("display_width") || 520}px`;
      if (src && img.getAttribute("src") !== src) img.setAttribute("src", src);
      const link = model.get("link"); const label = model.get("label");
      source.replaceChildren();
      if (label) source.append(model.get("kind") === "video" ? "Video · " : "Picture · ",
        link ? h("a", { href: link, target: "_blank", rel: "noopener" }, label) : label,
        w ? ` · ${w}×${model.get("size")[1]} px` : "");
    };
    const drawFaces = () => {
      const faces = model.get("faces") || [];
      const [W, H] = model.get("size") || [0, 0];
      const selected = model.get("selected") || [];
      hits.replaceChildren(...faces.filter((f) => f.box && W && H).map((f) => {
        const [x, y, w, hh] = f.box;
        const order = selected.indexOf(f.index);
        const node = h("button", {
          class: "aknb-face-hit" + (order >= 0 ? " selected" : ""), "data-face": String(f.index),
          title: `face ${f.index} · box ${f.box.join(", ")} (picture px) · click to ${order >= 0 ? "unselect" : "select"}`,
          "aria-pressed": order >= 0 ? "true" : "false",
          style: { left: `${(x / W) * 100}%`, top: `${(y / H) * 100}%`, width: `${(w / W) * 100}%`, height: `${(hh / H) * 100}%` },
          onclick: (e) => { e.preventDefault(); toggle(f.index); },
        }, order >= 0 ? h("span", { class: "aknb-face-order" }, String(order + 1)) : null);
        return node;
      }));
      chips.replaceChildren(...faces.map((f) => {
        const order = selected.indexOf(f.index);
        return h("button", { class: "aknb-face-chip" + (order >= 0 ? " selected" : ""), "data-face": String(f.index),
          onclick: () => toggle(f.index), title: `opts ${f.opts}` },
          h("span", { class: "aknb-face-dot", style: { background: PALETTE[f.index % PALETTE.length] } }, String(f.index)),
          f.crop ? h("img", { src: f.crop, alt: "", loading: "lazy" }) : null,
          h("span", {}, f.box ? `${f.box[2]}×${f.box[3]} at ${f.box[0]}, ${f.box[1]}` : "face"),
          order >= 0 ? h("b", { class: "aknb-face-pick" }, `✓ ${order + 1}`) : null);
      }));
      if (!faces.length && model.get("image")) chips.append(h("span", { class: "aknb-sub" }, "No faces found in this picture."));
      else if (faces.length && !selected.length) chips.append(h("span", { class: "aknb-sub" }, model.get("multiple") ? "Click faces to select them (click order = pairing order)." : "Click a face to select it."));
    };
    const drawFrames = () => {
      const list = model.get("frames") || [];
      frames.style.display = model.get("kind") === "video" && list.length > 1 ? "" : "none";
      frames.replaceChildren(h("span", { class: "aknb-sub" }, "Frame"), ...list.map((f, i) => h("button", {
        class: "aknb-chip" + (i === model.get("frame") ? " on" : ""), "data-frame": String(i),
        onclick: () => { model.set("frame", i); model.save_changes(); },
      }, `${f.time != null ? Number(f.time).toFixed(1) + " s" : "#" + f.frame} · ${f.count}`)));
    };
    const handlers = [["change:title", drawTitle], ["change:busy change:status", drawStatus], ["change:error", drawError],
      ["change:image change:size change:link change:label change:display_width", drawImage],
      ["change:faces change:selected change:size", drawFaces], ["change:frames change:frame change:kind", drawFrames]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    drawTitle(); drawStatus(); drawImage(); drawFaces(); drawFrames();
    model.set("ready", true); model.save_changes();
    return () => { for (const [ev, fn] of handlers) model.off(ev, fn); };
  },
};
