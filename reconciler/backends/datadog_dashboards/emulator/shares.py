"""Shared (public or invite-only) dashboards and their invitations, as the recordings answer them."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from reconciler.backends.datadog_dashboards.emulator.store import Document, now_iso

SHARE_TYPES: Final = ("open", "invite", "embed")
STATUSES: Final = ("active", "paused")
DASHBOARD_TYPES: Final = ("custom_timeboard", "custom_screenboard")
# What a create may carry (the OpenAPI's writable SharedDashboard fields); anything else is ignored.
SHARE_FIELDS: Final = (
    "dashboard_id", "dashboard_type", "share_type", "share_list", "global_time", "global_time_selectable_enabled",
    "selectable_template_vars", "expiration", "viewing_preferences", "embeddable_domains", "invitees", "status",
    "title", "author",
)  # fmt: skip
# SharedDashboardUpdateRequest's fields.
UPDATABLE: Final = tuple(f for f in SHARE_FIELDS if f not in ("dashboard_id", "dashboard_type", "author"))
# The time span a share shows when its create names none (never null in an answer: the OpenAPI's
# DashboardGlobalTime is not nullable).
DEFAULT_GLOBAL_TIME: Final = {"live_span": "1h"}
# Fields an update may set to null (the OpenAPI marks them nullable); a null elsewhere leaves the field.
NULLABLE: Final = (
    "expiration",
    "selectable_template_vars",
    "share_list",
    "global_time",
    "global_time_selectable_enabled",
)
INVITE_SESSION_DAYS: Final = 30
# Datadog's tokens: an organisation prefix, then 32 hex digits.
TOKEN_PREFIX: Final = "fasjyydbcgwwc2uc-"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_hex(16)


def share_errors(body: Any, creating: bool) -> list[str]:
    """What is wrong with a share's body, checked as Datadog does, first problem first."""
    if not isinstance(body, dict):
        return ["Invalid shared dashboard: the body must be a JSON object"]
    # Fields the schema does not name are ignored, as Datadog's JSON schemas allow them.
    for check in (_required_on_create if creating else _nothing, _enumerations, _lists, _objects, _share_list):
        problem = check(body)
        if problem is not None:
            return [problem]
    return []


def _nothing(_body: dict[str, Any]) -> str | None:
    return None


def _required_on_create(body: dict[str, Any]) -> str | None:
    for name in ("dashboard_id", "dashboard_type"):
        if not isinstance(body.get(name), str):
            return f"'{name}' is a required property"
    if body["dashboard_type"] not in DASHBOARD_TYPES:
        return f"'dashboard_type' must be one of {', '.join(DASHBOARD_TYPES)}"
    return None


def _enumerations(body: dict[str, Any]) -> str | None:
    for name, allowed in (("share_type", SHARE_TYPES), ("status", STATUSES)):
        if body.get(name) is not None and body[name] not in allowed:
            return f"'{name}' must be one of {', '.join(allowed)}"
    return None


def _lists(body: dict[str, Any]) -> str | None:
    for name, kind in (("embeddable_domains", str), ("invitees", dict)):
        value = body.get(name)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, kind) for v in value)):
            return f"'{name}' is invalid"
    return None


def _objects(body: dict[str, Any]) -> str | None:
    for name in ("global_time", "viewing_preferences"):
        if body.get(name) is not None and not isinstance(body[name], dict):
            return f"'{name}' is invalid"
    return None


def _share_list(body: dict[str, Any]) -> str | None:
    share_list = body.get("share_list", [])
    if share_list is not None and (
        not isinstance(share_list, list) or not all(isinstance(e, str) and "@" in e for e in share_list)
    ):
        return "'share_list' must be a list of email addresses"
    return None


def new_share(body: dict[str, Any], dashboard: Document, author: dict[str, Any]) -> Document:
    token = new_token()
    share: Document = {
        "author": author,
        "dashboard_id": body["dashboard_id"],
        "dashboard_type": body["dashboard_type"],
        "status": body.get("status") or "active",
        "title": dashboard["title"],
        "viewing_preferences": body.get("viewing_preferences") or {},
        "expiration": body.get("expiration"),
        "last_accessed": None,
        "global_time_selectable_enabled": bool(body.get("global_time_selectable_enabled", False)),
        "global_time": body.get("global_time") or dict(DEFAULT_GLOBAL_TIME),
        "selectable_template_vars": body.get("selectable_template_vars"),
        "token": token,
        "public_url": f"https://p.datadoghq.com/sb/{token}",
        "created": now_iso(),
        # Returned since 2025 (later recordings), as an empty list unless set.
        "embeddable_domains": list(body.get("embeddable_domains") or []),
    }
    return updated(share, {"share_type": body.get("share_type") or "open", "share_list": body.get("share_list")})


def updated(share: Document, body: dict[str, Any]) -> Document:
    """The share with the fields given; invitees follow the share list of an `invite` share."""
    # The title is the dashboard's and invitees follow the list: neither is taken as sent.
    taken = {k: v for k, v in body.items() if k in UPDATABLE and k not in ("title", "invitees")}
    result = {**share, **{k: v for k, v in taken.items() if v is not None or k in NULLABLE}}
    if "global_time_selectable_enabled" in body:
        result["global_time_selectable_enabled"] = bool(body["global_time_selectable_enabled"])
    result["global_time"] = result.get("global_time") or dict(DEFAULT_GLOBAL_TIME)
    result["embeddable_domains"] = list(result.get("embeddable_domains") or [])
    result["viewing_preferences"] = result.get("viewing_preferences") or {}
    return _with_invitees(result, share)


def _with_invitees(result: Document, share: Document) -> Document:
    """The share list, session length and invitees an updated share answers with."""
    invite = result.get("share_type") == "invite"
    listed = result.get("share_list")
    # An open share lists nobody: null when it never had a list, [] when one was cleared.
    result["share_list"] = list(listed or []) if invite else ([] if listed is not None else None)
    previous = {i["email"]: i for i in share.get("invitees") or []}
    # Once an invite share, the session length stays (the 2025 recordings keep it after a switch to open).
    result["session_duration_in_days"] = INVITE_SESSION_DAYS if invite else share.get("session_duration_in_days")
    result["invitees"] = [
        previous.get(email)
        or {"email": email, "access_expiration": None, "last_accessed": None, "created_at": now_iso()}
        for email in result["share_list"] or []
    ]
    return result


def invitation(email: str, token: str) -> Document:
    now = datetime.now(UTC)
    return {
        "email": email,
        "share_token": token,
        "created_at": now.isoformat(timespec="microseconds"),
        "invitation_expiry": (now + timedelta(hours=1)).isoformat(timespec="microseconds"),
        "has_session": False,
        "session_expiry": None,
    }
