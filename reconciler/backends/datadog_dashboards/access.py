"""Who can see a dashboard from outside the organisation, before and after a share change, in the
sentences a reviewer reads first. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.core.resources import Caution

Content = Mapping[str, Any]
# From narrowest to widest: invitees only, then anyone with the link (embedded or not).
_REACH = {"invite": 0, "open": 1, "embed": 1}


def _audience(share: Content) -> str:
    if share.get("share_type") == "invite":
        listed = share.get("share_list") or []
        return f"with {len(listed)} invited email(s) ({', '.join(listed) or 'none yet'})"
    if share.get("share_type") == "embed":
        return "embedded: anyone on the allowed domains, and anyone with its link"
    return "open to anyone who has its link, without signing in"


def _expiry(value: Any) -> str:
    return f"expires {value}" if value else "never expires"


def share_cautions(before: Content | None, after: Content | None) -> tuple[Caution, ...]:
    """What a share change does to access: `widens` for anything that lets more people see more."""
    if not before and not after:
        return ()
    if not after:
        return (Caution("revokes the share: its link stops working for everyone", widens=False),)
    if not before:
        return (Caution(f"widens access: shares the dashboard outside the organisation, {_audience(after)};"
                        f" it {_expiry(after.get('expiration'))}"),)  # fmt: skip
    cautions = [
        *_reach(before, after),
        *_invitees(before, after),
        *_expiration(before.get("expiration"), after.get("expiration")),
        *_embedding(before.get("embeddable_domains") or [], after.get("embeddable_domains") or []),
        *_status(before.get("status"), after.get("status")),
    ]
    if after.get("global_time_selectable_enabled") and not before.get("global_time_selectable_enabled"):
        cautions.append(Caution("widens access: viewers may choose any time range, not only the shared one"))
    return tuple(cautions)


def _reach(before: Content, after: Content) -> list[Caution]:
    was, now = str(before.get("share_type")), str(after.get("share_type"))
    if _REACH.get(now, 1) > _REACH.get(was, 1):
        return [Caution(f"widens access: from {was} to {now}, {_audience(after)}")]
    if _REACH.get(now, 1) < _REACH.get(was, 1):
        return [Caution(f"narrows access: from {was} to {now}, {_audience(after)}", widens=False)]
    return []


def _invitees(before: Content, after: Content) -> list[Caution]:
    if not before.get("share_type") == after.get("share_type") == "invite":
        return []
    added = sorted(set(after.get("share_list") or []) - set(before.get("share_list") or []))
    removed = sorted(set(before.get("share_list") or []) - set(after.get("share_list") or []))
    cautions = [Caution(f"widens access: invites {', '.join(added)}")] if added else []
    # An invitation sent outside the share list (the UI's "invite", or the API's) lets that person in too.
    invited = sorted(set(after.get("invitations") or []) - set(before.get("invitations") or []) - set(added))
    if invited:
        cautions.append(Caution(f"widens access: an invitation for {', '.join(invited)}"))
    if removed:
        cautions.append(Caution(f"removes access for {', '.join(removed)}", widens=False))
    return cautions


def _embedding(was: list[str], now: list[str]) -> list[Caution]:
    added, removed = sorted(set(now) - set(was)), sorted(set(was) - set(now))
    cautions = [Caution(f"widens access: pages on {', '.join(added)} may embed it")] if added else []
    if removed:
        cautions.append(Caution(f"pages on {', '.join(removed)} may no longer embed it", widens=False))
    return cautions


def _status(was: Any, now: Any) -> list[Caution]:
    if (was or "active") == (now or "active"):
        return []
    if (now or "active") == "active":
        return [Caution(f"widens access: the share is active again (it was {was})")]
    return [Caution(f"the share is {now}: its link stops working until it is active again", widens=False)]


def _expiration(was: Any, now: Any) -> list[Caution]:
    if was == now:
        return []
    if now is None:
        return [Caution(f"widens access: the share no longer expires (it was to expire {was})")]
    if was is None or str(now) < str(was):
        # Both are UTC instants in one form, so text order is time order.
        return [Caution(f"the share now expires {now}" + ("" if was is None else f" (was {was})"), widens=False)]
    return [Caution(f"widens access: the share expires later, {now} (was {was})")]
