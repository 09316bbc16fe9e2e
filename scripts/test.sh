#!/usr/bin/env bash
# Set everything up and run the whole test suite: unit + offline-service tests, then every notebook under nbval.
export AKOOL_NB_BROWSER_TESTS=${AKOOL_NB_BROWSER_TESTS:-1}  # setup.sh adds Chromium + JupyterLab for tests/browser
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export AKOOL_NB_OFFLINE=1 AKOOL_NB_SIM_FAST=1
.venv/bin/python -m pytest tests notebooks --nbval-lax -p no:cacheprovider "$@"
