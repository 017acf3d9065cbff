"""The Powerpacks API v2's verbs over the shared Datadog HTTP edge; ids are checked before they enter a path."""

from __future__ import annotations

from typing import Any

from reconciler.backends.datadog_http import DatadogClient
from reconciler.backends.datadog_powerpacks.vocabulary import API_ROOT, PAGE_LIMIT, POLICY_RESOURCE_TYPE, POWERPACK_ID
from reconciler.backends.datadog_restriction import Permissions, delete_policy, policy_path, read_policy, write_policy
from reconciler.core.backend import BackendError, OutcomeUnknown


class PowerpacksClient(DatadogClient):
    """List a page, get, create, update (PATCH) and delete a powerpack; read, replace and delete its policy."""

    async def page(self, offset: int) -> dict[str, Any]:
        params: dict[str, str | int] = {"page[limit]": PAGE_LIMIT, "page[offset]": offset}
        return self.json_of(await self.send("GET", API_ROOT, params=params, idempotent=True), "list powerpacks")

    async def get(self, powerpack_id: str) -> dict[str, Any] | None:
        response = await self.send("GET", _item(powerpack_id), idempotent=True)
        return None if response.status_code == 404 else self.json_of(response, "get powerpack")

    async def create(self, body: dict[str, Any]) -> str:
        answer = self.json_of(await self.send("POST", API_ROOT, json=body, idempotent=False), "create powerpack")
        data = answer.get("data")
        powerpack_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(powerpack_id, str) or not POWERPACK_ID.fullmatch(powerpack_id):
            raise OutcomeUnknown(f"create: {self.host} answered without a powerpack id; it may exist")
        return powerpack_id

    async def update(self, powerpack_id: str, body: dict[str, Any]) -> None:
        response = await self.send("PATCH", _item(powerpack_id), json=body, idempotent=True)
        self.json_of(response, "update powerpack")

    async def delete(self, powerpack_id: str) -> bool:
        response = await self.send("DELETE", _item(powerpack_id), idempotent=True)
        if response.status_code == 404:
            return False
        self.json_of(response, "delete powerpack")
        return True

    async def restriction(self, powerpack_id: str) -> Permissions:
        """The powerpack's restriction policy, both lists empty when it has none."""
        return await read_policy(self, _policy(powerpack_id), resource_of(powerpack_id))

    async def lock(self, powerpack_id: str, content: Permissions) -> None:
        await write_policy(self, _policy(powerpack_id), resource_of(powerpack_id), content)

    async def unlock(self, powerpack_id: str) -> bool:
        return await delete_policy(self, _policy(powerpack_id))


def resource_of(powerpack_id: str) -> str:
    """How a restriction policy names the powerpack (`powerpack:<uuid>`)."""
    return f"{POLICY_RESOURCE_TYPE}:{powerpack_id}"


def _policy(powerpack_id: str) -> str:
    return policy_path(POLICY_RESOURCE_TYPE, powerpack_id, POWERPACK_ID)


def _item(powerpack_id: str) -> str:
    if not POWERPACK_ID.fullmatch(powerpack_id):
        raise BackendError(f"refused to send a request for powerpack id {powerpack_id[:60]!r}: not a UUID")
    return f"{API_ROOT}/{powerpack_id}"
