"""The Dashboards API v1's closed vocabularies (Datadog's published OpenAPI for these paths)."""

from __future__ import annotations

import re
from typing import Final

LAYOUT_TYPES: Final = ("ordered", "free")
REFLOW_TYPES: Final = ("auto", "fixed")
# Every `*WidgetDefinitionType` enum of the v1 OpenAPI.
WIDGET_TYPES: Final = (
    "alert_graph", "alert_value", "bar_chart", "change", "check_status", "cohort", "distribution",
    "event_stream", "event_timeline", "free_text", "funnel", "geomap", "group", "heatmap", "hostmap",
    "iframe", "image", "list_stream", "log_stream", "manage_status", "note", "point_plot", "powerpack",
    "query_table", "query_value", "retention_curve", "run_workflow", "sankey", "scatterplot", "servicemap",
    "slo", "slo_list", "split_group", "sunburst", "timeseries", "toplist", "topology_map", "trace_service",
    "treemap", "wildcard",
)  # fmt: skip
# Dashboard ids are three groups of three lowercase letters or digits: `abc-def-ghi`.
DASHBOARD_ID: Final = re.compile(r"^[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}$")
TEAM_TAG: Final = re.compile(r"^team:.+$")
MAX_TAGS: Final = 5

KIND: Final = "datadog/dashboard"
# Dashboard ids are unique in the organisation: one scope.
SCOPE: Final = "dashboard"
API_ROOT: Final = "/api/v1/dashboard"
# The list endpoint's page size (its default and the size the reconciler asks for).
PAGE_SIZE: Final = 100
# Fields the server computes or fills; never part of a comparison.
SERVER_FIELDS: Final = ("id", "url", "author_handle", "author_name", "created_at", "modified_at", "is_read_only")

# A dashboard's share (public or invite-only) is a resource of its own, keyed by its dashboard's manifest id.
SHARE_SCOPE: Final = "dashboard-share"
SHARE_ROOT: Final = "/api/v1/dashboard/public"
# Share tokens: an organisation prefix, a dash, 32 hex digits (the recordings' form).
SHARE_TOKEN: Final = re.compile(r"^[a-z0-9]{1,32}-[0-9a-f]{32}$")
# A token anywhere in a line of text (a URL, an error): what is masked before it is shown.
# Anything with the shape is masked, even inside longer text: masking too much is the safe mistake.
SHARE_TOKEN_IN_TEXT: Final = re.compile(r"[a-z0-9]{1,32}-[0-9a-f]{32}")
# What a manifest may ask for; Datadog also has `embed`, which the reconciler reads but never writes.
SHARE_TYPES: Final = ("open", "invite")
LIVE_SPANS: Final = ("15m", "1h", "4h", "1d", "2d", "1w", "1mo", "3mo")
# The dashboard_type a share names, by the dashboard's layout.
SHARED_DASHBOARD_TYPES: Final = {"ordered": "custom_timeboard", "free": "custom_screenboard"}
INVITATION_PAGE_SIZE: Final = 100

# A dashboard's restriction policy (who may edit or view it): a resource of its own, keyed like its share.
POLICY_SCOPE: Final = "dashboard-permissions"
# The resource type a restriction policy names a dashboard by (`dashboard:abc-def-ghi`).
POLICY_RESOURCE_TYPE: Final = "dashboard"
POLICY_ROOT: Final = "/api/v2/restriction_policy"
