#!/usr/bin/env bash
# Set everything up and run the quickstart notebook against the offline Akool.
# The executed notebook is left at build/01_quickstart.ipynb (and its media next to it).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export AKOOL_NB_OFFLINE=1
.venv/bin/python scripts/run_notebook.py notebooks/01_quickstart.ipynb build/01_quickstart.ipynb
if [ "${1:-}" = "--lab" ]; then
  .venv/bin/python -m pip install --quiet -e ".[lab]"
  exec .venv/bin/jupyter lab notebooks/
fi
