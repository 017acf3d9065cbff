"""The Dashboards API v1's verbs over the shared HTTP edge; ids are checked before they enter a path."""

from __future__ import annotations

from typing import Any

import httpx

from reconciler.backends.datadog_dashboards.vocabulary import (
    API_ROOT,
    DASHBOARD_ID,
    INVITATION_PAGE_SIZE,
    PAGE_SIZE,
    POLICY_RESOURCE_TYPE,
    SHARE_ROOT,
    SHARE_TOKEN,
    SHARE_TOKEN_IN_TEXT,
)
from reconciler.backends.datadog_http import DatadogClient
from reconciler.backends.datadog_restriction import Permissions, delete_policy, policy_path, read_policy, write_policy
from reconciler.core.backend import BackendError, OutcomeUnknown


class DashboardsClient(DatadogClient):
    """List pages, get, create, replace and delete a dashboard; and a dashboard's share and its invitations.

    A share's token is its address and grants what the share grants, so it is never part of an error.
    """

    def shown_path(self, path: str) -> str:
        return SHARE_TOKEN_IN_TEXT.sub("***", path)

    def error_text(self, response: httpx.Response) -> str:
        # Already escaped by DatadogClient; a token is masked here as well as by the output guard.
        return SHARE_TOKEN_IN_TEXT.sub("***", super().error_text(response))

    async def page(self, start: int, shared: bool = False) -> dict[str, Any]:
        params: dict[str, str | int] = {"count": PAGE_SIZE, "start": start}
        if shared:
            params["filter[shared]"] = "true"
        return self.json_of(await self.send("GET", API_ROOT, params=params, idempotent=True), "list dashboards")

    async def get(self, dashboard_id: str) -> dict[str, Any] | None:
        response = await self.send("GET", _item(dashboard_id), idempotent=True)
        return None if response.status_code == 404 else self.json_of(response, "get dashboard")

    async def create(self, body: dict[str, Any]) -> str:
        response = await self.send("POST", API_ROOT, json=body, idempotent=False)
        answer = self.json_of(response, "create dashboard")
        dashboard_id = answer.get("id")
        if not isinstance(dashboard_id, str) or not DASHBOARD_ID.fullmatch(dashboard_id):
            raise OutcomeUnknown(f"create: {self.host} answered without a dashboard id; it may exist")
        return dashboard_id

    async def replace(self, dashboard_id: str, body: dict[str, Any]) -> None:
        self.json_of(await self.send("PUT", _item(dashboard_id), json=body, idempotent=True), "update dashboard")

    async def delete(self, dashboard_id: str) -> bool:
        response = await self.send("DELETE", _item(dashboard_id), idempotent=True)
        if response.status_code == 404:
            return False
        self.json_of(response, "delete dashboard")
        return True

    async def share(self, token: str) -> dict[str, Any] | None:
        response = await self.send("GET", _share(token), idempotent=True)
        return None if response.status_code == 404 else self.json_of(response, "get shared dashboard")

    async def create_share(self, body: dict[str, Any]) -> dict[str, Any]:
        """The new share; OutcomeUnknown when the answer (and with it the token) was lost."""
        return self.json_of(await self.send("POST", SHARE_ROOT, json=body, idempotent=False), "share dashboard")

    async def update_share(self, token: str, body: dict[str, Any]) -> None:
        self.json_of(await self.send("PUT", _share(token), json=body, idempotent=True), "update shared dashboard")

    async def delete_share(self, token: str) -> bool:
        response = await self.send("DELETE", _share(token), idempotent=True)
        if response.status_code == 404:
            return False
        self.json_of(response, "revoke shared dashboard")
        return True

    async def invitation_page(self, token: str, number: int) -> dict[str, Any]:
        params: dict[str, str | int] = {"page_size": INVITATION_PAGE_SIZE, "page_number": number}
        response = await self.send("GET", _share(token) + "/invitation", params=params, idempotent=True)
        return self.json_of(response, "list invitations")

    async def invite(self, token: str, emails: list[str]) -> None:
        # Sending twice would mail twice: not retried when the answer is lost.
        response = await self.send("POST", _share(token) + "/invitation", json=_invitees(emails), idempotent=False)
        self.json_of(response, "send invitations")

    async def uninvite(self, token: str, emails: list[str]) -> None:
        response = await self.send("DELETE", _share(token) + "/invitation", json=_invitees(emails), idempotent=True)
        self.json_of(response, "delete invitations")

    async def restriction(self, dashboard_id: str) -> Permissions:
        """The dashboard's restriction policy, both lists empty when it has none."""
        return await read_policy(self, _policy(dashboard_id), f"{POLICY_RESOURCE_TYPE}:{dashboard_id}")

    async def lock(self, dashboard_id: str, content: Permissions) -> None:
        await write_policy(self, _policy(dashboard_id), f"{POLICY_RESOURCE_TYPE}:{dashboard_id}", content)

    async def unlock(self, dashboard_id: str) -> bool:
        return await delete_policy(self, _policy(dashboard_id))


def _policy(dashboard_id: str) -> str:
    return policy_path(POLICY_RESOURCE_TYPE, dashboard_id, DASHBOARD_ID)


def _invitees(emails: list[str]) -> dict[str, Any]:
    return {"data": [{"type": "public_dashboard_invitation", "attributes": {"email": e}} for e in emails]}


def _share(token: str) -> str:
    if not SHARE_TOKEN.fullmatch(token):
        raise BackendError("refused to send a request for a share token that is not in Datadog's form")
    return f"{SHARE_ROOT}/{token}"


def _item(dashboard_id: str) -> str:
    if not DASHBOARD_ID.fullmatch(dashboard_id):
        raise BackendError(f"refused to send a request for dashboard id {dashboard_id[:60]!r}")
    return f"{API_ROOT}/{dashboard_id}"
