"""The Dashboards API v1's verbs over the shared HTTP edge; ids are checked before they enter a path."""

from __future__ import annotations

from typing import Any

from reconciler.backends.datadog_dashboards.vocabulary import API_ROOT, DASHBOARD_ID, PAGE_SIZE
from reconciler.backends.datadog_http import DatadogClient
from reconciler.core.backend import BackendError, OutcomeUnknown


class DashboardsClient(DatadogClient):
    """List pages, get, create, replace and delete a dashboard."""

    async def page(self, start: int) -> dict[str, Any]:
        params: dict[str, str | int] = {"count": PAGE_SIZE, "start": start}
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


def _item(dashboard_id: str) -> str:
    if not DASHBOARD_ID.fullmatch(dashboard_id):
        raise BackendError(f"refused to send a request for dashboard id {dashboard_id[:60]!r}")
    return f"{API_ROOT}/{dashboard_id}"
