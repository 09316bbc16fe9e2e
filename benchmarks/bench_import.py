"""Import time of ``akool_nb`` against ``import httpx, pydantic``, measured in the same run.

Each figure is the median of fresh interpreters (alternating, so machine noise hits both). Aim: ratio ≤ 1.1
(issue 13), and none of moviepy, numpy, ipywidgets, Pillow or the offline service's server stack imported.
``import akool_nb`` loads the error classes only; the client loads on first use, so the first ``ak.Akool``
access is measured too (what a notebook's first cell really pays).
Run: python benchmarks/bench_import.py [rounds]
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys

PROBE = """
import json, sys, time
t = time.perf_counter()
{stmt}
elapsed = time.perf_counter() - t
heavy = [m for m in ("moviepy", "numpy", "ipywidgets", "PIL", "starlette", "uvicorn", "Crypto") if m in sys.modules]
print(json.dumps({{"s": elapsed, "heavy": heavy}}))
"""

CASES = {
    "baseline: import httpx, pydantic": "import httpx, pydantic",
    "import akool_nb": "import akool_nb",
    "akool_nb + first client (ak.Akool)": "import akool_nb; akool_nb.Akool",
    "akool_nb + first model use": "import akool_nb; import akool_nb.models.voices, akool_nb.models.video",
}


def measure(stmt: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(stmt=stmt)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(rounds: int = 15) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    heavy: dict[str, list[str]] = {}
    for _ in range(rounds):
        for name, stmt in CASES.items():
            result = measure(stmt)
            samples[name].append(result["s"])
            heavy[name] = result["heavy"]
    medians = {name: statistics.median(values) for name, values in samples.items()}
    base = medians["baseline: import httpx, pydantic"]
    print(f"import time, median of {rounds} fresh interpreters")
    for name, value in medians.items():
        print(f"  {name:38s} {value * 1000:7.1f} ms   ratio {value / base:4.2f}   heavy modules: {heavy[name] or 'none'}")
    ratio = medians["import akool_nb"] / base
    first = medians["akool_nb + first client (ak.Akool)"] / base
    print(f"RESULT import_ratio={ratio:.2f} (aim <= 1.1) first_client_ratio={first:.2f}")
    return medians


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
