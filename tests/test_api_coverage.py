"""docs/api-coverage.md, the offline Akool's route table and the client agree on every documented endpoint."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("api_coverage", ROOT / "scripts" / "api_coverage.py")
coverage = importlib.util.module_from_spec(spec)
sys.modules["api_coverage"] = coverage
spec.loader.exec_module(coverage)



def rows():
    return [line.split("|")[1:-1] for line in coverage.DOC.read_text(encoding="utf-8").splitlines()
            if re.match(r"\| \d+ \|", line)]


def test_document_is_up_to_date():
    assert coverage.DOC.read_text(encoding="utf-8") == coverage.render(), \
        "docs/api-coverage.md is stale: run python scripts/api_coverage.py"


def test_all_62_documented_endpoints_and_the_legacy_one_are_listed():
    assert len(coverage.documented()) == 63
    assert len(rows()) == 63


def test_route_table_serves_exactly_the_documented_endpoints():
    documented = {(m, coverage._normalise(p)) for m, p, _ in coverage.documented()}
    served = {(m, coverage._normalise(p)) for m, p in coverage.offline_routes()}
    assert documented - served == set(), "documented but not served offline"
    from akool_nb.sim.evidence import UNDOCUMENTED

    extra = {(m, coverage._normalise(p)) for m, p, *_ in UNDOCUMENTED}
    assert served - documented == extra, "served offline but neither in the docs nor in sim.evidence.UNDOCUMENTED"


def test_every_deviation_from_the_docs_names_its_evidence_and_an_existing_test():
    from akool_nb.sim.evidence import DEVIATIONS, PRECHECKS, UNDOCUMENTED

    for *_, evidence, test in [*DEVIATIONS, *UNDOCUMENTED, *PRECHECKS]:
        assert evidence.split()[0] in ("docs", "demo", "observed")
        module, name = test.split("::")
        assert re.search(rf"^def {name}\(", (ROOT / "tests" / module).read_text(encoding="utf-8"), re.M), test


def test_every_endpoint_has_a_client_method_and_a_test():
    for cells in rows():
        number, method, path, _family, client, offline, tests = (c.strip() for c in cells)
        assert "**none**" not in client, f"#{number} {method} {path} has no client method"
        assert offline == "served", f"#{number} {method} {path} is not served offline"
        assert "**none**" not in tests, f"#{number} {method} {path} has no test"
