"""Datadog's recorded dashboard-lists exchanges replayed against the one-port emulator: same statuses, shapes.

The cassettes are the official Python client's own recordings of the real API (copied from the reference
set); they also create and delete dashboards, so they are replayed over every registered emulator on one
state file, as `wac emulator` serves them. Each is replayed in order on a fresh file; ids the server made are
mapped from recorded to emulated. A response must have the recorded status, the same keys at every level, the
same server-filled values and the same types; only ids, urls, handles and times may differ. A list the
recording's organisation held before (it shows only in a listing) is made first, with as many dashboards.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from reconciler.backends.emulator_server import create_emulator
from tests.asgi import SyncASGITransport
from tests.figures import report as report_figure

CASSETTES = Path(__file__).parent / "cassettes"
KEYS = {"DD-API-KEY": "replay-api-key", "DD-APPLICATION-KEY": "replay-app-key"}
LISTS = "/api/v1/dashboard/lists/manual"
# Values the server makes anew: compared by type only (list ids are mapped and compared exactly).
VOLATILE = {"url", "author_handle", "author_name", "created_at", "modified_at", "created", "modified", "handle"}
# Datadog stopped returning the deprecated `is_read_only` on dashboards between these recordings.
READ_ONLY_DROPPED = "2025-06"
ALL = sorted(CASSETTES.glob("*.yaml"))


def _load(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text())["interactions"])


class Ids:
    """Recorded ids and the emulator's: dashboards' (text) and lists' (integers, matched as whole numbers)."""

    def __init__(self) -> None:
        self.dashboards: dict[str, str] = {}
        self.lists: dict[int, int] = {}

    def to_emulated(self, text: str) -> str:
        for recorded, emulated in self.dashboards.items():
            text = text.replace(recorded, emulated)
        for number, made in self.lists.items():
            text = re.sub(rf"(?<![0-9]){number}(?![0-9])", str(made), text)
        return text

    def to_recorded(self, value: Any, key: str = "") -> Any:
        """The emulator's answer with its ids written back as the recorded ones, so messages compare too."""
        back = {made: number for number, made in self.lists.items()}
        if isinstance(value, dict):
            return {k: self.to_recorded(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.to_recorded(v, key) for v in value]
        if isinstance(value, int) and key in ("id", "deleted_dashboard_list_id") and value in back:
            return back[value]
        if isinstance(value, str):
            for recorded, emulated in self.dashboards.items():
                value = value.replace(emulated, recorded)
            for made, number in back.items():
                value = re.sub(rf"(?<![0-9]){made}(?![0-9])", str(number), value)
        return value


def _keys(recorded: dict[str, Any]) -> set[str]:
    keys = set(recorded)
    stamp = recorded.get("created_at")
    if "is_read_only" in recorded and isinstance(stamp, str) and stamp < READ_ONLY_DROPPED:
        keys -= {"is_read_only"}
    return keys


def _same_shape(recorded: Any, emulated: Any, where: str) -> None:
    if isinstance(recorded, dict):
        assert isinstance(emulated, dict), f"{where}: expected an object, got {emulated!r:.80}"
        expected = _keys(recorded)
        assert set(emulated) == expected, f"{where}: keys {sorted(emulated)} != recorded {sorted(expected)}"
        for key in expected:
            value = recorded[key]
            if key in VOLATILE or (key == "id" and isinstance(value, int) and "widgets" in where):
                assert type(emulated[key]) is type(value), f"{where}.{key}: {emulated[key]!r} vs {value!r}"
            elif key == "author_name" or (key == "name" and where.endswith(".author")):
                assert emulated[key] is None or isinstance(emulated[key], str), f"{where}.{key}"
            else:
                _same_shape(value, emulated[key], f"{where}.{key}")
    elif isinstance(recorded, list):
        assert isinstance(emulated, list) and len(emulated) == len(recorded), f"{where}: {emulated!r:.120}"
        for index, (a, b) in enumerate(zip(recorded, emulated, strict=True)):
            _same_shape(a, b, f"{where}[{index}]")
    else:
        assert emulated == recorded and type(emulated) is type(recorded), f"{where}: {emulated!r} != {recorded!r}"


def _earlier_lists(interactions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lists a recorded listing shows that the recording never created: the organisation's from before."""
    created = set()
    earlier = []
    for interaction in interactions:
        request, answer = interaction["request"], interaction["response"]
        path = urlsplit(request["uri"]).path
        text = answer["body"]["string"].strip()
        if path != LISTS or not text:
            continue
        body = json.loads(text)
        if request["method"] == "POST":
            created.add(body["id"])
        else:
            earlier += [item for item in body.get("dashboard_lists", []) if item["id"] not in created]
    return earlier


def _seed(client: httpx.Client, earlier: list[dict[str, Any]], ids: Ids) -> None:
    for item in reversed(earlier):  # oldest first, as they were made
        made = client.post(LISTS, json={"name": item["name"]}).json()["id"]
        ids.lists[item["id"]] = made
        for number in range(item["dashboard_count"]):
            body = {"title": f"{item['name']} {number}", "layout_type": "ordered", "widgets": []}
            dashboard = client.post("/api/v1/dashboard", json=body).json()["id"]
            member = {"dashboards": [{"id": dashboard, "type": "custom_timeboard"}]}
            client.post(f"/api/v2/dashboard/lists/manual/{made}/dashboards", json=member)


def _replay(name: str, interactions: list[dict[str, Any]], tmp_path: Path) -> None:
    app, _, stores = create_emulator(tmp_path / f"{name}.sqlite3")
    ids = Ids()
    try:
        with httpx.Client(transport=SyncASGITransport(app), base_url="http://emulator", headers=KEYS) as client:
            _seed(client, _earlier_lists(interactions), ids)
            for number, interaction in enumerate(interactions):
                _exchange(client, f"{name} #{number}", interaction, ids)
    finally:
        for store in stores.values():
            store.close()


def _exchange(client: httpx.Client, name: str, interaction: dict[str, Any], ids: Ids) -> None:
    request, recorded = interaction["request"], interaction["response"]
    parts = urlsplit(ids.to_emulated(request["uri"]))
    body = request.get("body")
    content = ids.to_emulated(body).encode() if body else None
    headers = {"content-type": "application/json"} if content else {}
    answer = client.request(request["method"], parts.path, content=content, headers=headers)
    where = f"{name} {request['method']} {parts.path}"
    assert answer.status_code == recorded["status"]["code"], f"{where}: {answer.status_code} {answer.text}"
    expected = json.loads(recorded["body"]["string"].strip())
    emulated = answer.json()
    if request["method"] == "POST" and "id" in expected:
        if parts.path == LISTS:
            ids.lists[expected["id"]] = emulated["id"]
        elif parts.path == "/api/v1/dashboard":
            ids.dashboards[expected["id"]] = emulated["id"]
    _same_shape(expected, ids.to_recorded(emulated), where)


def test_every_recording_replays(tmp_path: Path) -> None:
    """One test over all cassettes, so the figure counts them all whichever worker runs it."""
    failures: list[str] = []
    for cassette in ALL:
        try:
            _replay(cassette.stem, _load(cassette), tmp_path)
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    report_figure(
        f"dashboard lists replay: {len(ALL)} recorded cassettes, {len(ALL)} replayed,"
        f" {len(ALL) - len(failures)} passed, none excluded"
    )
    assert len(ALL) == 10, "every recording is here"
    assert not failures, "\n".join(failures)
