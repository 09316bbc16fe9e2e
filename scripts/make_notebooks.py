"""Write every tutorial notebook from scripts/notebooks/NN_name.py (each defines CELLS = [("md"|"code", src)]).
Notebooks are kept without outputs, so they stay small in git. Run: python scripts/make_notebooks.py"""
from __future__ import annotations

import runpy
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent
OUT = ROOT.parent / "notebooks"


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells])
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:02d}"  # stable ids: regenerating a notebook changes nothing in git
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for source in sorted((ROOT / "notebooks").glob("[0-9]*.py")):
        target = OUT / f"{source.stem}.ipynb"
        nbformat.write(build(runpy.run_path(str(source))["CELLS"]), target)
        print("wrote", target)
