"""The Dashboard Lists API's closed vocabularies: v1 lists, v2 items (Datadog's published OpenAPI)."""

from __future__ import annotations

import re
from typing import Final

KIND: Final = "datadog/dashboard-list"
# List ids are unique in the organisation: one scope.
SCOPE: Final = "dashboard-list"
V1_ROOT: Final = "/api/v1/dashboard/lists"
V2_ROOT: Final = "/api/v2/dashboard/lists"
LISTS: Final = V1_ROOT + "/manual"
ITEMS: Final = V2_ROOT + "/manual/{list_id}/dashboards"
LIST_TYPE: Final = "manual_dashboard_list"
# A list id as a path segment: a positive integer (int64).
LIST_ID: Final = re.compile(r"^[1-9][0-9]{0,18}$")
MAX_LIST_ID: Final = 2**63 - 1
# Custom dashboards' ids, the only ones the API can add to a list: three groups of three.
DASHBOARD_ID: Final = re.compile(r"^[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}$")
# Any member a list may hold (preset dashboards added in the UI have other ids): read, never put in a path.
MEMBER_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
DASHBOARD_TYPES: Final = (
    "custom_timeboard", "custom_screenboard", "integration_screenboard", "integration_timeboard", "host_timeboard",
)  # fmt: skip
# The type a v2 items write names for a custom dashboard, by its layout.
TYPE_BY_LAYOUT: Final = {"ordered": "custom_timeboard", "free": "custom_screenboard"}
# A bound on what one answer may hold, so a hostile server cannot keep a plan reading.
MAX_LISTS: Final = 10_000
MAX_MEMBERS: Final = 10_000
MAX_NAME: Final = 1_000
