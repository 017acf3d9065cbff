"""The manifest of a Datadog dashboard (`kind: datadog/dashboard`), checked offline."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from reconciler.backends.datadog_dashboards import fields
from reconciler.backends.datadog_dashboards.codec import desired_dashboard
from reconciler.backends.datadog_dashboards.marker import looks_like_marker
from reconciler.backends.datadog_dashboards.permissions import desired_permissions
from reconciler.backends.datadog_dashboards.sharing import desired_share
from reconciler.backends.datadog_dashboards.vocabulary import (
    DASHBOARD_ID,
    LAYOUT_TYPES,
    LIVE_SPANS,
    MAX_TAGS,
    SCOPE,
    TEAM_TAG,
    WIDGET_TYPES,
)
from reconciler.backends.datadog_restriction import block_problem, checked_principals
from reconciler.core.identity import id_problem
from reconciler.core.resources import Desired

_IGNORE_PATH: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$")
_EMAIL: Final = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_INSTANT: Final = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")
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


def _check_dashboard(dashboard: dict[str, Any]) -> None:
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
    description = dashboard.get("description")
    if isinstance(description, str) and looks_like_marker(description):
        raise ValueError(
            "dashboard.description reads like wac's ownership line (`Managed by widgets-as-code …`), which wac"
            " writes itself: a second one would make the dashboard a conflict nobody writes to. Reword it"
        )
    problem = _widget_problems(dashboard["widgets"], "dashboard.widgets")
    if problem:
        raise ValueError(problem)


def _strangers(mapping: Any, allowed: frozenset[str], loc: tuple[str | int, ...], what: str) -> list[InitErrorDetails]:
    """A located error for each key of `mapping` that `allowed` does not name, with the closest field named."""
    if not isinstance(mapping, dict):
        return []
    found = []
    for key in mapping:
        name = str(key)
        if name in allowed:
            continue
        path = "dashboard" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in (*loc, name))
        close = difflib.get_close_matches(name, sorted(allowed), n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"its fields are {', '.join(sorted(allowed))}"
        # Typed `extra_forbidden` so that the problem is located at the key, as pydantic's own unknown fields are.
        message = f"{path} is not a field of {what}; {hint}"
        error = PydanticCustomError("extra_forbidden", "{message}", {"message": message})
        found.append(InitErrorDetails(type=error, loc=(*loc, name), input=mapping[key]))
    return found


def _items(value: Any) -> Iterable[tuple[int, Any]]:
    return enumerate(value) if isinstance(value, list) else ()


def _widget_strangers(widgets: Any, loc: tuple[str | int, ...]) -> list[InitErrorDetails]:
    found = []
    for index, widget in _items(widgets):
        found += _strangers(widget, fields.WIDGET, (*loc, index), "a widget")
        definition = widget.get("definition") if isinstance(widget, dict) else None
        kind = definition.get("type") if isinstance(definition, dict) else None
        # A widget without a definition, or of a type the spec does not define, is a problem of its own.
        allowed = fields.WIDGET_DEFINITIONS.get(kind) if isinstance(kind, str) else None
        if allowed is None or not isinstance(definition, dict):
            continue
        where = (*loc, index, "definition")
        found += _strangers(definition, allowed, where, f"a `{kind}` widget definition")
        if kind in ("group", "split_group"):
            found += _widget_strangers(definition.get("widgets"), (*where, "widgets"))
    return found


def _unknown_fields(dashboard: dict[str, Any]) -> list[InitErrorDetails]:
    """Fields Datadog would drop without a word: at the body's top level, in each template variable and preset,
    and at the top of each widget and its definition. Anything deeper passes through."""
    found = _strangers(dashboard, fields.DASHBOARD, (), "a dashboard")
    for index, variable in _items(dashboard.get("template_variables")):
        found += _strangers(variable, fields.TEMPLATE_VARIABLE, ("template_variables", index), "a template variable")
    for index, preset in _items(dashboard.get("template_variable_presets")):
        where: tuple[str | int, ...] = ("template_variable_presets", index)
        found += _strangers(preset, fields.TEMPLATE_VARIABLE_PRESET, where, "a template variable preset")
        values = preset.get("template_variables") if isinstance(preset, dict) else None
        for value_index, value in _items(values):
            value_where = (*where, "template_variables", value_index)
            found += _strangers(value, fields.TEMPLATE_VARIABLE_PRESET_VALUE, value_where, "a preset's variable")
    return found + _widget_strangers(dashboard.get("widgets"), ("widgets",))


def _valid_dashboard(dashboard: dict[str, Any]) -> dict[str, Any]:
    unknown = _unknown_fields(dashboard)
    try:
        _check_dashboard(dashboard)
    except ValueError as exc:
        if not unknown:
            raise
        # Reported together, so that one run names every problem; this one is located at `dashboard:` as before.
        problem = PydanticCustomError("value_error", "{error}", {"error": str(exc)})
        unknown.insert(0, InitErrorDetails(type=problem, loc=(), input=dashboard))
    if unknown:
        raise ValidationError.from_exception_data("dashboard", unknown)
    return dashboard


def _valid_ignore_path(path: str) -> str:
    if not _IGNORE_PATH.fullmatch(path):
        raise ValueError(
            f"ignore path '{path}' is not allowed: name a field inside `dashboard`, like `widgets[0].layout`"
        )
    return path


def _valid_emails(emails: list[str]) -> list[str]:
    seen: set[str] = set()
    for email in emails:
        if not _EMAIL.fullmatch(email):
            raise ValueError(f"'{email}' is not an email address (like `oncall@example.com`)")
        if email.lower() in seen:
            raise ValueError(f"'{email}' is listed twice")
        seen.add(email.lower())
    return emails


def _valid_instant(value: str) -> str:
    if not _INSTANT.fullmatch(value):
        raise ValueError(f"expiration '{value}' is not a date and time with a time zone, like `2027-01-31T18:00:00Z`")
    return value


class GlobalTime(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    live_span: Literal["15m", "1h", "4h", "1d", "2d", "1w", "1mo", "3mo"] = Field(
        description=f"The time span viewers see: one of {', '.join(LIVE_SPANS)}."
    )


class SelectableTemplateVariable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="A template variable of the dashboard.")
    prefix: str | None = None
    default_value: str | None = None
    type: str | None = None
    visible_tags: list[str] | None = Field(default=None, description="The values viewers may pick.")


class Sharing(BaseModel):
    """Who outside the organisation may see the dashboard: Datadog's shared dashboards, kept as code."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    share_type: Literal["open", "invite"] = Field(
        description="`open`: anyone with the link; `invite`: only the emails in `share_list`."
    )
    share_list: Annotated[list[str], AfterValidator(_valid_emails)] = Field(
        default_factory=list, description="For `invite`: who may see it; each is sent an invitation once."
    )
    global_time: GlobalTime | None = None
    global_time_selectable_enabled: bool = Field(
        default=False, description="Whether viewers may choose another time range."
    )
    selectable_template_vars: list[SelectableTemplateVariable] | None = None
    expiration: Annotated[str, AfterValidator(_valid_instant)] | None = Field(
        default=None, description="When the share stops working (ISO 8601 with a time zone); never when absent."
    )

    @model_validator(mode="after")
    def _list_matches_type(self) -> Sharing:
        if self.share_type == "invite" and not self.share_list:
            raise ValueError("sharing.share_list is empty; an `invite` share needs at least one email")
        if self.share_type == "open" and self.share_list:
            raise ValueError(
                "sharing.share_list is only for `invite` shares; an `open` share is seen by anyone with its link"
            )
        return self

    def as_content(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class Permissions(BaseModel):
    """Who may edit and who may view the dashboard: its restriction policy (edit lock), kept as code."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    editors: Annotated[list[str], AfterValidator(checked_principals)] = Field(
        default_factory=list,
        description="The only principals that may edit it (`role:`, `team:`, `user:` or `org:` and a UUID); one"
        " must be wac's own identity.",
    )
    viewers: Annotated[list[str], AfterValidator(checked_principals)] = Field(
        default_factory=list, description="The only principals (besides the editors) that may view it."
    )

    @model_validator(mode="after")
    def _names_someone(self) -> Permissions:
        problem = block_problem(self.editors, self.viewers, "dashboard")
        if problem:
            raise ValueError(problem)
        return self


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
    sharing: Sharing | None = Field(
        default=None, description="The dashboard's share (public or invite-only); removing it revokes the share."
    )

    permissions: Permissions | None = Field(
        default=None,
        description="The dashboard's edit lock (a restriction policy); removing it returns the dashboard to the"
        " organisation's default.",
    )

    @model_validator(mode="after")
    def _shared_variables_exist(self) -> DashboardManifest:
        if self.sharing is None or not self.sharing.selectable_template_vars:
            return self
        variables = self.dashboard.get("template_variables") or []
        names = {v.get("name") for v in variables if isinstance(v, dict)}
        for variable in self.sharing.selectable_template_vars:
            if variable.name not in names:
                known = ", ".join(sorted(str(n) for n in names)) or "none"
                raise ValueError(
                    f"sharing.selectable_template_vars names '{variable.name}', which is not a template variable of"
                    f" this dashboard (it has: {known})"
                )
        return self

    @property
    def scope(self) -> str:
        return SCOPE

    def desired(self, source: str) -> Desired:
        return desired_dashboard(self.id, self.dashboard, self.tags, self.ignore, source, self.adopt)

    def resources(self, source: str) -> tuple[Desired, ...]:
        dashboard = self.desired(source)
        found = [dashboard]
        if self.sharing is not None:
            found.append(desired_share(self.id, self.sharing.as_content(), dashboard.title, source))
        if self.permissions is not None:
            found.append(desired_permissions(self.id, self.permissions.model_dump(), dashboard.title, source))
        return tuple(found)
