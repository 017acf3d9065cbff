"""Powerpack manifests checked offline: unknown fields are located errors, the body is carried as written, and a
dashboard's powerpack widget may name a powerpack by reference."""

from __future__ import annotations

from pathlib import Path

import yaml

from reconciler.backends.datadog_dashboards.schema import DashboardManifest
from reconciler.backends.datadog_powerpacks.backend import DatadogPowerpacks
from reconciler.backends.datadog_powerpacks.marker import claims_from
from reconciler.backends.datadog_powerpacks.schema import PowerpackManifest
from reconciler.core.references import token
from tests.commands.helpers import make_workspace
from tests.datadog_powerpacks.test_reconcile import EXAMPLE


def _validate(tmp_path: Path, text: str) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    repo = make_workspace(tmp_path, "http://127.0.0.1:9", copy_examples=False)
    repo.widgets.mkdir()
    (repo.widgets / "pack.yaml").write_text(text)
    result = repo.wac("validate")
    assert "Traceback" not in result.output
    return result.output if result.exit_code else ""


def test_the_example_is_valid_and_round_trips_its_body(tmp_path: Path) -> None:
    assert _validate(tmp_path, EXAMPLE.read_text()) == ""
    document = yaml.safe_load(EXAMPLE.read_text())
    desired = PowerpackManifest.model_validate(document).desired("pack.yaml")
    assert desired.content == {"powerpack": document["powerpack"] | {"tags": ["team:sre"]}}
    assert DatadogPowerpacks.normalise(None, desired.content) == desired.content  # type: ignore[arg-type]


def test_unknown_fields_are_located_errors(tmp_path: Path) -> None:
    text = EXAMPLE.read_text()
    assert "pack.yaml:37:1: unknown field 'colour'" in _validate(tmp_path / "a", text + "colour: red\n")
    typo = text.replace("  description:", "  descripton:")
    assert "pack.yaml:9:3: powerpack.descripton is not a field" in _validate(tmp_path / "b", typo)
    inner = text.replace("      show_title: true", "      show_titel: true")
    assert "powerpack.group_widget.definition.show_titel is not a field" in _validate(tmp_path / "c", inner)
    group = text.replace("      type: group", "      type: group1")
    assert "powerpack.group_widget.definition.type 'group1' is not allowed" in _validate(tmp_path / "d", group)
    marker = text.replace("[team:sre]", "[wac-owner:someone]")
    assert "is reserved: wac sets its wac-owner" in _validate(tmp_path / "e", marker)


def test_marker_tags_exact_or_a_conflict() -> None:
    exact = claims_from(["team:sre", "wac-owner:a", "wac-id:x", "wac-applied:0a"])
    assert exact.owned_as("a", "x") and exact.applied == "0a"
    for edited in (["wac-owner:a", "wac-id:x"], ["WAC-Owner:a", "wac-owner:a", "wac-id:x", "wac-applied:0a"]):
        claims = claims_from(edited)
        assert claims.conflicted and not claims.owned_as("a", "x")
    assert claims_from(["team:sre"]).unowned


def test_a_dashboard_powerpack_widget_takes_a_reference() -> None:
    reference = token("datadog/powerpack", "latency-pack")
    widget = {"definition": {"type": "powerpack", "powerpack_id": reference, "title": "Latency"}}
    dashboard = {"title": "Checkout", "layout_type": "ordered", "widgets": [widget]}
    manifest = DashboardManifest.model_validate({"kind": "datadog/dashboard", "id": "checkout", "dashboard": dashboard})
    content = manifest.desired("d.yaml").content["dashboard"]
    assert content["widgets"][0]["definition"]["powerpack_id"] == reference
