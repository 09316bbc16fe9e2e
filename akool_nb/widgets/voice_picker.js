// VoicePicker front end (anywidget ES module, no build step).
// Helpers h(), errorBox() and pauseOthers() come from _common.js, prepended when the module is loaded.

const COLOURS = ["#5b6cff", "#f2994a", "#27ae60", "#e5484d", "#9b59b6", "#1abc9c", "#e67e22", "#ff5fa2"];
const colourOf = (text) => COLOURS[[...String(text)].reduce((a, c) => a + c.charCodeAt(0), 0) % COLOURS.length];
const FILTERS = [["language", "Language"], ["gender", "Gender"], ["age", "Age"], ["style", "Style"], ["scenario", "Scenario"]];

export default {
  render({ model, el }) {
    const root = h("div", { class: "aknb aknb-voice-picker" });
    el.append(root);
    const [errBox, drawError] = errorBox(model);
    const status = h("span", { class: "aknb-status" });
    const count = h("span", { class: "aknb-sub" });
    root.append(h("div", { class: "aknb-head" },
      h("span", { class: "aknb-title" }, "Voices"),
      model.get("offline") ? h("span", { class: "aknb-badge sim", title: "Offline Akool: simulated voices" }, "SIMULATED") : null,
      count, h("span", { class: "aknb-grow" }), status));
    root.append(errBox);

    const setFilter = (name, value) => { model.set(name, value); model.save_changes(); };
    const version = h("select", { "aria-label": "API version", onchange: (e) => setFilter("version", e.target.value) },
      h("option", { value: "" }, "v4 + v3"), h("option", { value: "v4" }, "VoiceLab (v4)"), h("option", { value: "v3" }, "v3"));
    const selects = {};
    for (const [name] of FILTERS) selects[name] = h("select", { "aria-label": name, "data-filter": name,
      onchange: (e) => setFilter(name, e.target.value) });
    let timer = null;
    const search = h("input", { type: "search", placeholder: "Search by name…", "aria-label": "Search voices",
      oninput: (e) => { clearTimeout(timer); timer = setTimeout(() => setFilter("search", e.target.value), 180); } });
    root.append(h("div", { class: "aknb-bar" }, search, version, ...FILTERS.map(([n]) => selects[n])));
    const list = h("div", { class: "aknb-list", role: "listbox" });
    const chosen = h("div", { class: "aknb-sub", style: { marginTop: "8px" } });
    root.append(list, chosen);

    const drawFilters = () => {
      const options = model.get("options") || {};
      for (const [name, label] of FILTERS) {
        const current = model.get(name) || "";
        const values = options[name] || [];
        selects[name].replaceChildren(h("option", { value: "" }, `${label}: any`),
          ...values.map((v) => h("option", { value: v, selected: v.toLowerCase() === current.toLowerCase() }, v)));
        selects[name].value = values.find((v) => v.toLowerCase() === current.toLowerCase()) || "";
      }
      version.value = model.get("version") || "";
      if (document.activeElement !== search) search.value = model.get("search") || "";
    };

    let player = null; let playingId = null;
    const play = (item, button) => {
      if (!item.preview) return;
      if (player && playingId === item.voice_id && !player.paused) { player.pause(); return; }
      if (player) { player.pause(); player.remove(); }
      // In the DOM (hidden), so that a clip started anywhere on the page pauses this preview, and vice versa.
      player = h("audio", { preload: "none", src: item.preview, style: { display: "none" } });
      root.append(player);
      playingId = item.voice_id;
      player.addEventListener("play", () => { pauseOthers(player); markPlaying(); });
      player.addEventListener("pause", markPlaying);
      player.addEventListener("ended", () => { playingId = null; markPlaying(); });
      player.play().catch(() => { playingId = null; markPlaying(); });
    };
    const markPlaying = () => {
      list.querySelectorAll(".aknb-play").forEach((b) => {
        const on = player && !player.paused && b.dataset.voiceId === playingId;
        b.classList.toggle("playing", !!on);
        b.textContent = on ? "❚❚" : "▶";
      });
    };

    const drawList = () => {
      const voices = model.get("voices") || [];
      const visible = new Set(model.get("visible") || []);
      const value = model.get("value");
      const shown = voices.filter((v) => visible.has(v.voice_id));
      count.textContent = `${shown.length} of ${voices.length}`;
      if (!shown.length) {
        list.replaceChildren(h("div", { class: "aknb-empty" }, voices.length ? "No voice matches these filters." : (model.get("status") || "No voices.")));
      } else {
        list.replaceChildren(...shown.map((item) => {
          const selected = item.voice_id === value;
          const select = () => model.send({ action: "select", voice_id: item.voice_id });
          const button = h("button", { class: "aknb-play", title: item.preview ? "Play the preview" : "No preview",
            "aria-label": `Play ${item.name}`, "data-voice-id": item.voice_id, disabled: !item.preview,
            onclick: (e) => { e.stopPropagation(); play(item, button); } }, "▶");
          const tags = [...item.age, ...item.style].slice(0, 4).map((t) => h("span", { class: "aknb-tagpill" }, t));
          return h("div", { class: "aknb-row" + (selected ? " selected" : ""), role: "option", tabindex: "0",
            "aria-selected": selected ? "true" : "false", "data-voice-id": item.voice_id, onclick: select,
            onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(); } } },
            button,
            h("div", { class: "aknb-avatar-dot", style: { background: colourOf(item.name) } }, (item.name || "?").slice(0, 1)),
            h("div", { style: { flex: "1 1 auto", minWidth: "0" } },
              h("div", { style: { display: "flex", gap: "6px", alignItems: "center" } },
                h("b", {}, item.name), h("span", { class: "aknb-tagpill" }, item.version), ...tags),
              h("div", { class: "aknb-sub" }, [item.language, item.gender, item.accent].filter(Boolean).join(" · "),
                " · ", h("span", { class: "aknb-mono" }, item.voice_id))),
            selected ? h("span", { class: "aknb-badge", style: { background: "var(--aknb-accent)" } }, "selected") : null);
        }));
      }
      chosen.textContent = value ? `Selected voice_id: ${value}` : "Click a voice to select it; ▶ plays its preview.";
      markPlaying();
    };
    const drawStatus = () => { status.textContent = model.get("status") || ""; };
    const handlers = [["change:voices change:visible change:value", drawList], ["change:options change:version change:language change:gender change:age change:style change:scenario change:search", drawFilters],
      ["change:status", drawStatus], ["change:error", drawError]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    drawFilters(); drawList(); drawStatus();
    model.set("ready", true); model.save_changes();
    return () => { for (const [ev, fn] of handlers) model.off(ev, fn); if (player) player.pause(); };
  },
};
