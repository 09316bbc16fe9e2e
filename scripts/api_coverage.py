"""Build docs/api-coverage.md: every documented method+path → client method → offline status → tests.

Sources, so the table cannot drift from the code:
* the documented endpoints: ``akool_nb/spec/endpoints.json`` (catalog §A.6 as data: scripts/docs_fixtures.py);
* client methods: the ``APIRequest("METHOD", "/path")`` calls inside each ``akool_nb/resources`` method;
* offline status: the offline Akool's route table (``akool_nb.sim.api.route_modules()``);
* tests: test functions that call the client method.
``tests/test_api_coverage.py`` fails when the document, the route table or the client disagree.
Run: python scripts/api_coverage.py [--check]
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "api-coverage.md"


def documented() -> list[tuple[str, str, str]]:
    """(method, path, family) of each documented endpoint (catalog §A.6, kept as data in akool_nb/spec)."""
    from akool_nb.spec.endpoints import documented_endpoints

    return list(documented_endpoints())


def offline_routes() -> set[tuple[str, str]]:
    from akool_nb.sim.api import route_modules

    routes = set()
    for module in route_modules():
        routes |= {(m, p) for m, p, _h, _auth in module.ROUTES}
    return routes


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{_id}", path)


def client_methods() -> dict[tuple[str, str], list[str]]:
    """(method, path) → ["client.family.method", ...] from the resource modules' source."""
    found: dict[tuple[str, str], list[str]] = {}
    client_attrs = _client_attributes()
    for source in sorted((ROOT / "akool_nb" / "resources").glob("[a-z]*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            attr = client_attrs.get((source.stem, cls.name))
            if attr is None:
                continue
            methods = {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}
            for fn in (n for n in methods.values() if not n.name.startswith("_")):
                # a public method's own requests and those of the private helpers it calls (self._steps(...))
                helpers = [methods[a.attr] for a in ast.walk(fn) if isinstance(a, ast.Attribute)
                           and a.attr in methods and a.attr.startswith("_")]
                for call in (n for body in (fn, *helpers) for n in ast.walk(body) if isinstance(n, ast.Call)):
                    name = getattr(call.func, "id", getattr(call.func, "attr", ""))
                    if name != "APIRequest" or len(call.args) < 2:
                        continue
                    method, path = call.args[0], call.args[1]
                    if not isinstance(method, ast.Constant):
                        continue
                    path_text = _path_text(path)
                    if path_text:
                        key = (method.value, _normalise(path_text))
                        found.setdefault(key, []).append(f"client.{attr}.{fn.name}")
    # Result endpoints polled by jobs (Product rows in jobs.py and the resource modules).
    for source in [ROOT / "akool_nb" / "jobs.py", *sorted((ROOT / "akool_nb" / "resources").glob("[a-z]*.py"))]:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            if getattr(call.func, "id", getattr(call.func, "attr", "")) != "Product" or len(call.args) < 4:
                continue
            product = call.args[0].value if isinstance(call.args[0], ast.Constant) else "?"
            for inner in (n for n in ast.walk(call) if isinstance(n, ast.Call)):
                if getattr(inner.func, "id", "") == "APIRequest" and len(inner.args) >= 2:
                    path_text = _path_text(inner.args[1])
                    if path_text and isinstance(inner.args[0], ast.Constant):
                        key = (inner.args[0].value, _normalise(path_text))
                        found.setdefault(key, []).append(f"Job.wait/refresh ({product})")
            for keyword in call.keywords:  # a status_request given by name, e.g. _video_info
                if keyword.arg is None:
                    continue
    for fn in (n for n in ast.walk(ast.parse((ROOT / "akool_nb" / "jobs.py").read_text(encoding="utf-8")))
               if isinstance(n, ast.FunctionDef)):
        for inner in (n for n in ast.walk(fn) if isinstance(n, ast.Call)):
            if getattr(inner.func, "id", "") == "APIRequest" and len(inner.args) >= 2:
                path_text = _path_text(inner.args[1])
                if path_text:
                    found.setdefault((inner.args[0].value, _normalise(path_text)), []).append(
                        "Job.wait/refresh (video products)")
    found.setdefault(("POST", "/api/open/v3/getToken"), []).append("Akool(client_id=..., client_secret=...)")
    return found


def _path_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{_id}" for v in node.values)
    return None


def _client_attributes() -> dict[tuple[str, str], str]:
    """(module, class) → attribute name on the client, read from the resource properties (akool_nb/_resources.py)."""
    text = (ROOT / "akool_nb" / "_resources.py").read_text(encoding="utf-8")
    found = re.findall(r"^    def (\w+)\(self\) -> (\w+):\n        from \.resources\.(\w+) import \2$", text, re.M)
    return {(m, c): a for a, c, m in found}


def tests_calling(methods: list[str]) -> list[str]:
    patterns = []
    for m in methods:
        if m.startswith("Job."):
            patterns.append(r"\.wait\(|\.refresh\(|wait_all\(")
        elif m.startswith("Akool("):
            patterns.append(r"Akool\(client_id=")
        else:
            patterns.append(r"\." + re.escape(m.split(".", 1)[1]) + r"\(")
    names = []
    for test_file in sorted((ROOT / "tests").rglob("test_*.py")):
        text = test_file.read_text(encoding="utf-8")
        for fn in re.finditer(r"^(?:async )?def (test_\w+)\(.*?(?=^(?:async )?def |\Z)", text, re.M | re.S):
            body = fn.group(0)
            if any(re.search(p, body) for p in patterns):
                names.append(f"{test_file.relative_to(ROOT / 'tests').as_posix()}::{fn.group(1)}")
    return names


def render() -> str:
    rows = documented()
    offline = offline_routes()
    clients = client_methods()
    lines = [
        "# API coverage",
        "",
        "Generated by `python scripts/api_coverage.py` from catalog §A.6, the client's resource modules and the",
        "offline Akool's route table; `tests/test_api_coverage.py` fails when they disagree. Legacy `/detect`",
        "is documented on `https://sg3.akool.com`; the offline Akool serves it at `/detect`.",
        "",
        "| # | Method | Path | Family | Client method | Offline | Tests |",
        "|---|---|---|---|---|---|---|",
    ]
    for index, (method, path, family) in enumerate(rows, 1):
        key = (method, _normalise(path))
        methods = sorted(set(clients.get(key, [])))
        served = "served" if any((m, _normalise(p)) == key for m, p in offline) else "**missing**"
        tests = tests_calling(methods) if methods else []
        shown = ", ".join(f"`{t}`" for t in tests[:3]) + (f" (+{len(tests) - 3})" if len(tests) > 3 else "")
        lines.append(f"| {index} | {method} | `{path}` | {family} | "
                     f"{', '.join(f'`{m}`' for m in methods) or '**none**'} | {served} | {shown or '**none**'} |")
    return "\n".join(lines + _real_service_section()) + "\n"


def _real_service_section() -> list[str]:
    """The deviations from the docs' letter and the undocumented endpoints (``akool_nb.sim.evidence``)."""
    from akool_nb.sim.evidence import DEVIATIONS, PRECHECKS, UNDOCUMENTED

    lines = ["", "## Where the offline Akool follows the real service rather than the docs' letter", "",
             "Evidence: *docs* (the docs contradict themselves or are silent; the reading shown), *demo* (Akool's "
             "own demo apps read or send it against the real service), *observed* (real programs written against "
             "the real service rely on it). The client accepts every variant listed. To check the offline Akool "
             "against the real service with your key: `python -m akool_nb.conformance` (free reads; "
             "`--save tests/conformance` keeps the answer shapes the tests then hold it to).", "",
             "| Endpoint | The docs' letter | The offline Akool | Evidence | Test |", "|---|---|---|---|---|"]
    lines += [f"| {e} | {docs} | {ours} | {ev} | `{t}` |" for e, docs, ours, ev, t in DEVIATIONS]
    lines += ["", "### Undocumented endpoints served (Akool's demos call them)", "",
              "| Method | Path | What | Evidence | Test |", "|---|---|---|---|---|"]
    lines += [f"| {m} | `{p}` | {what} | {ev} | `{t}` |" for m, p, what, ev, t in UNDOCUMENTED]
    lines += ["", "### Free pre-checks (`check=True`)", "",
              "A paid create called with `check=True` first looks these ids up in the free lists (each list "
              "fetched once per client a minute, looked at afresh before a refusal) and refuses an unknown one "
              "with close matches, before anything is uploaded or sent; the offline Akool refuses them too.", "",
              "| Client call | Argument | Looked up in | Evidence | Test |", "|---|---|---|---|---|"]
    lines += [f"| {c} | {a} | {where} | {ev} | `{t}` |" for c, a, where, ev, t in PRECHECKS]
    return lines


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if DOC.is_file() and DOC.read_text(encoding="utf-8") == text else 1)
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC} ({text.count(chr(10)) - 8} endpoints)")
