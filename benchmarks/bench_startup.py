"""Start-up: wall time of `wac --version`, `wac schema` and `wac validate` of this repository's examples, each a
fresh process, with compiled bytecode (as an installed package has it), best of several runs.

Run: python -m benchmarks.bench_startup [--runs N]

This environment may set PYTHONDONTWRITEBYTECODE; the benchmark compiles the package first (`compileall`) and
runs each command without that variable, so what it measures is a start from `.pyc` files. Nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import compileall
import os
import subprocess
import sys
import time
from pathlib import Path

import reconciler

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (("--version",), ("schema",), ("validate", str(ROOT / "widgets")))


def best_wall(args: tuple[str, ...], runs: int) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "reconciler", *args], env=env, capture_output=True, check=True)
        walls.append(time.perf_counter() - started)
    return min(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    compileall.compile_dir(Path(reconciler.__file__).parent, quiet=1)
    best_wall(("--version",), 1)  # the files read once into the page cache, as on any second start
    bare = _python_alone(options.runs)
    print(f"{'command':<28}{'best wall s':>12}")
    print(f"{'python -c pass (floor)':<28}{bare:>12.3f}")
    for args in COMMANDS:
        shown = "wac " + " ".join(a if not a.startswith("/") else "widgets/" for a in args)
        print(f"{shown:<28}{best_wall(args, options.runs):>12.3f}")


def _python_alone(runs: int) -> float:
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        walls.append(time.perf_counter() - started)
    return min(walls)


if __name__ == "__main__":
    main()
