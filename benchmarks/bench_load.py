"""Load + validate N manifests against the floor of only parsing the same YAML files.

Run: python -m benchmarks.bench_load [N]
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from ruamel.yaml import YAML

from benchmarks.corpus import write_corpus
from reconciler.manifests.loading import load_manifests


def cpu_seconds(action: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        action()
        best = min(best, time.process_time() - started)
    return best


def parse_all(files: list[Path], yaml: Callable[[], YAML]) -> int:
    count = 0
    for file in files:
        count += sum(1 for _ in yaml().load_all(io.StringIO(file.read_text())))
    return count


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_corpus(Path(tmp) / "widgets", count)
        files = sorted(root.rglob("*.yaml"))
        loaded = load_manifests([root])
        assert not loaded.problems and len(loaded.manifests) == count
        ours = cpu_seconds(lambda: load_manifests([root]))
        libyaml_floor = cpu_seconds(
            lambda: [list(yaml.load_all(f.read_text(), Loader=yaml.CSafeLoader)) for f in files]
        )
        round_trip = cpu_seconds(lambda: parse_all(files, lambda: YAML()), repeat=1)
    print(f"manifests: {count:,} in {len(files):,} files (CPU seconds, best of runs)")
    print(f"{'step':<44}{'seconds':>10}{'ratio':>10}")
    rows = [
        ("floor: bare safe parse (libyaml, no checks)", libyaml_floor),
        ("ruamel.yaml round-trip parse (no checks)", round_trip),
        ("wac: load + validate (located errors)", ours),
    ]
    for name, seconds in rows:
        print(f"{name:<44}{seconds:>10.3f}{seconds / libyaml_floor:>9.2f}x")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000, help="how many (default 10,000)")
    main(parser.parse_args().count)
