"""The CampaignTable front end in Chromium (no notebook server): its ES module rendered with a minimal model,
updated the way the kernel updates it; rows are patched in place and only the synced rows are drawn."""
from __future__ import annotations

import json

import pytest

from .conftest import CHROMIUM_ARGS, _chromium

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html><body><div id="out"></div><script type="module">
const listeners = {};
const state = %s;
const model = {
  get: (k) => state[k], set: (k, v) => { state[k] = v; }, send: () => {}, save_changes: () => {},
  on: (ev, fn) => { (listeners[ev] = listeners[ev] || []).push(fn); }, off: () => {},
};
window.update = (patch) => { Object.assign(state, patch); for (const k of Object.keys(patch)) (listeners["change:" + k] || []).forEach((f) => f()); };
const url = URL.createObjectURL(new Blob([%s], { type: "text/javascript" }));
const mod = await import(url);
await mod.default.render({ model, el: document.getElementById("out") });
window.ready = true;
</script></body></html>"""


def test_the_table_draws_counts_rows_and_errors_and_patches_in_place():
    if _chromium() is None:
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    from akool_nb.widgets._base import esm

    state = {"name": "welcome", "total": 100, "counts": {"done": 1}, "note": "", "finished": False, "error": {},
             "offline": True, "show_badge": True, "_static_copies": [], "ready": False, "status": "",
             "rows": [{"row": "r1", "status": "running", "thumbnail": "", "error": ""}]}
    html = PAGE % (json.dumps(state), json.dumps(esm("campaign_table.js")))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_content(html)
        page.wait_for_function("window.ready === true", timeout=10_000)
        assert "1 done of 100 rows" in page.inner_text(".aknb-summary")
        page.evaluate("document.querySelector('tbody tr').marked = true")  # the same node after updates?
        page.evaluate("""update({counts: {done: 2, failed: 1}, rows: [
            {row: "r2", status: "failed", thumbnail: "", error: "Akool refused it: fix the text"},
            {row: "r1", status: "done", thumbnail: "", error: ""}]})""")
        assert page.inner_text('tr[data-row="r2"]').count("Akool refused it") == 1
        assert page.evaluate("[...document.querySelectorAll('tbody tr')].find((r) => r.dataset.row === 'r1').marked")
        assert page.inner_text('tr[data-row="r1"] .aknb-badge') == "done"
        order = page.evaluate("[...document.querySelectorAll('tbody tr')].map((r) => r.dataset.row)")
        assert order == ["r2", "r1"]
        page.evaluate("update({rows: [{row: 'r1', status: 'done', thumbnail: '', error: ''}], finished: true})")
        assert page.evaluate("document.querySelectorAll('tbody tr').length") == 1
        assert "(run ended)" in page.inner_text(".aknb-summary")
        browser.close()
    assert not errors, errors
