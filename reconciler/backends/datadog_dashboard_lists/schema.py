"""The manifest of a Datadog dashboard list (`kind: datadog/dashboard-list`), checked offline."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from reconciler.backends.datadog_dashboard_lists.codec import desired_list
from reconciler.backends.datadog_dashboard_lists.marker import looks_like_marker
from reconciler.backends.datadog_dashboard_lists.vocabulary import DASHBOARD_ID, LIST_ID, MAX_NAME, SCOPE
from reconciler.core.identity import id_problem
from reconciler.core.references import is_token
from reconciler.core.resources import Desired

# What `ignore:` may name: the list's two fields.
IGNORABLE: Final = ("name", "dashboards")
_REFERENCE: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["ref"],
    "properties": {"ref": {"type": "string", "description": "KIND/ID of a dashboard this repository manages."}},
    "additionalProperties": False,
}
# Room left in the name for the marker suffix wac adds.
MAX_OWN_NAME: Final = MAX_NAME - 200


def _valid_id(manifest_id: str) -> str:
    problem = id_problem(manifest_id)
    if problem:
        raise ValueError(problem)
    return manifest_id


def _valid_name(name: str) -> str:
    if not name.strip():
        raise ValueError("name is empty; a dashboard list needs a name")
    if any(ord(c) < 32 for c in name):
        raise ValueError("name holds a line break or control character; a list's name is one line")
    if looks_like_marker(name):
        raise ValueError(
            "name reads like wac's ownership suffix (`[wac: owner …]`), which wac writes itself: a second one would"
            " make the list a conflict nobody writes to. Reword it"
        )
    return name


def _member_error(index: int, value: Any, message: str) -> InitErrorDetails:
    error = PydanticCustomError("value_error", "{message}", {"message": message})
    return InitErrorDetails(type=error, loc=(index,), input=value)


def _valid_members(members: list[str]) -> list[str]:
    """Each member a dashboard id or a reference, each once: the errors located at the member."""
    errors = []
    seen: dict[str, int] = {}
    for index, member in enumerate(members):
        if not (is_token(member) or DASHBOARD_ID.fullmatch(member)):
            message = (
                f"dashboards[{index}] '{member[:60]}' is not a dashboard id (like `abc-def-ghi`) nor a reference"
                " (`{ref: datadog/dashboard/<id>}`)"
            )
            errors.append(_member_error(index, member, message))
        elif member in seen:
            message = f"dashboards[{index}] '{member}' is listed already at dashboards[{seen[member]}]; list it once"
            errors.append(_member_error(index, member, message))
        seen.setdefault(member, index)
    if errors:
        raise ValidationError.from_exception_data("dashboards", errors)
    return members


def _valid_ignore(path: str) -> str:
    if path not in IGNORABLE:
        raise ValueError(f"ignore path '{path}' is not allowed: name one of {', '.join(IGNORABLE)}")
    return path


def _as_text(value: Any) -> Any:
    # YAML reads `adopt: 284061` as a number; a list id is one either way.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class DashboardListManifest(BaseModel):
    """One Datadog dashboard list, managed by widgets-as-code."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="widgets-as-code Datadog dashboard list manifest")

    kind: Literal["datadog/dashboard-list"] = Field(
        description="`datadog/dashboard-list`: a dashboard list (Dashboard Lists API v1 and v2)."
    )
    id: Annotated[str, AfterValidator(_valid_id), Field(description="Stable key, unique per kind.")]
    name: Annotated[str, AfterValidator(_valid_name)] = Field(
        max_length=MAX_OWN_NAME, description="The list's name as people see it (wac adds its ownership suffix)."
    )
    dashboards: Annotated[list[str], AfterValidator(_valid_members)] = Field(
        default_factory=list,
        description="The members, a set: dashboard ids (`abc-def-ghi`) or `{ref: datadog/dashboard/<id>}`.",
        # Editors see the document as written, before a reference becomes its token.
        json_schema_extra={"items": {"anyOf": [{"type": "string", "pattern": DASHBOARD_ID.pattern}, dict(_REFERENCE)]}},
    )
    ignore: tuple[Annotated[str, AfterValidator(_valid_ignore)], ...] = ()
    adopt: Annotated[str, BeforeValidator(_as_text)] | None = Field(
        default=None, pattern=LIST_ID.pattern, description="Id of a dashboard list (a number) to take over."
    )

    @property
    def scope(self) -> str:
        return SCOPE

    def desired(self, source: str) -> Desired:
        return desired_list(self.id, self.name, self.dashboards, self.ignore, source, self.adopt)

    def resources(self, source: str) -> tuple[Desired, ...]:
        return (self.desired(source),)
