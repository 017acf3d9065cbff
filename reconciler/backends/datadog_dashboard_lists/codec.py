"""Dashboard lists to generic resources and back: the name compared without its marker, the membership a
set (a mapping keyed by dashboard id, so order is never a diff and references may stand in for ids)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.backends.datadog_dashboard_lists.answers import ListBody, Member
from reconciler.backends.datadog_dashboard_lists.marker import split
from reconciler.backends.datadog_dashboard_lists.vocabulary import KIND, SCOPE
from reconciler.core.resources import Desired, Remote, User

# What a member maps to: membership is all there is to say of it.
MEMBER = True


def content_of(name: str, members: Iterable[str]) -> dict[str, Any]:
    return {"name": name, "dashboards": {dashboard_id: MEMBER for dashboard_id in sorted(members)}}


def normalised(content: Mapping[str, Any]) -> dict[str, Any]:
    """Content as compared: the name, and the members as a sorted mapping (a list of ids is taken as one)."""
    members = content.get("dashboards") or {}
    return content_of(str(content.get("name", "")), [str(m) for m in members])


def members_of(content: Mapping[str, Any]) -> list[str]:
    return sorted(str(m) for m in content.get("dashboards") or {})


def desired_list(
    manifest_id: str, name: str, dashboards: Iterable[str], ignore: Iterable[str] = (), source: str = "",
    adopt: str | None = None,
) -> Desired:  # fmt: skip
    return Desired(
        kind=KIND,
        scope=SCOPE,
        manifest_id=manifest_id,
        title=name,
        content=content_of(name, dashboards),
        ignore=tuple(ignore),
        source=source,
        adopt=adopt,
    )


def remote_from(body: ListBody, members: Iterable[Member]) -> Remote:
    """A list from its checked v1 answer and v2 items. Datadog records who made a list and when it last
    changed, not who changed it."""
    name, claims = split(body.name)
    author = body.author_handle
    return Remote(
        kind=KIND,
        scope=SCOPE,
        remote_id=body.list_id,
        title=name,
        content=content_of(name, (m.dashboard_id for m in members)),
        claims=claims,
        created_at=body.created,
        modified_at=body.modified,
        created_by=User(author, author, body.author_name or author) if author else None,
        modified_by=User(
            "",
            "",
            "",
            note=f"Datadog records only the list's author ({author or 'unknown'}) and when it last changed, not who"
            " changed it",
        ),
    )
