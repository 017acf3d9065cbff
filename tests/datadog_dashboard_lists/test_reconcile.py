"""A dashboard list kept in git end to end: `wac plan`, `apply`, `drift` and `export` against the one-port
emulator, with literal dashboard ids; membership a set, drift from the UI named, a no-op plan at its floor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from tests.commands.helpers import Workspace, make_workspace
from tests.conftest import ALICE, BOB

LISTS = "/api/v1/dashboard/lists/manual"
KIND = ("--kind", "datadog/dashboard-list")


def _dashboard(url: str, title: str, layout: str) -> str:
    body = {"title": title, "layout_type": layout, "widgets": [{"definition": {"type": "note", "content": "x"}}]}
    answer = httpx.post(f"{url}/api/v1/dashboard", headers=ALICE, json=body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def _manifest(name: str, members: list[str]) -> str:
    listed = "".join(f"\n  - {m}" for m in members) or " []"
    return f"kind: datadog/dashboard-list\nid: checkout\nname: {name}\ndashboards:{listed}\n"


def _lists(url: str) -> list[dict[str, Any]]:
    return list(httpx.get(f"{url}{LISTS}", headers=ALICE).json()["dashboard_lists"])


def _items(url: str, list_id: int, headers: dict[str, str] = ALICE) -> list[dict[str, Any]]:
    answer = httpx.get(f"{url}/api/v2/dashboard/lists/manual/{list_id}/dashboards", headers=headers)
    return list(answer.json()["dashboards"])


def _gets_of_a_plan(server: RunningEmulator, repo: Workspace) -> int:
    before = server.stats.by_method["GET"]
    result = repo.wac("plan", *KIND, "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    return server.stats.by_method["GET"] - before


def _applied(repo: Workspace) -> None:
    result = repo.wac("apply", *KIND, "--auto-approve")
    assert result.exit_code == 0, result.output


def test_plan_apply_drift_export_of_a_list_with_literal_ids(tmp_path: Path) -> None:
    with emulator_thread(tmp_path / "state.sqlite3") as server:
        orders, floor = _dashboard(server.url, "Orders", "ordered"), _dashboard(server.url, "Floor", "free")
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        manifest = repo.widgets / "checkout.yaml"
        manifest.write_text(_manifest("Checkout", [floor, orders]))
        assert repo.wac("plan", *KIND, "--detailed-exitcode").exit_code == 2
        _applied(repo)
        (made,) = _lists(server.url)
        assert made["name"].startswith("Checkout [wac: owner default, id checkout, applied ")
        types = {i["id"]: i["type"] for i in _items(server.url, made["id"])}
        assert types == {orders: "custom_timeboard", floor: "custom_screenboard"}, "each type read from its layout"
        # One call lists every list, one reads the items of the one owned list.
        assert _gets_of_a_plan(server, repo) == 2
        manifest.write_text(_manifest("Checkout", [orders, floor]))
        assert _gets_of_a_plan(server, repo) == 2, "order is never a diff"

        # In the UI: a dashboard taken out of the list, and the list renamed with its suffix kept.
        body = {"dashboards": [{"id": floor, "type": "custom_screenboard"}]}
        url = f"{server.url}/api/v2/dashboard/lists/manual/{made['id']}/dashboards"
        assert httpx.request("DELETE", url, headers=BOB, json=body).status_code == 200
        renamed = made["name"].replace("Checkout", "Checkout (old)", 1)
        assert httpx.put(f"{server.url}{LISTS}/{made['id']}", headers=BOB, json={"name": renamed}).status_code == 200
        drift = repo.wac("drift", *KIND)
        assert drift.exit_code == 2, drift.output
        assert "Checkout (old)" in drift.output and floor in drift.output
        before = dict(server.stats.by_method)
        _applied(repo)
        writes = {m: server.stats.by_method[m] - before.get(m, 0) for m in ("PUT", "POST", "DELETE")}
        assert writes == {"PUT": 2, "POST": 0, "DELETE": 0}, "the membership once, the name once"
        assert {i["id"] for i in _items(server.url, made["id"])} == {orders, floor}
        assert _lists(server.url)[0]["name"] == made["name"]

        exported = repo.wac("export", *KIND, "--out", "exported")
        assert exported.exit_code == 0, exported.output
        (file,) = (repo.root / "exported").rglob("*.yaml")
        text = file.read_text()
        assert "kind: datadog/dashboard-list" in text and "name: Checkout\n" in text and "[wac:" not in text
        assert orders in text and floor in text

        manifest.write_text(_manifest("Payments", []).replace("id: checkout", "id: payments"))
        deleted = repo.wac("apply", *KIND, "--auto-approve", "--allow-mass-delete")
        assert deleted.exit_code == 0, deleted.output
        assert [x["name"].split(" [")[0] for x in _lists(server.url)] == ["Payments"], "checkout deleted"


def test_an_empty_list_costs_one_call_and_a_missing_dashboard_stops_the_create(tmp_path: Path) -> None:
    with emulator_thread(tmp_path / "state.sqlite3") as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        manifest = repo.widgets / "checkout.yaml"
        manifest.write_text(_manifest("Checkout", ["zzz-zzz-zzz"]))
        result = repo.wac("apply", *KIND, "--auto-approve")
        assert result.exit_code == 1 and "dashboard zzz-zzz-zzz does not exist" in result.output, result.output
        assert _lists(server.url) == [], "nothing was created"
        manifest.write_text(_manifest("Checkout", []))
        _applied(repo)
        assert _gets_of_a_plan(server, repo) == 1, "a list its v1 answer counts empty has no items to read"


def test_a_suffix_edited_in_the_ui_is_a_conflict_nobody_writes(tmp_path: Path) -> None:
    with emulator_thread(tmp_path / "state.sqlite3") as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "checkout.yaml").write_text(_manifest("Checkout", []))
        _applied(repo)
        (made,) = _lists(server.url)
        edited = made["name"].replace("[wac: owner", "[wac owner")
        assert httpx.put(f"{server.url}{LISTS}/{made['id']}", headers=BOB, json={"name": edited}).status_code == 200
        planned = repo.wac("plan", *KIND, "--format", "json")
        plan = json.loads(planned.stdout)
        assert plan["changes"] == [] or all(c["action"] != "delete" for c in plan["changes"]), planned.output
        assert "edited" in planned.output or "conflict" in json.dumps(plan), planned.output
        repo.wac("apply", *KIND, "--auto-approve")
        assert [x["name"] for x in _lists(server.url)] == [edited], "nobody wrote to it"


def test_pull_writes_members_added_or_removed_in_the_ui_into_the_list(tmp_path: Path) -> None:
    with emulator_thread(tmp_path / "state.sqlite3") as server:
        orders, floor = _dashboard(server.url, "Orders", "ordered"), _dashboard(server.url, "Floor", "free")
        # Dashboard ids hold hyphens: a field path once split such a key into several segments.
        extra = _dashboard(server.url, "Extra", "ordered")
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        manifest = repo.widgets / "checkout.yaml"
        manifest.write_text(_manifest("Checkout", [orders, floor]))
        _applied(repo)
        (made,) = _lists(server.url)
        url = f"{server.url}/api/v2/dashboard/lists/manual/{made['id']}/dashboards"
        taken = {"dashboards": [{"id": floor, "type": "custom_screenboard"}]}
        assert httpx.request("DELETE", url, headers=BOB, json=taken).status_code == 200
        added = {"dashboards": [{"id": extra, "type": "custom_timeboard"}]}
        assert httpx.post(url, headers=BOB, json=added).status_code == 200
        pulled = repo.wac("pull", *KIND)
        assert pulled.exit_code == 0, pulled.output
        assert "not pulled" not in pulled.output, pulled.output
        text = manifest.read_text()
        assert orders in text and extra in text and floor not in text, text
        assert _gets_of_a_plan(server, repo) == 2, "the pulled manifest matches the list: nothing to do"


def test_every_recorded_create_applies_then_plans_empty(tmp_path: Path) -> None:
    """Each list the recordings create, written as a manifest: applied, then planned again with nothing to do."""
    import yaml

    names = []
    for cassette in sorted((Path(__file__).parent / "cassettes").glob("*.yaml")):
        for interaction in yaml.safe_load(cassette.read_text())["interactions"]:
            request = interaction["request"]
            if request["method"] == "POST" and request["uri"].endswith(LISTS):
                names.append(json.loads(request["body"])["name"])
    assert len(names) == 9, "every recorded create"
    with emulator_thread(tmp_path / "state.sqlite3") as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        for index, name in enumerate(names):
            document = _manifest(name, []).replace("id: checkout", f"id: recorded-{index}")
            (repo.widgets / f"recorded-{index}.yaml").write_text(document)
        _applied(repo)
        assert len(_lists(server.url)) == len(names)
        assert _gets_of_a_plan(server, repo) == 1, "nothing to do, and no items read of an empty list"
