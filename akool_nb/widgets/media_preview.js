// MediaPreview front end (anywidget ES module, no build step).
// Helpers h(), errorBox() and pauseOthers() come from _common.js, prepended when the module is loaded.

// A file next to the notebook: Jupyter serves it under <base>/files/<notebook folder>/<path>.
function resolveLocal(url) {
  if (/^(https?:|data:|blob:)/.test(url)) return url;
  let base = "/";
  try { base = JSON.parse(document.getElementById("jupyter-config-data").textContent).baseUrl || "/"; } catch (e) { /* not JupyterLab */ }
  const m = location.pathname.match(/\/(?:lab(?:\/workspaces\/[^/]+)?\/tree|doc(?:\/workspaces\/[^/]+)?\/tree|notebooks|tree)\/(.*)$/);
  const dir = m ? decodeURIComponent(m[1]).split("/").slice(0, -1) : [];
  const parts = [...dir, ...url.split("/")].filter((p) => p && p !== ".");
  return base.replace(/\/?$/, "/") + "files/" + parts.map(encodeURIComponent).join("/");
}

const size = (n) => {
  if (n === undefined || n === null) return "";
  const units = ["B", "KB", "MB", "GB"]; let v = n; let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
};
const duration = (s) => (s === undefined || s === null ? "" : s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, "0")} s`);
function expiry(iso) {
  if (!iso) return "";
  const left = (new Date(iso).getTime() - Date.now()) / 1000;
  const stamp = iso.slice(0, 16).replace("T", " ") + " UTC";
  if (left <= 0) return `expired ${stamp}`;
  return `in ${Math.floor(left / 86400)} d ${Math.floor((left % 86400) / 3600)} h (${stamp})`;
}

export default {
  render({ model, el }) {
    const root = h("div", { class: "aknb aknb-media-preview" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const title = h("span", { class: "aknb-title" });
    const kind = h("span", { class: "aknb-badge", style: { background: "var(--aknb-accent)" } });
    const status = h("span", { class: "aknb-status" });
    root.append(h("div", { class: "aknb-head" }, title, kind,
      model.get("offline") ? h("span", { class: "aknb-badge sim" }, "SIMULATED") : null, h("span", { class: "aknb-grow" }), status), errBox);
    const stage = h("div");
    const facts = h("table", { class: "aknb-facts" });
    root.append(h("div", { class: "aknb-media" }, stage, facts));
    let shownUrl = null; let player = null;

    const drawMedia = () => {
      const url = model.get("url");
      const media = model.get("media");
      const src = url ? (model.get("local") ? resolveLocal(url) : url) : "";
      if (shownUrl === src + "|" + media && player) {  // same media: update the poster only (no flicker)
        if (media === "video" && model.get("poster")) player.poster = model.get("poster");
        if (media === "image" && model.get("poster")) player.src = model.get("poster");
        const wave = stage.querySelector(".aknb-wave");
        if (media === "audio" && model.get("waveform")) {
          if (wave) wave.src = model.get("waveform");
          else stage.prepend(h("img", { class: "aknb-wave", src: model.get("waveform"), alt: "waveform" }));
        }
        return;
      }
      shownUrl = src + "|" + media;
      stage.replaceChildren();
      player = null;
      if (!src) { stage.append(h("div", { class: "aknb-empty" }, "Nothing to preview.")); return; }
      if (media === "video") {
        const poster = model.get("poster");
        player = h("video", { controls: true, playsinline: true, preload: poster ? "none" : "metadata", poster: poster || null,
          src: poster ? src : src + "#t=0.1" });
      } else if (media === "audio") {
        if (model.get("waveform")) stage.append(h("img", { class: "aknb-wave", src: model.get("waveform"), alt: "waveform" }));
        player = h("audio", { controls: true, preload: "none", src });
      } else if (media === "image") {
        player = h("img", { class: "aknb-still", src: model.get("poster") || src, loading: "lazy", alt: model.get("title") });
      } else {
        stage.append(h("a", { href: src, target: "_blank", rel: "noopener" }, "Open the file"));
        return;
      }
      if (player.tagName !== "IMG") player.addEventListener("play", () => pauseOthers(player));
      stage.append(player);
    };
    const drawFacts = () => {
      const meta = model.get("meta") || {};
      const url = model.get("url");
      title.textContent = model.get("title") || "Media";
      kind.textContent = model.get("media") || meta.kind || "file";
      status.textContent = model.get("status") || "";
      const rows = [["Resolution", meta.width ? `${meta.width}×${meta.height}` : ""], ["Duration", duration(meta.duration)],
        ["File size", size(meta.size_bytes)], ["Frame rate", meta.fps ? `${meta.fps} fps` : ""],
        ["Expires", meta.expires_at ? expiry(meta.expires_at) : ""]];
      const link = url ? h("a", { href: model.get("local") ? resolveLocal(url) : url, target: "_blank", rel: "noopener" }, meta.name || "open") : null;
      facts.replaceChildren(h("tbody", {}, ...rows.filter(([, v]) => v).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v))),
        link ? h("tr", {}, h("th", {}, "Link"), h("td", {}, link)) : null));
    };
    const handlers = [["change:url change:media change:poster change:waveform change:local", drawMedia],
      ["change:meta change:title change:status change:media", drawFacts], ["change:error", drawError]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    drawMedia(); drawFacts();
    model.set("ready", true); model.save_changes();
    return () => { for (const [ev, fn] of handlers) model.off(ev, fn); if (player && player.pause) player.pause(); };
  },
};
