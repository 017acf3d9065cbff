"""The dashboard lists emulator against Datadog's published OpenAPI for /api/v1/dashboard/lists/manual, by
schemathesis: every check, every phase, every operation (a copy of
`shared/reference/openapi/datadog-v1-dashboard-lists.yaml`, loosened nowhere)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.backends.emulator_server import emulator_process
from tests.budget import examples

SPEC = Path(__file__).parent / "openapi" / "datadog-v1-dashboard-lists.yaml"


@pytest.mark.slow
def test_the_dashboard_lists_emulator_conforms_to_the_published_openapi(tmp_path: Path) -> None:
    here = str(Path(sys.executable).parent)
    st = shutil.which("st", path=here) or shutil.which("st") or shutil.which("schemathesis")
    assert st is not None, "schemathesis is a test dependency (pip install -e '.[test]')"
    with emulator_process(tmp_path / "emulator.sqlite3") as url:
        run = subprocess.run(
            [
                st,
                "run",
                str(SPEC),
                "--url",
                url,
                "--header",
                "DD-API-KEY: conformance-api-key",
                "--header",
                "DD-APPLICATION-KEY: conformance-app-key",
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--mode",
                "all",
                "--max-examples",
                os.environ.get("WAC_SCHEMATHESIS_EXAMPLES", str(examples(ci=6, nightly=25))),
                "--generation-deterministic",
                "--no-shrink",
                "--continue-on-failure",
                "--workers",
                "1",
                "--request-timeout",
                "10",
            ],
            capture_output=True,
            text=True,
            timeout=240,
            cwd=tmp_path,
        )
    summary = run.stdout[run.stdout.find("SUMMARY") :]
    assert run.returncode == 0, run.stdout[-8000:]
    assert "Tested: 5" in summary, summary
