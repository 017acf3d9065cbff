"""The Dashboard Lists API's verbs (v1 lists, v2 items) over the shared HTTP edge; ids are checked before
they enter a path."""

from __future__ import annotations

from typing import Any, Final

from reconciler.backends.datadog_dashboard_lists.answers import list_id_of
from reconciler.backends.datadog_dashboard_lists.vocabulary import DASHBOARD_ID, ITEMS, LIST_ID, LISTS
from reconciler.backends.datadog_http import DatadogClient
from reconciler.core.backend import BackendError, OutcomeUnknown

# Where a dashboard is read to learn its layout (the type an items write must name).
DASHBOARD: Final = "/api/v1/dashboard/{dashboard_id}"


class DashboardListsClient(DatadogClient):
    """Every list in one answer, one list, its items; create, rename and delete a list, replace its items."""

    async def lists(self) -> dict[str, Any]:
        return self.json_of(await self.send("GET", LISTS, idempotent=True), "list dashboard lists")

    async def get(self, list_id: str) -> dict[str, Any] | None:
        response = await self.send("GET", _list(list_id), idempotent=True)
        return None if response.status_code == 404 else self.json_of(response, f"get dashboard list {list_id}")

    async def create(self, name: str) -> str:
        answer = self.json_of(await self.send("POST", LISTS, json={"name": name}, idempotent=False), "create list")
        try:
            return list_id_of(answer.get("id"), "create dashboard list")
        except BackendError:
            raise OutcomeUnknown(f"create: {self.host} answered without a list id; the list may exist") from None

    async def rename(self, list_id: str, name: str) -> None:
        response = await self.send("PUT", _list(list_id), json={"name": name}, idempotent=True)
        self.json_of(response, f"rename dashboard list {list_id}")

    async def delete(self, list_id: str) -> bool:
        response = await self.send("DELETE", _list(list_id), idempotent=True)
        if response.status_code == 404:
            return False
        self.json_of(response, f"delete dashboard list {list_id}")
        return True

    async def items(self, list_id: str) -> dict[str, Any] | None:
        response = await self.send("GET", _items(list_id), idempotent=True)
        return None if response.status_code == 404 else self.json_of(response, f"get items of dashboard list {list_id}")

    async def replace_items(self, list_id: str, members: list[tuple[str, str]]) -> None:
        """PUT: the list's whole membership becomes these (dashboard id, type) pairs."""
        body = {"dashboards": [{"id": dashboard_id, "type": kind} for dashboard_id, kind in members]}
        response = await self.send("PUT", _items(list_id), json=body, idempotent=True)
        self.json_of(response, f"update items of dashboard list {list_id}")

    async def dashboard(self, dashboard_id: str) -> dict[str, Any] | None:
        if not DASHBOARD_ID.fullmatch(dashboard_id):
            raise BackendError(f"refused to send a request for dashboard id {dashboard_id[:60]!r}")
        response = await self.send("GET", DASHBOARD.format(dashboard_id=dashboard_id), idempotent=True)
        return None if response.status_code == 404 else self.json_of(response, f"get dashboard {dashboard_id}")


def _list(list_id: str) -> str:
    if not LIST_ID.fullmatch(list_id):
        raise BackendError(f"refused to send a request for dashboard list id {list_id[:60]!r}")
    return f"{LISTS}/{list_id}"


def _items(list_id: str) -> str:
    return ITEMS.format(list_id=_list(list_id).rsplit("/", 1)[1])
