"""The API's closed vocabularies, shared by the manifest model, the planner and the emulator."""

import re
from typing import Final

EXPERIENCE_TYPES: Final = ("ccm_reports", "logs_reports", "csv_reports", "product_analytics")

# The docs list the first ten; the official client (2.62.0) also knows the last five.
WIDGET_TYPES: Final = (
    "bar_chart",
    "change",
    "cloud_cost_summary",
    "cohort",
    "funnel",
    "geomap",
    "list_stream",
    "query_table",
    "query_value",
    "retention_curve",
    "sankey",
    "sunburst",
    "timeseries",
    "toplist",
    "treemap",
)

TITLE_MAX_LENGTH: Final = 100
PAGE_SIZE_MAX: Final = 100

# Widget ids are lowercase UUIDs (the OpenAPI path parameter is `format: uuid`); nothing else
# ever becomes part of a request path.
WIDGET_UUID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
