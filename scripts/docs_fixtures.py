"""Write (or --check) the docs facts the repository keeps, from the vendor docs catalog beside the checkout.

* ``akool_nb/spec/endpoints.json``: the documented endpoints (catalog §A.6): method, path, family.
* ``tests/fixtures/docs_examples.json``: the docs' example request bodies the contract tests send, by catalog
  heading (``"#### B.5.2"``).
The tests and ``scripts/api_coverage.py`` read only these files, so a fresh clone runs every test; this script
is how they are refreshed when the docs change. Run: python scripts/docs_fixtures.py [--check]
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT.parent / "shared" / "akool-docs" / "catalog.md"
ENDPOINTS = ROOT / "akool_nb" / "spec" / "endpoints.json"
EXAMPLES = ROOT / "tests" / "fixtures" / "docs_examples.json"
LEGACY_HOSTS = ("https://sg3.akool.com", "https://openapi.akool.com")


def endpoints(text: str) -> list[list[str]]:
    section = text[text.index("### A.6"):text.index("## B.")]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[1] not in ("GET", "POST", "DELETE"):
            continue
        path = re.sub(r"`|\s*\[SUPPLEMENT[^\]]*\]", "", cells[2]).strip()
        for host in LEGACY_HOSTS:
            path = path.replace(host, "")
        rows.append([cells[1], path, cells[3]])
    return rows


def used_headings() -> list[str]:
    found = set()
    for test in (ROOT / "tests").glob("*.py"):
        found |= set(re.findall(r'"(#### B\.[0-9.]+)"', test.read_text(encoding="utf-8")))
    return sorted(found, key=lambda h: [int(n) for n in h.split("B.")[1].split(".") if n])


def example(text: str, heading: str) -> dict:
    start = text.find(heading)
    assert start >= 0, f"no heading {heading!r} in the catalog"
    block = re.search(r"```json\n(.*?)\n```", text[start:], re.S)
    assert block, f"no JSON example after {heading!r}"
    return json.loads(block.group(1))


def render() -> dict[Path, str]:
    text = CATALOG.read_text(encoding="utf-8")
    dump = lambda data: json.dumps(data, indent=1, ensure_ascii=False) + "\n"  # noqa: E731
    return {ENDPOINTS: dump(endpoints(text)), EXAMPLES: dump({h: example(text, h) for h in used_headings()})}


def main(argv: list[str]) -> int:
    if not CATALOG.is_file():
        print(f"the docs catalog is not at {CATALOG}; nothing to refresh", file=sys.stderr)
        return 2
    stale = []
    for path, content in render().items():
        if "--check" in argv:
            if not path.is_file() or path.read_text(encoding="utf-8") != content:
                stale.append(path.relative_to(ROOT).as_posix())
        else:
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("stale (run python scripts/docs_fixtures.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
