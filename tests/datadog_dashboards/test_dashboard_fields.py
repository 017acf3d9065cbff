"""`reconciler/backends/datadog_dashboards/fields.py` is what Datadog's v1 OpenAPI (the copy beside these tests)
gives, and this module writes it: `python -m tests.datadog_dashboards.test_dashboard_fields > <that file>`."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from reconciler.backends.datadog_dashboards import fields
from reconciler.backends.datadog_dashboards.vocabulary import WIDGET_TYPES

SPEC = Path(__file__).parent / "openapi" / "datadog-v1-dashboards.yaml"
MODULE = Path(fields.__file__)
# Fields a create Datadog accepted in the recordings uses although the spec does not name them: the recording
# wins. `{constant: {field: why}}`, or `{"WIDGET_DEFINITIONS": {type: {field: why}}}`; none today.
RECORDED_BEYOND_SPEC: dict[str, dict[str, Any]] = {}
# Each constant of the module and the schema (in `components.schemas`) whose properties it lists.
OBJECTS = {
    "DASHBOARD": "Dashboard",
    "TEMPLATE_VARIABLE": "DashboardTemplateVariable",
    "TEMPLATE_VARIABLE_PRESET": "DashboardTemplateVariablePreset",
    "TEMPLATE_VARIABLE_PRESET_VALUE": "DashboardTemplateVariablePresetValue",
    "WIDGET": "Widget",
}


def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return spec


def _variants(schemas: Mapping[str, Any], schema: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The schema and every schema it refers to or combines (`oneOf`, `anyOf`, `allOf`), depth first."""
    if "$ref" in schema:
        yield from _variants(schemas, schemas[schema["$ref"].rsplit("/", 1)[-1]])
        return
    yield schema
    for combined in ("oneOf", "anyOf", "allOf"):
        for part in schema.get(combined, []):
            yield from _variants(schemas, part)


def _properties(schemas: Mapping[str, Any], schema: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(name for variant in _variants(schemas, schema) for name in variant.get("properties", {}))


def _types(schemas: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """The values of a widget definition's `type` enum (of each variant, for a definition with several)."""
    found = []
    for variant in _variants(schemas, schema):
        kind = variant.get("properties", {}).get("type")
        if kind is not None:
            found += [value for part in _variants(schemas, kind) for value in part.get("enum", [])]
    return found


def spec_fields(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Every constant of the module, as the spec (and the recordings) give it."""
    schemas = spec["components"]["schemas"]
    found: dict[str, Any] = {name: _properties(schemas, schemas[schema]) for name, schema in OBJECTS.items()}
    definitions: dict[str, frozenset[str]] = {}
    # Two schemas may share a type (`funnel`): a definition of that type may hold the fields of either.
    for reference in schemas["WidgetDefinition"]["oneOf"]:
        schema = schemas[reference["$ref"].rsplit("/", 1)[-1]]
        for kind in _types(schemas, schema):
            definitions[kind] = definitions.get(kind, frozenset()) | _properties(schemas, schema)
    found["WIDGET_DEFINITIONS"] = dict(sorted(definitions.items()))
    for name, extra in RECORDED_BEYOND_SPEC.items():
        if name == "WIDGET_DEFINITIONS":
            for kind, names in extra.items():
                found[name][kind] |= frozenset(names)
        else:
            found[name] |= frozenset(extra)
    return found


def _names(value: frozenset[str], prefix: str, indent: str) -> str:
    """`_names("a b c")` as ruff formats it: one line when it fits in 120 columns, else parenthesised lines."""
    text = " ".join(sorted(value))
    line = f'{indent}{prefix}_names("{text}"),'
    if len(line) <= 120:
        return line
    chunks = textwrap.wrap(text, width=120 - len(indent) - 8, break_on_hyphens=False)
    quoted = [f'"{chunk}"' if index == 0 else f'" {chunk}"' for index, chunk in enumerate(chunks)]
    body = "\n".join(f"{indent}    {chunk}" for chunk in quoted)
    return f"{indent}{prefix}_names(\n{body}\n{indent}),"


HEADER = '''\
"""The fields Datadog's Dashboards API v1 names for a dashboard body's objects, so that `wac validate` can name
a misspelt one (Datadog drops a field it does not know, so a typo would never show). Only these objects' top
levels are held to it; whatever is deeper inside a widget (requests, queries, styles, …) passes through.

Generated from Datadog's published v1 OpenAPI, `components.schemas` (each object's `properties`; for widget
definitions, every `*WidgetDefinition` of `WidgetDefinition.oneOf`, by the values of its `type` enum), from the
copy in `tests/datadog_dashboards/openapi/datadog-v1-dashboards.yaml`. Do not edit it by hand; after updating that
copy, regenerate it with

    python -m tests.datadog_dashboards.test_dashboard_fields > reconciler/backends/datadog_dashboards/fields.py

and `tests/datadog_dashboards/test_dashboard_fields.py` fails whenever the two disagree. Every create Datadog accepted
in the recordings (`tests/datadog_dashboards/cassettes`) uses only fields named here; were a recording to use one the
spec does not name, the recording would win: it would be added (in that test's `RECORDED_BEYOND_SPEC`) and
named here with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final


def _names(names: str) -> frozenset[str]:
    return frozenset(names.split())

'''


def render(spec: Mapping[str, Any]) -> str:
    """The module's source."""
    found = spec_fields(spec)
    lines = [HEADER]
    for name, schema in OBJECTS.items():
        lines.append(f"# `{schema}`")
        lines += [f"# {field}: {why}" for field, why in sorted(RECORDED_BEYOND_SPEC.get(name, {}).items())]
        lines.append(_names(found[name], f"{name}: Final = ", "").removesuffix(","))
    reasons = RECORDED_BEYOND_SPEC.get("WIDGET_DEFINITIONS", {})
    lines.append("# Each widget type's definition: the `*WidgetDefinition` schemas whose `type` enum holds it.")
    lines.append("WIDGET_DEFINITIONS: Final[Mapping[str, frozenset[str]]] = {")
    for kind, names in found["WIDGET_DEFINITIONS"].items():
        lines += [f"    # {field}: {why}" for field, why in sorted(reasons.get(kind, {}).items())]
        lines.append(_names(names, f'"{kind}": ', "    "))
    lines.append("}")
    return "\n".join(lines) + "\n"


def test_the_module_is_what_the_spec_gives() -> None:
    spec = load_spec()
    expected = spec_fields(spec)
    actual = {name: getattr(fields, name) for name in [*OBJECTS, "WIDGET_DEFINITIONS"]}
    assert actual == expected, "regenerate: python -m tests.datadog_dashboards.test_dashboard_fields > " + str(MODULE)
    # Written by `render`, not by hand (the comments and layout included).
    assert MODULE.read_text(encoding="utf-8") == render(spec)


def test_every_widget_type_has_its_definitions_fields() -> None:
    assert sorted(fields.WIDGET_DEFINITIONS) == sorted(WIDGET_TYPES)
    for kind, names in fields.WIDGET_DEFINITIONS.items():
        assert "type" in names, kind
    assert {"title", "description", "layout_type", "widgets", "template_variables"} <= fields.DASHBOARD
    assert {"definition", "id", "layout"} == fields.WIDGET


if __name__ == "__main__":
    sys.stdout.write(render(load_spec()))
