"""Every paid create endpoint is known to the journal (its entries are named by product), and the finders
only compare fields the docs show in list answers."""
from __future__ import annotations

import re
from pathlib import Path

from akool_nb._journal.finders import CREATES, FINDERS
from akool_nb.jobs import PRODUCTS

RESOURCES = Path(__file__).resolve().parents[1] / "akool_nb" / "resources"
PAID = re.compile(r'APIRequest\(\s*"POST",\s*"([^"]+)"[^)]*paid=True', re.S)
# What the docs (catalog §B) show in each list's records; a finder may compare only these.
DOCUMENTED = {
    "/api/open/v4/voice/tts": {"input_text", "webhookUrl"},
    "/api/open/v4/voice/change": {"webhookUrl"},
    "/api/open/v4/voice/clone": {"name", "voice_model_name", "webhookUrl", "style", "scenario", "age"},
    "/api/open/v3/avatar/create": {"avatar_id", "name"},
    "/api/open/v4/knowledge/create": {"name", "prompt", "prologue"},
    "/api/open/v4/liveAvatar/session/create": {"stream_type"},
}


def test_every_paid_create_endpoint_maps_to_a_product_or_kind():
    list(PRODUCTS)  # import every family
    paid = {m for f in RESOURCES.glob("*.py") for m in PAID.findall(f.read_text())}
    assert paid and not paid - set(CREATES), sorted(paid - set(CREATES))


def test_finders_compare_only_documented_list_fields():
    list(PRODUCTS)
    assert set(FINDERS) == set(DOCUMENTED)
    for path, finder in FINDERS.items():
        used = {f.record or f.body.rsplit(".", 1)[-1] for f in finder.fields}
        assert used <= DOCUMENTED[path], (path, used - DOCUMENTED[path])
