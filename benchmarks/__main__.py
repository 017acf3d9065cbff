"""Every benchmark, one after another, with the parameters the README's figures come from: `python -m benchmarks`.

It prints the machine first (what the ratios were measured on), then each benchmark's own table. Nothing here
asserts a time; see benchmarks/README.md for what each measures, its floor and its peer.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys

RUNS: tuple[tuple[str, ...], ...] = (
    ("bench_startup",),
    ("bench_load", "10000"),
    ("bench_templates", "1000"),
    ("bench_reconcile", "1000", "10000"),
    ("bench_memory", "20000"),
    ("bench_dashboards", "1000", "--rate-limit", "100000"),
    ("bench_dashboards", "1000", "--rate-limit", "1000"),
    ("bench_spaceone", "2000"),
    ("bench_references",),
    ("bench_emulators",),
)


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model or platform.processor() or 'unknown'}), Python {platform.python_version()}"


def main() -> None:
    print(f"machine: {machine()}", flush=True)
    for name, *args in RUNS:
        print(f"\n$ python -m benchmarks.{name} {' '.join(args)}", flush=True)
        subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *args], check=True)


if __name__ == "__main__":
    main()
