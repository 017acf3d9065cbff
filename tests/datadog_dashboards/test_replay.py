"""Datadog's recorded exchanges replayed against the dashboards emulator: same statuses, same shapes.

The cassettes are the official Python client's own recordings of the real API (copied from the
reference set). Each is replayed in order on a fresh emulator; ids the server made are mapped
from recorded to emulated. A response must have the recorded status, the same keys at every
level, the same server-filled values and the same types; only ids, urls, handles and times may differ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from reconciler.backends.datadog_dashboards.emulator.app import create_dashboards_app
from reconciler.backends.datadog_dashboards.emulator.store import DashboardStore
from tests.asgi import SyncASGITransport
from tests.figures import report as report_figure

CASSETTES = Path(__file__).parent / "cassettes"
KEYS = {"DD-API-KEY": "replay-api-key", "DD-APPLICATION-KEY": "replay-app-key"}
# Values the server makes anew: compared by type only.
VOLATILE = {"id", "url", "author_handle", "author_name", "created_at", "modified_at", "deleted_at"}
VOLATILE |= {"deleted_dashboard_id", "handle", "created", "invitation_expiry", "token", "public_url", "share_token"}
VOLATILE |= {"deleted_public_dashboard_token"}
OTHER_APIS = ("/api/v1/monitor", "/api/v1/slo", "/api/v2/powerpacks")
SHARES = "/api/v1/dashboard/public"


def _excluded(interactions: list[dict[str, Any]]) -> str | None:
    paths = [urlsplit(i["request"]["uri"]).path for i in interactions]
    if any(p.startswith("/api/v2/powerpacks") for p in paths):
        return "it needs the Powerpacks API: tests/datadog_powerpacks replays it over every emulator at once"
    if any(p.startswith(OTHER_APIS) for p in paths):
        return "it needs the Monitors or SLO API, which no backend here manages"
    return None


def _load(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text())["interactions"])


ALL = sorted(CASSETTES.glob("*.yaml"))


def test_every_recording_replays() -> None:
    """One test over all cassettes, so the figure counts them all whichever worker runs it."""
    excluded: dict[str, str] = {}
    failures: list[str] = []
    for cassette in ALL:
        interactions = _load(cassette)
        reason = _excluded(interactions)
        if reason is not None:
            excluded[cassette.stem] = reason
            continue
        try:
            _replay(cassette.stem, interactions)
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    replayed = len(ALL) - len(excluded)
    report_figure(
        f"dashboards replay: {len(ALL)} recorded cassettes, {replayed} replayed, {replayed - len(failures)} passed,"
        f" {len(excluded)} excluded (they need the Monitors or SLO API; the one with a powerpack is replayed with"
        " the powerpacks)"
    )
    assert len(ALL) == 83, "every recording is here"
    assert not failures, "\n".join(failures)


# Datadog stopped returning the deprecated `is_read_only` between these recordings.
READ_ONLY_DROPPED = "2025-06"


def _keys(recorded: dict[str, Any]) -> set[str]:
    """The keys the current API returns: older recordings also carry `is_read_only` on dashboards,
    and lack `embeddable_domains` on shares (Datadog changed both in 2025)."""
    keys = set(recorded)
    stamp = recorded.get("created_at")
    if "is_read_only" in recorded and isinstance(stamp, str) and stamp < READ_ONLY_DROPPED:
        keys -= {"is_read_only"}
    created = recorded.get("created")
    if "token" in recorded and isinstance(created, str) and created < READ_ONLY_DROPPED:
        keys |= {"embeddable_domains"}
    return keys


def _same_shape(recorded: Any, emulated: Any, where: str) -> None:
    if isinstance(recorded, dict):
        assert isinstance(emulated, dict), f"{where}: expected an object, got {emulated!r:.80}"
        expected = _keys(recorded)
        assert set(emulated) == expected, f"{where}: keys {sorted(emulated)} != recorded {sorted(expected)}"
        recorded = {k: v for k, v in recorded.items() if k in expected}
        for key, value in recorded.items():
            if key in ("share_list", "invitees") and isinstance(value, list):
                # Since 2026 Datadog also invites the recording account itself, whose address an
                # emulator cannot know: every address the emulator lists must be in the recording.
                mine = {i["email"] if isinstance(i, dict) else i for i in emulated[key] or []}
                theirs = {i["email"] if isinstance(i, dict) else i for i in value}
                assert mine <= theirs and len(theirs - mine) <= 1, f"{where}.{key}: {mine} vs {theirs}"
            elif key == "session_duration_in_days":
                # 2024 recordings clear it when a share turns open, 2025 ones keep it.
                assert emulated[key] in (value, None, 30), f"{where}.{key}: {emulated[key]!r} vs {value!r}"
            elif key == "author_name" or (key == "name" and where.endswith(".author")):
                # The author's profile decides: null for an account without a name, text otherwise.
                assert emulated[key] is None or isinstance(emulated[key], str), f"{where}.{key}"
            elif key in VOLATILE:
                assert type(emulated[key]) is type(value), f"{where}.{key}: {emulated[key]!r} vs {value!r}"
            else:
                _same_shape(value, emulated[key], f"{where}.{key}")
    elif isinstance(recorded, list):
        assert isinstance(emulated, list) and len(emulated) == len(recorded), f"{where}: {emulated!r:.120}"
        for index, (a, b) in enumerate(zip(recorded, emulated, strict=True)):
            _same_shape(a, b, f"{where}[{index}]")
    else:
        assert emulated == recorded and type(emulated) is type(recorded), f"{where}: {emulated!r} != {recorded!r}"


def _mapped(text: str, ids: dict[str, str]) -> str:
    for recorded, emulated in ids.items():
        text = text.replace(recorded, emulated)
    return text


def _replay(name: str, interactions: list[dict[str, Any]]) -> None:
    store = DashboardStore()
    app = create_dashboards_app(store)
    ids: dict[str, str] = {}
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://emulator", headers=KEYS) as client:
        for number, interaction in enumerate(interactions):
            request, recorded = interaction["request"], interaction["response"]
            parts = urlsplit(_mapped(request["uri"], ids))
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            body = request.get("body")
            content = _mapped(body, ids).encode() if body else None
            headers = {"content-type": "application/json"} if content else {}
            answer = client.request(request["method"], target, content=content, headers=headers)
            where = f"{name} #{number} {request['method']} {parts.path}"
            assert answer.status_code == recorded["status"]["code"], f"{where}: {answer.status_code} {answer.text}"
            text = recorded["body"]["string"].strip()
            if not text:
                assert not answer.content.strip(), where
                continue
            expected = json.loads(text)
            # Ids the emulator made are written back as the recorded ones, so messages compare too.
            emulated = json.loads(_mapped(answer.text, {new: old for old, new in ids.items()}))
            if request["method"] == "POST" and parts.path == "/api/v1/dashboard" and "id" in expected:
                ids[expected["id"]] = emulated["id"]
            if request["method"] == "POST" and parts.path == SHARES and "token" in expected:
                ids[expected["token"]] = emulated["token"]
            _same_shape(expected, emulated, where)
    store.close()
