"""Remote widgets to manifests, so a team can adopt widgets made in the UI. Pure but for the YAML text."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML

from reconciler.state import RemoteWidget
from reconciler.tags import MANIFEST_ID_MAX_LENGTH, id_problem, tag_problem

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_MAX = 60


@dataclass(frozen=True)
class ExportedManifest:
    experience_type: str
    manifest_id: str
    relative_path: str
    text: str
    dropped_tags: tuple[str, ...] = ()


def slugify(title: str) -> str:
    slug = _NOT_SLUG.sub("-", title.lower()).strip("-")[:SLUG_MAX].strip("-")
    return slug or "widget"


def export_manifests(widgets: Iterable[RemoteWidget], owner: str, site: str) -> list[ExportedManifest]:
    """One manifest per widget, ids readable and unique per experience type, ordered for stable output."""
    ordered = sorted(widgets, key=lambda w: (w.experience_type, w.created_at, w.uuid))
    taken: set[tuple[str, str]] = set()
    # Widgets this owner already manages keep their ids; claim those first.
    for widget in ordered:
        if widget.owner == owner and widget.manifest_id and not id_problem(widget.manifest_id):
            taken.add((widget.experience_type, widget.manifest_id))
    exported = []
    for widget in ordered:
        managed = widget.owner == owner and widget.manifest_id and not id_problem(widget.manifest_id)
        manifest_id = widget.manifest_id if managed else _unique(widget, taken)
        assert manifest_id is not None
        tags, dropped = _clean_tags(widget.user_tags)
        document: dict[str, Any] = {"id": manifest_id, "experience_type": widget.experience_type}
        if tags:
            document["tags"] = tags
        if not managed:
            document["adopt"] = widget.uuid
        document["definition"] = _definition(widget.definition)
        header = f'# Exported by wac export from {site}, widget {widget.uuid} ("{widget.title}").\n'
        exported.append(
            ExportedManifest(
                experience_type=widget.experience_type,
                manifest_id=manifest_id,
                relative_path=f"{widget.experience_type}/{manifest_id.replace('/', '_')}.yaml",
                text=header + to_yaml(document),
                dropped_tags=dropped,
            )
        )
    return exported


def _unique(widget: RemoteWidget, taken: set[tuple[str, str]]) -> str:
    base = slugify(widget.title)[: MANIFEST_ID_MAX_LENGTH - 6]
    candidate, n = base, 1
    while (widget.experience_type, candidate) in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add((widget.experience_type, candidate))
    return candidate


def _clean_tags(tags: Iterable[str]) -> tuple[list[str], tuple[str, ...]]:
    """Datadog lowercases tags; ones still invalid after that are left out (and reported)."""
    kept, dropped = [], []
    for tag in tags:
        lowered = tag.lower()
        if tag_problem(lowered) is None:
            kept.append(lowered)
        else:
            dropped.append(tag)
    return sorted(set(kept)), tuple(dropped)


def _definition(definition: dict[str, Any]) -> dict[str, Any]:
    # type and title first: that is how a person reads a widget.
    front: dict[str, Any] = {k: definition[k] for k in ("type", "title") if k in definition}
    return {**front, **{k: v for k, v in definition.items() if k not in front}}


def to_yaml(document: dict[str, Any]) -> str:
    writer = YAML()
    writer.default_flow_style = False
    writer.indent(mapping=2, sequence=4, offset=2)
    writer.width = 120
    out = io.StringIO()
    writer.dump(document, out)
    return out.getvalue()
