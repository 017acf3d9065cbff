"""Datadog's recorded powerpack exchanges replayed against the combined emulator: same statuses, same shapes.

The cassettes are the official Python client's own recordings of the real API. Each is replayed in order on a
fresh emulator serving every API (one needs the dashboards too); ids the server made are mapped from recorded
to emulated. A response must have the recorded status, the same keys at every level, the same server-filled
values and the same types; only ids, links, widget ids and who the users are may differ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from reconciler.backends.datadog_powerpacks.emulator.store import PowerpackStore
from reconciler.backends.emulator_server import create_emulator
from tests.asgi import SyncASGITransport
from tests.datadog_dashboards.test_replay import _keys

CASSETTES = Path(__file__).parent / "cassettes"
ALL = sorted(CASSETTES.glob("*.yaml"))
KEYS = {"DD-API-KEY": "replay-api-key", "DD-APPLICATION-KEY": "replay-app-key"}
# Values the server makes anew, or that name the recording's account: compared by type (or null) only.
VOLATILE = {"id", "url", "author_handle", "author_name", "created_at", "modified_at", "name", "email"}
VOLATILE |= {"self", "next", "first", "prev", "last", "deleted_dashboard_id"}
# What a user may name differently from the recording: whose account made it.
USER_FIELDS = {"name", "email", "author_name"}
TEXT_OR_NULL = (str, type(None))


def _load(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text())["interactions"])


def _same_volatile(recorded: Any, emulated: Any, key: str, where: str) -> None:
    if key in USER_FIELDS or recorded is None:
        assert isinstance(emulated, TEXT_OR_NULL), f"{where}.{key}: {emulated!r}"
    else:
        assert type(emulated) is type(recorded), f"{where}.{key}: {emulated!r} vs {recorded!r}"


def _by_id(items: list[Any]) -> dict[Any, Any]:
    return {item.get("id"): item for item in items if isinstance(item, dict)}


def same_shape(recorded: Any, emulated: Any, where: str) -> None:
    if isinstance(recorded, dict):
        assert isinstance(emulated, dict), f"{where}: expected an object, got {emulated!r:.80}"
        expected = _keys(recorded)
        assert set(emulated) == expected, f"{where}: keys {sorted(emulated)} != recorded {sorted(expected)}"
        for key in expected:
            if (key in VOLATILE and key != "name") or (key == "name" and "email" in recorded):
                _same_volatile(recorded[key], emulated[key], key, where)
            elif key in ("data", "included") and isinstance(recorded[key], list) and len(recorded[key]) > 1:
                # Several items: matched by id, as a list's order is the server's own.
                mine, theirs = _by_id(emulated[key]), _by_id(recorded[key])
                assert set(mine) == set(theirs), f"{where}.{key}: ids {sorted(mine)} != {sorted(theirs)}"
                for item_id, item in theirs.items():
                    same_shape(item, mine[item_id], f"{where}.{key}[{item_id}]")
            else:
                same_shape(recorded[key], emulated[key], f"{where}.{key}")
    elif isinstance(recorded, list):
        assert isinstance(emulated, list) and len(emulated) == len(recorded), f"{where}: {emulated!r:.120}"
        for index, (a, b) in enumerate(zip(recorded, emulated, strict=True)):
            same_shape(a, b, f"{where}[{index}]")
    elif isinstance(recorded, int) and where.endswith("].id"):
        assert isinstance(emulated, int), f"{where}: a widget id, got {emulated!r}"  # made anew on each write
    else:
        assert emulated == recorded and type(emulated) is type(recorded), f"{where}: {emulated!r} != {recorded!r}"


def _mapped(text: str, ids: dict[str, str]) -> str:
    for recorded, emulated in ids.items():
        text = text.replace(recorded, emulated)
    return text


def _seed(store: PowerpackStore, interactions: list[dict[str, Any]]) -> None:
    """The powerpacks the recorded organisation already held (a list names them), put in the emulator as they were:
    every item of a recorded list that no create of the cassette made."""
    made = {json.loads(i["response"]["body"]["string"])["data"]["id"] for i in interactions if _created(i)}
    for interaction in interactions:
        if interaction["request"]["method"] != "GET" or not interaction["request"]["uri"].split("?")[0].endswith(
            "/powerpacks"
        ):
            continue
        answer = json.loads(interaction["response"]["body"]["string"])
        for user in answer["included"]:
            store.put_user(user)
        for item in answer["data"]:
            if item["id"] not in made:
                author = item["relationships"]["author"]["data"]["id"]
                store.insert({"id": item["id"], "attributes": item["attributes"], "author": author})


def _created(interaction: dict[str, Any]) -> bool:
    request = interaction["request"]
    return (
        request["method"] == "POST"
        and request["uri"].endswith("/api/v2/powerpacks")
        and interaction["response"]["status"]["code"] == 200
    )


def replay(name: str, interactions: list[dict[str, Any]]) -> None:
    app, _, stores = create_emulator()
    store = stores["datadog/powerpack"]
    assert isinstance(store, PowerpackStore)
    _seed(store, interactions)
    ids: dict[str, str] = {}
    try:
        with httpx.Client(transport=SyncASGITransport(app), base_url="http://emulator", headers=KEYS) as client:
            for number, interaction in enumerate(interactions):
                _exchange(client, f"{name} #{number}", interaction, ids)
    finally:
        for each in stores.values():
            each.close()


def _exchange(client: httpx.Client, name: str, interaction: dict[str, Any], ids: dict[str, str]) -> None:
    request, recorded = interaction["request"], interaction["response"]
    parts = urlsplit(_mapped(request["uri"], ids))
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    body = request.get("body")
    content = _mapped(body, ids).encode() if body else None
    headers = {"content-type": "application/json"} if content else {}
    answer = client.request(request["method"], target, content=content, headers=headers)
    where = f"{name} {request['method']} {parts.path}"
    assert answer.status_code == recorded["status"]["code"], f"{where}: {answer.status_code} {answer.text}"
    text = recorded["body"]["string"].strip()
    if not text:
        assert not answer.content.strip(), where
        return
    expected = json.loads(text)
    emulated = json.loads(_mapped(answer.text, {new: old for old, new in ids.items()}))
    if request["method"] == "POST" and answer.status_code == 200:
        made = expected.get("data", expected)
        mine = emulated.get("data", emulated)
        ids[made["id"]] = mine["id"]
        if "relationships" in made:
            # The recording's account is the author there; the replay's key is the author here.
            ids[made["relationships"]["author"]["data"]["id"]] = mine["relationships"]["author"]["data"]["id"]
        emulated = json.loads(_mapped(answer.text, {new: old for old, new in ids.items()}))
    same_shape(expected, emulated, where)


def test_every_recording_replays() -> None:
    assert len(ALL) == 10, "every recording is here"
    failures = []
    for cassette in ALL:
        try:
            replay(cassette.stem, _load(cassette))
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert not failures, "\n".join(failures)


def test_the_replay_notices_a_wrong_answer() -> None:
    """The comparison is not vacuous: a changed server-filled value or a missing key fails it."""
    recorded = json.loads(
        _load(CASSETTES / "test_get_a_powerpack_returns_ok_response.yaml")[1]["response"]["body"]["string"]
    )
    changed = json.loads(json.dumps(recorded))
    changed["data"]["attributes"]["group_widget"]["layout"]["width"] = 11
    for wrong in (changed, {"data": {k: v for k, v in recorded["data"].items() if k != "relationships"}}):
        try:
            same_shape(recorded, wrong, "probe")
        except AssertionError:
            continue
        raise AssertionError("a wrong answer passed the replay's comparison")
