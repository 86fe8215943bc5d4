"""Run every benchmark script in this folder, one after the other.

Usage: ``python -m benchmarks [NAME ...]`` where NAME is e.g. ``store`` for
``bench_store.py``. Each script prints its own figures and in-run baseline.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> None:
    """Run the named benchmarks (all of them when ``names`` is empty)."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names]
    for script in scripts:
        print(f"=== {script.stem} ===", flush=True)
        runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
