"""The manifest model: one widget as a team writes it, validated, with its JSON Schema."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, create_model

from reconciler.backends.datadog_widgets.codec import desired_widget
from reconciler.backends.datadog_widgets.tags import tag_problem
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES, TITLE_MAX_LENGTH, WIDGET_TYPES, WIDGET_UUID
from reconciler.core.identity import id_problem
from reconciler.core.resources import Desired

# Fields a definition needs beyond `type`, `title` and `requests`, by widget type, from the
# API docs. Adding a row here adds the check, the error message and the JSON Schema entry.
EXTRA_REQUIRED_FIELDS: Final[dict[str, dict[str, type]]] = {
    "cloud_cost_summary": {"graph_options": list},
    "geomap": {"style": dict, "view": dict},
}

ExperienceType = Literal["ccm_reports", "logs_reports", "csv_reports", "product_analytics"]
assert set(ExperienceType.__args__) == set(EXPERIENCE_TYPES)  # type: ignore[attr-defined]

_IGNORE_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*)*$")


def _check(problem: str | None, value: str) -> str:
    if problem:
        raise ValueError(problem)
    return value


def _valid_tag(tag: str) -> str:
    return _check(tag_problem(tag), tag)


def _valid_id(manifest_id: str) -> str:
    return _check(id_problem(manifest_id), manifest_id)


def _valid_ignore_path(path: str) -> str:
    if not _IGNORE_PATH.fullmatch(path) or path.split(".")[0].split("[")[0] in ("type", "title"):
        raise ValueError(
            f"ignore path '{path}' is not allowed: name a field inside `definition` (not type or title),"
            " like `time` or `requests[0].formulas`"
        )
    return path


Tag = Annotated[str, AfterValidator(_valid_tag)]
ManifestId = Annotated[str, AfterValidator(_valid_id), Field(description="Stable key, unique per experience type.")]
IgnorePath = Annotated[str, AfterValidator(_valid_ignore_path)]


class DefinitionBase(BaseModel):
    """Fields every widget definition has; anything else passes through to the API untouched."""

    model_config = ConfigDict(extra="allow", frozen=True)

    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH, description="The widget's display title.")
    requests: list[Any] = Field(min_length=1, description="The widget's queries; at least one.")


def _definition_model(widget_type: str) -> type[DefinitionBase]:
    fields: dict[str, Any] = {
        "type": (Literal[widget_type], Field(description="The widget type.")),
    }
    for name, kind in EXTRA_REQUIRED_FIELDS.get(widget_type, {}).items():
        constraint = Field(min_length=1) if kind is list else Field()
        fields[name] = (list[Any] if kind is list else dict[str, Any], constraint)
    model_name = "".join(part.title() for part in widget_type.split("_")) + "Definition"
    return create_model(model_name, __base__=DefinitionBase, **fields)


DEFINITION_MODELS: Final = {widget_type: _definition_model(widget_type) for widget_type in WIDGET_TYPES}

if TYPE_CHECKING:
    WidgetDefinition = DefinitionBase
else:
    # One model per widget type, told apart by `type`: errors and the JSON Schema then name
    # exactly the fields that type needs.
    WidgetDefinition = Annotated[Union[tuple(DEFINITION_MODELS.values())], Field(discriminator="type")]  # noqa: UP007


class Manifest(BaseModel):
    """One widget as kept in git."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="widgets-as-code manifest",
        json_schema_extra={"description": "One Datadog saved widget, managed by widgets-as-code."},
    )

    kind: Literal["datadog/widget"] = Field(
        default="datadog/widget",
        description="Which API the manifest is for: `datadog/widget` (Widgets v2), the default.",
    )
    id: ManifestId
    experience_type: ExperienceType
    tags: tuple[Tag, ...] = Field(default=(), description="Your own tags; the wac-owner and wac-id tags are added.")
    ignore: tuple[IgnorePath, ...] = Field(
        default=(), description="Paths inside `definition` whose remote value never makes a diff."
    )
    adopt: str | None = Field(
        default=None,
        pattern=WIDGET_UUID.pattern,
        description="UUID of an existing unmanaged widget to take over instead of creating one (wac export sets it).",
    )
    definition: WidgetDefinition

    def definition_dict(self) -> dict[str, Any]:
        """The definition as the API receives it, extra fields included."""
        return self.definition.model_dump(mode="json")

    @property
    def scope(self) -> str:
        return self.experience_type

    def desired(self, source: str) -> Desired:
        """The manifest as the planner takes it, with where it was written."""
        return desired_widget(
            self.experience_type, self.id, self.definition_dict(), self.tags, self.ignore, source, self.adopt
        )

    def resources(self, source: str) -> tuple[Desired, ...]:
        return (self.desired(source),)


MANIFEST_ADAPTER: Final = TypeAdapter(Manifest)
MANIFEST_FIELDS: Final = tuple(Manifest.model_fields)
