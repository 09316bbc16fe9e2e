# Sourced by the two entry scripts: a project virtualenv with the package and its extras.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet -e ".[dev]"
# espeak-ng gives the offline Akool real speech; without it a synthesized stand-in is used.
if ! command -v espeak-ng >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -y -q espeak-ng >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q espeak-ng >/dev/null 2>&1)) \
    || echo "note: espeak-ng not installed; the offline Akool uses its synthesized stand-in voice"
fi
# Browser tests (tests/browser, asked for by scripts/test.sh): Debian's Chromium and JupyterLab. Without them
# those tests skip and say why.
if [ "${AKOOL_NB_BROWSER_TESTS:-0}" = 1 ]; then
  if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
      || echo "note: chromium not installed; the browser tests will be skipped"
  fi
  .venv/bin/python -m pip install --quiet -e ".[dev,lab]" || echo "note: jupyterlab not installed; the browser tests will be skipped"
  # axe-core for the browser tests' accessibility scan (tests/browser/test_keyboard_browser.py), from the npm
  # registry into build/node_modules (outside the package); without it that scan skips and says why.
  if [ ! -f build/node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null 2>&1; then
    mkdir -p build
    (cd build && npm install --silent --no-audit --no-fund --no-save axe-core >/dev/null 2>&1) \
      || echo "note: axe-core not installed; the accessibility scan will be skipped"
  fi
fi
