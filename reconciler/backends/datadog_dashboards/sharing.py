"""A dashboard's share to generic resources and back: the manifest's `sharing:` block and Datadog's
shared-dashboard answer made comparable, and the request bodies that write one.

The share is keyed by its dashboard: its remote id is the dashboard's id and its manifest id the
dashboard's, so no plan, diff or log line ever holds the share's token.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from reconciler.backends.datadog_dashboards.vocabulary import KIND, SCOPE, SHARE_SCOPE, SHARED_DASHBOARD_TYPES
from reconciler.core.resources import Claims, Desired, Remote, User

# The fields a manifest's `sharing:` block holds, in the order they are written back.
SHARING_FIELDS = (
    "share_type", "share_list", "global_time", "global_time_selectable_enabled", "selectable_template_vars",
    "expiration",
)  # fmt: skip


def instant(value: Any) -> str | None:
    """An expiration as compared: UTC, to the second; None when it never expires (or is unreadable)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value  # compared as written, so a difference still shows
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def emails(values: Iterable[Any]) -> list[str]:
    return sorted({str(v).strip().lower() for v in values if isinstance(v, str) and v.strip()})


def share_content(sharing: Mapping[str, Any], invited: Iterable[str] | None = None) -> dict[str, Any]:
    """A share as compared. `invited` holds who has an invitation; a manifest's invite share invites its list."""
    share_type = sharing.get("share_type") or "open"
    listed = emails(sharing.get("share_list") or []) if share_type == "invite" else []
    return {
        "share_type": share_type,
        "share_list": listed,
        "global_time": sharing.get("global_time") or None,
        "global_time_selectable_enabled": bool(sharing.get("global_time_selectable_enabled")),
        "selectable_template_vars": sharing.get("selectable_template_vars") or None,
        "expiration": instant(sharing.get("expiration")),
        # Not in a manifest: what the UI can set that changes who sees the dashboard, kept at Datadog's
        # defaults (no embedding, active), so a change made there is drift the next apply undoes.
        "embeddable_domains": sorted(str(d) for d in sharing.get("embeddable_domains") or []),
        "status": sharing.get("status") or "active",
        "invitations": listed if invited is None else emails(invited),
    }


def is_share(content: Mapping[str, Any]) -> bool:
    return "share_type" in content


def desired_share(manifest_id: str, sharing: Mapping[str, Any], title: str, source: str) -> Desired:
    return Desired(
        kind=KIND,
        scope=SHARE_SCOPE,
        manifest_id=manifest_id,
        title=title,
        content=share_content(sharing),
        # Left out, the time span is Datadog's default and not managed: never a diff, kept on update.
        ignore=() if sharing.get("global_time") else ("global_time",),
        source=source,
        parent=(KIND, SCOPE, manifest_id),
    )


def remote_share(
    dashboard_id: str, title: str, share: Mapping[str, Any], invited: Iterable[str], claims: Claims
) -> Remote:
    """A share from a checked GET answer, under its dashboard's id and ownership claims."""
    found = share.get("author")
    author: Mapping[str, Any] = found if isinstance(found, dict) else {}
    handle = str(author.get("handle") or "")
    return Remote(
        kind=KIND,
        scope=SHARE_SCOPE,
        remote_id=dashboard_id,
        title=title,
        content=share_content(share, invited),
        claims=claims,
        created_at=str(share.get("created") or ""),
        created_by=User(handle, handle, str(author.get("name") or handle)) if handle else None,
        modified_by=User(
            "", "", "", note=f"Datadog records only who shared it ({handle or 'unknown'}), not who changed it last"
        ),
        parent=(KIND, SCOPE, claims.manifest_id or ""),
    )


def unreadable_share(dashboard_id: str, title: str, claims: Claims) -> Remote:
    """A share Datadog reports on the dashboard that no marker records: nobody can read or revoke it by API."""
    return Remote(
        kind=KIND,
        scope=SHARE_SCOPE,
        remote_id=dashboard_id,
        title=title,
        content={},
        claims=claims,
        parent=(KIND, SCOPE, claims.manifest_id or ""),
    )


def share_request(content: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a create or update sends; the invitation list is written separately."""
    invite = content["share_type"] == "invite"
    return {
        "share_type": content["share_type"],
        "share_list": list(content["share_list"]) if invite else [],
        "global_time": content.get("global_time"),
        "global_time_selectable_enabled": bool(content.get("global_time_selectable_enabled")),
        "selectable_template_vars": content.get("selectable_template_vars"),
        "expiration": content.get("expiration"),
        "embeddable_domains": list(content.get("embeddable_domains") or []),
        "status": content.get("status") or "active",
    }


def create_request(content: Mapping[str, Any], dashboard_id: str, layout_type: str) -> dict[str, Any]:
    request = {
        "dashboard_id": dashboard_id,
        "dashboard_type": SHARED_DASHBOARD_TYPES.get(layout_type, "custom_timeboard"),
        **share_request(content),
    }
    if request["global_time"] is None:
        del request["global_time"]  # not nullable on create: Datadog's default applies
    return request


def sharing_document(content: Mapping[str, Any]) -> dict[str, Any]:
    """The `sharing:` block `wac export` writes: only what differs from the defaults."""
    document: dict[str, Any] = {"share_type": content.get("share_type", "open")}
    if content.get("share_type") == "invite":
        document["share_list"] = list(content.get("share_list") or [])
    for name in ("global_time", "selectable_template_vars", "expiration"):
        if content.get(name) is not None:
            document[name] = content[name]
    if content.get("global_time_selectable_enabled"):
        document["global_time_selectable_enabled"] = True
    return document
