#!/usr/bin/env bash
# The panels under the ipywidgets 7 front end (the widget line Colab ships), in a real Chromium: builds
# .venv-ipyw7 (classic Notebook 6 + widgetsnbextension 3 + anywidget's classic nbextension, and ipywidgets 7 in
# the kernel too: both ends must speak the same widget protocol), then runs tests/browser/test_hosts_browser.py
# there against a classic Notebook server. Those tests fail (not skip) when they cannot run. Needs Debian's
# Chromium (apt-get install -y chromium; never `playwright install`). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=${AKOOL_NB_IPYW7_VENV:-.venv-ipyw7}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
  echo '*' > "$VENV/.gitignore"  # never committed (the repository's .gitignore knows .venv/ only)
fi
# pip's output goes to a log, shown only when the install fails; skipped when this pyproject.toml and this
# script were installed already (a stamp in the venv)
STAMP="$VENV/.installed"
WANT=$(cat pyproject.toml "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  :
elif ! "$VENV/bin/python" -m pip install -e ".[faces]" "ipywidgets>=7.7,<8" "widgetsnbextension>=3.6,<4" \
    "notebook>=6.5,<7" "ipykernel>=6.29" "nbformat>=5.9" "httpx>=0.27,<1" \
    "pytest>=8" "pytest-timeout>=2.3" "playwright>=1.40" >"$VENV/pip.log" 2>&1; then
  tail -n 40 "$VENV/pip.log"
  echo "check_ipywidgets7: the ipywidgets 7 environment could not be installed (full log: $VENV/pip.log)" >&2
  exit 1
else
  echo "$WANT" > "$STAMP"
fi
"$VENV/bin/python" - <<'PY'
from importlib.metadata import version
print("ipywidgets 7 front end:", ", ".join(f"{name} {version(name)}" for name in
      ("notebook", "widgetsnbextension", "ipywidgets", "anywidget", "ipykernel")))
PY
export AKOOL_NB_OFFLINE=1 AKOOL_NB_SIM_FAST=1 AKOOL_NB_BROWSER_TESTS=1 AKOOL_NB_REQUIRE_HOSTS=classic_notebook
# the panels' Python side under ipywidgets 7, then the panels in the classic Notebook's ipywidgets 7 front end
exec "$VENV/bin/python" -m pytest tests/test_widgets.py tests/test_widgets_phase2.py tests/test_static_copy.py \
  tests/test_face_upload.py tests/browser/test_hosts_browser.py -k "not notebook7" \
  -p no:cacheprovider "$@"
