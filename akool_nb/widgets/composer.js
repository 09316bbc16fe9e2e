// Layout composer stage (anywidget ES module, no build step): TalkingAvatarComposer (mode "talking_avatar",
// the `elements` payload) and BackgroundComposer (mode "background", the bg/replace parameters).
// All geometry in the model is in REAL canvas pixels; the stage is drawn scaled to the display.
// Helpers h(), errorBox() and pauseOthers() come from _common.js, prepended when the module is loaded.

function resolveLocal(url) {
  if (/^(https?:|data:|blob:)/.test(url)) return url;
  let base = "/";
  try { base = JSON.parse(document.getElementById("jupyter-config-data").textContent).baseUrl || "/"; } catch (e) { /* not JupyterLab */ }
  const m = location.pathname.match(/\/(?:lab(?:\/workspaces\/[^/]+)?\/tree|doc(?:\/workspaces\/[^/]+)?\/tree|notebooks|tree)\/(.*)$/);
  const dir = m ? decodeURIComponent(m[1]).split("/").slice(0, -1) : [];
  const [path, query] = url.split("?");
  const parts = [...dir, ...path.split("/")].filter((p) => p && p !== ".");
  return base.replace(/\/?$/, "/") + "files/" + parts.map(encodeURIComponent).join("/") + (query ? "?" + query : "");
}

const VISUAL = new Set(["image", "avatar", "video"]);
const isColour = (v) => typeof v === "string" && /^#?([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(v) && !v.includes("/");
const keyOf = (el) => String(el.url || el.avatar_id || "");
const num = (v, d = 0) => (v === undefined || v === null || v === "" ? d : Number(v));
const SNAP_PX = 7;      // snapping distance in display pixels
const MIN_SIZE = 16;    // canvas pixels
const KEEP_PX = 24;     // display pixels of a dragged layer that stay on the canvas (it never gets lost)
const CANVAS_RANGE = [16, 7680];  // as CANVAS_RANGE in composer.py
const ZOOMS = [0.25, 0.33, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 6, 8];  // × the fitted size
const nameOf = (url) => { const path = String(url).split("?")[0].split("#")[0]; try { return decodeURIComponent(path.split("/").pop()) || url; } catch (e) { return path.split("/").pop() || url; } };
// Photos, avatars and videos keep their aspect ratio when resized (Shift frees it); colour blocks do not.
const locksAspect = (e) => e.type === "avatar" || e.type === "video" || (e.type === "image" && !isColour(e.url));
// Why the layout cannot be submitted (as layout_problem in composer.py), or "".
function problemOf(els, CW, CH) {
  const [lo, hi] = CANVAS_RANGE;
  if (!(CW >= lo && CW <= hi && CH >= lo && CH <= hi)) return `the canvas is ${CW}×${CH} px; each side must be ${lo}–${hi} px`;
  for (let i = 0; i < els.length; i++) {
    const e = els[i];
    if (!VISUAL.has(e.type)) continue;
    const x = num(e.offset_x); const y = num(e.offset_y); const w = num(e.width) * num(e.scale_x, 1); const hh = num(e.height) * num(e.scale_y, 1);
    if (w < 1 || hh < 1) return `layer ${i} (${e.role || e.type}) has no size`;
    if (x >= CW || y >= CH || x + w <= 0 || y + hh <= 0) return `layer ${i} (${e.role || e.type}) lies entirely outside the ${CW}×${CH} canvas: “Bring back” puts it on the canvas`;
  }
  return "";
}
const offCanvas = (e, CW, CH) => {
  const x = num(e.offset_x); const y = num(e.offset_y); const w = num(e.width, 100) * num(e.scale_x, 1); const hh = num(e.height, 100) * num(e.scale_y, 1);
  return x >= CW || y >= CH || x + w <= 0 || y + hh <= 0;
};

export default {
  render({ model, el }) {
    let [CW, CH] = model.get("canvas") || [3840, 2160];
    const BG = model.get("mode") === "background";
    const MAX_STAGE_H = 620;  // display pixels: tall canvases are scaled to fit
    let els = structuredClone(model.get("elements") || []);
    let scale = 0.25;
    let fitScale = 0.25;
    let zoom = 1;           // × the fitted size
    let drag = null;        // {index, mode, startX, startY, start: {...}}
    let saveTimer = null;
    let localStale = false; // edited here since the last commit: the preview is out of date already

    const root = h("div", { class: "aknb aknb-composer-panel" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const status = h("span", { class: "aknb-status" });
    const sizeLabel = h("span", { class: "aknb-sub" }, `${CW}×${CH} canvas`);
    root.append(h("div", { class: "aknb-head" },
      h("span", { class: "aknb-title" }, BG ? "Background composer" : "Talking avatar composer"), sizeLabel,
      simBadge(model), h("span", { class: "aknb-grow" }), status), errBox);
    const localErr = h("div");
    root.append(localErr);
    const refuse = (message, fix) => { localErr.replaceChildren(errorNode("Cannot submit", message, fix, () => localErr.replaceChildren())); };

    // ---- stage
    const stage = h("div", { class: "aknb-stage", tabindex: "0", role: "group", "aria-roledescription": "layout stage",
      "aria-label": "Layout stage: Tab goes through the layers and their corner handles; arrow keys move (Shift ×10), Delete removes, + and − zoom, 0 fits, Ctrl+Z undoes" });
    const guideV = h("div", { class: "aknb-guide v" });
    const guideH = h("div", { class: "aknb-guide h" });
    const wrap = h("div", { class: "aknb-stage-wrap" }, stage);
    // ---- toolbar: undo / redo, zoom and fit
    const btnUndo = h("button", { class: "aknb-btn small", "data-tool": "undo", title: "Undo (Ctrl/Cmd+Z)", onclick: () => model.send({ action: "undo" }) }, "↶ Undo");
    const btnRedo = h("button", { class: "aknb-btn small", "data-tool": "redo", title: "Redo (Shift+Ctrl/Cmd+Z)", onclick: () => model.send({ action: "redo" }) }, "↷ Redo");
    const zoomLabel = h("span", { class: "aknb-sub aknb-zoom", "aria-live": "polite" });
    const setZoom = (z) => { zoom = Math.max(ZOOMS[0], Math.min(ZOOMS[ZOOMS.length - 1], z)); measure(); layout(); };
    const zoomBy = (dir) => setZoom(dir > 0 ? (ZOOMS.find((z) => z > zoom + 1e-6) || zoom) : ([...ZOOMS].reverse().find((z) => z < zoom - 1e-6) || zoom));
    const toolbar = h("div", { class: "aknb-bar aknb-toolbar", role: "toolbar", "aria-label": "Stage tools" }, btnUndo, btnRedo,
      h("span", { class: "aknb-grow" }),
      h("button", { class: "aknb-btn small", "data-tool": "zoom-out", "aria-label": "Zoom out (−)", onclick: () => zoomBy(-1) }, "−"), zoomLabel,
      h("button", { class: "aknb-btn small", "data-tool": "zoom-in", "aria-label": "Zoom in (+)", onclick: () => zoomBy(1) }, "+"),
      h("button", { class: "aknb-btn small", "data-tool": "fit", title: "Fit the canvas to the panel (0)", onclick: () => setZoom(1) }, "Fit"));
    const tracks = h("div", { class: "aknb-tracks" });

    // ---- add form
    const addKind = h("select", { "aria-label": "What to add" },
      h("option", { value: "image" }, "Image (URL, path or #colour)"), h("option", { value: "video" }, "Video (URL or path)"),
      h("option", { value: "avatar" }, "Avatar (avatar_id or video URL)"), h("option", { value: "audio" }, "Audio (URL or path)"),
      h("option", { value: "speech" }, "Speech (text + voice_id)"));
    const addValue = h("input", { type: "text", placeholder: "https://… or #1d3557", "aria-label": "Source of the layer to add" });
    const addVoice = h("input", { type: "text", placeholder: "voice_id", "aria-label": "voice_id", style: { display: "none", flex: "0 1 170px" } });
    const doAdd = () => {
      model.send({ action: "add", kind: addKind.value, value: addValue.value, voice_id: addVoice.value });
      addValue.value = "";
    };
    addKind.addEventListener("change", () => {
      addVoice.style.display = addKind.value === "speech" ? "" : "none";
      addValue.placeholder = { image: "https://… or #1d3557", video: "https://…/clip.mp4", avatar: "avatar_id or https://…/me.mp4",
        audio: "https://…/speech.mp3", speech: "What the avatar says" }[addKind.value];
      if (addKind.value === "speech" && !addVoice.value) addVoice.value = model.get("default_voice") || "";
    });
    addValue.addEventListener("keydown", (e) => { if (e.key === "Enter") doAdd(); });
    const addForm = h("div", { class: "aknb-addform", style: { marginTop: "10px" } }, addKind, addValue, addVoice,
      h("button", { class: "aknb-btn", onclick: doAdd }, "+ Add"));

    // ---- side panel
    const layerList = h("div", { class: "aknb-layers", role: "listbox", "aria-label": "Layers, top first (Enter selects, Delete removes, Alt+↑/↓ reorders)" });
    const layerTools = h("div", { class: "aknb-bar aknb-layer-tools", style: { marginTop: "6px", marginBottom: 0 } });
    const fields = {};
    const fieldDefs = [["offset_x", "X"], ["offset_y", "Y"], ["width", "Width"], ["height", "Height"], ["scale_x", "Scale X"], ["scale_y", "Scale Y"]];
    const fieldGrid = h("div", { class: "aknb-fields" });
    for (const [name, label] of fieldDefs) {
      const input = h("input", { type: "number", step: name.startsWith("scale") ? "0.05" : "1", "data-field": name, "aria-label": `${label} in canvas pixels` });
      const apply = () => {
        const i = model.get("selected");
        if (i < 0 || !els[i]) return;
        if (input.value === "" || !Number.isFinite(Number(input.value))) { input.value = num(els[i][name], name.startsWith("scale") ? 1 : 0); return; }
        let v = Number(input.value);
        if (!name.startsWith("scale")) v = Math.round(v);
        if ((name === "width" || name === "height") && v < MIN_SIZE) v = MIN_SIZE;
        if (name.startsWith("scale") && v <= 0) v = 0.05;
        if (els[i][name] === v) { input.value = v; return; }
        els[i][name] = v;
        input.value = v;
        localStale = true;
        layout(); commit();
      };
      input.addEventListener("change", apply);
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") { e.preventDefault(); apply(); }
        else if (e.key === "Escape") { const i = model.get("selected"); if (els[i]) input.value = num(els[i][name], name.startsWith("scale") ? 1 : 0); }
      });
      fields[name] = input;
      const labelNode = h("label", {}, label);
      if (BG && name.startsWith("scale")) { labelNode.style.display = "none"; input.style.display = "none"; }
      fieldGrid.append(labelNode, input);
    }
    const snapBox = h("input", { type: "checkbox", checked: model.get("snap"), "aria-label": "Snap to the canvas and other layers", onchange: (e) => { model.set("snap", e.target.checked); model.save_changes(); } });
    const payload = h("pre", { class: "aknb-payload aknb-mono", tabindex: "0", "aria-label": "Request body (JSON)" });
    const copyBtn = h("button", { class: "aknb-btn small", "aria-label": "Copy the request body", onclick: () => {
      navigator.clipboard && navigator.clipboard.writeText(payload.textContent).then(() => { copyBtn.textContent = "Copied"; setTimeout(() => { copyBtn.textContent = "Copy"; }, 1200); });
    } }, "Copy");
    const btnPreview = h("button", { class: "aknb-btn", onclick: () => model.send({ action: "render_preview" }) }, "Render preview");
    const btnClip = h("button", { class: "aknb-btn", onclick: () => model.send({ action: "render_clip" }) }, "Preview clip");
    const problemLine = h("div", { class: "aknb-problem", role: "status" });
    const submit = () => {
      const pending = pendingCanvas();
      if (pending) { refuse(pending, "Enter a size in range (or press Escape in the field to go back)."); return; }
      const problem = problemOf(els, CW, CH);
      if (problem) { refuse(problem, "Nothing was sent or paid."); }
      model.send({ action: "submit" });  // the kernel checks again (composer.payload) and says why it refuses
    };
    const btnSubmit = h("button", { class: "aknb-btn primary", "data-action": "submit", onclick: submit }, BG ? "Change background" : "Create video");
    if (BG) btnClip.style.display = "none";
    // background mode: canvas size, backdrop colour, cut-out
    const canvasW = h("input", { type: "number", min: String(CANVAS_RANGE[0]), max: String(CANVAS_RANGE[1]), step: "1", "data-canvas": "width", "aria-label": "Canvas width in pixels" });
    const canvasH = h("input", { type: "number", min: String(CANVAS_RANGE[0]), max: String(CANVAS_RANGE[1]), step: "1", "data-canvas": "height", "aria-label": "Canvas height in pixels" });
    const canvasNote = h("div", { class: "aknb-field-error", role: "alert", id: `aknb-canvas-note-${Math.random().toString(36).slice(2, 8)}` });
    // A size out of range is refused where it was typed: the field keeps it, marked, and says why (nothing is set)
    const canvasProblem = (input, name) => {
      const raw = input.value.trim(); const v = Number(raw);
      if (raw === "" || !Number.isInteger(v)) return `Canvas ${name} “${raw}” is not a whole number of pixels.`;
      if (v < CANVAS_RANGE[0] || v > CANVAS_RANGE[1]) return `Canvas ${name} ${v} px is out of range: ${CANVAS_RANGE[0]}–${CANVAS_RANGE[1]} px. The canvas stays ${CW}×${CH}.`;
      return "";
    };
    const pendingCanvas = () => BG ? (canvasProblem(canvasW, "width") || canvasProblem(canvasH, "height")) : "";
    const markCanvas = () => {
      const problems = [[canvasW, canvasProblem(canvasW, "width")], [canvasH, canvasProblem(canvasH, "height")]];
      for (const [input, problem] of problems) {
        input.classList.toggle("invalid", !!problem);
        if (problem) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", canvasNote.id); }
        else { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
      }
      canvasNote.textContent = problems.map(([, p]) => p).filter(Boolean).join(" ");
      return !canvasNote.textContent;
    };
    const setCanvas = () => {
      if (!markCanvas()) return;
      const w = Number(canvasW.value); const hh = Number(canvasH.value);
      if (w !== CW || hh !== CH) { model.set("canvas", [w, hh]); model.save_changes(); }
    };
    for (const input of [canvasW, canvasH]) {
      input.addEventListener("change", setCanvas);
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") { e.preventDefault(); setCanvas(); }
        else if (e.key === "Escape") { canvasW.value = CW; canvasH.value = CH; markCanvas(); }
      });
    }
    const colourOn = h("input", { type: "checkbox", "aria-label": "Colour backdrop" });
    const colourPick = h("input", { type: "color", "aria-label": "Backdrop colour", class: "aknb-colour" });
    const colourHex = h("span", { class: "aknb-mono aknb-sub" });
    const setColour = () => { model.set("color", colourOn.checked ? colourPick.value : ""); model.save_changes(); };
    colourOn.addEventListener("change", setColour); colourPick.addEventListener("input", () => { colourOn.checked = true; setColour(); });
    const cutOut = h("input", { type: "checkbox", "aria-label": "Remove the foreground's own background",
      onchange: (e) => { model.set("remove_bg", e.target.checked); model.save_changes(); } });
    const canvasSection = h("div", { class: "aknb-section" }, h("div", { class: "aknb-h4", role: "heading", "aria-level": "3" }, "Canvas · px"),
      h("div", { class: "aknb-fields" }, h("label", {}, "Width"), canvasW, h("label", {}, "Height"), canvasH,
        h("label", {}, "Colour"), h("span", { style: { display: "flex", gap: "6px", alignItems: "center" } }, colourOn, colourPick, colourHex)),
      canvasNote,
      h("label", { class: "aknb-sub", style: { display: "flex", gap: "6px", alignItems: "center", marginTop: "6px" } }, cutOut, "Cut the foreground out of its own background (removeBg)"));
    const drawCanvasFields = () => {
      if (!BG) return;
      if (document.activeElement !== canvasW && !canvasW.classList.contains("invalid")) canvasW.value = CW;
      if (document.activeElement !== canvasH && !canvasH.classList.contains("invalid")) canvasH.value = CH;
      const c = model.get("color") || "";
      colourOn.checked = !!c;
      if (c && /^#[0-9a-f]{6}$/i.test(c)) colourPick.value = c;
      colourHex.textContent = c || "transparent";
      cutOut.checked = !!model.get("remove_bg");
      stage.style.background = c || "";
      if (c) stage.style.backgroundImage = "none"; else stage.style.backgroundImage = "";
    };
    const side = h("div", { class: "aknb-side" },
      h("div", { class: "aknb-section" }, h("div", { class: "aknb-h4", role: "heading", "aria-level": "3" }, "Layers (top first)"), layerList, layerTools),
      BG ? canvasSection : null,
      h("div", { class: "aknb-section" }, h("div", { class: "aknb-h4", role: "heading", "aria-level": "3" }, "Position · canvas px"), fieldGrid,
        h("label", { class: "aknb-sub", style: { display: "flex", gap: "6px", alignItems: "center", marginTop: "6px" } }, snapBox, "Snap to edges and centres of the canvas and the other layers (Alt: off)")),
      h("div", { style: { gridColumn: "1 / -1", alignSelf: "start" } },
        h("div", { class: "aknb-bar", style: { marginBottom: 0 } }, btnPreview, btnClip, btnSubmit), problemLine));
    const payloadSection = h("div", { class: "aknb-section", style: { marginTop: "10px" } },
      h("div", { style: { display: "flex", alignItems: "center" } }, h("div", { class: "aknb-h4", role: "heading", "aria-level": "3", style: { flex: "1" } }, "Request body ",
        h("span", { class: "aknb-mono aknb-path" }, BG ? "POST /api/open/v3/content/image/bg/replace" : "POST /api/open/v3/talkingavatar/create")), copyBtn), payload);
    if (BG) { addForm.style.display = "none"; tracks.style.display = "none"; }
    const previews = h("div", { class: "aknb-previews" });
    const stageCol = h("div", { class: "aknb-stage-col" }, toolbar, wrap, tracks, addForm);
    root.append(h("div", { class: "aknb-composer" }, stageCol, side), payloadSection, previews);

    // ---- drawing
    const layerNodes = [];
    const visualIndices = () => els.map((e, i) => (VISUAL.has(e.type) ? i : -1)).filter((i) => i >= 0);
    const box = (e) => ({ x: num(e.offset_x), y: num(e.offset_y), w: num(e.width, 100) * num(e.scale_x, 1), h: num(e.height, 100) * num(e.scale_y, 1) });

    const measure = () => {
      const avail = wrap.clientWidth || model.get("display_width");
      const fit = Math.max(160, Math.min(model.get("display_width") || 960, avail, (MAX_STAGE_H * CW) / CH));
      fitScale = fit / CW;
      scale = fitScale * zoom;
      stage.style.width = `${Math.round(CW * scale)}px`;
      stage.style.height = `${Math.round(CH * scale)}px`;
      wrap.classList.toggle("zoomed", zoom > 1);
      zoomLabel.textContent = `${Math.round(scale * 100)}%`;
      zoomLabel.title = `${Math.round(zoom * 100)}% of the fitted size; 100% = one canvas pixel per screen pixel`;
    };

    // Where a layer is drawn: its box, or (entirely off the canvas) a flagged marker at the nearest edge, so it
    // can still be seen, grabbed and brought back.
    const drawnBox = (e) => {
      const b = box(e);
      if (!offCanvas(e, CW, CH)) return b;
      const mw = Math.min(b.w, 90 / scale); const mh = Math.min(b.h, 60 / scale);
      return { x: Math.max(0, Math.min(CW - mw, b.x)), y: Math.max(0, Math.min(CH - mh, b.y)), w: mw, h: mh };
    };
    // The corner handles sit on the part of the layer that is on the canvas (the stage clips the rest), so a
    // layer reaching past the canvas edge can still be resized.
    const placeHandles = (node, b) => {
      const W = CW * scale; const H = CH * scale; const HALF = 6;
      const left = b.x * scale; const top = b.y * scale; const right = left + b.w * scale; const bottom = top + b.h * scale;
      const xs = { w: Math.max(left, HALF) - left, e: Math.min(right, W - HALF) - left };
      const ys = { n: Math.max(top, HALF) - top, s: Math.min(bottom, H - HALF) - top };
      for (const handle of node.querySelectorAll(".aknb-handle")) {
        const [v, hz] = handle.dataset.handle;
        Object.assign(handle.style, { left: `${xs[hz] - HALF}px`, top: `${ys[v] - HALF}px`, right: "auto", bottom: "auto" });
      }
    };
    const layout = () => {
      const selected = model.get("selected");
      els.forEach((e, i) => {
        const node = layerNodes[i];
        if (!node) return;
        const b = drawnBox(e);
        const off = offCanvas(e, CW, CH);
        Object.assign(node.style, { left: `${b.x * scale}px`, top: `${b.y * scale}px`, width: `${b.w * scale}px`, height: `${b.h * scale}px` });
        node.classList.toggle("selected", i === selected);
        node.classList.toggle("offcanvas", off);
        if (i === selected) placeHandles(node, b);
        const real = box(e);
        node.setAttribute("aria-label", `${node.dataset.name}${off ? ", off the canvas" : ""}: x ${Math.round(real.x)}, y ${Math.round(real.y)}, ${Math.round(real.w)}×${Math.round(real.h)} px`);
        node.setAttribute("aria-current", i === selected ? "true" : "false");
      });
      const s = els[selected];
      for (const [name] of fieldDefs) {
        const input = fields[name];
        input.disabled = !s || !VISUAL.has(s.type);
        if (document.activeElement !== input) input.value = s && VISUAL.has(s.type) ? num(s[name], name.startsWith("scale") ? 1 : 0) : "";
      }
      drawPayload(); drawProblem(); drawStale();
    };
    const drawProblem = () => {
      const problem = pendingCanvas() || problemOf(els, CW, CH);
      problemLine.textContent = problem ? `Cannot submit yet: ${problem}.` : "";
      if (!problem) localErr.replaceChildren();
      btnSubmit.classList.toggle("refused", !!problem);
      layerList.querySelectorAll(".aknb-row").forEach((r) => r.classList.toggle("offcanvas", !!els[Number(r.dataset.index)] && offCanvas(els[Number(r.dataset.index)], CW, CH)));
    };
    const drawPayload = () => {
      const body = BG ? bgParams() : { width: CW, height: CH, avatar_from: avatarFrom(), elements: els };
      payload.textContent = JSON.stringify(body, null, 2);
    };
    // The bg/replace parameters, exactly as BackgroundComposer.params builds them in Python.
    const bgParams = () => {
      const o = els.find((e) => e.role === "origin"); const t = els.find((e) => e.role === "template");
      const body = { canvas_size: `${CW}x${CH}` };
      if (o) Object.assign(body, { origin_img: o.url, modify_origin_img_size: `${Math.round(num(o.width))}x${Math.round(num(o.height))}`,
        overlay_origin_x: Math.round(num(o.offset_x)), overlay_origin_y: Math.round(num(o.offset_y)) });
      if (t) Object.assign(body, { template_url: t.url, modify_template_size: `${Math.round(num(t.width))}x${Math.round(num(t.height))}`,
        overlay_template_x: Math.round(num(t.offset_x)), overlay_template_y: Math.round(num(t.offset_y)) });
      if (model.get("color")) body.color_code = model.get("color");
      if (model.get("remove_bg")) body.removeBg = true;
      return body;
    };
    const avatarFrom = () => {
      const a = els.find((e) => e.type === "avatar");
      return a && a.avatar_id && !a.url ? 2 : 3;
    };

    const labelOf = (e) => { const labels = model.get("labels") || {}; const key = keyOf(e); return labels[key] || (isColour(key) ? `colour ${key}` : nameOf(key)); };
    const kindOf = (e) => (e.role === "origin" ? "foreground" : e.role || e.type);
    const drawLayers = () => {
      // keep the focus where it was (a layer or one of its handles) across the redraw
      const f = document.activeElement;
      const focus = stage.contains(f) && f !== stage ? { index: (f.closest(".aknb-layer") || {}).dataset?.index, handle: f.dataset.handle } : null;
      stage.replaceChildren();
      layerNodes.length = 0;
      const thumbs = model.get("thumbs") || {};
      els.forEach((e, i) => {
        if (!VISUAL.has(e.type)) { layerNodes.push(null); return; }
        const key = keyOf(e);
        const name = `${kindOf(e)} · ${labelOf(e)}`;
        const node = h("div", { class: "aknb-layer", tabindex: "0", role: "group", "aria-roledescription": "layer", "data-index": String(i),
          "data-type": e.type, "data-role": e.role || null, "data-name": name, title: name });
        if (e.type === "image" && isColour(e.url)) node.style.background = e.url.startsWith("#") ? e.url : "#" + e.url;
        else if (thumbs[key]) node.style.backgroundImage = `url("${thumbs[key]}")`;
        else node.style.background = "rgba(138,143,152,.55)";
        node.append(h("span", { class: "aknb-layer-label", "aria-hidden": "true" }, name), h("span", { class: "aknb-offflag", "aria-hidden": "true" }, "off canvas"));
        for (const [corner, where] of [["nw", "top-left"], ["ne", "top-right"], ["sw", "bottom-left"], ["se", "bottom-right"]])
          node.append(h("button", { class: `aknb-handle ${corner}`, "data-handle": corner, tabindex: "0",
            "aria-label": `Resize ${name} from the ${where} corner: arrow keys (Shift frees the aspect ratio)` }));
        node.addEventListener("pointerdown", (ev) => startDrag(ev, i));
        node.addEventListener("focus", () => { if (model.get("selected") !== i) select(i); });
        stage.append(node);
        layerNodes.push(node);
      });
      stage.append(guideV, guideH);
      // the side list, top layer first
      const vis = visualIndices();
      const rows = [...vis].reverse().map((i) => {
        const e = els[i]; const key = keyOf(e);
        const swatch = h("span", { class: "aknb-swatch", "aria-hidden": "true" });
        if (e.type === "image" && isColour(e.url)) swatch.style.background = e.url;
        else if (thumbs[key]) swatch.style.backgroundImage = `url("${thumbs[key]}")`;
        return h("div", { class: "aknb-row" + (i === model.get("selected") ? " selected" : "") + (offCanvas(e, CW, CH) ? " offcanvas" : ""),
          "data-index": String(i), "data-key": String(i), role: "option", tabindex: "-1", "aria-selected": i === model.get("selected") ? "true" : "false",
          "aria-label": `${kindOf(e)}: ${labelOf(e)}${offCanvas(e, CW, CH) ? " (off the canvas)" : ""}`, onclick: () => select(i) }, swatch,
          h("span", { class: "aknb-tagpill", style: { marginRight: "2px" } }, kindOf(e)),
          h("span", { style: { flex: "1", minWidth: "0", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }, title: labelOf(e) }, labelOf(e)),
          h("span", { class: "aknb-offnote" }, "off canvas"));
      });
      layerList.replaceChildren(...(rows.length ? rows : [h("div", { class: "aknb-sub", role: "option", "aria-disabled": "true", "aria-selected": "false" }, BG ? "No foreground yet." : "No layers yet: add an image and an avatar.")]));
      drawLayerTools();
      // audio tracks, by name
      const labels = model.get("labels") || {};
      const audio = els.map((e, i) => [e, i]).filter(([e]) => e.type === "audio");
      tracks.replaceChildren(...audio.map(([e, i]) => h("div", { class: "aknb-track", "data-index": String(i) },
        h("span", { class: "aknb-tagpill" }, e.url ? "audio" : "speech"),
        h("span", { style: { flex: "1", minWidth: "0", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }, title: e.url || e.voice_id },
          e.url ? (labels[e.url] || nameOf(e.url)) : `“${e.input_text}” · ${labels[e.voice_id] || "voice " + e.voice_id}`),
        h("button", { class: "aknb-btn small danger", "aria-label": "Remove the soundtrack", onclick: () => model.send({ action: "remove", index: i }) }, "✕"))));
      if (!audio.length) tracks.append(h("div", { class: "aknb-track aknb-sub" }, "No soundtrack yet: add audio or speech (exactly one is needed)."));
      layout();
      syncLayerList();
      if (focus && focus.index !== undefined) {
        const node = layerNodes[Number(focus.index)];
        const target = node && (focus.handle ? node.querySelector(`[data-handle=${focus.handle}]`) : node);
        if (target) target.focus({ preventScroll: true });
      }
    };
    // what can be done to the selected layer
    const drawLayerTools = () => {
      const i = model.get("selected"); const e = els[i];
      const vis = visualIndices(); const pos = vis.indexOf(i);
      const tools = [];
      if (e && VISUAL.has(e.type)) {
        if (!BG) tools.push(h("button", { class: "aknb-btn small", "data-layer-tool": "forward", disabled: pos === vis.length - 1,
          onclick: () => model.send({ action: "zorder", index: i, delta: vis[pos + 1] - i }) }, "↑ Forward"),
        h("button", { class: "aknb-btn small", "data-layer-tool": "backward", disabled: pos === 0,
          onclick: () => model.send({ action: "zorder", index: i, delta: vis[pos - 1] - i }) }, "↓ Backward"));
        if (offCanvas(e, CW, CH)) tools.push(h("button", { class: "aknb-btn small primary", "data-layer-tool": "bring-back",
          onclick: () => model.send({ action: "bring_back", index: i }) }, "Bring back"));
        if (!(BG && e.role === "origin")) tools.push(h("button", { class: "aknb-btn small danger", "data-layer-tool": "remove",
          onclick: () => model.send({ action: "remove", index: i }) }, "✕ Remove"));
      }
      layerTools.replaceChildren(...tools);
    };
    const syncLayerList = roving(layerList, {
      onActivate: (n) => select(Number(n.dataset.index)),
      onKey: (e, n) => {
        const i = Number(n.dataset.index); const vis = visualIndices(); const pos = vis.indexOf(i);
        if ((e.key === "Delete" || e.key === "Backspace") && !(BG && els[i].role === "origin")) { model.send({ action: "remove", index: i }); return true; }
        if (e.altKey && !BG && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
          const to = vis[pos + (e.key === "ArrowUp" ? 1 : -1)];
          if (to !== undefined) model.send({ action: "zorder", index: i, delta: to - i });
          return true;
        }
        return false;
      } });

    const select = (i) => { model.set("selected", i); model.save_changes(); layout(); drawLayersSelection(); };
    const drawLayersSelection = () => {
      layerList.querySelectorAll(".aknb-row").forEach((r) => {
        const on = Number(r.dataset.index) === model.get("selected");
        r.classList.toggle("selected", on); r.setAttribute("aria-selected", on ? "true" : "false");
      });
      drawLayerTools();
    };

    const commit = () => {
      clearTimeout(saveTimer);
      // nothing changed (a click without a move): the preview is as fresh as it was
      if (JSON.stringify(model.get("elements") || []) === JSON.stringify(els)) { localStale = false; drawStale(); return; }
      model.set("elements", structuredClone(els));
      model.save_changes();
    };
    const commitSoon = () => { clearTimeout(saveTimer); saveTimer = setTimeout(commit, 250); };

    // ---- snapping: the layer's start/centre/end to the canvas's edges and centre, and to the other layers'
    const targetsFor = (axis, skip) => {
      const limit = axis === "x" ? CW : CH;
      const out = [0, limit / 2, limit];
      els.forEach((e, i) => {
        if (i === skip || !VISUAL.has(e.type)) return;
        const b = box(e); const start = axis === "x" ? b.x : b.y; const size = axis === "x" ? b.w : b.h;
        out.push(start, start + size / 2, start + size);
      });
      return out;
    };
    const snapAxis = (start, size, axis, skip, enabled) => {
      if (!enabled) return start;
      const threshold = SNAP_PX / scale;
      let best = null;
      for (const t of targetsFor(axis, skip)) for (const off of size ? [0, size / 2, size] : [0]) {
        const d = t - (start + off);
        if (Math.abs(d) <= threshold && (!best || Math.abs(d) < Math.abs(best.d))) best = { d, t };
      }
      if (!best) return start;
      const guide = axis === "x" ? guideV : guideH;
      guide.style.display = "block";
      if (axis === "x") guide.style.left = `${best.t * scale}px`; else guide.style.top = `${best.t * scale}px`;
      return start + best.d;
    };
    // a dragged layer keeps KEEP_PX on the canvas: it can never be lost off the edge
    const keepOn = (start, size, limit) => {
      const keep = Math.min(size, KEEP_PX / scale);
      return Math.max(keep - size, Math.min(limit - keep, start));
    };

    const startDrag = (ev, i) => {
      if (ev.button !== 0) return;
      ev.preventDefault(); ev.stopPropagation();
      const target = ev.target.dataset.handle ? ev.target : layerNodes[i];
      if (target) target.focus({ preventScroll: true });
      if (model.get("selected") !== i) select(i);
      const e = els[i];
      if (offCanvas(e, CW, CH)) {  // grabbed by its marker: it comes back under the pointer
        const b = drawnBox(e);
        e.offset_x = Math.round(b.x); e.offset_y = Math.round(b.y);
      }
      drag = { index: i, mode: ev.target.dataset.handle || "move", startX: ev.clientX, startY: ev.clientY,
        start: { x: num(e.offset_x), y: num(e.offset_y), w: num(e.width, 100), h: num(e.height, 100), sx: num(e.scale_x, 1), sy: num(e.scale_y, 1) } };
      window.addEventListener("pointermove", onMove);
      window.addEventListener("pointerup", endDrag, { once: true });
    };
    // A new box for `mode` ("move" or a corner) moved by dx, dy canvas pixels from `s`.
    const reshape = (e, s, mode, dx, dy, { free, snapping, index }) => {
      if (mode === "move") {
        const w = s.w * s.sx; const hgt = s.h * s.sy;
        e.offset_x = Math.round(keepOn(snapAxis(s.x + dx, w, "x", index, snapping), w, CW));
        e.offset_y = Math.round(keepOn(snapAxis(s.y + dy, hgt, "y", index, snapping), hgt, CH));
        return;
      }
      let x0 = s.x; let y0 = s.y; let x1 = s.x + s.w * s.sx; let y1 = s.y + s.h * s.sy;
      const east = mode.includes("e"); const south = mode.includes("s");
      if (east) x1 += dx; else x0 += dx;
      if (south) y1 += dy; else y0 += dy;
      if (snapping) {
        if (east) x1 = snapAxis(x1, 0, "x", index, true); else x0 = snapAxis(x0, 0, "x", index, true);
        if (locksAspect(e) && !free) guideH.style.display = "none";
        else if (south) y1 = snapAxis(y1, 0, "y", index, true); else y0 = snapAxis(y0, 0, "y", index, true);
      }
      let w = Math.max(MIN_SIZE, x1 - x0); let hh = Math.max(MIN_SIZE, y1 - y0);
      if (locksAspect(e) && !free) {  // the aspect ratio stays (Shift frees it): the width leads
        const ratio = (s.w * s.sx) / (s.h * s.sy);
        if (Math.abs(dy) * ratio > Math.abs(dx) && !snapping) w = Math.max(MIN_SIZE, hh * ratio);
        hh = w / ratio;
      }
      if (!east) x0 = x1 - w;
      if (!south) y0 = y1 - hh;
      e.offset_x = Math.round(x0); e.offset_y = Math.round(y0);
      e.width = Math.round(w / s.sx); e.height = Math.round(hh / s.sy);
    };
    const onMove = (ev) => {
      if (!drag) return;
      const e = els[drag.index];
      guideV.style.display = "none"; guideH.style.display = "none";
      reshape(e, drag.start, drag.mode, (ev.clientX - drag.startX) / scale, (ev.clientY - drag.startY) / scale,
        { free: ev.shiftKey, snapping: model.get("snap") && !ev.altKey, index: drag.index });
      localStale = true;
      layout();
    };
    const endDrag = () => {
      window.removeEventListener("pointermove", onMove);
      guideV.style.display = "none"; guideH.style.display = "none";
      if (drag) { drag = null; commit(); }
    };

    stage.addEventListener("pointerdown", (ev) => { if (ev.target === stage) { select(-1); stage.focus({ preventScroll: true }); } });
    stage.addEventListener("wheel", (ev) => { if (ev.ctrlKey || ev.metaKey) { ev.preventDefault(); zoomBy(ev.deltaY < 0 ? 1 : -1); } }, { passive: false });
    stage.addEventListener("keydown", (ev) => {
      if (ev.ctrlKey || ev.metaKey) return;
      if (ev.key === "+" || ev.key === "=") { ev.preventDefault(); zoomBy(1); return; }
      if (ev.key === "-" || ev.key === "_") { ev.preventDefault(); zoomBy(-1); return; }
      if (ev.key === "0") { ev.preventDefault(); setZoom(1); return; }
      const i = model.get("selected");
      const e = els[i];
      if (ev.key === "Escape") { ev.preventDefault(); select(-1); stage.focus({ preventScroll: true }); return; }
      if (!e || !VISUAL.has(e.type)) return;
      const base = model.get("nudge") || 10;
      const step = ev.shiftKey ? base * 10 : base;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      const handle = ev.target.dataset && ev.target.dataset.handle;
      if (moves[ev.key]) {
        ev.preventDefault();
        const s = { x: num(e.offset_x), y: num(e.offset_y), w: num(e.width, 100), h: num(e.height, 100), sx: num(e.scale_x, 1), sy: num(e.scale_y, 1) };
        if (handle) reshape(e, s, handle, moves[ev.key][0] / (ev.shiftKey ? 10 : 1), moves[ev.key][1] / (ev.shiftKey ? 10 : 1), { free: ev.shiftKey, snapping: false, index: i });
        else { e.offset_x = Math.round(s.x + moves[ev.key][0]); e.offset_y = Math.round(s.y + moves[ev.key][1]); }
        localStale = true;
        layout(); commitSoon();
      } else if ((ev.key === "Delete" || ev.key === "Backspace") && !(BG && e.role === "origin")) {
        ev.preventDefault(); model.send({ action: "remove", index: i });
      }
    });
    // undo / redo anywhere in the panel, except in a text field (which undoes its own typing)
    root.addEventListener("keydown", (ev) => {
      if (!(ev.ctrlKey || ev.metaKey) || ev.altKey) return;
      const tag = (ev.target.tagName || "").toLowerCase();
      if ((tag === "input" && ev.target.type !== "checkbox") || tag === "textarea" || tag === "select") return;
      const key = ev.key.toLowerCase();
      if (key === "z" || key === "y") { ev.preventDefault(); model.send({ action: key === "y" || ev.shiftKey ? "redo" : "undo" }); }
    });

    // ---- previews rendered in the kernel
    const staleNote = (what, action) => h("div", { class: "aknb-stale-note", role: "status" }, "Out of date: the layout changed since this ", what, ". ",
      h("button", { class: "aknb-btn small", onclick: () => model.send({ action }) }, "Render again"));
    const drawStale = () => {
      const version = model.get("layout_version");
      for (const [fig, trait] of [[previews.querySelector("figure[data-figure=preview]"), "preview_version"], [previews.querySelector("figure[data-figure=clip]"), "clip_version"]]) {
        if (!fig) continue;
        const stale = localStale || model.get(trait) !== version;
        fig.classList.toggle("stale", stale);
        fig.querySelector(".aknb-stale-note").style.display = stale ? "" : "none";
      }
    };
    const drawPreviews = () => {
      previews.replaceChildren();
      const still = model.get("preview");
      const clip = model.get("clip");
      if (still) previews.append(h("figure", { style: { margin: 0 }, "data-figure": "preview" }, h("img", { src: still, alt: "Rendered preview of the layout", "data-role": "preview" }),
        staleNote("still was rendered", "render_preview"),
        h("figcaption", { class: "aknb-sub" }, "Preview still, rendered locally with the offline Akool's layout renderer")));
      if (clip) {
        const video = h("video", { controls: true, preload: "metadata", playsinline: true, src: resolveLocal(clip), "data-role": "clip" });
        video.addEventListener("play", () => pauseOthers(video));
        previews.append(h("figure", { style: { margin: 0 }, "data-figure": "clip" }, video, staleNote("clip was rendered", "render_clip"), h("figcaption", { class: "aknb-sub" }, "Preview clip (local file ",
          h("a", { href: resolveLocal(clip), target: "_blank", rel: "noopener" }, clip.split("?")[0]), ")")));
      }
      drawStale();
    };
    const drawStatus = () => {
      status.textContent = model.get("busy") || model.get("status") || "";
      const busy = !!model.get("busy");
      btnPreview.disabled = busy; btnClip.disabled = busy;
    };

    const fromModel = () => { if (!drag) { els = structuredClone(model.get("elements") || []); drawLayers(); } };
    const drawHistory = () => { btnUndo.disabled = !model.get("can_undo"); btnRedo.disabled = !model.get("can_redo"); };
    const handlers = [["change:elements change:thumbs change:labels", fromModel], ["change:selected", () => { layout(); drawLayersSelection(); }],
      ["change:preview change:clip", drawPreviews], ["change:busy change:status", drawStatus], ["change:error", drawError],
      ["change:snap", () => { snapBox.checked = model.get("snap"); }], ["change:display_width", () => { measure(); layout(); }],
      ["change:canvas", () => { [CW, CH] = model.get("canvas"); sizeLabel.textContent = `${CW}×${CH} canvas`; markCanvas(); canvasW.classList.remove("invalid"); canvasH.classList.remove("invalid"); measure(); drawCanvasFields(); drawLayers(); }],
      ["change:color change:remove_bg", () => { drawCanvasFields(); drawPayload(); }],
      ["change:can_undo change:can_redo", drawHistory], ["change:layout_version", () => { localStale = false; drawStale(); }], ["change:preview_version change:clip_version", drawStale],
      ["change:selected", drawLayerTools]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    const resize = new ResizeObserver(() => { measure(); layout(); });
    resize.observe(wrap);
    measure(); drawLayers(); drawPreviews(); drawStatus(); drawCanvasFields(); drawHistory();
    model.set("ready", true); model.save_changes();
    return () => { resize.disconnect(); window.removeEventListener("pointermove", onMove); for (const [ev, fn] of handlers) model.off(ev, fn); };
  },
};
