#!/usr/bin/env bash
# Set everything up and run the whole test suite: unit + offline-service tests, then every notebook under nbval.
export AKOOL_NB_BROWSER_TESTS=${AKOOL_NB_BROWSER_TESTS:-1}  # setup.sh adds Chromium + JupyterLab for tests/browser
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export AKOOL_NB_OFFLINE=1 AKOOL_NB_SIM_FAST=1
.venv/bin/python -m pytest tests notebooks --nbval-lax -p no:cacheprovider -rs "$@"
# The panels under ipywidgets 7 (the widget line Colab ships): a second environment whose classic Notebook has
# the ipywidgets 7 front end (scripts/check_ipywidgets7.sh). It needs Chromium, like tests/browser.
if [ "$AKOOL_NB_BROWSER_TESTS" = 1 ] && { [ -x /usr/bin/chromium ] || [ -n "${AKOOL_NB_CHROMIUM:-}" ]; }; then
  bash scripts/check_ipywidgets7.sh "$@"
else
  echo "note: the ipywidgets 7 check was skipped (it needs Debian's chromium: apt-get install -y chromium)"
fi
