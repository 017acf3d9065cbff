"""The CustomWidget API's names and limits (seed doc and the service's model)."""

from __future__ import annotations

import re
from typing import Final

KIND: Final = "spaceone/custom-widget"
# Manifest ids are unique per domain, and a run works in one domain: one scope.
SCOPE: Final = "custom-widget"
API_ROOT: Final = "/dashboard/v1/custom-widget"
WIDGET_NAME_MAX_LENGTH: Final = 40
TITLE_MAX_LENGTH: Final = 255
# Ownership lives in the tags mapping under these keys.
OWNER_KEY: Final = "wac-owner"
ID_KEY: Final = "wac-id"
APPLIED_KEY: Final = "wac-applied"
RESERVED_PREFIX: Final = "wac-"
# `custom-widget-` and the hex python-core's generate_id makes; nothing else becomes part of a request.
CUSTOM_WIDGET_ID: Final = re.compile(r"^custom-widget-[0-9a-f]{1,26}$")
# The service sets no maximum page size; this keeps each answer a few megabytes at most.
PAGE_SIZE: Final = 1000
# Content fields: what a manifest sets and a plan compares; the rest are the server's.
CONTENT_FIELDS: Final = ("widget_name", "title", "options", "settings", "inherit_options", "labels", "tags")
