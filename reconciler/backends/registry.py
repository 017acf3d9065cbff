"""Every backend the reconciler knows: the one place a new backend is registered.

Each entry names the manifests' `kind`, the scopes its keys live in, its manifest model and the
sentences for its validation errors, and how it connects; plan files, manifests, `wac schema` and the
CLI look backends up here and never import one directly.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from reconciler.backends.datadog_dashboards import explain as dashboard_explain
from reconciler.backends.datadog_dashboards import vocabulary as dashboards
from reconciler.backends.datadog_dashboards.schema import DashboardManifest
from reconciler.backends.datadog_widgets import codec as datadog_widget_codec
from reconciler.backends.datadog_widgets import explain as datadog_widget_explain
from reconciler.backends.datadog_widgets import export_document as datadog_widget_export
from reconciler.backends.datadog_widgets.schema import Manifest as DatadogWidgetManifest
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES
from reconciler.backends.spaceone_widgets import explain as spaceone_explain
from reconciler.backends.spaceone_widgets import vocabulary as spaceone
from reconciler.backends.spaceone_widgets.schema import CustomWidgetManifest
from reconciler.core.resources import Desired, Remote

if TYPE_CHECKING:
    from reconciler.backends.connection import Connect


class ManifestModel(Protocol):
    """What every backend's validated manifest offers the loader."""

    @property
    def id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def scope(self) -> str: ...

    @property
    def adopt(self) -> str | None: ...

    def desired(self, source: str) -> Desired: ...

    def resources(self, source: str) -> tuple[Desired, ...]:
        """The manifest's resource, then any that belong to it (a dashboard's share)."""
        ...


@dataclass(frozen=True)
class Registration:
    kind: str
    scopes: tuple[str, ...]
    # How the scope is named to a person ("experience type"); ids are unique per scope.
    scope_name: str
    model: type[BaseModel]
    # The error's location in the document, from pydantic's (dropping what pydantic inserts).
    data_path: Callable[[Sequence[str | int]], tuple[str | int, ...]]
    # A sentence for errors the backend has its own words for, else None (the generic wording is used).
    explain: Callable[[Any, tuple[str | int, ...], str, ErrorDetails], str | None]
    # The manifest `wac export` writes for a remote resource (given the resources that belong to it),
    # and what it had to leave out.
    export_document: Callable[[Remote, str, bool, Sequence[Remote]], tuple[dict[str, Any], tuple[str, ...]]]
    # Where its `Connect` function is, as `module:function`: imported only when a run connects, so
    # validating manifests never loads an HTTP client (like a package's entry point).
    connect: str
    # Text that grants access wherever it is read (a share's token): masked in every error and log line.
    secret_patterns: tuple[re.Pattern[str], ...] = ()

    def connector(self) -> Connect:
        module, _, name = self.connect.partition(":")
        found: Connect = getattr(importlib.import_module(module), name)
        return found


BACKENDS: Final[tuple[Registration, ...]] = (
    Registration(
        kind=datadog_widget_codec.KIND,
        scopes=EXPERIENCE_TYPES,
        scope_name="experience type",
        model=DatadogWidgetManifest,
        data_path=datadog_widget_explain.data_path,
        explain=datadog_widget_explain.explain,
        export_document=datadog_widget_export.manifest_document,
        connect="reconciler.backends.datadog_widgets.connection:connect",
    ),
    Registration(
        kind=spaceone.KIND,
        scopes=(spaceone.SCOPE,),
        scope_name="domain",
        model=CustomWidgetManifest,
        data_path=spaceone_explain.data_path,
        explain=spaceone_explain.explain,
        export_document=spaceone_explain.manifest_document,
        connect="reconciler.backends.spaceone_widgets.connection:connect",
    ),
    Registration(
        kind=dashboards.KIND,
        scopes=(dashboards.SCOPE, dashboards.SHARE_SCOPE),
        scope_name="organisation",
        model=DashboardManifest,
        data_path=dashboard_explain.data_path,
        explain=dashboard_explain.explain,
        export_document=dashboard_explain.manifest_document,
        connect="reconciler.backends.datadog_dashboards.connection:connect",
        secret_patterns=(dashboards.SHARE_TOKEN_IN_TEXT,),
    ),
)
BY_KIND: Final[Mapping[str, Registration]] = {b.kind: b for b in BACKENDS}
DEFAULT_KIND: Final = datadog_widget_codec.KIND
SCOPES: Final[Mapping[str, tuple[str, ...]]] = {b.kind: b.scopes for b in BACKENDS}
"""Each kind's scopes: what a plan file may name, checked before anything else reads it."""
SECRET_PATTERNS: Final = tuple(pattern for b in BACKENDS for pattern in b.secret_patterns)


def manifests_json_schema() -> dict[str, Any]:
    """One JSON Schema for every kind's manifests, for editors."""
    schemas = [b.model.model_json_schema() for b in BACKENDS]
    if len(schemas) == 1:
        return {**schemas[0], "$schema": "https://json-schema.org/draft/2020-12/schema"}
    # Each model's `$defs` are referenced from the root (`#/$defs/…`), so they are gathered there.
    definitions: dict[str, Any] = {}
    for schema in schemas:
        definitions.update(schema.pop("$defs", {}))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "widgets-as-code manifest",
        "description": "One document per resource; `kind` says which API (datadog/widget when absent).",
        "oneOf": schemas,
        "$defs": definitions,
    }
