"""Both keys are required; the application key decides who acts, and `included` says who that is."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from reconciler.backends.datadog_widgets.emulator.settings import UserProfile
from reconciler.backends.emulation.settings import EmulatorSettings
from reconciler.backends.emulator_server import RunningEmulator, emulator_process, emulator_thread
from tests.conftest import ALICE, BOB, widget_body

BASE = "/api/v2/widgets/ccm_reports"


@pytest.mark.parametrize(
    "headers",
    [{}, {"DD-API-KEY": "k"}, {"DD-APPLICATION-KEY": "k"}, {"DD-API-KEY": "", "DD-APPLICATION-KEY": "k"}],
    ids=["none", "api-key-only", "app-key-only", "empty-api-key"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", BASE),
        ("POST", BASE),
        ("GET", f"{BASE}/0b5e5a52-9c6c-4c0e-9d3e-2f3c1a7b8e01"),
        ("PUT", f"{BASE}/1b5e5a52-9c6c-4c0e-9d3e-2f3c1a7b8e02"),
        ("DELETE", f"{BASE}/2b5e5a52-9c6c-4c0e-9d3e-2f3c1a7b8e03"),
    ],
)
def test_every_endpoint_requires_both_keys(
    emulator: RunningEmulator, headers: dict[str, str], method: str, path: str
) -> None:
    response = httpx.request(method, emulator.url + path, headers=headers, json=widget_body())
    assert response.status_code == 403
    errors = response.json()["errors"]
    assert isinstance(errors, list) and "DD-APPLICATION-KEY" in errors[0]


def test_distinct_app_keys_are_distinct_stable_users(emulator: RunningEmulator) -> None:
    with (
        httpx.Client(base_url=emulator.url, headers=ALICE) as alice,
        httpx.Client(base_url=emulator.url, headers=BOB) as bob,
    ):
        first = alice.post(BASE, json=widget_body()).json()
        second = alice.post(BASE, json=widget_body()).json()
        alice_id = first["data"]["relationships"]["created_by"]["data"]["id"]
        assert second["data"]["relationships"]["created_by"]["data"]["id"] == alice_id

        edited = bob.put(f"{BASE}/{first['data']['id']}", json=widget_body("Bob was here")).json()
        bob_id = edited["data"]["relationships"]["modified_by"]["data"]["id"]
        assert bob_id != alice_id
        assert edited["data"]["relationships"]["created_by"]["data"]["id"] == alice_id
        handles = {u["id"]: u["attributes"]["handle"] for u in edited["included"]}
        assert set(handles) == {alice_id, bob_id}
        assert handles[alice_id] != handles[bob_id]
        assert all("@" in h for h in handles.values())


def test_user_profiles_are_configurable(tmp_path: Path) -> None:
    alice = UserProfile("alice@example.com", "Alice Doe")
    settings = EmulatorSettings(options={"users": {ALICE["DD-APPLICATION-KEY"]: alice}})
    with emulator_thread(settings=settings) as running:
        body = httpx.post(running.url + BASE, headers=ALICE, json=widget_body()).json()
    assert body["included"][0]["attributes"] == {"handle": "alice@example.com", "name": "Alice Doe"}


def test_keys_are_not_stored(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    with emulator_thread(db=db) as running:
        httpx.post(running.url + BASE, headers=ALICE, json=widget_body())
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert ALICE["DD-APPLICATION-KEY"].encode() not in raw
    assert ALICE["DD-API-KEY"].encode() not in raw


def test_wac_emulator_command_serves_http_to_the_official_client(tmp_path: Path) -> None:
    from datadog_api_client import ApiClient, Configuration
    from datadog_api_client.v2.api.widgets_api import WidgetsApi
    from datadog_api_client.v2.model.widget_experience_type import WidgetExperienceType

    users = tmp_path / "users.json"
    users.write_text(json.dumps({ALICE["DD-APPLICATION-KEY"]: {"handle": "alice@example.com", "name": "Alice"}}))
    with emulator_process(tmp_path / "e.sqlite3", "--users", str(users)) as url:
        response = httpx.post(url + BASE, headers=ALICE, json=widget_body())
        assert response.status_code == 200
        assert response.json()["included"][0]["attributes"]["handle"] == "alice@example.com"

        config = Configuration(host=url)
        config.api_key["apiKeyAuth"], config.api_key["appKeyAuth"] = ALICE["DD-API-KEY"], ALICE["DD-APPLICATION-KEY"]
        with ApiClient(config) as client:
            found = WidgetsApi(client).search_widgets(experience_type=WidgetExperienceType.CCM_REPORTS)
        assert found.meta.filtered_total == 1 and found.included[0].attributes.handle == "alice@example.com"


def test_api_keys_can_be_restricted() -> None:
    settings = EmulatorSettings(options={"api_keys": frozenset({ALICE["DD-API-KEY"]})})
    with emulator_thread(settings=settings) as running:
        assert httpx.get(running.url + BASE, headers=ALICE).status_code == 200
        wrong = {**ALICE, "DD-API-KEY": "wrong"}
        response = httpx.get(running.url + BASE, headers=wrong)
    assert response.status_code == 403
    assert response.json() == {"errors": ["Forbidden: the API key is not valid"]}
