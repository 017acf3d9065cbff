"""Peak memory of whole `wac` processes on N saved widgets: apply of N creates, a no-op plan (text and JSON) and
validate, each measured by a small fresh process that starts it (its own peak, never this benchmark's).

Run: python -m benchmarks.bench_memory [N ...]

Each N starts its own `wac emulator` process. Nothing here asserts a size.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from benchmarks.bench_reconcile import KEYS
from benchmarks.corpus import write_corpus
from benchmarks.peak import wac_with_peak
from reconciler.backends.emulator_server import emulator_process


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
                ran = wac_with_peak(command, env)
                print(f"{name:<28}{ran.status:>6}{ran.peak_mib:>15.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("counts", nargs="*", type=int, default=[20_000])
    for count in parser.parse_args().counts:
        measure(count)


if __name__ == "__main__":
    main()
