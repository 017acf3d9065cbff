"""The emulator read and edited over HTTP, as Datadog's and SpaceONE's UIs (and a curious person) would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

import httpx

from tests.conftest import ALICE, BOB
from tests.journeys.model import DASHBOARD, EXPERIENCE_TYPES, SPACEONE, WIDGET, Key

# Every experience type is read: a widget landing in one no manifest uses would be a leak.
ALL_TYPES: Final = (*EXPERIENCE_TYPES, "csv_reports", "product_analytics")
SPACEONE_DOMAIN: Final = "domain-local"  # what the emulator's SpaceONE serves a run with no settings
# The person editing SpaceONE in its console: a token of their own, never the one wac uses.
PERSON_TOKEN: Final = {"Authorization": "Bearer token-of-a-person"}
# The marker as wac writes it; parsed here with a regex of the test's own.
MARKER: Final = re.compile(
    r"^Managed by widgets-as-code \(owner (?P<owner>[^,\s]+), id (?P<id>[^,\s]+), applied [0-9a-f]+"
    r"(?:, share (?P<token>[a-z0-9]{1,32}-[0-9a-f]{32}) applied [0-9a-f]+)?\): edit it in git\.$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Found:
    """A managed resource as the remote holds it: its key, the API's id and its body."""

    key: Key
    remote_id: str
    body: dict[str, Any]

    @property
    def share_token(self) -> str | None:
        found = MARKER.search(self.body.get("description") or "")
        return found["token"] if found else None


class Remote:
    """Plain HTTP to one emulator serving every API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)

    def close(self) -> None:
        self.http.close()

    def ok(self, method: str, path: str, headers: dict[str, str] = ALICE, **kwargs: Any) -> httpx.Response:
        answer = self.http.request(method, path, headers=headers, **kwargs)
        assert answer.is_success, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer

    def spaceone(self, verb: str, headers: dict[str, str] = PERSON_TOKEN, **body: Any) -> Any:
        body = {"domain_id": SPACEONE_DOMAIN, **body}
        return self.ok("POST", f"/dashboard/v1/custom-widget/{verb}", headers, json=body).json()

    # reading -------------------------------------------------------------------------------------------------------

    def widgets(self) -> list[tuple[str, dict[str, Any]]]:
        """Every live Datadog widget with its experience type."""
        found = []
        for experience_type in ALL_TYPES:
            page = 0
            while True:
                params = {"page[size]": 100, "page[number]": page}
                data = self.ok("GET", f"/api/v2/widgets/{experience_type}", params=params).json()["data"]
                found += [(experience_type, item) for item in data]
                if len(data) < 100:
                    break
                page += 1
        return found

    def dashboards(self) -> list[dict[str, Any]]:
        """Every live dashboard, read whole."""
        listed = self.ok("GET", "/api/v1/dashboard", params={"count": 1000}).json()["dashboards"]
        return [self.ok("GET", f"/api/v1/dashboard/{d['id']}").json() for d in listed]

    def shared_dashboard_ids(self) -> set[str]:
        listed = self.ok("GET", "/api/v1/dashboard", params={"filter[shared]": "true", "count": 1000}).json()
        return {d["id"] for d in listed["dashboards"]}

    def custom_widgets(self) -> list[dict[str, Any]]:
        return list(self.spaceone("list", query={})["results"])

    def managed(self, owner: str) -> list[Found]:
        """Every resource whose marker names `owner`, of every kind."""
        found = []
        for experience_type, item in self.widgets():
            tags = item["attributes"]["tags"]
            if f"wac-owner:{owner}" in tags:
                for tag in tags:
                    if tag.startswith("wac-id:"):
                        found.append(Found(Key(WIDGET, experience_type, tag[7:]), item["id"], item))
        for body in self.dashboards():
            for marker in MARKER.finditer(body.get("description") or ""):
                if marker["owner"] == owner:
                    found.append(Found(Key(DASHBOARD, "dashboard", marker["id"]), body["id"], body))
        for item in self.custom_widgets():
            tags = item.get("tags") or {}
            if tags.get("wac-owner") == owner:
                found.append(Found(Key(SPACEONE, "custom-widget", tags["wac-id"]), item["custom_widget_id"], item))
        return found

    def share(self, token: str) -> dict[str, Any]:
        return dict(self.ok("GET", f"/api/v1/dashboard/public/{token}").json())

    def invited(self, token: str) -> list[str]:
        data = self.ok("GET", f"/api/v1/dashboard/public/{token}/invitation").json()["data"]
        return [item["attributes"]["email"] for item in data]

    def raw(self, kind: str, scope: str, remote_id: str) -> bytes:
        """A resource's GET answer, byte for byte."""
        if kind == WIDGET:
            return self.ok("GET", f"/api/v2/widgets/{scope}/{remote_id}").content
        if kind == DASHBOARD:
            return self.ok("GET", f"/api/v1/dashboard/{remote_id}").content
        if kind == "datadog/dashboard-share":
            return self.ok("GET", f"/api/v1/dashboard/public/{remote_id}").content
        body = {"domain_id": SPACEONE_DOMAIN, "custom_widget_id": remote_id}
        return self.ok("POST", "/dashboard/v1/custom-widget/get", PERSON_TOKEN, json=body).content

    # a person in the UI --------------------------------------------------------------------------------------------

    def edit(self, found: Found, change: str) -> None:
        """Change a managed resource's title (`title`) or content (`content`) as its UI would: the whole body
        written back with one field changed."""
        if found.key.kind == WIDGET:
            attributes = found.body["attributes"]
            definition = dict(attributes["definition"])
            if change == "title":
                definition["title"] = "Renamed in the UI"
            else:
                definition["requests"] = [{"q": "count:edited.in.the.ui{*}"}]
            body = {"data": {"type": "widgets", "attributes": {"definition": definition, "tags": attributes["tags"]}}}
            self.ok("PUT", f"/api/v2/widgets/{found.key.scope}/{found.remote_id}", BOB, json=body)
        elif found.key.kind == DASHBOARD:
            server_fields = ("id", "url", "author_handle", "author_name", "created_at", "modified_at")
            dashboard = {k: v for k, v in found.body.items() if k not in server_fields}
            if change == "title":
                dashboard["title"] = "Renamed in the UI"
            else:
                # A widget more, and the description's text rewritten above the marker line, which stays as is.
                dashboard["widgets"] = [*dashboard["widgets"], {"definition": {"type": "note", "content": "UI"}}]
                marker = MARKER.search(dashboard.get("description") or "")
                assert marker is not None, f"{found.key} has its marker"
                dashboard["description"] = f"Rewritten in the UI.\n\n{marker[0]}"
            self.ok("PUT", f"/api/v1/dashboard/{found.remote_id}", BOB, json=dashboard)
        elif change == "title":
            self.spaceone("update", custom_widget_id=found.remote_id, title="Renamed in the console")
        else:
            self.spaceone("update", custom_widget_id=found.remote_id, options={"granularity": "YEARLY"})

    def delete(self, found: Found) -> None:
        if found.key.kind == WIDGET:
            self.ok("DELETE", f"/api/v2/widgets/{found.key.scope}/{found.remote_id}", BOB)
        elif found.key.kind == DASHBOARD:
            self.ok("DELETE", f"/api/v1/dashboard/{found.remote_id}", BOB)
        else:
            self.spaceone("delete", custom_widget_id=found.remote_id)

    def edit_share(self, token: str) -> None:
        """Someone widens a share in the Share menu: an invite share opened to anyone with the link, an open one
        given a longer time span viewers may change."""
        if self.share(token)["share_type"] == "invite":
            widened: dict[str, Any] = {"share_type": "open", "share_list": []}
        else:
            widened = {"global_time": {"live_span": "1w"}, "global_time_selectable_enabled": True}
        self.ok("PUT", f"/api/v1/dashboard/public/{token}", BOB, json=widened)

    def invite_extra(self, token: str, email: str) -> None:
        """What the Share menu does when one more person is invited: the list grows, an invitation is sent."""
        share = self.share(token)
        listed = {"share_type": "invite", "share_list": [*share["share_list"], email]}
        self.ok("PUT", f"/api/v1/dashboard/public/{token}", BOB, json=listed)
        invitation = {"data": {"type": "public_dashboard_invitation", "attributes": {"email": email}}}
        self.ok("POST", f"/api/v1/dashboard/public/{token}/invitation", BOB, json=invitation)

    def revoke(self, token: str) -> None:
        self.ok("DELETE", f"/api/v1/dashboard/public/{token}", BOB)


def seed_others(remote: Remote) -> dict[str, tuple[str, str, str]]:
    """Resources wac must never touch, made as other people would: another owner's widget, dashboard and
    SpaceONE widget (each claiming an id this repository also uses), and an unowned dashboard, shared, with a
    widget and a SpaceONE widget nobody manages. Returns each one's (kind, scope, remote id) by name."""
    made: dict[str, tuple[str, str, str]] = {}

    def widget(name: str, experience_type: str, tags: list[str]) -> None:
        definition = {"type": "toplist", "title": f"{name} widget", "requests": [{"q": "count:theirs{*}"}]}
        body = {"data": {"type": "widgets", "attributes": {"definition": definition, "tags": tags}}}
        answer = remote.ok("POST", f"/api/v2/widgets/{experience_type}", BOB, json=body).json()
        made[name] = (WIDGET, experience_type, answer["data"]["id"])

    widget("other-owner widget", "logs_reports", ["wac-owner:other", "wac-id:spend", "wac-applied:00", "team:a"])
    widget("unowned widget", "ccm_reports", ["team:b"])

    def board(name: str, description: str | None) -> str:
        body = {
            "title": f"{name} board",
            "layout_type": "ordered",
            "description": description,
            "widgets": [{"definition": {"type": "note", "content": "theirs"}}],
        }
        dashboard_id = str(remote.ok("POST", "/api/v1/dashboard", BOB, json=body).json()["id"])
        made[name] = (DASHBOARD, "dashboard", dashboard_id)
        return dashboard_id

    theirs = "Theirs.\n\nManaged by widgets-as-code (owner other, id checkout, applied 0123abcd): edit it in git."
    board("other-owner dashboard", theirs)
    loose = board("unowned dashboard", "Made in the UI.")
    share = {"dashboard_id": loose, "dashboard_type": "custom_timeboard", "share_type": "open"}
    token = remote.ok("POST", "/api/v1/dashboard/public", BOB, json=share).json()["token"]
    made["unowned dashboard's share"] = ("datadog/dashboard-share", "dashboard-share", token)

    def custom(name: str, tags: dict[str, str]) -> None:
        body: dict[str, Any] = {
            "widget_name": "costTrend",
            "title": f"{name} widget",
            "options": {"granularity": "MONTHLY"},
        }
        answer = remote.spaceone("create", tags=tags, **body)
        made[name] = (SPACEONE, "custom-widget", answer["custom_widget_id"])

    custom("other-owner custom widget", {"wac-owner": "other", "wac-id": "budget", "wac-applied": "00"})
    custom("unowned custom widget", {"team": "finops"})
    return made
