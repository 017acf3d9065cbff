"""The Widgets v2 API's verbs over the shared HTTP edge, with request paths built only from checked parts."""

from __future__ import annotations

from typing import Any

from reconciler.backends.datadog_http import DatadogClient
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES, WIDGET_UUID
from reconciler.backends.http_client import CallStats
from reconciler.backends.policy import RetryPolicy
from reconciler.core.backend import BackendError, Gone, OutcomeUnknown

API_ROOT = "/api/v2/widgets"

# The engine catches the core's errors; these names keep the client readable on its own.
ApiError = BackendError

__all__ = ["ApiError", "CallStats", "OutcomeUnknown", "RetryPolicy", "WidgetsClient"]


class WidgetsClient(DatadogClient):
    """Search, get, create, replace and delete a widget."""

    async def search(self, experience_type: str, params: dict[str, str | int]) -> dict[str, Any]:
        response = await self.send("GET", _collection(experience_type), params=params, idempotent=True)
        return self.json_of(response, "search")

    async def get(self, experience_type: str, uuid: str) -> dict[str, Any] | None:
        response = await self.send("GET", _item(experience_type, uuid), idempotent=True)
        if response.status_code == 404:
            return None
        return self.json_of(response, "get")

    async def create(self, experience_type: str, body: dict[str, Any]) -> str:
        """The new widget's id; an answer without one leaves the outcome unknown (it may exist)."""
        response = await self.send("POST", _collection(experience_type), json=body, idempotent=False)
        try:
            answer = self.json_of(response, "create")
        except ApiError as exc:
            if response.is_success:
                raise OutcomeUnknown(str(exc), response.status_code) from None
            raise
        data = answer.get("data")
        uuid = data.get("id") if isinstance(data, dict) else None
        if not isinstance(uuid, str) or not WIDGET_UUID.fullmatch(uuid):
            raise OutcomeUnknown(f"create: {self.host} answered without a widget id; the widget may exist")
        return uuid

    async def replace(self, experience_type: str, uuid: str, body: dict[str, Any]) -> dict[str, Any]:
        # A full replacement is idempotent: sending it twice leaves the same widget.
        response = await self.send("PUT", _item(experience_type, uuid), json=body, idempotent=True)
        if response.status_code == 404:
            raise Gone(f"update {experience_type}/{uuid}: the widget does not exist (any more)", 404)
        return self.json_of(response, "update")

    async def delete(self, experience_type: str, uuid: str) -> bool:
        """True when deleted now, False when it was already gone (a retried delete lands here)."""
        response = await self.send("DELETE", _item(experience_type, uuid), idempotent=True)
        if response.status_code == 404:
            return False
        self.json_of(response, "delete")
        return True


def _collection(experience_type: str) -> str:
    """The path of an experience type, which must come from the closed set: no path from unchecked text."""
    if experience_type not in EXPERIENCE_TYPES:
        raise ApiError(f"refused to send a request for experience type {experience_type[:60]!r}")
    return f"{API_ROOT}/{experience_type}"


def _item(experience_type: str, uuid: str) -> str:
    if not WIDGET_UUID.fullmatch(uuid):
        raise ApiError(f"refused to send a request for widget id {uuid[:60]!r}: not a UUID")
    return f"{_collection(experience_type)}/{uuid}"
