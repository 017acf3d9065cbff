"""The manifest of a Datadog powerpack (`kind: datadog/powerpack`), checked offline field by field.

The `powerpack:` body is what the API takes (`PowerpackAttributes` of the v2 OpenAPI); each object the spec
closes has its fields held to it, so a misspelt one is an error at its line rather than dropped by Datadog.
Inside an inner widget's `definition` anything passes: Datadog checks powerpack widgets less strictly.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from reconciler.backends.datadog_powerpacks.codec import desired_powerpack
from reconciler.backends.datadog_powerpacks.marker import LOCK_TAGS, MARKER_TAGS, is_marker_tag
from reconciler.backends.datadog_powerpacks.permissions import desired_permissions
from reconciler.backends.datadog_powerpacks.vocabulary import INNER_WIDGET_TYPES, MAX_TAGS, POWERPACK_ID, SCOPE
from reconciler.backends.datadog_restriction import block_problem, checked_principals
from reconciler.core.identity import id_problem
from reconciler.core.resources import Desired

_IGNORE_PATH: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$")
# Datadog lowercases tags; asking for lowercase avoids a diff that never ends.
_TAG: Final = re.compile(r"^[a-z][a-z0-9_\-:./]*$")
_TAG_MAX_LENGTH: Final = 200
USER_TAGS: Final = MAX_TAGS - MARKER_TAGS
# With an edit lock, one more tag records it as wac's.
LOCKED_USER_TAGS: Final = USER_TAGS - LOCK_TAGS
LiveSpan = Literal["1m", "5m", "10m", "15m", "30m", "1h", "4h", "1d", "2d", "1w", "1mo", "3mo", "6mo", "1y", "alert"]


def _valid_id(manifest_id: str) -> str:
    problem = id_problem(manifest_id)
    if problem:
        raise ValueError(problem)
    return manifest_id


def _valid_tags(tags: list[str]) -> list[str]:
    for tag in tags:
        if is_marker_tag(tag):
            raise ValueError(
                f"tag '{tag}' is reserved: wac sets its wac-owner, wac-id, wac-applied and wac-permissions tags itself"
            )
        if len(tag) > _TAG_MAX_LENGTH or not _TAG.fullmatch(tag) or tag.endswith(":"):
            raise ValueError(
                f"tag '{tag[:60]}' is not a valid Datadog tag: at most {_TAG_MAX_LENGTH} characters, starting with a"
                " lowercase letter, of lowercase letters, digits, '_', '-', ':', '.' and '/', not ending with ':'"
            )
    if len(tags) > USER_TAGS:
        raise ValueError(f"{len(tags)} tags; a powerpack takes {MAX_TAGS}, {MARKER_TAGS} of them wac's, so {USER_TAGS}")
    if len(set(tags)) != len(tags):
        raise ValueError("a tag is listed twice")
    return tags


def _valid_definition(definition: dict[str, Any]) -> dict[str, Any]:
    kind = definition.get("type")
    if kind not in INNER_WIDGET_TYPES:
        allowed = ", ".join(INNER_WIDGET_TYPES)
        raise ValueError(f"widget type '{kind}' cannot be in a powerpack; allowed: {allowed}")
    return definition


def _valid_ignore_path(path: str) -> str:
    if not _IGNORE_PATH.fullmatch(path):
        raise ValueError(f"ignore path '{path}' is not allowed: name a field inside `powerpack`, like `description`")
    return path


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Layout(_Closed):
    """Where a widget sits, in grid units; each a whole number of at least 0."""

    x: int = Field(ge=0)
    y: int = Field(ge=0)
    width: int = Field(ge=0)
    height: int = Field(ge=0)


class InnerWidget(_Closed):
    definition: Annotated[dict[str, Any], AfterValidator(_valid_definition)] = Field(
        description="A dashboard widget definition (timeseries, query_value, note, …); passed through as written."
    )
    layout: Layout | None = None


class GroupDefinition(_Closed):
    type: Literal["group"] = Field(description="Always `group`.")
    layout_type: Literal["ordered"] = Field(description="Always `ordered`.")
    widgets: list[InnerWidget]
    show_title: bool | None = None
    title: str | None = None


class GroupWidget(_Closed):
    definition: GroupDefinition
    layout: Layout | None = None
    live_span: LiveSpan | None = None


class TemplateVariable(_Closed):
    name: str = Field(min_length=1)
    defaults: list[Annotated[str, Field(min_length=1)]] | None = None
    available_values: list[str] | None = None
    prefix: str | None = None


class Powerpack(_Closed):
    """The body the API receives (`PowerpackAttributes`)."""

    name: str = Field(min_length=1, description="The powerpack's name, as the widget tray lists it.")
    description: str | None = None
    group_widget: GroupWidget
    tags: Annotated[list[str], AfterValidator(_valid_tags)] | None = Field(
        default=None, description=f"Your own tags, at most {USER_TAGS}; wac adds its wac-owner, wac-id and wac-applied."
    )
    template_variables: list[TemplateVariable] | None = None


class PowerpackPermissions(_Closed):
    """Who may edit and who may view the powerpack: its restriction policy (edit lock), kept as code."""

    editors: Annotated[list[str], AfterValidator(checked_principals)] = Field(
        default_factory=list,
        description="The only principals that may edit it (`role:`, `team:`, `user:` or `org:` and a UUID); one"
        " must be wac's own identity.",
    )
    viewers: Annotated[list[str], AfterValidator(checked_principals)] = Field(
        default_factory=list, description="The only principals (besides the editors) that may view it."
    )

    @model_validator(mode="after")
    def _names_someone(self) -> PowerpackPermissions:
        problem = block_problem(self.editors, self.viewers, "powerpack")
        if problem:
            raise ValueError(problem)
        return self


class PowerpackManifest(BaseModel):
    """One Datadog powerpack, managed by widgets-as-code."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="widgets-as-code Datadog powerpack manifest")

    kind: Literal["datadog/powerpack"] = Field(description="`datadog/powerpack`: a powerpack (Powerpacks API v2).")
    id: Annotated[str, AfterValidator(_valid_id), Field(description="Stable key, unique per kind.")]
    powerpack: Powerpack
    ignore: tuple[Annotated[str, AfterValidator(_valid_ignore_path)], ...] = ()
    adopt: str | None = Field(default=None, pattern=POWERPACK_ID.pattern, description="Id of a powerpack to take over.")
    permissions: PowerpackPermissions | None = Field(
        default=None,
        description="The powerpack's edit lock (a restriction policy); removing it returns the powerpack to the"
        f" organisation's default. With it, `powerpack.tags` holds at most {LOCKED_USER_TAGS}.",
    )

    @model_validator(mode="after")
    def _room_for_the_lock_tag(self) -> PowerpackManifest:
        tags = self.powerpack.tags or []
        if self.permissions is not None and len(tags) > LOCKED_USER_TAGS:
            raise ValueError(
                f"powerpack.tags has {len(tags)} tags; a powerpack with `permissions:` takes {LOCKED_USER_TAGS} of"
                f" your own, as wac records its edit lock in one more tag ({MAX_TAGS} in all)"
            )
        return self

    @property
    def scope(self) -> str:
        return SCOPE

    def desired(self, source: str) -> Desired:
        # Only what the manifest says: fields left out are not compared (nor sent).
        body = self.powerpack.model_dump(mode="json", exclude_unset=True)
        return desired_powerpack(self.id, body, self.ignore, source, self.adopt)

    def resources(self, source: str) -> tuple[Desired, ...]:
        powerpack = self.desired(source)
        if self.permissions is None:
            return (powerpack,)
        lock = desired_permissions(self.id, self.permissions.model_dump(), powerpack.title, source)
        return (powerpack, lock)
