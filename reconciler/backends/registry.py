"""Every backend the reconciler knows: the one place a new backend is registered.

Each entry (a `Registration`, see `registration.py` for each field) names the manifests' `kind`, its scopes
and the words for them, its manifest model and error sentences, how it connects (variables, `.wac.yaml`
keys, flags), what `wac export` may filter on, its example for `wac init` and its emulator. Plan files,
manifests, `wac schema`, the commands and the emulator server look backends up here and never import one.
This module stays light: it imports the backends' vocabularies only, the rest when first used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from reconciler.backends.datadog_dashboard_lists import vocabulary as dashboard_lists
from reconciler.backends.datadog_dashboards import vocabulary as dashboards
from reconciler.backends.datadog_powerpacks import vocabulary as powerpacks
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES
from reconciler.backends.registration import (
    Emulator,
    EmulatorOption,
    Example,
    Flag,
    ManifestModel,
    Registration,
    ScopeFilter,
    Setting,
    Variable,
)
from reconciler.backends.spaceone_widgets import vocabulary as spaceone

__all__ = [
    "BACKENDS",
    "BY_KIND",
    "DEFAULT_KIND",
    "SCOPES",
    "SECRET_PATTERNS",
    "SECRET_VARIABLES",
    "ManifestModel",
    "Registration",
    "manifests_json_schema",
]

# Both Datadog kinds connect with the same keys and share the emulator's users.
_DATADOG_KEYS: Final = (
    Variable("DD_API_KEY", secret=True),
    Variable("DD_APP_KEY", secret=True),
    Variable("DD_APPLICATION_KEY", secret=True),
)
_DATADOG_USERS: Final = EmulatorOption(
    "--users",
    "JSON file naming the Datadog user behind each application key (widgets and dashboards).",
    "reconciler.backends.datadog_widgets.emulator.settings:load_users",
)
_DATADOG_PRINCIPALS: Final = EmulatorOption(
    "--principals",
    "JSON file naming the roles, teams, user and org each Datadog application key acts as"
    " (what restriction policies name).",
    "reconciler.backends.datadog_dashboards.emulator.settings:load_principals",
)
# The principals wac's own key acts as, which every edit lock must keep among its editors.
_DATADOG_IDENTITY: Final = (Variable("WAC_DATADOG_PRINCIPALS"),)
_DATADOG_IDENTITY_SETTING: Final = (Setting("datadog.principals", "user:<uuid>, role:<uuid>"),)

BACKENDS: Final[tuple[Registration, ...]] = (
    Registration(
        kind="datadog/widget",
        title="Datadog saved widgets",
        scopes=EXPERIENCE_TYPES,
        scope_name="experience type",
        nouns={scope: "widget" for scope in EXPERIENCE_TYPES},
        model_ref="reconciler.backends.datadog_widgets.schema:Manifest",
        data_path_ref="reconciler.backends.datadog_widgets.explain:data_path",
        explain_ref="reconciler.backends.datadog_widgets.explain:explain",
        export_ref="reconciler.backends.datadog_widgets.export_document:manifest_document",
        connect="reconciler.backends.datadog_widgets.connection:connect",
        variables=_DATADOG_KEYS,
        scope_filter=ScopeFilter("--experience-type", "Only these experience types (repeatable; default all)."),
        example=Example("examples/datadog-widget.yaml", "widgets/datadog/service-errors.yaml"),
        # Every Datadog path the dashboards do not claim (and the emulator's own, like favourites).
        emulator=Emulator(
            "reconciler.backends.datadog_widgets.emulator.app:mounted",
            ("/api/",),
            default=True,
            options=(_DATADOG_USERS,),
        ),
    ),
    Registration(
        kind=spaceone.KIND,
        title="SpaceONE custom widgets",
        scopes=(spaceone.SCOPE,),
        scope_name="domain",
        nouns={spaceone.SCOPE: "custom widget"},
        model_ref="reconciler.backends.spaceone_widgets.schema:CustomWidgetManifest",
        data_path_ref="reconciler.backends.spaceone_widgets.explain:data_path",
        explain_ref="reconciler.backends.spaceone_widgets.explain:explain",
        export_ref="reconciler.backends.spaceone_widgets.explain:manifest_document",
        connect="reconciler.backends.spaceone_widgets.connection:connect",
        variables=(
            Variable("SPACEONE_ENDPOINT"),
            Variable("SPACEONE_TOKEN", secret=True),
            Variable("SPACEONE_DOMAIN_ID"),
        ),
        settings=(
            Setting("spaceone.endpoint", "https://spaceone.example.com"),
            Setting("spaceone.domain_id", "domain-1234"),
        ),
        flags=(
            Flag(
                "--spaceone-endpoint",
                "SPACEONE_ENDPOINT",
                "SpaceONE REST endpoint for spaceone/* kinds; else $SPACEONE_ENDPOINT, else `spaceone.endpoint` in"
                " .wac.yaml.",
            ),
        ),
        example=Example("examples/spaceone-custom-widget.yaml", "widgets/spaceone/cloud-cost.yaml"),
        emulator=Emulator(
            "reconciler.backends.spaceone_widgets.emulator.app:mounted",
            (spaceone.API_ROOT,),
            options=(
                EmulatorOption(
                    "--spaceone-tokens",
                    "JSON file naming the SpaceONE user and domain of each token (else any token, any domain).",
                    "reconciler.backends.spaceone_widgets.emulator.settings:load_tokens",
                ),
            ),
        ),
    ),
    Registration(
        kind=dashboards.KIND,
        title="Datadog dashboards, their shares and edit locks",
        scopes=(dashboards.SCOPE, dashboards.SHARE_SCOPE, dashboards.POLICY_SCOPE),
        scope_name="organisation",
        nouns={dashboards.SCOPE: "dashboard", dashboards.SHARE_SCOPE: "share", dashboards.POLICY_SCOPE: "edit lock"},
        model_ref="reconciler.backends.datadog_dashboards.schema:DashboardManifest",
        data_path_ref="reconciler.backends.datadog_dashboards.explain:data_path",
        explain_ref="reconciler.backends.datadog_dashboards.explain:explain",
        export_ref="reconciler.backends.datadog_dashboards.explain:manifest_document",
        connect="reconciler.backends.datadog_dashboards.connection:connect",
        variables=(*_DATADOG_KEYS, *_DATADOG_IDENTITY),
        settings=_DATADOG_IDENTITY_SETTING,
        example=Example("examples/datadog-dashboard.yaml", "widgets/dashboards/service-overview.yaml"),
        emulator=Emulator(
            "reconciler.backends.datadog_dashboards.emulator.app:mounted",
            (dashboards.API_ROOT, dashboards.POLICY_ROOT),
            options=(_DATADOG_USERS, _DATADOG_PRINCIPALS),
        ),
        secret_patterns=(dashboards.SHARE_TOKEN_IN_TEXT,),
        id_fields=frozenset({"powerpack_id"}),
    ),
    Registration(
        kind=dashboard_lists.KIND,
        title="Datadog dashboard lists",
        scopes=(dashboard_lists.SCOPE,),
        scope_name="organisation",
        nouns={dashboard_lists.SCOPE: "dashboard list"},
        model_ref="reconciler.backends.datadog_dashboard_lists.schema:DashboardListManifest",
        data_path_ref="reconciler.backends.datadog_dashboard_lists.explain:data_path",
        explain_ref="reconciler.backends.datadog_dashboard_lists.explain:explain",
        export_ref="reconciler.backends.datadog_dashboard_lists.explain:manifest_document",
        connect="reconciler.backends.datadog_dashboard_lists.connection:connect",
        variables=_DATADOG_KEYS,
        example=Example("examples/datadog-dashboard-list.yaml", "widgets/lists/team-dashboards.yaml"),
        # v1 lists and v2 items: longer prefixes than the dashboards' `/api/v1/dashboard`, so they win.
        emulator=Emulator(
            "reconciler.backends.datadog_dashboard_lists.emulator.app:mounted",
            (dashboard_lists.V1_ROOT, dashboard_lists.V2_ROOT),
            options=(_DATADOG_USERS,),
        ),
        id_fields=frozenset({"dashboards"}),
    ),
    Registration(
        kind=powerpacks.KIND,
        title="Datadog powerpacks and their edit locks",
        scopes=(powerpacks.SCOPE, powerpacks.POLICY_SCOPE),
        scope_name="organisation",
        nouns={powerpacks.SCOPE: "powerpack", powerpacks.POLICY_SCOPE: "edit lock"},
        model_ref="reconciler.backends.datadog_powerpacks.schema:PowerpackManifest",
        data_path_ref="reconciler.backends.datadog_powerpacks.explain:data_path",
        explain_ref="reconciler.backends.datadog_powerpacks.explain:explain",
        export_ref="reconciler.backends.datadog_powerpacks.explain:manifest_document",
        connect="reconciler.backends.datadog_powerpacks.connection:connect",
        variables=(*_DATADOG_KEYS, *_DATADOG_IDENTITY),
        settings=_DATADOG_IDENTITY_SETTING,
        example=Example("examples/datadog-powerpack.yaml", "widgets/powerpacks/latency-pack.yaml"),
        # Their restriction policies are served by the dashboards' emulator, which serves every `<type>:<id>`.
        emulator=Emulator(
            "reconciler.backends.datadog_powerpacks.emulator.app:mounted",
            (powerpacks.API_ROOT,),
            options=(_DATADOG_USERS, _DATADOG_PRINCIPALS),
        ),
    ),
)
BY_KIND: Final[Mapping[str, Registration]] = {b.kind: b for b in BACKENDS}
# A manifest without `kind:` is a Datadog widget (the first backend, from before there were others).
DEFAULT_KIND: Final = BACKENDS[0].kind
SCOPES: Final[Mapping[str, tuple[str, ...]]] = {b.kind: b.scopes for b in BACKENDS}
"""Each kind's scopes: what a plan file may name, checked before anything else reads it."""
SECRET_PATTERNS: Final = tuple(pattern for b in BACKENDS for pattern in b.secret_patterns)
SECRET_VARIABLES: Final = tuple(dict.fromkeys(v.name for b in BACKENDS for v in b.variables if v.secret))
"""Where every backend's keys come from: their values are masked in every line and file."""


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
