"""A dashboard body checked as Datadog checks it; the sentences are the recorded ones where recorded."""

from __future__ import annotations

from typing import Any

from reconciler.backends.datadog_dashboards.vocabulary import LAYOUT_TYPES, MAX_TAGS, TEAM_TAG, WIDGET_TYPES


def dashboard_errors(body: Any) -> list[str]:
    """Why Datadog would refuse `body` (400), or an empty list."""
    if not isinstance(body, dict):
        return ["Invalid dashboard: the body must be a JSON object"]
    for check in (_tags, _template_variables, _presets, _required, _widgets):
        errors = check(body)
        if errors:
            return errors
    return []


def _tags(body: dict[str, Any]) -> list[str]:
    tags = body.get("tags")
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(t, str) and TEAM_TAG.fullmatch(t) for t in tags):
        return ["Invalid tag format. Valid tag keys are: team."]
    if len(tags) > MAX_TAGS:
        return [f"A dashboard can have at most {MAX_TAGS} tags."]
    return []


def _template_variables(body: dict[str, Any]) -> list[str]:
    variables = body.get("template_variables")
    if variables is None:
        return []
    if not isinstance(variables, list) or not all(isinstance(v, dict) for v in variables):
        return ["'template_variables' is invalid"]
    for variable in variables:
        if "default" in variable and "defaults" in variable:
            return ["'template_variables' is invalid"]
        defaults = variable.get("defaults", [])
        if isinstance(defaults, list) and any(isinstance(d, str) and not d for d in defaults):
            return ["Minimum length of parameter 'defaults' should be 1"]
    return []


def _presets(body: dict[str, Any]) -> list[str]:
    presets = body.get("template_variable_presets")
    if presets is None:
        return []
    if not isinstance(presets, list):
        return ["'template_variable_presets' is invalid"]
    for preset in presets:
        for variable in preset.get("template_variables", []) if isinstance(preset, dict) else []:
            if not isinstance(variable, dict):
                return ["'template_variables' is invalid"]
            if "value" in variable and "values" in variable:
                # Datadog quotes the entry as Python writes a dict.
                return [f"'template_variables' value '{variable!r}' is invalid"]
            if variable.get("values") == []:
                return ["Minimum number of elements in parameter 'values' should be 1"]
    return []


def _required(body: dict[str, Any]) -> list[str]:
    for name in ("title", "layout_type", "widgets"):
        if name not in body or body[name] is None:
            return [f"'{name}' is a required property"]
    if not isinstance(body["title"], str):
        return ["'title' must be a string"]
    if body["layout_type"] not in LAYOUT_TYPES:
        return [f"'layout_type' must be one of {', '.join(LAYOUT_TYPES)}"]
    if not isinstance(body["widgets"], list):
        return ["'widgets' must be a list"]
    if "reflow_type" in body and body["layout_type"] != "ordered":
        return ["'reflow_type' should only be used with an 'ordered' layout_type"]
    if body.get("reflow_type") not in (None, "auto", "fixed"):
        return ["'reflow_type' must be one of auto, fixed"]
    return []


def _widgets(body: dict[str, Any]) -> list[str]:
    def check(widgets: list[Any], where: str) -> list[str]:
        for index, widget in enumerate(widgets):
            definition = widget.get("definition") if isinstance(widget, dict) else None
            if not isinstance(definition, dict):
                return [f"'{where}[{index}].definition' is a required property"]
            kind = definition.get("type")
            if kind not in WIDGET_TYPES:
                return [f"'{where}[{index}].definition.type' value '{kind}' is not a widget type"]
            inner = definition.get("widgets")
            if kind in ("group", "split_group") and isinstance(inner, list):
                errors = check(inner, f"{where}[{index}].definition.widgets")
                if errors:
                    return errors
        return []

    return check(body["widgets"], "widgets")
