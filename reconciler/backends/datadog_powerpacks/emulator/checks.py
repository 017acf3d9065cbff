"""A powerpack body checked as Datadog checks it; the sentences are the recorded ones where recorded."""

from __future__ import annotations

from typing import Any, Final

from reconciler.backends.datadog_powerpacks.vocabulary import LIVE_SPANS, MAX_TAGS

REQUIRED: Final = ("group_widget", "name")


def _missing(names: list[str]) -> str:
    # Datadog's input validation speaks marshmallow: a Python dict of field errors.
    fields = ", ".join(f"'{name}': ['Missing data for required field.']" for name in names)
    return f"API input validation failed: {{{fields}}}"


def _group_type(value: Any) -> str:
    # Recorded word for word: the group widget is checked by a JSON Schema, whose error Python formats.
    return (
        f"Invalid group widget for powerpack. Error: {value!r} is not one of ['group']\n\n"
        "Failed validating 'enum' in schema['properties']['type']:\n    {'enum': ['group']}\n\n"
        f"On instance['type']:\n    {value!r}."
    )


def _group_errors(group: Any) -> list[str]:
    definition = group.get("definition") if isinstance(group, dict) else None
    if not isinstance(definition, dict):
        return ["Invalid group widget for powerpack. Error: 'definition' is a required property"]
    if definition.get("type") != "group":
        return [_group_type(definition.get("type"))]
    if definition.get("layout_type") != "ordered":
        layout = definition.get("layout_type")
        return [f"Invalid group widget for powerpack. Error: {layout!r} is not one of ['ordered']"]
    widgets = definition.get("widgets")
    if not isinstance(widgets, list) or not all(isinstance(w, dict) and isinstance(w.get("definition"), dict)
                                                 for w in widgets):  # fmt: skip
        return ["Invalid group widget for powerpack. Error: 'widgets' must be a list of widgets with a definition"]
    if group.get("live_span") not in (None, *LIVE_SPANS):
        return [f"Invalid group widget for powerpack. Error: {group.get('live_span')!r} is not a valid live span"]
    return []


def _attribute_errors(attributes: dict[str, Any]) -> list[str]:
    if "name" in attributes and not isinstance(attributes["name"], str):
        return ["API input validation failed: {'name': ['Not a valid string.']}"]
    if not isinstance(attributes.get("description", ""), str | None):
        return ["API input validation failed: {'description': ['Not a valid string.']}"]
    tags = attributes.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return ["API input validation failed: {'tags': ['Not a valid list.']}"]
    if len(tags) > MAX_TAGS:
        return [f"API input validation failed: {{'tags': ['Longer than maximum length {MAX_TAGS}.']}}"]
    variables = attributes.get("template_variables", [])
    if not isinstance(variables, list) or not all(isinstance(v, dict) and isinstance(v.get("name"), str)
                                                   for v in variables):  # fmt: skip
        return ["API input validation failed: {'template_variables': ['Invalid input type.']}"]
    return _group_errors(attributes["group_widget"]) if "group_widget" in attributes else []


def powerpack_errors(body: Any, creating: bool) -> list[str]:
    """Why Datadog would refuse `body` (400), or an empty list; an update may leave attributes out."""
    data = body.get("data") if isinstance(body, dict) else None
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict):
        return ["API input validation failed: {'data': ['Missing data for required field.']}"]
    missing = [name for name in REQUIRED if name not in attributes] if creating else []
    if missing:
        return [_missing(missing)]
    return _attribute_errors(attributes)
