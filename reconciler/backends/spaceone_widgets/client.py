"""The CustomWidget REST gateway's verbs over the shared HTTP edge: every call a POST with a JSON message."""

from __future__ import annotations

from typing import Any

import httpx

from reconciler.backends.http_client import HttpClient
from reconciler.backends.policy import DEFAULT_PARALLELISM, RetryPolicy
from reconciler.backends.spaceone_widgets.vocabulary import API_ROOT, CUSTOM_WIDGET_ID
from reconciler.core.backend import BackendError
from reconciler.render.common import printable

# Verbs whose repetition is harmless: a retried update writes the same fields again, a retried
# delete finds nothing. A create is never repeated blindly.
_IDEMPOTENT = frozenset({"get", "list", "stat", "update", "delete"})
VERBS = frozenset({"create", *_IDEMPOTENT})


class SpaceOneClient(HttpClient):
    """`Authorization: Bearer <token>`; every message carries the domain."""

    def __init__(
        self,
        endpoint: str,
        token: str,
        domain_id: str,
        host: str,
        *,
        parallelism: int = DEFAULT_PARALLELISM,
        policy: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        seed: int | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        super().__init__(
            endpoint, headers, host, parallelism=parallelism, policy=policy, transport=transport, seed=seed
        )
        self.domain_id = domain_id

    async def call(self, verb: str, message: dict[str, Any]) -> dict[str, Any] | None:
        """The verb's answer; None when the service says the widget does not exist."""
        if verb not in VERBS:
            raise BackendError(f"refused to call unknown verb {verb[:40]!r}")
        widget_id = message.get("custom_widget_id")
        if widget_id is not None and not (isinstance(widget_id, str) and CUSTOM_WIDGET_ID.fullmatch(widget_id)):
            raise BackendError(f"refused to send custom_widget_id {str(widget_id)[:60]!r}: not a custom widget id")
        body = {**message, "domain_id": self.domain_id}
        response = await self.send("POST", f"{API_ROOT}/{verb}", json=body, idempotent=verb in _IDEMPOTENT)
        if _not_found(response):
            return None
        return self.json_of(response, verb)

    def error_text(self, response: httpx.Response) -> str:
        """The service's `detail` code and message, control characters escaped as a title's are."""
        detail = _detail(response)
        if detail is None:
            return printable(response.reason_phrase or "no details")
        return printable(f"{detail.get('code', 'ERROR')}: {detail.get('message', '')}")


def _detail(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, dict) else None


def _not_found(response: httpx.Response) -> bool:
    # python-core 1.12 answers ERROR_NOT_FOUND as a 404, up to 1.11 as an invalid argument (400). The code
    # decides: a 404 without it (a wrong endpoint, a proxy's page) is an error, never a missing widget.
    detail = _detail(response) if response.status_code in (400, 404) else None
    return detail is not None and detail.get("code") == "ERROR_NOT_FOUND"
