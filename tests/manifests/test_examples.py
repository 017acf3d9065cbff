"""The example manifests in widgets/ are valid, cover every widget type, and match the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from reconciler.backends.datadog_widgets.schema import Manifest
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES, WIDGET_TYPES
from reconciler.backends.registry import manifests_json_schema
from reconciler.cli import main
from reconciler.manifests.documents import parse_documents
from reconciler.manifests.loading import load_manifests
from reconciler.manifests.templates import editor_schema
from reconciler.scaffold import template

WIDGETS = Path(__file__).resolve().parents[2] / "widgets"
SCHEMA = editor_schema(manifests_json_schema())


def example_documents() -> list[dict]:
    documents = []
    for path in sorted(WIDGETS.rglob("*.yaml")):
        parsed, problems = parse_documents(path.read_text())
        assert problems == []
        documents += [d.data for d in parsed]
    return documents


def test_examples_are_valid() -> None:
    result = load_manifests([WIDGETS])
    assert result.problems == ()
    widgets = [m.manifest for m in result.manifests if isinstance(m.manifest, Manifest)]
    assert {w.definition.type for w in widgets} == set(WIDGET_TYPES)
    assert {w.experience_type for w in widgets} == set(EXPERIENCE_TYPES)
    kinds = {m.manifest.kind for m in result.manifests}
    every = {"datadog/widget", "spaceone/custom-widget", "datadog/dashboard", "datadog/powerpack"}
    every |= {"datadog/dashboard-list"}
    assert kinds == every, "an example of every kind"


def test_committed_schema_is_current() -> None:
    committed = json.loads((WIDGETS / "manifest.schema.json").read_text())
    assert committed == SCHEMA, "run: wac schema > widgets/manifest.schema.json"
    shipped = json.loads(template("manifest.schema.json"))
    assert shipped == SCHEMA, (
        "regenerate reconciler/scaffold/templates/manifest.schema.json from the models (what `wac schema` prints)"
    )


def test_wac_schema_prints_the_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == SCHEMA


@pytest.mark.parametrize("document", example_documents(), ids=lambda d: str(d.get("id", "fragment")))
def test_schema_accepts_every_example(document: dict) -> None:
    jsonschema.validate(document, SCHEMA)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["definition"].pop("style"),
        lambda d: d["definition"].update(type="pie"),
        lambda d: d["definition"].update(title="x" * 101),
        lambda d: d.update(experience_type="dashboards"),
        lambda d: d.update(unknown=1),
        lambda d: d.pop("id"),
    ],
    ids=["geomap-without-style", "unknown-type", "long-title", "bad-experience-type", "unknown-field", "no-id"],
)
def test_schema_rejects_what_validation_rejects(change: object) -> None:
    geomap = next(d for d in example_documents() if d.get("definition", {}).get("type") == "geomap")
    change(geomap)  # type: ignore[operator]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(geomap, SCHEMA)
