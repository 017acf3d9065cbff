"""One `wac` process run with its own peak memory: started from a small fresh process, since a child forked
from a benchmark (hundreds of MiB by then) counts the parent's pages until it execs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Runs the command with its output passed through, then prints its peak RSS in KiB on a line of its own.
_PEAK_OF = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); sys.stdout.flush();"
    " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)"
)


@dataclass(frozen=True)
class Ran:
    status: int
    stdout: str
    stderr: str
    peak_mib: float


def wac_with_peak(args: Sequence[str], env: Mapping[str, str], cwd: Path | None = None) -> Ran:
    """`python -m reconciler ARGS`: its exit status, output and peak RSS in MiB."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_OF, sys.executable, "-m", "reconciler", *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
    )
    output, _, peak = done.stdout.rstrip("\n").rpartition("\n")
    return Ran(done.returncode, output, done.stderr, int(peak) / 1024)
