"""What every Datadog API client shares: the keys in headers, the host as messages name it, the error shape."""

from __future__ import annotations

import httpx

from reconciler.backends.http_client import HttpClient
from reconciler.backends.policy import DEFAULT_PARALLELISM, RetryPolicy
from reconciler.backends.sites import Site
from reconciler.render.common import printable


class DatadogClient(HttpClient):
    def __init__(
        self,
        site: Site,
        api_key: str,
        app_key: str,
        *,
        parallelism: int = DEFAULT_PARALLELISM,
        policy: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        seed: int | None = None,
    ) -> None:
        host = "the local emulator" if site.is_local else (httpx.URL(site.base_url).host or site.base_url)
        headers = {"DD-API-KEY": api_key, "DD-APPLICATION-KEY": app_key}
        super().__init__(
            site.base_url, headers, host, parallelism=parallelism, policy=policy, transport=transport, seed=seed
        )

    def error_text(self, response: httpx.Response) -> str:
        """Datadog's `{"errors": [...]}`, joined; the reason phrase when the body is not that. Shown as a title
        is: control characters escaped, so the server's text never starts a line or drives a terminal."""
        return printable(self._error_text(response))

    def _error_text(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return response.reason_phrase or "no details"
        errors = body.get("errors") if isinstance(body, dict) else None
        if isinstance(errors, list):
            return "; ".join(str(e) for e in errors)
        return response.reason_phrase or "no details"
