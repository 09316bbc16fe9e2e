# Sourced by the two entry scripts: a project virtualenv with the package and its extras.
# Quiet and quick on a second run: pip runs only when pyproject.toml (or the extras asked for) changed, and
# system packages are installed only when missing, after saying so.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $("$PY" --version 2>&1)"
  "$PY" -m venv .venv
fi

# pip install -e ".[EXTRAS]" unless this exact pyproject.toml was installed with these extras already.
_install_extras() {
  local extras=$1 stamp=".venv/.installed-${1//,/-}"
  local want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "setup: installing akool_nb[$extras] into .venv (pip)"
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet -e ".[$extras]" && echo "$want" > "$stamp"
}

# A Debian package, installed only when missing and only where apt-get can run (root); said before doing it.
_apt_install() {
  local package=$1 why=$2
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "note: $package is not installed ($why); install it with: sudo apt-get install -y $package"
    return 1
  fi
  echo "setup: installing the Debian package $package as root with apt-get ($why)"
  apt-get install -y -q "$package" >/dev/null 2>&1 \
    || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$package" >/dev/null 2>&1)
}

_install_extras dev
# espeak-ng gives the offline Akool real speech; without it a synthesized stand-in is used.
if ! command -v espeak-ng >/dev/null 2>&1; then
  _apt_install espeak-ng "real speech in the offline Akool" \
    || echo "note: espeak-ng not installed; the offline Akool uses its synthesized stand-in voice"
fi
# Browser tests (tests/browser, asked for by scripts/test.sh): Debian's Chromium and JupyterLab. Without them
# those tests skip and say why.
if [ "${AKOOL_NB_BROWSER_TESTS:-0}" = 1 ]; then
  if [ ! -x /usr/bin/chromium ]; then
    _apt_install chromium "the real-browser tests of the panels" \
      || echo "note: chromium not installed; the browser tests will be skipped"
  fi
  _install_extras dev,lab || echo "note: jupyterlab not installed; the browser tests will be skipped"
  # axe-core for the browser tests' accessibility scan (tests/browser/test_keyboard_browser.py), from the npm
  # registry into build/node_modules (outside the package); without it that scan skips and says why.
  if [ ! -f build/node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null 2>&1; then
    echo "setup: installing axe-core from the npm registry into build/node_modules (accessibility scan)"
    mkdir -p build
    (cd build && npm install --silent --no-audit --no-fund --no-save axe-core >/dev/null 2>&1) \
      || echo "note: axe-core not installed; the accessibility scan will be skipped"
  fi
fi
