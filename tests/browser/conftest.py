"""Real-browser fixtures: JupyterLab on 127.0.0.1 (private config/runtime/data/settings dirs, a notebook dir
under tmp) driven by Playwright with Debian's Chromium. Tests skip with the reason when Chromium,
JupyterLab or Playwright is missing (``bash scripts/test.sh`` installs them when run as root)."""
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
    config.addinivalue_line("markers", "browser: drives JupyterLab in Debian Chromium with Playwright")


def _chromium() -> str | None:
    for candidate in (os.environ.get("AKOOL_NB_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _missing() -> str | None:
    if _chromium() is None:
        return "Debian chromium is not installed (apt-get install -y chromium); scripts/test.sh installs it as root"
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        return "jupyterlab is not installed (pip install 'akool_nb[lab]')"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright; never 'playwright install')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# One JupyterLab for every browser test module (session scope); each module opens its own notebook. The
# browser has module scope: Playwright's sync API runs an event loop in this thread while it is open, so it must
# be closed before other tests (asyncio ones) run.
@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A running JupyterLab: ``{"url", "notebooks" (dir), "proc"}``."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("lab")
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
    port = _free_port()
    log = open(base / "lab.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser", "--IdentityProvider.token=",
         "--ServerApp.password=", "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
         "--ServerApp.ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
         f"--ServerApp.root_dir={notebooks}", "--ServerApp.disable_check_xsrf=True"],
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
            pytest.fail(f"JupyterLab did not start: {(base / 'lab.log').read_text()[-2000:]}")
        time.sleep(0.3)
    yield {"url": url, "notebooks": notebooks, "proc": proc, "log": base / "lab.log"}
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser(lab):
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
            if last is not None and predicate(last):
                return last
        time.sleep(0.1)
    raise AssertionError(f"{path.name} did not reach the expected state in {timeout}s; last: {last!r}")


def open_notebook(lab, browser, name: str, cells: list[str], ready: list[str], *, viewport=(1600, 1500)):
    """Write ``name`` with ``cells``, open it in JupyterLab, run every cell and wait for each ``ready`` selector.
    Returns the page (``page.errors`` collects JavaScript errors) and its context."""
    write_notebook(lab["notebooks"] / name, cells)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # a workspace of its own: JupyterLab restores a workspace's open tabs, and another module's notebook must
    # not become the current one (run-all-cells runs there)
    page.goto(f"{lab['url']}/lab/workspaces/{Path(name).stem}/tree/{name}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget && "
                           "window.jupyterapp.shell.currentWidget.sessionContext && "
                           "window.jupyterapp.shell.currentWidget.sessionContext.session && "
                           "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel && "
                           "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.connectionStatus === 'connected'",
                           timeout=60_000)
    page.evaluate("window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight()")
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    for selector in ready:
        page.wait_for_selector(selector, timeout=90_000)
    page.errors = errors
    return page, context
