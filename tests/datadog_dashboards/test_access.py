"""What a share change does to access, in the sentences a reviewer reads first. Pure."""

from __future__ import annotations

from typing import Any

from reconciler.backends.datadog_dashboards.access import share_cautions
from reconciler.backends.datadog_dashboards.sharing import share_content


def shared(**fields: Any) -> dict[str, Any]:
    return share_content({"share_type": "invite", "share_list": ["a@example.com"], **fields})


def texts(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple[str, bool]]:
    return [(c.text, c.widens) for c in share_cautions(before, after)]


def test_a_new_share_widens_and_a_revocation_does_not() -> None:
    ((text, widens),) = texts(None, shared())
    assert widens and "with 1 invited email(s) (a@example.com)" in text and "never expires" in text
    ((text, widens),) = texts(None, share_content({"share_type": "open", "expiration": "2030-01-01T00:00:00Z"}))
    assert widens and "open to anyone who has its link" in text and "expires 2030-01-01T00:00:00Z" in text
    assert texts(shared(), None) == [("revokes the share: its link stops working for everyone", False)]


def test_each_widening_is_named() -> None:
    opened = share_content({"share_type": "open"})
    assert texts(shared(), opened)[0][1] is True and "from invite to open" in texts(shared(), opened)[0][0]
    narrowed = ("narrows access: from open to invite, with 1 invited email(s) (a@example.com)", False)
    assert texts(opened, shared())[0] == narrowed
    more = shared(share_list=["a@example.com", "b@example.com"])
    assert texts(shared(), more) == [("widens access: invites b@example.com", True)]
    assert texts(more, shared()) == [("removes access for b@example.com", False)]
    soon, later = shared(expiration="2030-01-01T00:00:00Z"), shared(expiration="2031-01-01T00:00:00+00:00")
    later_text = "widens access: the share expires later, 2031-01-01T00:00:00Z (was 2030-01-01T00:00:00Z)"
    assert texts(soon, later) == [(later_text, True)]
    assert texts(later, soon)[0][1] is False
    forever = "widens access: the share no longer expires (it was to expire 2030-01-01T00:00:00Z)"
    assert texts(soon, shared())[0] == (forever, True)
    assert texts(shared(), soon)[0][1] is False
    picker = shared(global_time_selectable_enabled=True)
    any_time = "widens access: viewers may choose any time range, not only the shared one"
    assert texts(shared(), picker) == [(any_time, True)]
    assert texts(shared(), shared(global_time={"live_span": "1h"})) == []
    # An invitation sent outside the list (in the UI, or through the API) lets one more person in.
    sent = share_content({"share_type": "invite", "share_list": ["a@example.com"]}, ["a@example.com", "x@evil.io"])
    assert texts(shared(), sent) == [("widens access: an invitation for x@evil.io", True)]


def test_emails_and_instants_compare_as_the_same_whatever_their_spelling() -> None:
    assert shared(share_list=["A@Example.com "]) == shared()
    assert shared(expiration="2030-01-01T01:00:00+01:00") == shared(expiration="2030-01-01T00:00:00Z")
