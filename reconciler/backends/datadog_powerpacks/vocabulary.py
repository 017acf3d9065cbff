"""The Powerpacks API v2's paths, limits and closed vocabularies (Datadog's published v2 OpenAPI and recordings)."""

from __future__ import annotations

import re
from typing import Final

KIND: Final = "datadog/powerpack"
# Powerpack ids are unique in the organisation: one scope.
SCOPE: Final = "powerpack"
API_ROOT: Final = "/api/v2/powerpacks"
# `page[limit]`'s maximum (the OpenAPI's inclusive_maximum): the fewest pages a listing can take.
PAGE_LIMIT: Final = 1000
# The API's own default page size, when a request names none.
DEFAULT_PAGE_LIMIT: Final = 25
# Powerpack ids are UUIDs, as every recorded answer gives them.
POWERPACK_ID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# `PowerpackAttributes.tags` holds at most 8; the ownership marker takes 3 of them.
MAX_TAGS: Final = 8
# `WidgetLiveSpan`, the group widget's `live_span`.
LIVE_SPANS: Final = (
    "1m", "5m", "10m", "15m", "30m", "1h", "4h", "1d", "2d", "1w", "1mo", "3mo", "6mo", "1y", "alert",
)  # fmt: skip
# What a powerpack's group holds: dashboard widgets other than groups and powerpacks (v1 `*WidgetDefinitionType`).
INNER_WIDGET_TYPES: Final = (
    "alert_graph", "alert_value", "bar_chart", "change", "check_status", "cohort", "distribution",
    "event_stream", "event_timeline", "free_text", "funnel", "geomap", "heatmap", "hostmap", "iframe",
    "image", "list_stream", "log_stream", "manage_status", "note", "point_plot", "query_table",
    "query_value", "retention_curve", "run_workflow", "sankey", "scatterplot", "servicemap", "slo",
    "slo_list", "split_group", "sunburst", "timeseries", "toplist", "topology_map", "trace_service",
    "treemap", "wildcard",
)  # fmt: skip

# A powerpack's restriction policy (who may edit or view it): a resource of its own, keyed by its powerpack's
# manifest id, its remote id the powerpack's.
POLICY_SCOPE: Final = "powerpack-permissions"
# The resource type a restriction policy names a powerpack by (`powerpack:<uuid>`).
POLICY_RESOURCE_TYPE: Final = "powerpack"
POLICY_ROOT: Final = "/api/v2/restriction_policy"
