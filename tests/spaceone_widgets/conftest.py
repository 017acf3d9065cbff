"""The SpaceONE emulator in this process, and clients speaking its REST gateway over ASGI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from reconciler.backends.spaceone_widgets.emulator.app import create_spaceone_app
from reconciler.backends.spaceone_widgets.emulator.settings import Caller, SpaceOneSettings
from reconciler.backends.spaceone_widgets.emulator.store import CustomWidgetStore
from tests.asgi import SyncASGITransport

DOMAIN = "domain-a1b2c3"
TOKENS = {
    "token-alice": Caller("alice@example.com", DOMAIN),
    "token-bob": Caller("bob@example.com", DOMAIN),
    "token-other": Caller("carol@example.com", "domain-other"),
}


class SpaceOne:
    """A client for one token: `call("create", {...})` posts to `/dashboard/v1/custom-widget/create`."""

    def __init__(self, http: httpx.Client, domain_id: str = DOMAIN) -> None:
        self.http = http
        self.domain_id = domain_id

    def call(self, verb: str, body: dict[str, Any] | None = None, **fields: Any) -> httpx.Response:
        payload = {"domain_id": self.domain_id, **(body or {}), **fields}
        return self.http.post(f"/dashboard/v1/custom-widget/{verb}", json=payload)

    def ok(self, verb: str, body: dict[str, Any] | None = None, **fields: Any) -> Any:
        response = self.call(verb, body, **fields)
        assert response.status_code == 200, response.text
        return response.json()

    def create(self, title: str = "Monthly cost", **fields: Any) -> dict[str, Any]:
        body = {"widget_name": "costTrend", "title": title, "options": {"granularity": "MONTHLY"}, **fields}
        return self.ok("create", body)  # type: ignore[no-any-return]


@pytest.fixture()
def spaceone_app() -> Iterator[Any]:
    store = CustomWidgetStore()
    yield create_spaceone_app(store, SpaceOneSettings(tokens=TOKENS))
    store.close()


@pytest.fixture()
def client_for(spaceone_app: Any) -> Iterator[Callable[..., SpaceOne]]:
    made: list[httpx.Client] = []

    def make(token: str | None = "token-alice", domain_id: str = DOMAIN) -> SpaceOne:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        http = httpx.Client(transport=SyncASGITransport(spaceone_app), base_url="http://emulator", headers=headers)
        made.append(http)
        return SpaceOne(http, domain_id)

    yield make
    for http in made:
        http.close()


@pytest.fixture()
def alice(client_for: Callable[..., SpaceOne]) -> SpaceOne:
    return client_for("token-alice")
