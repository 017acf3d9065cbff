"""What the journey's repository holds: one manifest per resource of every kind, the strategies drawing them
and their edits, and how each is written to disk as a user would write it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml
from hypothesis import strategies as st

WIDGET: Final = "datadog/widget"
DASHBOARD: Final = "datadog/dashboard"
SPACEONE: Final = "spaceone/custom-widget"
KINDS: Final = (WIDGET, DASHBOARD, SPACEONE)

# Two experience types hold widgets; an id may repeat across them (ids are unique per experience type).
EXPERIENCE_TYPES: Final = ("logs_reports", "ccm_reports")
WIDGET_IDS: Final = ("spend", "errors", "team/latency", "p95.checkout")
WIDGET_TYPES: Final = ("toplist", "timeseries", "query_value", "bar_chart")
WIDGET_TITLES: Final = ("Spend", "Errors by status", "Σ ünïcode — checkout", "Latency: p95", "'quoted' title")
QUERIES: Final = ("count:errors{*}", "sum:aws.cost{*} by {team}", "avg:latency{env:prod}", "count:orders{$env}")
WIDGET_TAGS: Final = ("team:a", "team:b", "env:prod", "cloud:aws", "tier/1")

DASHBOARD_IDS: Final = ("checkout", "payments", "ops/overview", "search.v2")
DASHBOARD_TITLES: Final = ("Checkout overview", "Payments", "Search — p95", "Ops: everything")
DESCRIPTIONS: Final = (None, "Orders and errors.", "Two lines:\nthe second one.", "Runbook: https://wiki.example.com/x")
ENV_VALUES: Final = (["prod", "staging"], ["prod", "staging", "qa"], ["prod"])
NOTES: Final = ("Runbook first.", "Ask #checkout", "Ünïcode note")
# Emails differ when lower-cased (the manifest refuses one listed twice); a capital tests the lower-casing.
EMAILS: Final = ("partner@example.com", "Vendor@Example.org", "oncall@example.net", "auditor@example.com")
LIVE_SPANS: Final = ("15m", "1h", "4h", "1d", "1w")

SPACEONE_IDS: Final = ("cost-trend", "budget", "top-services", "cost-trend.v2")
WIDGET_NAMES: Final = ("costTrend", "budgetUsage", "costByService")
SPACEONE_TITLES: Final = ("Monthly cost trend", "Budget burn", "Top 10 services", "Ünïcode cost")
LABELS: Final = ("finops", "monthly", "team-a")


@dataclass(frozen=True, order=True)
class Key:
    """A resource's identity: its kind, where its id is unique, and the id."""

    kind: str
    scope: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.scope}/{self.id}"


@dataclass
class Manifest:
    """One manifest as a mapping, written to a file of its own."""

    key: Key
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def sharing(self) -> dict[str, Any] | None:
        found = self.document.get("sharing")
        return found if isinstance(found, dict) else None

    def path(self, root: Path) -> Path:
        # `/` in an id would be a folder: written as export does.
        name = self.key.id.replace("/", "%2F")
        return root / self.key.kind.replace("/", "-") / self.key.scope / f"{name}.yaml"

    def text(self) -> str:
        return str(yaml.safe_dump(self.document, sort_keys=False, allow_unicode=True))


# Datadog widgets ------------------------------------------------------------------------------------------------


def widget(experience_type: str, manifest_id: str, kind: str, title: str, query: str, tags: list[str]) -> Manifest:
    document = {
        "id": manifest_id,
        "experience_type": experience_type,
        "tags": tags,
        "definition": {"type": kind, "title": title, "requests": [{"q": query}]},
    }
    return Manifest(Key(WIDGET, experience_type, manifest_id), document)


def widgets(experience_type: str, manifest_id: str) -> st.SearchStrategy[Manifest]:
    return st.builds(
        widget,
        st.just(experience_type),
        st.just(manifest_id),
        st.sampled_from(WIDGET_TYPES),
        st.sampled_from(WIDGET_TITLES),
        st.sampled_from(QUERIES),
        widget_tags,
    )


widget_tags = st.lists(st.sampled_from(WIDGET_TAGS), unique=True, max_size=3)


# Datadog dashboards ---------------------------------------------------------------------------------------------


def template_variables(env_values: list[str], with_region: bool) -> list[dict[str, Any]]:
    # `env` always stays: a share's selectable_template_vars may name it.
    found: list[dict[str, Any]] = [
        {"name": "env", "prefix": "env", "available_values": list(env_values), "defaults": ["prod"]}
    ]
    if with_region:
        found.append({"name": "region", "prefix": "region", "defaults": ["*"]})
    return found


dashboard_widgets = st.lists(
    st.one_of(
        st.builds(lambda note: {"definition": {"type": "note", "content": note}}, st.sampled_from(NOTES)),
        st.builds(
            lambda kind, title, query: {"definition": {"type": kind, "title": title, "requests": [{"q": query}]}},
            st.sampled_from(("timeseries", "query_value", "toplist")),
            st.sampled_from(WIDGET_TITLES),
            st.sampled_from(QUERIES),
        ),
    ),
    min_size=1,
    max_size=3,
)


def sharings() -> st.SearchStrategy[dict[str, Any]]:
    """A `sharing:` block as a reviewer would accept it: open, or invite with a share_list."""

    def build(invite: bool, emails: list[str], span: str | None, selectable: bool) -> dict[str, Any]:
        block: dict[str, Any] = {"share_type": "invite" if invite else "open"}
        if invite:
            block["share_list"] = emails
        if span is not None:
            block["global_time"] = {"live_span": span}
        if selectable:
            block["selectable_template_vars"] = [
                {"name": "env", "prefix": "env", "default_value": "prod", "visible_tags": ["prod"]}
            ]
        return block

    return st.builds(
        build,
        st.booleans(),
        st.lists(st.sampled_from(EMAILS), min_size=1, max_size=3, unique=True),
        st.none() | st.sampled_from(LIVE_SPANS),
        st.booleans(),
    )


def dashboard(
    manifest_id: str,
    title: str,
    description: str | None,
    env_values: list[str],
    with_region: bool,
    body_widgets: list[dict[str, Any]],
    sharing: dict[str, Any] | None,
) -> Manifest:
    body: dict[str, Any] = {"title": title, "layout_type": "ordered"}
    if description is not None:
        body["description"] = description
    body["template_variables"] = template_variables(env_values, with_region)
    body["widgets"] = body_widgets
    document: dict[str, Any] = {"kind": DASHBOARD, "id": manifest_id, "tags": ["team:checkout"], "dashboard": body}
    if sharing is not None:
        document["sharing"] = sharing
    return Manifest(Key(DASHBOARD, "dashboard", manifest_id), document)


def dashboards(manifest_id: str) -> st.SearchStrategy[Manifest]:
    return st.builds(
        dashboard,
        st.just(manifest_id),
        st.sampled_from(DASHBOARD_TITLES),
        st.sampled_from(DESCRIPTIONS),
        st.sampled_from(ENV_VALUES),
        st.booleans(),
        dashboard_widgets,
        st.none() | sharings(),
    )


# SpaceONE custom widgets ----------------------------------------------------------------------------------------


options = st.fixed_dictionaries(
    {"granularity": st.sampled_from(("MONTHLY", "DAILY"))},
    optional={"chart": st.sampled_from(("line", "bar")), "limit": st.sampled_from((5, 10))},
)
labels = st.lists(st.sampled_from(LABELS), unique=True, max_size=2)
spaceone_tags = st.fixed_dictionaries(
    {}, optional={"team": st.sampled_from(("finops", "platform")), "cloud": st.sampled_from(("aws", "gcp"))}
)


def custom_widget(
    manifest_id: str, widget_name: str, title: str, chosen: dict[str, Any], with_labels: list[str], tags: dict[str, str]
) -> Manifest:
    document: dict[str, Any] = {
        "kind": SPACEONE,
        "id": manifest_id,
        "widget_name": widget_name,
        "title": title,
        "options": chosen,
        "labels": with_labels,
        "tags": tags,
    }
    return Manifest(Key(SPACEONE, "custom-widget", manifest_id), document)


def custom_widgets(manifest_id: str) -> st.SearchStrategy[Manifest]:
    return st.builds(
        custom_widget,
        st.just(manifest_id),
        st.sampled_from(WIDGET_NAMES),
        st.sampled_from(SPACEONE_TITLES),
        options,
        labels,
        spaceone_tags,
    )


def new_manifests(key: Key) -> st.SearchStrategy[Manifest]:
    """A fresh manifest for `key`."""
    if key.kind == WIDGET:
        return widgets(key.scope, key.id)
    if key.kind == DASHBOARD:
        return dashboards(key.id)
    return custom_widgets(key.id)


ALL_KEYS: Final = (
    tuple(Key(WIDGET, t, i) for t in EXPERIENCE_TYPES for i in WIDGET_IDS)
    + tuple(Key(DASHBOARD, "dashboard", i) for i in DASHBOARD_IDS)
    + tuple(Key(SPACEONE, "custom-widget", i) for i in SPACEONE_IDS)
)
