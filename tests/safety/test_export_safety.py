"""Export is lossless and inert: one file per widget, remote text stays data, nothing unreadable is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from reconciler.backends.emulator_server import RunningEmulator
from reconciler.manifests.export import manifest_path
from tests.commands.helpers import create_directly, make_workspace
from tests.conftest import ALICE


def _exported_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.yaml"))


def test_ids_that_look_alike_get_their_own_files(tmp_path: Path, server: RunningEmulator) -> None:
    for manifest_id in ("a/b", "a_b", "a"):
        create_directly(server.url, "ccm_reports", manifest_id, ["wac-owner:default", f"wac-id:{manifest_id}"])
    repo = make_workspace(tmp_path, server.url, copy_examples=False)
    exported = repo.wac("export", "--out", "widgets")
    assert exported.exit_code == 0, exported.output
    assert "Exported 3 resource(s)" in exported.output
    assert _exported_files(repo.widgets) == ["ccm_reports/a%2Fb.yaml", "ccm_reports/a.yaml", "ccm_reports/a_b.yaml"]
    assert repo.wac("validate").exit_code == 0
    planned = json.loads(repo.wac("plan", "--format", "json").stdout)
    assert [c for c in planned["changes"] if c["action"] != "update"] == [], "nothing created or deleted"


def test_the_path_mapping_is_one_to_one() -> None:
    ids = ["a/b", "a_b", "a%2fb", "a-b", "a.b", "x" * 190, "x" * 189 + "y", "a/" * 90 + "b", "a_" * 90 + "b"]
    paths = [manifest_path("ccm_reports", i) for i in ids if "%" not in i]
    assert len(set(paths)) == len(paths)
    assert all(len(Path(p).name.encode()) <= 255 for p in paths)


def test_remote_text_cannot_add_a_manifest(tmp_path: Path, server: RunningEmulator) -> None:
    evil = '")\n---\nid: injected\nexperience_type: ccm_reports\ndefinition: {type: toplist, requests: [{}]}\n# '
    assert len(evil) <= 100
    made = create_directly(server.url, "ccm_reports", evil, ["team:x"])
    repo = make_workspace(tmp_path, server.url, copy_examples=False)
    assert repo.wac("export", "--out", "widgets").exit_code == 0
    (only,) = _exported_files(repo.widgets)
    text = (repo.widgets / only).read_text()
    assert "\n---" not in text and "\nid: injected" not in text
    assert repo.wac("validate").exit_code == 0
    planned = json.loads(repo.wac("plan", "--format", "json").stdout)
    assert [(c["action"], c["remote_id"]) for c in planned["changes"]] == [("update", made["id"])], "an adoption only"
    assert planned["changes"][0]["content"]["definition"]["title"] == evil


def test_a_widget_that_would_not_read_back_is_not_written(tmp_path: Path, server: RunningEmulator) -> None:
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(400):
        deep = {"n": deep}
    body = {
        "data": {
            "type": "widgets",
            "attributes": {
                "definition": {"title": "Deep", "type": "toplist", "requests": [{"q": "x"}], "style": deep},
                "tags": [],
            },
        }
    }
    response = httpx.post(f"{server.url}/api/v2/widgets/ccm_reports", headers=ALICE, json=body)
    assert response.status_code == 200, response.text
    create_directly(server.url, "ccm_reports", "Fine", [])
    repo = make_workspace(tmp_path, server.url, copy_examples=False)
    exported = repo.wac("export", "--out", "widgets")
    assert exported.exit_code == 1
    assert "not written: widgets/ccm_reports/deep.yaml" in exported.output
    assert "the other 1 were written" in exported.output and "Traceback" not in exported.output
    assert _exported_files(repo.widgets) == ["ccm_reports/fine.yaml"]


def test_other_owners_widgets_are_left_out_with_a_note(tmp_path: Path, server: RunningEmulator) -> None:
    create_directly(server.url, "ccm_reports", "Theirs", ["wac-owner:other", "wac-id:theirs"])
    create_directly(server.url, "ccm_reports", "Both", ["wac-owner:other", "wac-owner:default", "wac-id:both"])
    repo = make_workspace(tmp_path, server.url, copy_examples=False)
    exported = repo.wac("export", "--out", "widgets")
    assert exported.exit_code == 0
    assert "is managed by owner 'other'" in exported.output
    assert "is claimed by owners default, other" in exported.output
    assert _exported_files(repo.widgets) == []
