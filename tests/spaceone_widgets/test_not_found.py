"""The backend over the emulator's 404s (python-core 1.12's ERROR_NOT_FOUND): a missing widget is None, Gone or
False as the Backend protocol says, and a 404 without the service's code is an error, never a missing widget."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

from reconciler.backends.spaceone_widgets.backend import SpaceOneWidgets
from reconciler.backends.spaceone_widgets.client import SpaceOneClient
from reconciler.backends.spaceone_widgets.codec import content_of
from reconciler.backends.spaceone_widgets.vocabulary import SCOPE
from reconciler.core.backend import BackendError, Gone
from reconciler.core.resources import Marker
from tests.spaceone_widgets.conftest import DOMAIN

T = TypeVar("T")
MARKER = Marker("team-a", "cost", "digest-1")
CONTENT = content_of({"widget_name": "costTrend", "title": "Cost", "options": {"granularity": "MONTHLY"}})


def run(spaceone_app: Any, scenario: Callable[[SpaceOneWidgets], Awaitable[T]], endpoint: str = "http://emulator") -> T:
    async def main() -> T:
        transport = httpx.ASGITransport(app=spaceone_app)
        async with SpaceOneClient(endpoint, "token-alice", DOMAIN, "the emulator", transport=transport) as client:
            return await scenario(SpaceOneWidgets(client))

    return asyncio.run(main())


def test_a_deleted_widget_is_none_to_fetch_gone_to_update_and_false_to_delete(spaceone_app: Any) -> None:
    async def scenario(backend: SpaceOneWidgets) -> None:
        widget_id = await backend.create(SCOPE, CONTENT, MARKER)
        assert await backend.delete(SCOPE, widget_id, "team-a", "cost") is True
        assert await backend.fetch(SCOPE, widget_id) is None
        with pytest.raises(Gone):
            await backend.update(SCOPE, widget_id, CONTENT, MARKER)
        assert await backend.delete(SCOPE, widget_id, "team-a", "cost") is False

    run(spaceone_app, scenario)


def test_the_emulator_answers_those_as_404s_with_the_services_code(spaceone_app: Any) -> None:
    async def scenario(backend: SpaceOneWidgets) -> httpx.Response:
        message = {"custom_widget_id": "custom-widget-000000000000", "domain_id": DOMAIN}
        return await backend.client.send("POST", "/dashboard/v1/custom-widget/get", json=message, idempotent=True)

    response = run(spaceone_app, scenario)
    assert response.status_code == 404 and response.json()["detail"]["code"] == "ERROR_NOT_FOUND"


def test_a_404_without_the_services_code_is_an_error_not_a_missing_widget(spaceone_app: Any) -> None:
    async def scenario(backend: SpaceOneWidgets) -> object:
        return await backend.fetch(SCOPE, "custom-widget-000000000000")

    # A wrong endpoint path: FastAPI's `{"detail": "Not Found"}`, which must not read as "the widget is gone".
    with pytest.raises(BackendError, match="HTTP 404"):
        run(spaceone_app, scenario, endpoint="http://emulator/wrong-prefix")
