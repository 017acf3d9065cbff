"""The manifest of a SpaceONE custom widget (`kind: spaceone/custom-widget`), checked offline."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from reconciler.backends.spaceone_widgets.codec import desired_widget
from reconciler.backends.spaceone_widgets.vocabulary import (
    CUSTOM_WIDGET_ID,
    RESERVED_PREFIX,
    SCOPE,
    TITLE_MAX_LENGTH,
    WIDGET_NAME_MAX_LENGTH,
)
from reconciler.core.identity import id_problem
from reconciler.core.resources import Desired

_IGNORE_PATH: Final = re.compile(r"^(options|settings|inherit_options)(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])+$")


def _valid_id(manifest_id: str) -> str:
    problem = id_problem(manifest_id)
    if problem:
        raise ValueError(problem)
    return manifest_id


def _valid_tags(tags: dict[str, str]) -> dict[str, str]:
    for key in tags:
        if key.startswith(RESERVED_PREFIX):
            raise ValueError(f"tag key '{key}' is reserved (wac-owner, wac-id and wac-applied are set by wac)")
        if "." in key:
            raise ValueError(f"tag key '{key}' contains '.', which SpaceONE's queries read as nesting")
        if not key.strip():
            raise ValueError("a tag key may not be empty")
    return tags


def _valid_ignore_path(path: str) -> str:
    if not _IGNORE_PATH.fullmatch(path):
        raise ValueError(
            f"ignore path '{path}' is not allowed: name a field inside options, settings or inherit_options,"
            " like `options.refresh_interval`"
        )
    return path


ManifestId = Annotated[str, AfterValidator(_valid_id), Field(description="Stable key, unique per domain.")]
IgnorePath = Annotated[str, AfterValidator(_valid_ignore_path)]


class CustomWidgetManifest(BaseModel):
    """One SpaceONE custom widget, managed by widgets-as-code."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="widgets-as-code SpaceONE custom widget manifest",
    )

    kind: Literal["spaceone/custom-widget"] = Field(description="`spaceone/custom-widget`: a SpaceONE custom widget.")
    id: ManifestId
    widget_name: str = Field(
        min_length=1,
        max_length=WIDGET_NAME_MAX_LENGTH,
        description="The widget's name; the API cannot change it, so a change replaces the widget.",
    )
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    options: dict[str, Any] = Field(description="The widget's options (a mapping), required by the API.")
    settings: dict[str, Any] = Field(default_factory=dict)
    inherit_options: dict[str, Any] = Field(default_factory=dict)
    labels: list[str] = Field(default_factory=list)
    tags: Annotated[dict[str, str], AfterValidator(_valid_tags)] = Field(
        default_factory=dict, description="Your own tags (a mapping); the wac-* keys are added."
    )
    ignore: tuple[IgnorePath, ...] = Field(
        default=(), description="Paths inside options, settings or inherit_options whose remote value never diffs."
    )
    adopt: str | None = Field(
        default=None,
        pattern=CUSTOM_WIDGET_ID.pattern,
        description="custom_widget_id of an existing unmanaged widget to take over (wac export sets it).",
    )

    @property
    def scope(self) -> str:
        return SCOPE

    def desired(self, source: str) -> Desired:
        fields = self.model_dump(mode="json", include={"widget_name", "title", "options", "settings"})
        fields |= self.model_dump(mode="json", include={"inherit_options", "labels", "tags"})
        return desired_widget(self.id, fields, self.ignore, source, self.adopt)

    def resources(self, source: str) -> tuple[Desired, ...]:
        return (self.desired(source),)
