"""Peak memory of whole `wac` processes on N saved widgets: apply of N creates, a no-op plan (text and JSON) and
validate, each measured by a small fresh process that starts it (its own peak, never this benchmark's).

Run: python -m benchmarks.bench_memory [N ...]

Each N starts its own `wac emulator` process. Nothing here asserts a size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_reconcile import KEYS
from benchmarks.corpus import write_corpus
from reconciler.backends.emulator_server import emulator_process

# Runs a command, then prints its peak RSS in KiB (see bench_reconcile's `_PEAK_OF`: why a fresh process).
PEAK_OF = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,"
    " stderr=subprocess.DEVNULL); print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_mib(command: list[str], env: dict[str, str]) -> tuple[int, float]:
    """(exit status, peak RSS MiB) of `wac` with these arguments."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_OF, sys.executable, "-m", "reconciler", *command],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    status, kib = done.stdout.split()
    return int(status), int(kib) / 1024


def measure(count: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        widgets = write_corpus(Path(scratch) / "widgets", count)
        env = {**os.environ, "DD_API_KEY": KEYS.api_key, "DD_APP_KEY": KEYS.app_key}
        env["WAC_CACHE_DIR"] = str(Path(scratch) / "cache")
        with emulator_process(Path(scratch) / "emulator.sqlite3") as url:
            runs = (
                ("apply (all creates)", ["apply", "--auto-approve", str(widgets), "--site", url]),
                ("no-op plan", ["plan", str(widgets), "--site", url]),
                ("no-op plan --format json", ["plan", str(widgets), "--site", url, "--format", "json"]),
                ("validate", ["validate", str(widgets)]),
            )
            print(f"\nN = {count:,} saved widgets")
            print(f"{'command':<28}{'exit':>6}{'peak RSS MiB':>15}")
            for name, command in runs:
                status, mib = peak_mib(command, env)
                print(f"{name:<28}{status:>6}{mib:>15.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("counts", nargs="*", type=int, default=[20_000])
    for count in parser.parse_args().counts:
        measure(count)


if __name__ == "__main__":
    main()
