"""Every backend the reconciler knows: the one place a new backend is registered.

Each entry names the manifests' `kind`, the scopes where its keys live, and how to open it; the
plan file reader, manifests and CLI look backends up here, never by importing one directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from reconciler.backends.datadog_widgets import codec as datadog_widget_codec
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES

DEFAULT_KIND: Final = datadog_widget_codec.KIND
SCOPES: Final[Mapping[str, tuple[str, ...]]] = {datadog_widget_codec.KIND: EXPERIENCE_TYPES}
"""Each kind's scopes: what a plan file may name, checked before anything else reads it."""
