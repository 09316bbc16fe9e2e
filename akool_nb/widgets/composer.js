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

export default {
  render({ model, el }) {
    let [CW, CH] = model.get("canvas") || [3840, 2160];
    const BG = model.get("mode") === "background";
    const MAX_STAGE_H = 620;  // display pixels: tall canvases are scaled to fit
    let els = structuredClone(model.get("elements") || []);
    let scale = 0.25;
    let drag = null;        // {index, mode, startX, startY, start: {...}}
    let saveTimer = null;

    const root = h("div", { class: "aknb aknb-composer-panel" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const status = h("span", { class: "aknb-status" });
    const sizeLabel = h("span", { class: "aknb-sub" }, `${CW}×${CH} canvas`);
    root.append(h("div", { class: "aknb-head" },
      h("span", { class: "aknb-title" }, BG ? "Background composer" : "Talking avatar composer"), sizeLabel,
      model.get("offline") ? h("span", { class: "aknb-badge sim", title: "Offline Akool: results are simulated" }, "SIMULATED") : null,
      h("span", { class: "aknb-grow" }), status), errBox);

    // ---- stage
    const stage = h("div", { class: "aknb-stage", tabindex: "0", role: "application",
      "aria-label": "Layout stage: drag layers, arrow keys nudge (Shift ×10), Delete removes" });
    const guideV = h("div", { class: "aknb-guide v" });
    const guideH = h("div", { class: "aknb-guide h" });
    const wrap = h("div", { class: "aknb-stage-wrap" }, stage);
    const tracks = h("div", { class: "aknb-tracks" });

    // ---- add form
    const addKind = h("select", { "aria-label": "What to add" },
      h("option", { value: "image" }, "Image (URL, path or #colour)"), h("option", { value: "video" }, "Video (URL or path)"),
      h("option", { value: "avatar" }, "Avatar (avatar_id or video URL)"), h("option", { value: "audio" }, "Audio (URL or path)"),
      h("option", { value: "speech" }, "Speech (text + voice_id)"));
    const addValue = h("input", { type: "text", placeholder: "https://… or #1d3557", "aria-label": "Source" });
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
    const layerList = h("div", { class: "aknb-layers" });
    const fields = {};
    const fieldDefs = [["offset_x", "X"], ["offset_y", "Y"], ["width", "Width"], ["height", "Height"], ["scale_x", "Scale X"], ["scale_y", "Scale Y"]];
    const fieldGrid = h("div", { class: "aknb-fields" });
    for (const [name, label] of fieldDefs) {
      const input = h("input", { type: "number", step: name.startsWith("scale") ? "0.05" : "1", "data-field": name, "aria-label": label });
      input.addEventListener("change", () => {
        const i = model.get("selected");
        if (i < 0 || !els[i] || input.value === "") return;
        let v = Number(input.value);
        if (!name.startsWith("scale")) v = Math.round(v);
        if ((name === "width" || name === "height") && v < MIN_SIZE) v = MIN_SIZE;
        if (name.startsWith("scale") && v <= 0) v = 0.05;
        els[i][name] = v;
        layout(); commit();
      });
      fields[name] = input;
      const labelNode = h("label", {}, label);
      if (BG && name.startsWith("scale")) { labelNode.style.display = "none"; input.style.display = "none"; }
      fieldGrid.append(labelNode, input);
    }
    const snapBox = h("input", { type: "checkbox", checked: model.get("snap"), onchange: (e) => { model.set("snap", e.target.checked); model.save_changes(); } });
    const payload = h("pre", { class: "aknb-payload aknb-mono" });
    const copyBtn = h("button", { class: "aknb-btn small", onclick: () => {
      navigator.clipboard && navigator.clipboard.writeText(payload.textContent).then(() => { copyBtn.textContent = "Copied"; setTimeout(() => { copyBtn.textContent = "Copy"; }, 1200); });
    } }, "Copy");
    const btnPreview = h("button", { class: "aknb-btn", onclick: () => model.send({ action: "render_preview" }) }, "Render preview");
    const btnClip = h("button", { class: "aknb-btn", onclick: () => model.send({ action: "render_clip" }) }, "Preview clip");
    const btnSubmit = h("button", { class: "aknb-btn primary", onclick: () => model.send({ action: "submit" }) }, BG ? "Change background" : "Create video");
    if (BG) btnClip.style.display = "none";
    // background mode: canvas size, backdrop colour, cut-out
    const canvasW = h("input", { type: "number", min: "16", step: "1", "data-canvas": "width", "aria-label": "Canvas width" });
    const canvasH = h("input", { type: "number", min: "16", step: "1", "data-canvas": "height", "aria-label": "Canvas height" });
    const setCanvas = () => {
      const w = Math.max(16, Math.round(Number(canvasW.value) || CW)); const hh = Math.max(16, Math.round(Number(canvasH.value) || CH));
      model.set("canvas", [w, hh]); model.save_changes();
    };
    for (const input of [canvasW, canvasH]) {
      input.addEventListener("change", setCanvas);
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") setCanvas(); });
    }
    const colourOn = h("input", { type: "checkbox", "aria-label": "Colour backdrop" });
    const colourPick = h("input", { type: "color", "aria-label": "Backdrop colour", class: "aknb-colour" });
    const colourHex = h("span", { class: "aknb-mono aknb-sub" });
    const setColour = () => { model.set("color", colourOn.checked ? colourPick.value : ""); model.save_changes(); };
    colourOn.addEventListener("change", setColour); colourPick.addEventListener("input", () => { colourOn.checked = true; setColour(); });
    const cutOut = h("input", { type: "checkbox", "aria-label": "Remove the foreground's own background",
      onchange: (e) => { model.set("remove_bg", e.target.checked); model.save_changes(); } });
    const canvasSection = h("div", { class: "aknb-section" }, h("h4", {}, "Canvas · px"),
      h("div", { class: "aknb-fields" }, h("label", {}, "Width"), canvasW, h("label", {}, "Height"), canvasH,
        h("label", {}, "Colour"), h("span", { style: { display: "flex", gap: "6px", alignItems: "center" } }, colourOn, colourPick, colourHex)),
      h("label", { class: "aknb-sub", style: { display: "flex", gap: "6px", alignItems: "center", marginTop: "6px" } }, cutOut, "Cut the foreground out of its own background (removeBg)"));
    const drawCanvasFields = () => {
      if (!BG) return;
      if (document.activeElement !== canvasW) canvasW.value = CW;
      if (document.activeElement !== canvasH) canvasH.value = CH;
      const c = model.get("color") || "";
      colourOn.checked = !!c;
      if (c && /^#[0-9a-f]{6}$/i.test(c)) colourPick.value = c;
      colourHex.textContent = c || "transparent";
      cutOut.checked = !!model.get("remove_bg");
      stage.style.background = c || "";
      if (c) stage.style.backgroundImage = "none"; else stage.style.backgroundImage = "";
    };
    const side = h("div", { class: "aknb-side" },
      h("div", { class: "aknb-section" }, h("h4", {}, "Layers (top first)"), layerList),
      BG ? canvasSection : null,
      h("div", { class: "aknb-section" }, h("h4", {}, "Position · canvas px"), fieldGrid,
        h("label", { class: "aknb-sub", style: { display: "flex", gap: "6px", alignItems: "center", marginTop: "6px" } }, snapBox, "Snap to edges and centre (Alt: off)")),
      h("div", { class: "aknb-bar", style: { marginBottom: 0, gridColumn: "1 / -1", alignSelf: "start" } }, btnPreview, btnClip, btnSubmit));
    const payloadSection = h("div", { class: "aknb-section", style: { marginTop: "10px" } },
      h("div", { style: { display: "flex", alignItems: "center" } }, h("h4", { style: { flex: "1" } },
        BG ? "Request body · POST /api/open/v3/content/image/bg/replace" : "Request body · POST /api/open/v3/talkingavatar/create"), copyBtn), payload);
    if (BG) { addForm.style.display = "none"; tracks.style.display = "none"; }
    const previews = h("div", { class: "aknb-previews" });
    const stageCol = h("div", { class: "aknb-stage-col" }, wrap, tracks, addForm);
    if (BG) stageCol.style.flex = `0 1 ${(model.get("display_width") || 720) + 2}px`;
    root.append(h("div", { class: "aknb-composer" }, stageCol, side), payloadSection, previews);

    // ---- drawing
    const layerNodes = [];
    const visualIndices = () => els.map((e, i) => (VISUAL.has(e.type) ? i : -1)).filter((i) => i >= 0);
    const box = (e) => ({ x: num(e.offset_x), y: num(e.offset_y), w: num(e.width, 100) * num(e.scale_x, 1), h: num(e.height, 100) * num(e.scale_y, 1) });

    const measure = () => {
      const avail = wrap.clientWidth || model.get("display_width");
      const width = Math.max(240, Math.min(model.get("display_width") || 960, avail, (MAX_STAGE_H * CW) / CH));
      scale = width / CW;
      stage.style.width = `${width}px`;
      stage.style.height = `${Math.round(CH * scale)}px`;
    };

    const layout = () => {
      const selected = model.get("selected");
      els.forEach((e, i) => {
        const node = layerNodes[i];
        if (!node) return;
        const b = box(e);
        Object.assign(node.style, { left: `${b.x * scale}px`, top: `${b.y * scale}px`, width: `${b.w * scale}px`, height: `${b.h * scale}px` });
        node.classList.toggle("selected", i === selected);
      });
      const s = els[selected];
      for (const [name] of fieldDefs) {
        const input = fields[name];
        input.disabled = !s || !VISUAL.has(s.type);
        if (document.activeElement !== input) input.value = s && VISUAL.has(s.type) ? num(s[name], name.startsWith("scale") ? 1 : 0) : "";
      }
      drawPayload();
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

    const drawLayers = () => {
      stage.replaceChildren();
      layerNodes.length = 0;
      const thumbs = model.get("thumbs") || {};
      const labels = model.get("labels") || {};
      els.forEach((e, i) => {
        if (!VISUAL.has(e.type)) { layerNodes.push(null); return; }
        const key = keyOf(e);
        const kind = e.role === "origin" ? "foreground" : e.role || e.type;
        const node = h("div", { class: "aknb-layer", "data-index": String(i), "data-type": e.type, "data-role": e.role || null, title: `${kind}: ${labels[key] || key}` });
        if (e.type === "image" && isColour(e.url)) node.style.background = e.url.startsWith("#") ? e.url : "#" + e.url;
        else if (thumbs[key]) node.style.backgroundImage = `url("${thumbs[key]}")`;
        else node.style.background = "rgba(138,143,152,.55)";
        node.append(h("span", { class: "aknb-layer-label" }, `${kind} · ${labels[key] || key}`));
        for (const corner of ["nw", "ne", "sw", "se"]) node.append(h("div", { class: `aknb-handle ${corner}`, "data-handle": corner }));
        node.addEventListener("pointerdown", (ev) => startDrag(ev, i));
        stage.append(node);
        layerNodes.push(node);
      });
      stage.append(guideV, guideH);
      // the side list, top layer first
      const rows = visualIndices().reverse().map((i) => {
        const e = els[i]; const key = keyOf(e);
        const swatch = h("span", { class: "aknb-swatch" });
        if (e.type === "image" && isColour(e.url)) swatch.style.background = e.url;
        else if (thumbs[key]) swatch.style.backgroundImage = `url("${thumbs[key]}")`;
        const vis = visualIndices();
        const pos = vis.indexOf(i);
        return h("div", { class: "aknb-row" + (i === model.get("selected") ? " selected" : ""), "data-index": String(i),
          onclick: () => select(i) }, swatch,
          h("span", { style: { flex: "1", minWidth: "0", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }, title: `${e.type}: ${labels[key] || key}` },
            BG ? h("span", { class: "aknb-tagpill", style: { marginRight: "6px" } }, e.role === "origin" ? "foreground" : "template") : null, labels[key] || key),
          BG ? null : h("button", { class: "aknb-btn small", title: "Bring forward", disabled: pos === vis.length - 1,
            onclick: (ev) => { ev.stopPropagation(); model.send({ action: "zorder", index: i, delta: vis[pos + 1] - i }); } }, "↑"),
          BG ? null : h("button", { class: "aknb-btn small", title: "Send backward", disabled: pos === 0,
            onclick: (ev) => { ev.stopPropagation(); model.send({ action: "zorder", index: i, delta: vis[pos - 1] - i }); } }, "↓"),
          (BG && e.role === "origin") ? null : h("button", { class: "aknb-btn small danger", title: "Remove", onclick: (ev) => { ev.stopPropagation(); model.send({ action: "remove", index: i }); } }, "✕"));
      });
      layerList.replaceChildren(...(rows.length ? rows : [h("div", { class: "aknb-sub" }, BG ? "No foreground yet." : "No layers yet: add an image and an avatar.")]));
      // audio tracks
      const audio = els.map((e, i) => [e, i]).filter(([e]) => e.type === "audio");
      tracks.replaceChildren(...audio.map(([e, i]) => h("div", { class: "aknb-track", "data-index": String(i) },
        h("span", { class: "aknb-tagpill" }, e.url ? "audio" : "speech"),
        h("span", { style: { flex: "1", minWidth: "0", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" } },
          e.url ? e.url : `“${e.input_text}” · voice ${e.voice_id}`),
        h("button", { class: "aknb-btn small danger", onclick: () => model.send({ action: "remove", index: i }) }, "✕"))));
      if (!audio.length) tracks.append(h("div", { class: "aknb-track aknb-sub" }, "No soundtrack yet: add audio or speech (exactly one is needed)."));
      layout();
    };

    const select = (i) => { model.set("selected", i); model.save_changes(); layout(); drawLayersSelection(); };
    const drawLayersSelection = () => {
      layerList.querySelectorAll(".aknb-row").forEach((r) => r.classList.toggle("selected", Number(r.dataset.index) === model.get("selected")));
    };

    const commit = () => {
      clearTimeout(saveTimer);
      model.set("elements", structuredClone(els));
      model.save_changes();
    };
    const commitSoon = () => { clearTimeout(saveTimer); saveTimer = setTimeout(commit, 250); };

    // ---- snapping: left/centre/right (top/middle/bottom) of the layer to the canvas edges and centre
    const snapAxis = (start, size, limit, guide, enabled) => {
      if (!enabled) return start;
      const threshold = SNAP_PX / scale;
      const targets = [0, limit / 2, limit];
      let best = null;
      for (const t of targets) for (const [edge, off] of [["start", 0], ["mid", size / 2], ["end", size]]) {
        const d = t - (start + off);
        if (Math.abs(d) <= threshold && (!best || Math.abs(d) < Math.abs(best.d))) best = { d, t, edge };
      }
      if (!best) return start;
      guide.style.display = "block";
      if (guide === guideV) guide.style.left = `${best.t * scale}px`; else guide.style.top = `${best.t * scale}px`;
      return start + best.d;
    };

    const startDrag = (ev, i) => {
      if (ev.button !== 0) return;
      ev.preventDefault(); ev.stopPropagation();
      stage.focus({ preventScroll: true });
      if (model.get("selected") !== i) select(i);
      const e = els[i];
      drag = { index: i, mode: ev.target.dataset.handle || "move", startX: ev.clientX, startY: ev.clientY,
        start: { x: num(e.offset_x), y: num(e.offset_y), w: num(e.width, 100), h: num(e.height, 100), sx: num(e.scale_x, 1), sy: num(e.scale_y, 1) } };
      window.addEventListener("pointermove", onMove);
      window.addEventListener("pointerup", endDrag, { once: true });
    };
    const onMove = (ev) => {
      if (!drag) return;
      const e = els[drag.index]; const s = drag.start;
      const dx = (ev.clientX - drag.startX) / scale;
      const dy = (ev.clientY - drag.startY) / scale;
      const snapping = model.get("snap") && !ev.altKey;
      guideV.style.display = "none"; guideH.style.display = "none";
      if (drag.mode === "move") {
        const w = s.w * s.sx; const hgt = s.h * s.sy;
        e.offset_x = Math.round(snapAxis(s.x + dx, w, CW, guideV, snapping));
        e.offset_y = Math.round(snapAxis(s.y + dy, hgt, CH, guideH, snapping));
      } else {
        let x0 = s.x; let y0 = s.y; let x1 = s.x + s.w * s.sx; let y1 = s.y + s.h * s.sy;
        if (drag.mode.includes("e")) x1 += dx; else x0 += dx;
        if (drag.mode.includes("s")) y1 += dy; else y0 += dy;
        if (ev.shiftKey) {  // keep the aspect ratio
          const ratio = (s.w * s.sx) / (s.h * s.sy);
          const w = Math.max(x1 - x0, MIN_SIZE); const hh = w / ratio;
          if (drag.mode.includes("s")) y1 = y0 + hh; else y0 = y1 - hh;
        }
        if (snapping) {
          if (drag.mode.includes("e")) x1 = snapAxis(x1, 0, CW, guideV, true); else x0 = snapAxis(x0, 0, CW, guideV, true);
          if (drag.mode.includes("s")) y1 = snapAxis(y1, 0, CH, guideH, true); else y0 = snapAxis(y0, 0, CH, guideH, true);
        }
        const w = Math.max(MIN_SIZE, x1 - x0); const hh = Math.max(MIN_SIZE, y1 - y0);
        if (!drag.mode.includes("e")) x0 = x1 - w;
        if (!drag.mode.includes("s")) y0 = y1 - hh;
        e.offset_x = Math.round(x0); e.offset_y = Math.round(y0);
        e.width = Math.round(w / s.sx); e.height = Math.round(hh / s.sy);
      }
      layout();
    };
    const endDrag = () => {
      window.removeEventListener("pointermove", onMove);
      guideV.style.display = "none"; guideH.style.display = "none";
      if (drag) { drag = null; commit(); }
    };

    stage.addEventListener("pointerdown", (ev) => { if (ev.target === stage) { select(-1); stage.focus({ preventScroll: true }); } });
    stage.addEventListener("keydown", (ev) => {
      const i = model.get("selected");
      const e = els[i];
      if (!e || !VISUAL.has(e.type)) return;
      const base = model.get("nudge") || 10;
      const step = ev.shiftKey ? base * 10 : base;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[ev.key]) {
        ev.preventDefault();
        e.offset_x = Math.round(num(e.offset_x) + moves[ev.key][0]);
        e.offset_y = Math.round(num(e.offset_y) + moves[ev.key][1]);
        layout(); commitSoon();
      } else if ((ev.key === "Delete" || ev.key === "Backspace") && !(BG && e.role === "origin")) {
        ev.preventDefault(); model.send({ action: "remove", index: i });
      } else if (ev.key === "Escape") { select(-1); }
    });

    // ---- previews rendered in the kernel
    const drawPreviews = () => {
      previews.replaceChildren();
      const still = model.get("preview");
      const clip = model.get("clip");
      if (still) previews.append(h("figure", { style: { margin: 0 } }, h("img", { src: still, alt: "rendered preview", "data-role": "preview" }),
        h("figcaption", { class: "aknb-sub" }, "Preview still, rendered locally with the offline Akool's layout renderer")));
      if (clip) {
        const video = h("video", { controls: true, preload: "metadata", playsinline: true, src: resolveLocal(clip), "data-role": "clip" });
        video.addEventListener("play", () => pauseOthers(video));
        previews.append(h("figure", { style: { margin: 0 } }, video, h("figcaption", { class: "aknb-sub" }, "Preview clip (local file ",
          h("a", { href: resolveLocal(clip), target: "_blank", rel: "noopener" }, clip.split("?")[0]), ")")));
      }
    };
    const drawStatus = () => {
      status.textContent = model.get("busy") || model.get("status") || "";
      const busy = !!model.get("busy");
      btnPreview.disabled = busy; btnClip.disabled = busy;
    };

    const fromModel = () => { if (!drag) { els = structuredClone(model.get("elements") || []); drawLayers(); } };
    const handlers = [["change:elements change:thumbs change:labels", fromModel], ["change:selected", () => { layout(); drawLayersSelection(); }],
      ["change:preview change:clip", drawPreviews], ["change:busy change:status", drawStatus], ["change:error", drawError],
      ["change:snap", () => { snapBox.checked = model.get("snap"); }], ["change:display_width", () => { measure(); layout(); }],
      ["change:canvas", () => { [CW, CH] = model.get("canvas"); sizeLabel.textContent = `${CW}×${CH} canvas`; measure(); drawCanvasFields(); layout(); }],
      ["change:color change:remove_bg", () => { drawCanvasFields(); drawPayload(); }]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    const resize = new ResizeObserver(() => { measure(); layout(); });
    resize.observe(wrap);
    measure(); drawLayers(); drawPreviews(); drawStatus(); drawCanvasFields();
    model.set("ready", true); model.save_changes();
    return () => { resize.disconnect(); window.removeEventListener("pointermove", onMove); for (const [ev, fn] of handlers) model.off(ev, fn); };
  },
};
