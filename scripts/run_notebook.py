"""Execute a notebook with nbclient and write the executed copy: python scripts/run_notebook.py IN OUT"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main(source: str, target: str) -> None:
    nb = nbformat.read(source, as_version=4)
    Path(target).parent.mkdir(parents=True, exist_ok=True)  # the kernel runs there; media lands beside it
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(target).parent)}}).execute()
    nbformat.write(nb, target)
    size = Path(target).stat().st_size
    print(f"executed {source} in {time.perf_counter() - start:.1f}s -> {target} ({size / 1024:.0f} KB)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
