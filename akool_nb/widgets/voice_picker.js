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
      simBadge(model, "Offline Akool: simulated voices"),
      count, h("span", { class: "aknb-grow" }), status));
    root.append(errBox);

    const setFilter = (name, value) => { model.set(name, value); model.save_changes(); };
    const version = h("select", { "aria-label": "API version", "data-filter": "version", onchange: (e) => setFilter("version", e.target.value) },
      h("option", { value: "" }, "v4 + v3"), h("option", { value: "v4" }, "VoiceLab (v4)"), h("option", { value: "v3" }, "v3"));
    const selects = {};
    for (const [name, label] of FILTERS) selects[name] = h("select", { "aria-label": label, "data-filter": name,
      onchange: (e) => setFilter(name, e.target.value) });
    let timer = null;
    const search = h("input", { type: "search", placeholder: "Search by name…", "aria-label": "Search voices",
      oninput: (e) => { clearTimeout(timer); timer = setTimeout(() => setFilter("search", e.target.value), 180); } });
    root.append(h("div", { class: "aknb-bar" }, search, version, ...FILTERS.map(([n]) => selects[n])));
    // the filters in force, each clearable, and "Clear all"
    const active = h("div", { class: "aknb-bar aknb-active-filters", "aria-label": "Filters in force" });
    root.append(active);
    const list = h("div", { class: "aknb-list", role: "listbox", "aria-label": "Voices (Enter selects, P plays the preview)" });
    const chosen = h("div", { class: "aknb-sub", style: { marginTop: "8px" } });
    root.append(list, chosen);

    // A filter shows what it filters by, also a value that is not among the voices' own (language="en")
    const drawFilters = () => {
      const options = model.get("options") || {};
      const labels = model.get("option_labels") || {};
      const chips = [];
      for (const [name, label] of FILTERS) {
        const current = model.get(name) || "";
        const values = [...(options[name] || [])];
        let match = values.find((v) => v.toLowerCase() === current.toLowerCase());
        if (current && !match) { values.unshift(current); match = current; }
        const text = (v) => labels[`${name}:${v}`] || v;
        selects[name].replaceChildren(h("option", { value: "" }, `${label}: any`),
          ...values.map((v) => h("option", { value: v }, `${label}: ${text(v)}`)));
        selects[name].value = match || "";
        selects[name].classList.toggle("on", !!current);
        if (current) chips.push([name, `${label}: ${text(match)}`]);
      }
      const v = model.get("version") || "";
      version.value = v;
      version.classList.toggle("on", !!v);
      if (v) chips.push(["version", v === "v4" ? "VoiceLab (v4) only" : "v3 only"]);
      const q = model.get("search") || "";
      if (document.activeElement !== search) search.value = q;
      if (q) chips.push(["search", `Name: “${q}”`]);
      active.replaceChildren(...(chips.length ? [h("span", { class: "aknb-sub" }, "Filtered by"),
        ...chips.map(([name, text]) => h("button", { class: "aknb-chip on", "data-clear": name, "aria-label": `Clear the filter ${text}`,
          onclick: () => setFilter(name, "") }, text, " ✕")),
        h("button", { class: "aknb-btn small", "data-clear": "all", onclick: () => model.send({ action: "clear_filters" }) }, "Clear all")] : []));
      active.style.display = chips.length ? "" : "none";
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
        list.replaceChildren(h("div", { class: "aknb-empty", role: "option", "aria-disabled": "true", "aria-selected": "false" }, voices.length ? "No voice matches these filters." : (model.get("status") || "No voices.")));
      } else {
        list.replaceChildren(...shown.map((item) => {
          const selected = item.voice_id === value;
          const select = () => model.send({ action: "select", voice_id: item.voice_id });
          const button = h("span", { class: "aknb-play" + (item.preview ? "" : " off"), title: item.preview ? "Play the preview (P)" : "No preview",
            "aria-hidden": "true", "data-voice-id": item.voice_id,
            onclick: (e) => { e.stopPropagation(); play(item, button); } }, "▶");
          const tags = [...item.age, ...item.style].slice(0, 4).map((t) => h("span", { class: "aknb-tagpill" }, t));
          const describe = [item.language, item.gender, item.accent].filter(Boolean).join(", ");
          return h("div", { class: "aknb-row" + (selected ? " selected" : ""), role: "option", tabindex: "-1",
            "aria-selected": selected ? "true" : "false", "data-voice-id": item.voice_id, "data-key": item.voice_id, onclick: select,
            "aria-label": `${item.name}${describe ? ", " + describe : ""}${item.preview ? " (P plays the preview)" : ""}` },
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
      const picked = voices.find((v) => v.voice_id === value);
      chosen.replaceChildren(...(value ? ["Selected: ", h("b", {}, picked ? picked.name : value), " · voice_id ", h("span", { class: "aknb-mono" }, value)]
        : ["Click a voice (or Enter) to select it; ▶ (or P) plays its preview."]));
      markPlaying();
      syncList();
    };
    const syncList = roving(list, {
      onActivate: (item) => model.send({ action: "select", voice_id: item.dataset.key }),
      onKey: (e, item) => {
        if ((e.key === "p" || e.key === "P") && !e.ctrlKey && !e.metaKey) {
          const voice = (model.get("voices") || []).find((v) => v.voice_id === item.dataset.key);
          if (voice) play(voice, item.querySelector(".aknb-play"));
          return true;
        }
        return false;
      } });
    const drawStatus = () => { status.textContent = model.get("status") || ""; };
    const handlers = [["change:voices change:visible change:value", drawList], ["change:options change:option_labels change:version change:language change:gender change:age change:style change:scenario change:search", drawFilters],
      ["change:status", drawStatus], ["change:error", drawError]];
    for (const [ev, fn] of handlers) model.on(ev, fn);
    drawFilters(); drawList(); drawStatus();
    model.set("ready", true); model.save_changes();
    return () => { for (const [ev, fn] of handlers) model.off(ev, fn); if (player) player.pause(); };
  },
};
