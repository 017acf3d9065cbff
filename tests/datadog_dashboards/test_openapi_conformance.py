"""The dashboards emulator against Datadog's published OpenAPI for /api/v1/dashboard (dashboards,
shares and invitations), by schemathesis.

The spec (a copy of `shared/reference/openapi/datadog-v1-dashboards.yaml`) is loosened nowhere; where
its own descriptions and the recorded exchanges are stricter than its schemas, the schema is tightened
by one quirk below, each with why. Dashboard lists (`/api/v1/dashboard/lists/manual`) are another API
and are not emulated.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.backends.emulator_server import emulator_process
from tests.budget import examples

SPEC = Path(__file__).parent / "openapi" / "datadog-v1-dashboards.yaml"

# Each quirk: a schema under components/schemas, what the documentation or the recordings say beyond
# it, and why.
QUIRKS: list[tuple[tuple[str, ...], dict[str, Any], str]] = [
    (
        ("DashboardTemplateVariable",),
        {"not": {"required": ["default", "defaults"]}},
        # Both descriptions say "cannot be used in conjunction"; the recorded create with both is a 400.
        "default and defaults are never sent together",
    ),
    (
        ("DashboardTemplateVariablePresetValue",),
        {"not": {"required": ["value", "values"]}},
        # Same for a preset's value and values (recorded as a 400 too).
        "value and values are never sent together",
    ),
    *(
        (
            (schema, "properties", "share_list", "items"),
            {"format": "email"},
            # Typed as any string, described as "Email address that can receive an invitation".
            "a share list holds email addresses",
        )
        for schema in ("SharedDashboard", "SharedDashboardUpdateRequest")
    ),
]


def _spec_with_quirks(out: Path, whole_catalogue: bool = True) -> Path:
    """The spec with the quirks; without `whole_catalogue`, widget definitions are only the types the
    operations' own examples use (the CI budget: the other types' property examples cost ~25 s of CPU per
    operation to extract, and the nightly run and the recorded exchanges cover them)."""
    out.joinpath("dashboards-with-quirks.json").write_text(_quirked_spec_text(whole_catalogue))
    return out / "dashboards-with-quirks.json"


@functools.cache
def _quirked_spec_text(whole_catalogue: bool) -> str:
    # JSON, once per worker: reading and writing the spec as YAML cost ~0.6 s of CPU a run, and schemathesis
    # reads JSON faster too.
    spec = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)
    for path, constraint, _why in QUIRKS:
        node: Any = spec["components"]["schemas"]
        for key in path:
            node = node[key]
        node.update(constraint)
    if not whole_catalogue:
        used = _example_widget_types(spec)
        definitions = spec["components"]["schemas"]["WidgetDefinition"]
        definitions["oneOf"] = [d for d in definitions["oneOf"] if _widget_type(d["$ref"]) in used]
    return json.dumps(spec)


def _example_widget_types(spec: dict[str, Any]) -> set[str]:
    """Every widget type the request examples of the spec's operations name."""
    found: set[str] = set()
    for operations in spec["paths"].values():
        for operation in operations.values():
            body = operation.get("requestBody", {}) if isinstance(operation, dict) else {}
            for example in body.get("content", {}).get("application/json", {}).get("examples", {}).values():
                found |= {w["definition"]["type"].replace("_", "") for w in example.get("value", {}).get("widgets", [])}
    return found


def _widget_type(ref: str) -> str:
    """`#/…/QueryValueWidgetDefinition` is the definition of type `query_value`: the name without underscores."""
    return ref.rsplit("/", 1)[1].removesuffix("WidgetDefinition").lower()


def _schemathesis(spec: Path, url: str, cwd: Path, *options: str) -> subprocess.CompletedProcess[str]:
    here = str(Path(sys.executable).parent)
    st = shutil.which("st", path=here) or shutil.which("st") or shutil.which("schemathesis")
    assert st is not None, "schemathesis is a test dependency (pip install -e '.[test]')"
    return subprocess.run(
        [
            st, "run", str(spec), "--url", url,
            "--header", "DD-API-KEY: conformance-api-key", "--header", "DD-APPLICATION-KEY: conformance-app-key",
            "--checks", "all", "--mode", "all", "--generation-deterministic", "--no-shrink",
            "--continue-on-failure", "--workers", "1", "--request-timeout", "10",
            "--exclude-path-regex", "/lists/",
            *options,
        ],
        capture_output=True, text=True, timeout=240, cwd=cwd,
    )  # fmt: skip


# Each run, by the operations it covers. The dashboard bodies of create and update are the whole widget
# catalogue: schemathesis spends ~25 s of CPU extracting their property examples, so each is a test of its
# own, which the workers spread. Shares and invitations (small bodies) also go through coverage and fuzzing;
# generating dashboard bodies at random takes minutes, and the recorded exchanges judge those instead.
RUNS: dict[str, tuple[str, ...]] = {
    "create": ("--phases", "examples", "--include-operation-id", "CreateDashboard"),
    "update": ("--phases", "examples", "--include-operation-id", "UpdateDashboard"),
    "other-dashboard-operations": (
        "--phases", "examples", "--exclude-operation-id", "CreateDashboard", "--exclude-operation-id",
        "UpdateDashboard",
    ),
    "shares-and-invitations": (
        "--phases", "examples,coverage,fuzzing", "--max-examples", str(examples(ci=3, nightly=20)),
        "--include-path-regex", "/public",
    ),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("run", sorted(RUNS))
def test_the_dashboards_emulator_conforms_to_the_published_openapi(tmp_path: Path, run: str) -> None:
    """Every operation and every check, within the CI budget: widget definitions of the examples' types."""
    _conforms(tmp_path, run, whole_catalogue=False)


@pytest.mark.nightly
@pytest.mark.parametrize("run", ["create", "update"])
def test_create_and_update_conform_with_the_whole_widget_catalogue(tmp_path: Path, run: str) -> None:
    _conforms(tmp_path, run, whole_catalogue=True)


def _conforms(tmp_path: Path, run: str, whole_catalogue: bool) -> None:
    spec = _spec_with_quirks(tmp_path, whole_catalogue)
    with emulator_process(tmp_path / "emulator.sqlite3") as url:
        result = _schemathesis(spec, url, tmp_path, *RUNS[run])
    summary = result.stdout[result.stdout.find("SUMMARY") :]
    assert result.returncode == 0, result.stdout[-8000:]
    assert "Tested:" in summary, summary
