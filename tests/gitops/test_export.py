"""Adoption: widgets made in the UI are exported, validated, planned as tag adoptions only, and applied in place."""

from __future__ import annotations

from pathlib import Path

import httpx

from reconciler.backends.emulator_server import emulator_thread
from reconciler.core.resources import Remote
from reconciler.manifests.export import export_manifests, slugify
from tests.commands.helpers import create_directly, make_workspace
from tests.conftest import ALICE, BOB
from tests.widgets import remote_widget


def test_export_validate_plan_apply_adopts_without_recreating(tmp_path: Path) -> None:
    with emulator_thread() as server:
        made = [
            create_directly(server.url, "ccm_reports", "AWS spend", ["team:finops", "Env:Prod"]),
            create_directly(server.url, "ccm_reports", "AWS spend", ["team:finops"], headers=BOB),
            create_directly(server.url, "logs_reports", "Errors: by status!", []),
            create_directly(server.url, "logs_reports", "Someone else's", ["wac-owner:other", "wac-id:x"]),
        ]
        repo = make_workspace(tmp_path, server.url, copy_examples=False)

        exported = repo.wac("export", "--out", "widgets", "--unmanaged-only")
        assert exported.exit_code == 0, exported.output
        files = sorted(p.relative_to(repo.widgets).as_posix() for p in repo.widgets.rglob("*.yaml"))
        assert files == [
            "ccm_reports/aws-spend-2.yaml",
            "ccm_reports/aws-spend.yaml",
            "logs_reports/errors-by-status.yaml",
        ]
        text = (repo.widgets / "ccm_reports" / "aws-spend.yaml").read_text()
        assert f"adopt: {made[0]['id']}" in text
        assert "created_at" not in text and "modified_at" not in text and "is_favorited" not in text
        assert "tags:\n  - env:prod\n  - team:finops\n" in text, text
        assert text.index("  type: bar_chart") < text.index("  title: AWS spend")

        assert repo.wac("validate").exit_code == 0
        planned = repo.wac("plan", "--format", "json")
        changes = __import__("json").loads(planned.stdout)["changes"]
        assert {(c["action"], c["reason"]) for c in changes} == {("update", "adopted: ownership marker added")}
        assert sorted(c["remote_id"] for c in changes) == sorted(w["id"] for w in made[:3])
        # The only content change is the lowercased tag; nothing else differs.
        assert [f["path"] for c in changes for f in c["fields"]] == ["tags"]

        applied = repo.wac("apply", "--auto-approve")
        assert applied.exit_code == 0, applied.output
        assert "0 created, 3 updated, 0 deleted" in applied.output
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0
        managed = repo.managed()
        assert sorted(managed) == ["aws-spend", "aws-spend-2", "errors-by-status"]
        assert {w["id"] for ws in managed.values() for w in ws} == {w["id"] for w in made[:3]}
        untouched = httpx.get(f"{server.url}/api/v2/widgets/logs_reports/{made[3]['id']}", headers=ALICE).json()
        assert untouched["data"] == made[3]

        assert repo.wac("export", "--out", "widgets").exit_code == 1, "refuses to overwrite"
        again = repo.wac("export", "--out", "widgets", "--force", "--experience-type", "ccm_reports")
        assert again.exit_code == 0
        assert "adopt:" not in (repo.widgets / "ccm_reports" / "aws-spend.yaml").read_text(), "managed now"


def test_ids_are_readable_and_unique() -> None:
    assert slugify("AWS spend — by Service (30d)") == "aws-spend-by-service-30d"
    assert slugify("!!!") == "widget"

    def widget(uuid: str, title: str, tags: tuple[str, ...] = ()) -> Remote:
        body = {"title": title, "type": "toplist", "requests": [{}]}
        return remote_widget(uuid, "ccm_reports", body, tags, f"2026-01-0{uuid}")

    exported = export_manifests(
        [widget("1", "Spend"), widget("2", "spend"), widget("3", "Spend", ("wac-owner:me", "wac-id:spend-2"))],
        owner="me",
        site="local",
    )
    assert [e.manifest_id for e in exported.manifests] == ["spend", "spend-3", "spend-2"]


def test_export_without_kind_reaches_every_kind_and_names_each_it_skips(tmp_path: Path) -> None:
    with emulator_thread() as server:
        create_directly(server.url, "ccm_reports", "AWS spend", [])
        board = {
            "title": "Board",
            "layout_type": "ordered",
            "widgets": [{"definition": {"type": "note", "content": "x"}}],
        }
        assert httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=board).status_code == 200
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        exported = repo.wac("export", "--out", "everything")
        assert exported.exit_code == 0, exported.output
        assert "datadog/widget: 1" in exported.output and "datadog/dashboard: 1" in exported.output
        assert "spaceone/custom-widget: 0" in exported.output
        # SpaceONE pointed at a server but given no token: that kind is skipped, with why.
        skipped = repo.wac("export", "--out", "again", env={"SPACEONE_ENDPOINT": "https://spaceone.example.com"})
        assert skipped.exit_code == 0, skipped.output
        assert "skipped spaceone/custom-widget: SPACEONE_" in skipped.output
        assert "datadog/dashboard: 1" in skipped.output


def test_export_names_what_it_exports_with_it_by_reference_and_plans_no_change(tmp_path: Path) -> None:
    """Exported together, a list names its dashboards and a dashboard its powerpack by `{ref:}`, not by remote id:
    the exported files alone, as a repository, plan no change."""
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, dashboards=True)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        kinds = ["--kind", "datadog/dashboard", "--kind", "datadog/powerpack", "--kind", "datadog/dashboard-list"]
        exported = repo.wac("export", "--out", "exported", *kinds)
        assert exported.exit_code == 0, exported.output

        texts = {p.name: p.read_text() for p in (repo.root / "exported").rglob("*.yaml")}
        assert "- ref: datadog/dashboard/checkout-overview\n" in texts["checkout.yaml"], texts["checkout.yaml"]
        assert "- ref: datadog/dashboard/checkout-slo\n" in texts["checkout.yaml"]
        assert "powerpack_id:\n" in texts["checkout-overview.yaml"]
        assert "ref: datadog/powerpack/latency-pack" in texts["checkout-overview.yaml"]

        for kind in ("dashboards", "powerpacks", "lists"):
            for path in (repo.widgets / kind).rglob("*.yaml"):
                path.unlink()
        (repo.root / "exported").rename(repo.widgets / "exported")
        plan = repo.wac("plan", "--detailed-exitcode", *kinds)
        assert plan.exit_code == 0, plan.output


def test_resources_made_in_the_ui_are_adopted_with_their_references(tmp_path: Path) -> None:
    """A powerpack, a dashboard using it and a list holding the dashboard, all made in the UI: exported, the
    dashboard and the list name theirs by `{ref:}` to adopted manifests, and one apply adopts all three in place."""
    with emulator_thread() as server:
        pack = {"data": {"type": "powerpack", "attributes": {"name": "Pack", "tags": [], "group_widget": {
            "definition": {"type": "group", "layout_type": "ordered", "title": "Pack",
                           "widgets": [{"definition": {"type": "note", "content": "x"}}]},
        }}}}  # fmt: skip
        made = httpx.post(f"{server.url}/api/v2/powerpacks", headers=ALICE, json=pack)
        assert made.status_code == 200, made.text
        pack_id = made.json()["data"]["id"]
        # Text that happens to equal an id (a note naming the powerpack) stays text: only id fields become refs.
        board = {
            "title": "Board",
            "layout_type": "ordered",
            "widgets": [
                {"definition": {"type": "powerpack", "powerpack_id": pack_id}},
                {"definition": {"type": "note", "content": pack_id}},
            ],
        }
        made = httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=board)
        assert made.status_code == 200, made.text
        board_id = made.json()["id"]
        made = httpx.post(f"{server.url}/api/v1/dashboard/lists/manual", headers=ALICE, json={"name": "Mine"})
        list_id = made.json()["id"]
        members = {"dashboards": [{"id": board_id, "type": "custom_timeboard"}]}
        put = httpx.put(f"{server.url}/api/v2/dashboard/lists/manual/{list_id}/dashboards", headers=ALICE, json=members)
        assert put.status_code == 200, put.text

        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        kinds = ["--kind", "datadog/dashboard", "--kind", "datadog/powerpack", "--kind", "datadog/dashboard-list"]
        exported = repo.wac("export", "--out", "widgets", "--unmanaged-only", *kinds)
        assert exported.exit_code == 0, exported.output
        lines = [line for p in repo.widgets.rglob("*.yaml") for line in p.read_text().splitlines()]
        texts = "\n".join(line for line in lines if not line.startswith("#"))  # the header names the remote id
        assert board_id not in texts.replace(f"adopt: {board_id}", ""), "the list names the board by reference"
        assert f"content: {pack_id}" in texts, "a note's text is not a reference"
        unreferenced = texts.replace(f"adopt: {pack_id}", "").replace(f"content: {pack_id}", "")
        assert pack_id not in unreferenced, "the board names the pack by reference"
        assert "ref: datadog/dashboard/board" in texts and "ref: datadog/powerpack/pack" in texts

        # Planned alone, the list names the dashboard being adopted by its id; a kind left out is not read.
        alone = repo.wac("plan", "--detailed-exitcode", "--target", "datadog/dashboard-list/mine")
        assert alone.exit_code == 2 and "does not exist yet" not in alone.output, alone.output
        lists_only = repo.wac("plan", "--detailed-exitcode", "--kind", "datadog/dashboard-list")
        assert lists_only.exit_code == 2 and "Traceback" not in lists_only.output, lists_only.output
        assert "adopted: ownership marker added" in lists_only.output

        applied = repo.wac("apply", "--auto-approve", *kinds)
        assert applied.exit_code == 0, applied.output
        assert "+ create" not in applied.output and "adopted" in applied.output, applied.output
        assert repo.wac("plan", "--detailed-exitcode", *kinds).exit_code == 0
        listed = httpx.get(f"{server.url}/api/v2/dashboard/lists/manual/{list_id}/dashboards", headers=ALICE).json()
        assert [d["id"] for d in listed["dashboards"]] == [board_id], "adopted in place, not made again"
