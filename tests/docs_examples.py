"""The example request bodies of the vendor docs, read from ../shared/akool-docs/catalog.md (catalog §B)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

CATALOG = Path(__file__).resolve().parents[2] / "shared" / "akool-docs" / "catalog.md"


def example(heading: str) -> dict:
    """The first ```json block after the catalog heading that starts with ``heading`` (e.g. "#### B.5.2")."""
    if not CATALOG.is_file():
        pytest.skip(f"the docs catalog is not at {CATALOG}")
    text = CATALOG.read_text(encoding="utf-8")
    start = text.find(heading)
    assert start >= 0, f"no heading {heading!r} in the catalog"
    block = re.search(r"```json\n(.*?)\n```", text[start:], re.S)
    assert block, f"no JSON example after {heading!r}"
    return json.loads(block.group(1))
