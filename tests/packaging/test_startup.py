"""Start-up pays only for what a command uses: `wac --version` imports no command, no model, no HTTP stack."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("deepdiff", "pydantic", "httpx", "ruamel.yaml", "yaml", "asyncio", "reconciler.cli.apply")
PROBE = f"""
import sys
sys.argv = ["wac", "--version"]
from reconciler.entry import run
try:
    run()
except SystemExit:
    pass
print(",".join(m for m in {HEAVY!r} if m in sys.modules))
"""


def test_the_version_imports_nothing_heavy() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60)
    version, loaded = done.stdout.splitlines()
    assert version.startswith("wac, version ") and loaded == "", f"imported for --version: {loaded}"


def test_one_command_imports_only_itself() -> None:
    probe = PROBE.replace('"--version"', '"validate", "--help"').replace("reconciler.cli.apply", "reconciler.cli.pull")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert "reconciler.cli.pull" not in done.stdout.splitlines()[-1]
