"""State in SQLite: it survives a restart, and concurrent writes are neither lost nor duplicated."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from reconciler.backends.emulator_server import emulator_process, emulator_thread
from tests.conftest import ALICE, BOB, widget_body

BASE = "/api/v2/widgets/ccm_reports"


def test_state_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    with emulator_thread(db=db) as first:
        created = httpx.post(first.url + BASE, headers=ALICE, json=widget_body("Persistent")).json()["data"]
        doomed = httpx.post(first.url + BASE, headers=ALICE, json=widget_body("Doomed")).json()["data"]
        httpx.delete(f"{first.url}{BASE}/{doomed['id']}", headers=ALICE)
    with emulator_thread(db=db) as second:
        assert httpx.get(f"{second.url}{BASE}/{created['id']}", headers=ALICE).json()["data"] == created
        assert httpx.get(f"{second.url}{BASE}/{doomed['id']}", headers=ALICE).status_code == 404
        assert httpx.get(second.url + BASE, headers=ALICE).json()["meta"]["filtered_total"] == 1


def test_concurrent_creates_are_all_kept_once(tmp_path: Path) -> None:
    async def burst(url: str) -> list[str]:
        limits = httpx.Limits(max_connections=40)
        async with httpx.AsyncClient(base_url=url, headers=ALICE, limits=limits, timeout=30) as client:
            responses = await asyncio.gather(
                *(client.post(BASE, json=widget_body(f"c{i}", tags=[f"n:{i}"])) for i in range(300))
            )
        assert {r.status_code for r in responses} == {200}
        return [r.json()["data"]["id"] for r in responses]

    # A server process of its own: in a thread of this process the GIL, not the server, sets the pace.
    with emulator_process(tmp_path / "e.sqlite3") as url:
        ids = asyncio.run(burst(url))
        assert len(set(ids)) == 300
        listed = []
        for page in range(3):
            body = httpx.get(url + BASE, headers=ALICE, params={"page[size]": 100, "page[number]": page}).json()
            listed += [w["id"] for w in body["data"]]
        assert sorted(listed) == sorted(ids)
        for i in (0, 150, 299):
            tagged = httpx.get(url + BASE, headers=ALICE, params={"filter[tags]": f"[n:{i}]"}).json()
            assert [w["attributes"]["definition"]["title"] for w in tagged["data"]] == [f"c{i}"]


def test_concurrent_updates_of_one_widget_leave_one_whole_write(tmp_path: Path) -> None:
    with emulator_thread(db=tmp_path / "e.sqlite3") as running:
        widget_id = httpx.post(running.url + BASE, headers=ALICE, json=widget_body()).json()["data"]["id"]

        async def race() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=running.url, timeout=30) as client:
                return await asyncio.gather(
                    *(
                        client.put(
                            f"{BASE}/{widget_id}",
                            headers=ALICE if i % 2 else BOB,
                            json=widget_body(f"v{i}", tags=[f"v:{i}"]),
                        )
                        for i in range(100)
                    )
                )

        responses = asyncio.run(race())
        assert {r.status_code for r in responses} == {200}
        final = httpx.get(f"{running.url}{BASE}/{widget_id}", headers=ALICE).json()["data"]["attributes"]
        title = final["definition"]["title"]
        assert final["tags"] == [f"v:{title[1:]}"], "title and tags come from the same write"
        assert httpx.get(running.url + BASE, headers=ALICE).json()["meta"]["filtered_total"] == 1
        tagged = httpx.get(running.url + BASE, headers=ALICE, params={"filter[tags]": f"[v:{title[1:]}]"})
        assert tagged.json()["meta"]["filtered_total"] == 1


def test_two_servers_on_one_file_see_each_others_writes(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite3"
    with emulator_thread(db=db) as first, emulator_thread(db=db) as second:
        assert httpx.get(second.url + BASE, headers=ALICE).json()["meta"]["filtered_total"] == 0
        httpx.post(first.url + BASE, headers=ALICE, json=widget_body("From the first"))
        listed = httpx.get(second.url + BASE, headers=ALICE).json()
        assert [w["attributes"]["definition"]["title"] for w in listed["data"]] == ["From the first"]
