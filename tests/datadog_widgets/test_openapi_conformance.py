"""The emulator against Datadog's published OpenAPI for /api/v2/widgets, by schemathesis: every check, every phase.

The spec (a copy of `shared/reference/openapi/datadog-v2-widgets.yaml`, extracted from Datadog's
own client generator) is loosened nowhere; where Datadog's documentation is stricter than its
schema, the schema is tightened to the documented behaviour by one quirk below, each with why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.backends.emulator_server import emulator_process
from tests.budget import examples

SPEC = Path(__file__).parent / "openapi" / "datadog-v2-widgets.yaml"
SEARCH = ("paths", "/api/v2/widgets/{experience_type}", "get", "parameters")

# Each quirk: where in the spec, what the documentation says beyond the schema.
QUIRKS: list[tuple[tuple[str, ...], str, dict[str, Any], str]] = [
    (
        SEARCH,
        "sort",
        {
            "enum": [
                "title",
                "-title",
                "created_at",
                "-created_at",
                "modified_at",
                "-modified_at",
                "is_favorited",
                "-is_favorited",
            ]
        },
        # The schema types `sort` as any string, but its description lists the supported fields;
        # the emulator answers 400 for others, as the docs' "Supported fields" implies.
        "sort takes only the documented fields",
    ),
    (
        SEARCH,
        "page[size]",
        {"minimum": 1},
        # The schema gives page[size] a maximum (100) but no minimum; a page of zero or fewer
        # widgets cannot be served, and the emulator answers 400 as for any other bad size.
        "page[size] is at least 1",
    ),
]


def _spec_with_quirks(out: Path) -> Path:
    spec = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)
    for path, name, schema_update, _why in QUIRKS:
        node: Any = spec
        for key in path:
            node = node[key]
        (parameter,) = [p for p in node if p.get("name") == name]
        parameter["schema"].update(schema_update)
    # JSON: written and read by schemathesis faster than YAML.
    target = out / "widgets-with-quirks.json"
    target.write_text(json.dumps(spec))
    return target


@pytest.mark.slow
def test_the_emulator_conforms_to_the_published_openapi(tmp_path: Path) -> None:
    # Beside this interpreter first: the virtual environment need not be on PATH.
    here = str(Path(sys.executable).parent)
    st = shutil.which("st", path=here) or shutil.which("st") or shutil.which("schemathesis")
    assert st is not None, "schemathesis is a test dependency (pip install -e '.[test]')"
    spec = _spec_with_quirks(tmp_path)
    with emulator_process(tmp_path / "emulator.sqlite3") as url:
        run = subprocess.run(
            [
                st,
                "run",
                str(spec),
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
                # One worker: schemathesis' coverage phase is not thread-safe on CPython 3.11.
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
