"""The package's layout rules, checked on the source: the offline Akool is a leaf, its API modules carry the
client's family names, and files stay small enough to read in one sitting."""
from __future__ import annotations

import ast
from pathlib import Path

import akool_nb

PACKAGE = Path(akool_nb.__file__).parent
SIM = PACKAGE / "sim"
# The only modules outside sim/ that may import the offline Akool: connect() starts it, the conformance
# check compares a service's answers with it.
MAY_IMPORT_SIM = {"akool_nb/_connect.py"}
MAY_IMPORT_SIM_UNDER = ("akool_nb/conformance/",)
MAX_LINES = 400


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path, source: str | None = None) -> list[str]:
    """Every module an ``import`` / ``from ... import`` in ``path`` names (relative ones resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.append(module)
            names += [f"{module}.{a.name}" for a in node.names]  # "from akool_nb import sim"
    return names


def _imports_sim(path: Path, source: str | None = None) -> list[str]:
    return [m for m in _imported_modules(path, source) if m == "akool_nb.sim" or m.startswith("akool_nb.sim.")]


def _outside_sim() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if SIM not in p.parents]


def test_nothing_outside_sim_imports_the_offline_akool():
    offenders = {}
    for path in _outside_sim():
        rel = _rel(path)
        if rel in MAY_IMPORT_SIM or rel.startswith(MAY_IMPORT_SIM_UNDER):
            continue
        found = _imports_sim(path)
        if found:
            offenders[rel] = found
    assert offenders == {}, "import what client and service share from akool_nb.media, not akool_nb.sim"


def test_the_import_check_sees_relative_and_absolute_imports():
    source = ("from ..sim.media import LABEL\nimport akool_nb.sim.app\nfrom akool_nb import sim\n"
              "from ..media import layout\ndef f():\n    from .sim import start\n")
    assert _imports_sim(PACKAGE / "widgets" / "probe.py", source) == [  # as if it were akool_nb/widgets/probe.py
        "akool_nb.sim.media", "akool_nb.sim.media.LABEL", "akool_nb.sim.app", "akool_nb.sim"]
    assert _imports_sim(PACKAGE / "probe.py", source)[-2:] == ["akool_nb.sim", "akool_nb.sim.start"]


def test_the_allowed_importers_exist():
    # If connect() or the conformance check stop using the offline Akool, this allowance should go too.
    assert _imports_sim(PACKAGE / "_connect.py")
    assert any(_imports_sim(p) for p in (PACKAGE / "conformance").rglob("*.py"))


def test_each_sim_api_module_is_named_after_a_client_family():
    families = {p.stem for p in (PACKAGE / "resources").glob("*.py") if not p.stem.startswith("_")}
    api = {p.stem for p in (SIM / "api").glob("*.py") if not p.stem.startswith("_")}
    assert api, "sim/api/ holds one module per client family"
    assert api - families == set(), "name each sim/api module exactly as its akool_nb/resources/ family"
    from akool_nb.sim.api import route_modules

    routed = {m.__name__.rsplit(".", 1)[1] for m in route_modules()}
    assert api <= routed, "every family module has ROUTES"
    assert not list(SIM.glob("routes_*.py")), "routes live in sim/api/<family>.py"


def test_no_module_patches_another_modules_hooks_at_import():
    for path in sorted((SIM / "api").glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                # module.NAME[...] = ... or module.NAME = ... at top level: registration must be a call
                assert not isinstance(target, (ast.Subscript, ast.Attribute)), (_rel(path), node.lineno)


def test_no_source_file_is_long_without_a_reason():
    long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + (not text.endswith("\n"))
        if lines <= MAX_LINES:
            continue
        doc = ast.get_docstring(ast.parse(text)) or ""
        if not any(line.strip().startswith("Long because:") for line in doc.splitlines()):
            long[_rel(path)] = lines
    assert long == {}, f"split these or say why in the module docstring ('Long because: ...'): {long}"
