"""Shared (public or invite-only) dashboards and their invitations, as the recordings answer them."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from reconciler.backends.datadog_dashboards.emulator.store import Document, now_iso

SHARE_TYPES: Final = ("open", "invite")
# What a create may carry; anything else is refused.
SHARE_FIELDS: Final = (
    "dashboard_id", "dashboard_type", "share_type", "share_list", "global_time", "global_time_selectable_enabled",
    "selectable_template_vars", "expiration", "viewing_preferences",
)  # fmt: skip
UPDATABLE: Final = tuple(f for f in SHARE_FIELDS if f not in ("dashboard_id", "dashboard_type"))
INVITE_SESSION_DAYS: Final = 30
# Datadog's tokens: an organisation prefix, then 32 hex digits.
TOKEN_PREFIX: Final = "fasjyydbcgwwc2uc-"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_hex(16)


def share_errors(body: Any, creating: bool) -> list[str]:
    if not isinstance(body, dict):
        return ["Invalid shared dashboard: the body must be a JSON object"]
    allowed = SHARE_FIELDS if creating else UPDATABLE
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        return [f"'{unknown[0]}' is not a shared dashboard field"]
    if creating:
        for name in ("dashboard_id", "dashboard_type"):
            if not isinstance(body.get(name), str):
                return [f"'{name}' is a required property"]
    if "share_type" in body and body["share_type"] not in SHARE_TYPES:
        return [f"'share_type' must be one of {', '.join(SHARE_TYPES)}"]
    share_list = body.get("share_list", [])
    if share_list is not None and (
        not isinstance(share_list, list) or not all(isinstance(e, str) and "@" in e for e in share_list)
    ):
        return ["'share_list' must be a list of email addresses"]
    return []


def new_share(body: dict[str, Any], dashboard: Document, author: dict[str, Any]) -> Document:
    token = new_token()
    share: Document = {
        "author": author,
        "dashboard_id": body["dashboard_id"],
        "dashboard_type": body["dashboard_type"],
        "status": "active",
        "title": dashboard["title"],
        "viewing_preferences": body.get("viewing_preferences") or {},
        "expiration": body.get("expiration"),
        "last_accessed": None,
        "global_time_selectable_enabled": bool(body.get("global_time_selectable_enabled", False)),
        "global_time": body.get("global_time"),
        "selectable_template_vars": body.get("selectable_template_vars"),
        "token": token,
        "public_url": f"https://p.datadoghq.com/sb/{token}",
        "created": now_iso(),
        # Returned since 2025 (later recordings), as an empty list unless set.
        "embeddable_domains": [],
    }
    return updated(share, {"share_type": body.get("share_type", "open"), "share_list": body.get("share_list")})


def updated(share: Document, body: dict[str, Any]) -> Document:
    """The share with the fields given; invitees follow the share list of an `invite` share."""
    result = {**share, **{k: v for k, v in body.items() if k in UPDATABLE}}
    if "global_time_selectable_enabled" in body:
        result["global_time_selectable_enabled"] = bool(body["global_time_selectable_enabled"])
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
