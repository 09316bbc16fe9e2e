"""Real-browser fixtures: notebook servers on 127.0.0.1 (private config/runtime/data/settings dirs, a notebook
dir under tmp) driven by Playwright with Debian's Chromium: JupyterLab 4 (``lab``), Notebook 7 (``notebook7``)
and the classic Notebook 6 with the ipywidgets 7 front end (``classic_notebook``, only in the environment
scripts/check_ipywidgets7.sh builds). Tests skip with the reason when Chromium, the server or Playwright is
missing (``bash scripts/test.sh`` installs them when run as root)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a notebook host (JupyterLab, Notebook) in Debian Chromium with Playwright")


def _chromium() -> str | None:
    for candidate in (os.environ.get("AKOOL_NB_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _missing(app_module: str | None = "jupyterlab", install: str = "pip install 'akool_nb[lab]'") -> str | None:
    if _chromium() is None:
        return "Debian chromium is not installed (apt-get install -y chromium); scripts/test.sh installs it as root"
    try:
        if app_module:
            __import__(app_module)
    except ImportError:
        return f"{app_module} is not installed ({install})"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright; never 'playwright install')"
    return None


def _skip(host: str | None, reason: str) -> None:
    """Skip a host that cannot run here (``None``: the browser itself), unless AKOOL_NB_REQUIRE_HOSTS names it
    (scripts/check_ipywidgets7.sh does): a check run for that host must not pass by skipping everything."""
    required = [name for name in os.environ.get("AKOOL_NB_REQUIRE_HOSTS", "").split(",") if name]
    if required and (host is None or host in required):
        pytest.fail(f"{host} is required (AKOOL_NB_REQUIRE_HOSTS) but cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _private_dirs(base: Path) -> tuple[Path, dict[str, str]]:
    """A notebook dir and an environment whose Jupyter config/runtime/data/settings dirs are all under ``base``
    (nothing from the developer's own Jupyter setup leaks in), running the offline Akool."""
    notebooks = base / "notebooks"
    notebooks.mkdir()
    settings = base / "settings"
    # Every cell stays in the DOM (no windowing), no news or update checks.
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(base / "config"), "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTER_DATA_DIR": str(base / "data"), "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
           "AKOOL_NB_OFFLINE": "1", "AKOOL_NB_SIM_FAST": "1", "AKOOL_NB_HOME": str(base / "home"),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    return notebooks, env


def _serve(tmp_path_factory, name: str, module: str, flags: list[str], root_flag: str = "--ServerApp.root_dir"):
    """Start ``python -m <module> <flags>`` on a free loopback port, serving a fresh notebook dir (``root_flag``)
    with private Jupyter dirs; yield ``{"url", "notebooks" (dir), "proc", "log"}`` once ``/api/status``
    answers, and stop it afterwards."""
    base = tmp_path_factory.mktemp(name)
    notebooks, env = _private_dirs(base)
    port = _free_port()
    log_path = base / f"{name}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([sys.executable, "-m", module, "--allow-root", "--no-browser", f"--port={port}",
                             f"{root_flag}={notebooks}", *flags],
                            cwd=notebooks, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/api/status", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"{module} did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.3)
    try:
        yield {"url": url, "notebooks": notebooks, "proc": proc, "log": log_path}
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# jupyter_server-based hosts (JupyterLab 4, Notebook 7)
def _jupyter_server_flags(app: str) -> list[str]:
    return ["--IdentityProvider.token=", "--ServerApp.password=", f"--{app}.expose_app_in_browser=True",
            "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", "--ServerApp.disable_check_xsrf=True"]


# One server per host for every browser test module (session scope); each module opens its own notebook. The
# browser has module scope: Playwright's sync API runs an event loop in this thread while it is open, so it must
# be closed before other tests (asyncio ones) run.
@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A running JupyterLab 4: ``{"url", "notebooks" (dir), "proc", "log"}``."""
    reason = _missing()
    if reason:
        _skip("lab", reason)
    yield from _serve(tmp_path_factory, "lab", "jupyterlab",
                      [*_jupyter_server_flags("LabApp"), "--LabApp.news_url=None"])


@pytest.fixture(scope="session")
def notebook7(tmp_path_factory):
    """A running Notebook 7 (the JupyterLab-based ``notebook`` package), like :func:`lab`."""
    reason = _missing("notebook", "pip install 'akool_nb[lab]'")
    if not reason and not _version("notebook").startswith("7."):
        reason = f"notebook {_version('notebook')} is installed, not Notebook 7 (pip install 'notebook>=7,<8')"
    if reason:
        _skip("notebook7", reason)
    yield from _serve(tmp_path_factory, "notebook7", "notebook", _jupyter_server_flags("JupyterNotebookApp"))


@pytest.fixture(scope="session")
def classic_notebook(tmp_path_factory):
    """A running classic Notebook 6 with the ipywidgets 7 front end (widgetsnbextension 3, anywidget's
    nbextension): the widget line Colab ships. Only in the environment scripts/check_ipywidgets7.sh builds."""
    reason = _missing("notebook", "scripts/check_ipywidgets7.sh builds an environment with it")
    if not reason:
        versions = {name: _version(name) for name in ("notebook", "ipywidgets", "widgetsnbextension")}
        if not (versions["notebook"].startswith("6.") and versions["ipywidgets"].startswith("7.")
                and versions["widgetsnbextension"].startswith("3.")):
            reason = (f"the ipywidgets 7 front end needs notebook 6, ipywidgets 7 and widgetsnbextension 3 "
                      f"(installed: {versions}); bash scripts/check_ipywidgets7.sh runs these tests with them")
    if reason:
        _skip("classic_notebook", reason)
    yield from _serve(tmp_path_factory, "classic", "notebook", [
        "--NotebookApp.token=", "--NotebookApp.password=", "--NotebookApp.ip=127.0.0.1",
        "--NotebookApp.port_retries=0", "--NotebookApp.disable_check_xsrf=True"], root_flag="--NotebookApp.notebook_dir")


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return ""


@pytest.fixture(scope="module")
def browser():
    reason = _missing(None)
    if reason:
        _skip(None, reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def write_notebook(path: Path, cells: list[str]) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(src) for src in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def wait_for_file(path: Path, predicate=lambda data: True, timeout: float = 30.0):
    """Poll a JSON file the kernel writes; return its content once ``predicate`` accepts it."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if path.is_file():
            try:
                last = json.loads(path.read_text())
            except ValueError:
                last = None
            try:
                accepted = last is not None and predicate(last)
            except (KeyError, IndexError, TypeError):  # another shape (e.g. an earlier test's file): not yet
                accepted = False
            if accepted:
                return last
        time.sleep(0.1)
    raise AssertionError(f"{path.name} did not reach the expected state in {timeout}s; last: {last!r}")


_KERNEL_CONNECTED = ("window.jupyterapp && window.jupyterapp.shell.currentWidget && "
                     "window.jupyterapp.shell.currentWidget.sessionContext && "
                     "window.jupyterapp.shell.currentWidget.sessionContext.session && "
                     "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel && "
                     "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.connectionStatus === 'connected'")

# How each host is driven: the page of a notebook, when its kernel is connected (and, in the classic UI, the
# widget manager is there to receive the widgets), what to do before running cells, and how to run them.
HOSTS = {
    "lab": {
        "shot": "lab",
        # a workspace of its own: JupyterLab restores a workspace's open tabs, and another module's notebook
        # must not become the current one (run-all-cells runs there)
        "url": "/lab/workspaces/{stem}/tree/{name}",
        "loaded": ".jp-Notebook .jp-Cell",
        "connected": _KERNEL_CONNECTED,
        "settle": "window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight()",
        "run_all": "window.jupyterapp.commands.execute('notebook:run-all-cells')",
    },
    "notebook7": {
        "shot": "nb7",
        "url": "/notebooks/{name}",
        "loaded": ".jp-Notebook .jp-Cell",
        "connected": _KERNEL_CONNECTED,
        "settle": None,
        "run_all": "window.jupyterapp.commands.execute('notebook:run-all-cells')",
    },
    "classic_notebook": {
        "shot": "ipyw7",
        "url": "/notebooks/{name}",
        "loaded": "#notebook-container .cell",
        "connected": "window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && "
                     "Jupyter.notebook.kernel.is_connected() && Jupyter.notebook.kernel.widget_manager",
        # The ipywidgets 7 manager first asks the kernel for its live widgets, then re-renders every widget
        # output on the page; a view made in between is removed and its output emptied (any widget, even an
        # IntSlider). Its requests are answered in order, so the same request made now ends after the first.
        "settle": "Jupyter.notebook.kernel.widget_manager._loadFromKernel().then(() => new Promise(r => setTimeout(r)))",
        "run_all": "Jupyter.notebook.execute_all_cells()",
    },
}


def open_notebook(server, browser, name: str, cells: list[str], ready: list[str], *, host: str = "lab",
                  viewport=(1600, 1500)):
    """Write ``name`` with ``cells``, open it in ``host`` (a key of HOSTS) served by ``server``, run every cell
    and wait for each ``ready`` selector. Returns the page (``page.errors`` collects JavaScript errors with their
    stacks, ``page.host`` names the host for screenshots) and its context."""
    how = HOSTS[host]
    write_notebook(server["notebooks"] / name, cells)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{exc.message}\n{exc.stack or ''}"))
    page.goto(server["url"] + how["url"].format(name=name, stem=Path(name).stem))
    page.wait_for_selector(how["loaded"], timeout=60_000)
    page.wait_for_function(how["connected"], timeout=60_000)
    if how["settle"]:
        page.evaluate(how["settle"])
    page.evaluate(how["run_all"])
    for selector in ready:
        page.wait_for_selector(selector, timeout=90_000)
    page.errors = errors
    page.host = how["shot"]
    return page, context


# -- what the test modules share ---------------------------------------------------------------------------
# The first cell of every test notebook: ``dump(name)`` makes an observe callback that writes the new value to a
# JSON file, which the tests read with ``wait_for_file``. Modules add their own imports after it.
PREAMBLE = """import json
from pathlib import Path
import akool_nb as ak

def dump(name):
    return lambda change: Path(name).write_text(json.dumps(change["new"], default=str))

client = ak.connect(fast=True)
"""


def shot(page, selector, name: str) -> None:
    """Screenshot of the first match of ``selector`` (or a locator) to build/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    node = (page.locator(selector) if isinstance(selector, str) else selector).first
    node.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    node.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def drag(page, locator, dx: float, dy: float, steps: int = 10) -> None:
    """Press on the centre of ``locator`` and move the mouse by (dx, dy) screen pixels in ``steps`` moves."""
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, steps + 1):
        page.mouse.move(x + dx * step / steps, y + dy * step / steps)
    page.mouse.up()


def avatar_of(payload: dict) -> dict:
    """The avatar element of a talking-avatar payload."""
    return next(e for e in payload["elements"] if e["type"] == "avatar")


def click_face(panel, index: int, out: Path, picture_width: int) -> dict:
    """Click face ``index`` in a FacePanel; wait until the kernel's selection (written to ``out`` as
    {"selected", "regions"}) is that face, and check that the clicked hit area lies on the face's box in real
    picture pixels. Returns what the kernel wrote."""
    hit = panel.locator(f".aknb-face-hit[data-face='{index}']")
    hit.scroll_into_view_if_needed()
    img = panel.locator("img.aknb-face-img").bounding_box()
    box = hit.bounding_box()
    per_px = picture_width / img["width"]
    hit.click()
    faces = wait_for_file(out, lambda v: v["selected"] == [index])
    x, y, w, _ = faces["regions"][0]
    assert (box["x"] - img["x"]) * per_px == pytest.approx(x, abs=2)
    assert (box["y"] - img["y"]) * per_px == pytest.approx(y, abs=2)
    assert box["width"] * per_px == pytest.approx(w, abs=2)
    panel.locator(f".aknb-face-hit.selected[data-face='{index}']").wait_for()
    return faces


# -- keyboard and accessibility --------------------------------------------------------------------------
AXE = ROOT / "build" / "node_modules" / "axe-core" / "axe.min.js"  # scripts/setup.sh: npm install axe-core


def cell_types(page) -> list[str]:
    """The notebook's cells, as their types in order (what a key that reached the notebook would change)."""
    return page.evaluate("window.jupyterapp.shell.currentWidget.content.widgets.map(w => w.model.type)")


def set_theme(page, theme: str) -> None:
    """Switch JupyterLab / Notebook 7 to "JupyterLab Light" or "JupyterLab Dark"."""
    page.evaluate(f"window.jupyterapp.commands.execute('apputils:change-theme', {{theme: '{theme}'}})")
    page.wait_for_function(f"document.body.dataset.jpThemeName === '{theme}'", timeout=20_000)
    page.wait_for_timeout(500)


def axe_scan(page, selector: str = ".aknb") -> list[dict]:
    """axe-core's violations inside every element matching ``selector``: [{id, impact, help, nodes: [html…]}]."""
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed ({AXE} missing): cd build && npm install axe-core")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (selector) => {
        const include = [...document.querySelectorAll(selector)].filter(n => !n.parentElement.closest(selector))
          .filter(n => n.offsetParent !== null).map(n => { n.dataset.axeScan = n.dataset.axeScan || Math.random().toString(36).slice(2); return `[data-axe-scan="${n.dataset.axeScan}"]`; });
        if (!include.length) return [];
        const result = await axe.run({ include: include.map(s => [s]) }, { resultTypes: ["violations"] });
        return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 4).map(n => n.html.slice(0, 160) + " :: " + (n.failureSummary || "").slice(0, 200)) }));
    }""", selector)
