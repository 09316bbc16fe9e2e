"""The example request bodies of the vendor docs (catalog §B), kept in the repository as a JSON fixture.

``tests/fixtures/docs_examples.json`` maps a catalog heading (``"#### B.5.2"``) to its example body; it is
written from the docs by ``scripts/docs_fixtures.py`` (``--check`` compares it with the docs when they are
beside the checkout), so a fresh clone runs every contract test.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "docs_examples.json"


@lru_cache(maxsize=1)
def _examples() -> dict[str, dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def example(heading: str) -> dict:
    """The docs' example body after the catalog heading ``heading`` (e.g. "#### B.5.2"); a fresh copy."""
    examples = _examples()
    assert heading in examples, f"no example for {heading!r} in {FIXTURE.name}: run python scripts/docs_fixtures.py"
    return copy.deepcopy(examples[heading])
