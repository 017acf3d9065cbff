"""The manifest of a Datadog dashboard (`kind: datadog/dashboard`), checked offline."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from reconciler.backends.datadog_dashboards.codec import desired_dashboard
from reconciler.backends.datadog_dashboards.vocabulary import (
    DASHBOARD_ID,
    LAYOUT_TYPES,
    MAX_TAGS,
    SCOPE,
    TEAM_TAG,
    WIDGET_TYPES,
)
from reconciler.core.identity import id_problem
from reconciler.core.resources import Desired

_IGNORE_PATH: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$")
_SERVER_FIELDS: Final = ("id", "url", "author_handle", "author_name", "created_at", "modified_at", "is_read_only")


def _valid_id(manifest_id: str) -> str:
    problem = id_problem(manifest_id)
    if problem:
        raise ValueError(problem)
    return manifest_id


def _valid_tags(tags: list[str]) -> list[str]:
    for tag in tags:
        if not TEAM_TAG.fullmatch(tag):
            raise ValueError(f"tag '{tag}' is not allowed: dashboards take team tags only, like `team:checkout`")
    if len(tags) > MAX_TAGS:
        raise ValueError(f"{len(tags)} tags; a dashboard takes at most {MAX_TAGS}")
    return tags


def _widget_problems(widgets: Any, where: str) -> str | None:
    for index, widget in enumerate(widgets if isinstance(widgets, list) else []):
        definition = widget.get("definition") if isinstance(widget, dict) else None
        if not isinstance(definition, dict):
            return f"{where}[{index}].definition is required (a mapping with a `type`)"
        kind = definition.get("type")
        if kind not in WIDGET_TYPES:
            allowed = ", ".join(WIDGET_TYPES)
            return f"{where}[{index}].definition.type '{kind}' is not a dashboard widget type; allowed: {allowed}"
        if kind in ("group", "split_group"):
            problem = _widget_problems(definition.get("widgets"), f"{where}[{index}].definition.widgets")
            if problem:
                return problem
    return None


def _valid_dashboard(dashboard: dict[str, Any]) -> dict[str, Any]:
    for name in ("title", "layout_type", "widgets"):
        if name not in dashboard:
            raise ValueError(f"dashboard.{name} is required")
    if not isinstance(dashboard["title"], str):
        raise ValueError("dashboard.title must be text")
    if dashboard["layout_type"] not in LAYOUT_TYPES:
        raise ValueError(f"dashboard.layout_type must be one of {', '.join(LAYOUT_TYPES)}")
    if not isinstance(dashboard["widgets"], list):
        raise ValueError("dashboard.widgets must be a list")
    if "reflow_type" in dashboard and dashboard["layout_type"] != "ordered":
        raise ValueError("dashboard.reflow_type is allowed only with layout_type ordered")
    server = sorted(set(dashboard) & set(_SERVER_FIELDS))
    if server:
        raise ValueError(f"dashboard.{server[0]} is set by Datadog; leave it out")
    if "tags" in dashboard:
        raise ValueError("dashboard.tags goes at the top level of the manifest (`tags: [team:…]`)")
    problem = _widget_problems(dashboard["widgets"], "dashboard.widgets")
    if problem:
        raise ValueError(problem)
    return dashboard


def _valid_ignore_path(path: str) -> str:
    if not _IGNORE_PATH.fullmatch(path):
        raise ValueError(
            f"ignore path '{path}' is not allowed: name a field inside `dashboard`, like `widgets[0].layout`"
        )
    return path


class DashboardManifest(BaseModel):
    """One Datadog dashboard, managed by widgets-as-code."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="widgets-as-code Datadog dashboard manifest")

    kind: Literal["datadog/dashboard"] = Field(description="`datadog/dashboard`: a dashboard (Dashboards API v1).")
    id: Annotated[str, AfterValidator(_valid_id), Field(description="Stable key, unique per kind.")]
    tags: Annotated[list[str], AfterValidator(_valid_tags)] = Field(
        default_factory=list, description="Team tags only (`team:<name>`), at most 5."
    )
    dashboard: Annotated[dict[str, Any], AfterValidator(_valid_dashboard)] = Field(
        description="The body the API receives: title, layout_type, widgets, description, template variables, …"
    )
    ignore: tuple[Annotated[str, AfterValidator(_valid_ignore_path)], ...] = ()
    adopt: str | None = Field(default=None, pattern=DASHBOARD_ID.pattern, description="Id of a dashboard to take over.")

    @property
    def scope(self) -> str:
        return SCOPE

    def desired(self, source: str) -> Desired:
        return desired_dashboard(self.id, self.dashboard, self.tags, self.ignore, source, self.adopt)
