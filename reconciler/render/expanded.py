"""`wac render`: the manifests as plan sees them, after fragments and templates, as YAML documents."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from ruamel.yaml import YAML

from reconciler.core.inert import escape_controls


def expanded_yaml(documents: Iterable[tuple[str, dict[str, Any]]]) -> str:
    """Each (source, document) as a YAML document headed by a comment naming where it was written."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    out = io.StringIO()
    for index, (source, data) in enumerate(documents):
        if index:
            out.write("---\n")
        # The source is a path and an instance's values, which are the user's own text: one comment line.
        out.write(f"# from {escape_controls(' '.join(source.split()))}\n")
        yaml.dump(data, out)
    return out.getvalue()
