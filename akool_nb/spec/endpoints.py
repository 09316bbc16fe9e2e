"""The documented endpoints (catalog §A.6) as data: ``[method, path, family]`` rows in ``endpoints.json``.

Written from the docs by ``scripts/docs_fixtures.py``; ``scripts/api_coverage.py`` (docs/api-coverage.md) and
``tests/test_api_coverage.py`` read it, so the coverage check runs in a fresh clone.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

ENDPOINTS_FILE = Path(__file__).with_name("endpoints.json")


@lru_cache(maxsize=1)
def documented_endpoints() -> tuple[tuple[str, str, str], ...]:
    """(method, path, family) for every documented endpoint, hosts stripped, in the docs' order."""
    rows = json.loads(ENDPOINTS_FILE.read_text(encoding="utf-8"))
    return tuple((method, path, family) for method, path, family in rows)
