// FacePanel front end (anywidget ES module, no build step).
// Face boxes in the model are in REAL picture pixels (`size`); hit areas are laid over the annotated JPEG in
// percentages of that size, so they stay on the faces at any display width.
// Helpers h(), errorBox() and pauseOthers() come from _common.js, prepended when the module is loaded.

const PALETTE = ["#4a90e2", "#f5a623", "#27ae60", "#e74c3c", "#9b59b6", "#1abc9c", "#e67e22", "#ff5fa2"];
const LANDMARKS = ["left eye", "right eye", "nose tip", "mouth centre", "left mouth corner", "right mouth corner"];

// Dropped / chosen files go to the kernel as base64 text in custom messages (Colab drops binary buffers; Jupyter
// refuses websocket messages above ~10 MB), a slice at a time, never the whole file in one string. The kernel
// acknowledges every chunk; at most WINDOW chunks are in flight, so a 300 MB video does not pile up in memory.
const CHUNK = 768 * 1024;
const WINDOW = 4;
const ACK_TIMEOUT_MS = 120000;
const MEDIA_EXT = /\.(jpe?g|png|webp|mp4|mov|avi)$/i;  // when the browser gives no type
const FORMATS = "a JPEG, PNG or WebP photo, or an MP4, MOV or AVI video";

function humanMB(bytes) { return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`; }

// Why `file` cannot be sent ("" when it can): checked here, before a single byte goes to the kernel.
function uploadProblem(file, maxMB) {
  const type = file.type || "";
  const media = /^(image|video)\//.test(type) || ((!type || type === "application/octet-stream") && MEDIA_EXT.test(file.name));
  if (!media) return [`${file.name} is not a photo or a video (${type || "unknown type"}).`, `Drop or choose ${FORMATS}.`];
  if (!file.size) return [`${file.name} is empty.`, "Choose the photo or video itself."];
  if (maxMB && file.size > maxMB * 1024 * 1024)
    return [`${file.name} is ${humanMB(file.size)}; this panel takes files up to ${maxMB} MB.`,
      "Use a shorter or more compressed file, or give its https:// URL below."];
  return null;
}

function readBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).slice(String(reader.result).indexOf(",") + 1));
    reader.onerror = () => reject(reader.error || new Error("the file could not be read"));
    reader.readAsDataURL(blob);  // native base64, no giant JS string built by hand
  });
}

export default {
  render({ model, el }) {
    const root = h("div", { class: "aknb aknb-face-panel" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const title = h("span", { class: "aknb-title" });
    const status = h("span", { class: "aknb-status" });
    root.append(h("div", { class: "aknb-head" }, title,
      simBadge(model, "Offline Akool: a real detector, simulated service"),
      h("span", { class: "aknb-grow" }), status), errBox);

    const img = h("img", { class: "aknb-face-img", alt: "The picture with the faces found, numbered", draggable: "false" });
    // mouse targets over the picture; the keyboard uses the list of faces below (the same selection)
    const hits = h("div", { class: "aknb-face-hits", "aria-hidden": "true" });
    const stage = h("div", { class: "aknb-face-stage" }, img, hits);
    const empty = h("div", { class: "aknb-empty aknb-face-empty" },
      "No picture yet: drop a photo or video here, choose a file, or give a URL or path below and press Detect.");
    const dropHint = h("div", { class: "aknb-face-drophint", "aria-hidden": "true" },
      h("span", { class: "aknb-face-drophint-text" }, "Drop a photo or video to find faces"));
    const drop = h("div", { class: "aknb-face-drop" }, stage, empty, dropHint);
    const [localErr, progress] = [h("div", { class: "aknb-face-localerr" }), h("div", { class: "aknb-face-progress", role: "status" })];
    // display:none as well as hidden: classic Notebook's stylesheet shows input[type=file] despite `hidden`
    const fileInput = h("input", { type: "file", accept: "image/*,video/*", class: "aknb-face-file", hidden: true, style: { display: "none" },
      "aria-label": "Choose a photo or video to find faces in" });
    const frames = h("div", { class: "aknb-bar aknb-frames" });
    const chips = h("div", { class: "aknb-face-chips", role: "listbox", "aria-multiselectable": "true", "aria-orientation": "horizontal",
      "aria-label": "Faces found (arrow keys move, Space or Enter selects)" });
    const chipList = h("div", { class: "aknb-face-chips-note" });
    const source = h("div", { class: "aknb-sub aknb-face-source" });
    const input = h("input", { type: "text", placeholder: "https://…/photo.jpg, a path, or a video", "aria-label": "Picture or video to analyse" });
    const detect = () => { if (input.value.trim()) model.send({ action: "detect", media: input.value }); };
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") detect(); });
    const detectBtn = h("button", { class: "aknb-btn", onclick: detect }, "Detect");
    const chooseBtn = h("button", { class: "aknb-btn aknb-face-choose", title: "Pick a photo or video from this computer",
      onclick: () => fileInput.click() }, "Choose file…");
    const clearBtn = h("button", { class: "aknb-btn small", "aria-label": "Clear the selection of faces", onclick: () => model.send({ action: "clear" }) }, "Clear selection");
    const legend = h("details", { class: "aknb-sub aknb-legend" }, h("summary", {}, "Landmarks 0–5"),
      h("ol", { start: "0" }, ...LANDMARKS.map((n) => h("li", {}, n))));
    root.append(localErr, frames, drop, progress, source, chips, chipList,
      h("div", { class: "aknb-addform", style: { marginTop: "8px" } }, input, detectBtn, chooseBtn, fileInput, clearBtn), legend);

    // -- upload ---------------------------------------------------------------------------------
    // A problem found here (wrong type, too big) is shown in the panel without involving the kernel.
    const showLocalError = (message, fix) => {
      localErr.replaceChildren(errorNode("Upload", message, fix, () => localErr.replaceChildren()));
    };
    let current = null;  // the upload being sent: {id, file, total, acked, failed, wake}
    const showProgress = (up) => {
      progress.textContent = `Uploading ${up.file.name}… ${Math.floor((100 * up.acked) / up.total)}%`;
    };
    const onMessage = (msg) => {
      if (!msg || msg.event !== "upload_ack" || !current || msg.upload_id !== current.id) return;
      if (msg.ok) { current.acked = Math.max(current.acked, msg.index + 1); showProgress(current); } else current.failed = "kernel";
      const wake = current.wake; current.wake = null; if (wake) wake();
    };
    model.on("msg:custom", onMessage);
    const nextAck = (up) => new Promise((resolve) => {
      const timer = setTimeout(() => { up.failed = up.failed || "timeout"; resolve(); }, ACK_TIMEOUT_MS);
      up.wake = () => { clearTimeout(timer); resolve(); };
    });
    async function upload(file) {
      localErr.replaceChildren();
      const problem = uploadProblem(file, model.get("max_upload_mb"));
      if (problem) { showLocalError(...problem); return; }
      const total = Math.max(1, Math.ceil(file.size / CHUNK));
      const up = { id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`, file, total, acked: 0,
        failed: null, wake: null };
      if (current) { current.failed = "replaced"; if (current.wake) current.wake(); }
      current = up;
      showProgress(up);
      try {
        for (let index = 0; index < total; index++) {
          while (index - up.acked >= WINDOW && !up.failed) await nextAck(up);
          if (up.failed) break;
          const data = await readBase64(file.slice(index * CHUNK, Math.min(file.size, (index + 1) * CHUNK)));
          if (current !== up) return;  // a newer file took over
          model.send({ action: "upload", upload_id: up.id, name: file.name, mime: file.type || "", size: file.size, index, total, data });
        }
        while (up.acked < total && !up.failed) await nextAck(up);
      } catch (err) {
        up.failed = "read";
        showLocalError(`${file.name} could not be read: ${err && err.message ? err.message : err}.`,
          "Check that the file is still there and readable, then drop it again.");
      }
      if (current !== up) return;
      current = null;
      progress.textContent = "";
      if (up.failed === "timeout")
        showLocalError(`The kernel did not confirm ${file.name} in time.`, "Check that the kernel is running (re-run the cell if it restarted), then drop the file again.");
      // failed === "kernel": the kernel refused a chunk and shows why in the panel's error box
    }
    const firstFile = (list) => (list && list.length ? list[0] : null);  // only the first of several files
    fileInput.addEventListener("change", () => { const f = firstFile(fileInput.files); fileInput.value = ""; if (f) upload(f); });
    const hasFiles = (e) => !!e.dataTransfer && Array.from(e.dataTransfer.types || []).includes("Files");
    let depth = 0;  // dragenter/dragleave fire for every child: count them so the highlight does not flicker
    const setOver = (on) => drop.classList.toggle("aknb-face-dragover", on);
    drop.addEventListener("dragenter", (e) => { if (!hasFiles(e)) return; e.preventDefault(); e.stopPropagation(); depth++; setOver(true); });
    drop.addEventListener("dragover", (e) => {
      if (!hasFiles(e)) return; e.preventDefault(); e.stopPropagation(); e.dataTransfer.dropEffect = "copy"; setOver(true);
    });
    drop.addEventListener("dragleave", (e) => { if (!hasFiles(e)) return; depth = Math.max(0, depth - 1); if (!depth) setOver(false); });
    drop.addEventListener("drop", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); e.stopPropagation(); depth = 0; setOver(false);
      const f = firstFile(e.dataTransfer.files);
      if (f) upload(f);
    });

    const toggle = (i) => model.send({ action: "toggle", index: i });
    const syncChips = roving(chips, { onActivate: (n) => toggle(Number(n.dataset.key)) });

    const drawTitle = () => { title.textContent = model.get("title") || "Faces"; };
    const drawStatus = () => {
      status.textContent = model.get("busy") || model.get("status") || "";
      detectBtn.disabled = chooseBtn.disabled = !!model.get("busy");
    };
    const drawImage = () => {
      const src = model.get("image");
      const [w] = model.get("size") || [0, 0];
      stage.style.display = src ? "" : "none";
      empty.style.display = src ? "none" : "";
      drop.style.maxWidth = stage.style.maxWidth = `${model.get("display_width") || 520}px`;  // hint = picture
      if (src && img.getAttribute("src") !== src) img.setAttribute("src", src);
      const link = model.get("link"); const label = model.get("label");
      source.replaceChildren();
      if (label) source.append(model.get("kind") === "video" ? "Video · " : "Picture · ",
        link ? h("a", { href: link, target: "_blank", rel: "noopener" }, label) : label,
        "");
      source.title = w ? `${w}×${model.get("size")[1]} px` : "";
    };
    const drawFaces = () => {
      const faces = model.get("faces") || [];
      const [W, H] = model.get("size") || [0, 0];
      const selected = model.get("selected") || [];
      hits.replaceChildren(...faces.filter((f) => f.box && W && H).map((f) => {
        const [x, y, w, hh] = f.box;
        const order = selected.indexOf(f.index);
        const node = h("div", {
          class: "aknb-face-hit" + (order >= 0 ? " selected" : ""), "data-face": String(f.index),
          title: `Face ${f.index} · click to ${order >= 0 ? "unselect" : "select"}`,
          style: { left: `${(x / W) * 100}%`, top: `${(y / H) * 100}%`, width: `${(w / W) * 100}%`, height: `${(hh / H) * 100}%` },
          onclick: (e) => { e.preventDefault(); toggle(f.index); },
        }, order >= 0 ? h("span", { class: "aknb-face-order" }, String(order + 1)) : null);
        return node;
      }));
      chips.replaceChildren(...faces.map((f) => {
        const order = selected.indexOf(f.index);
        const thumb = f.thumb || f.crop;
        return h("div", { class: "aknb-face-chip" + (order >= 0 ? " selected" : ""), "data-face": String(f.index), "data-key": String(f.index),
          role: "option", tabindex: "-1", "aria-selected": order >= 0 ? "true" : "false",
          "aria-label": `Face ${f.index}${order >= 0 ? `, selected ${order + 1}${order === 0 ? "st" : order === 1 ? "nd" : order === 2 ? "rd" : "th"}` : ""}`,
          onclick: () => toggle(f.index), title: `Face ${f.index}` },
          h("span", { class: "aknb-face-dot", style: { background: PALETTE[f.index % PALETTE.length] } }, String(f.index)),
          thumb ? h("img", { src: thumb, alt: "", loading: "lazy" }) : null,
          h("span", {}, `Face ${f.index}`),
          order >= 0 ? h("b", { class: "aknb-face-pick" }, `✓ ${order + 1}`) : null);
      }));
      chipList.replaceChildren();
      if (!faces.length && model.get("image")) chipList.append(h("span", { class: "aknb-sub" }, "No faces found in this picture."));
      else if (faces.length && !selected.length) chipList.append(h("span", { class: "aknb-sub" }, model.get("multiple") ? "Click faces (or Space in the list) to select them; the order pairs them." : "Click a face to select it."));
      if (faces.length) chips.setAttribute("role", "listbox"); else chips.removeAttribute("role");
      syncChips();
    };
    const drawFrames = () => {
      const list = model.get("frames") || [];
      frames.style.display = model.get("kind") === "video" && list.length > 1 ? "" : "none";
      frames.replaceChildren(h("span", { class: "aknb-sub" }, "Frame"), ...list.map((f, i) => h("button", {
        class: "aknb-chip" + (i === model.get("frame") ? " on" : ""), "data-frame": String(i), "aria-pressed": i === model.get("frame") ? "true" : "false",
        onclick: () => { model.set("frame", i); model.save_changes(); },
      }, `${f.time != null ? Number(f.time).toFixed(1) + " s" : "#" + f.frame} · ${f.count}`)));
    };
    const handlers = [["change:title", drawTitle], ["change:busy change:status", drawStatus], ["change:error", drawError],
      ["change:image change:size change:link change:label change:display_width", drawImage],
      ["change:faces change:selected change:size", drawFaces], ["change:frames change:frame change:kind", drawFrames]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    drawTitle(); drawStatus(); drawImage(); drawFaces(); drawFrames();
    model.set("ready", true); model.save_changes();
    return () => { for (const [ev, fn] of handlers) model.off(ev, fn); model.off("msg:custom", onMessage); };
  },
};
