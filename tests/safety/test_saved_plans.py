"""A saved plan is a claim, never an instruction: every edit to it is refused before a write is made."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reconciler.backends.emulator_server import RunningEmulator
from tests.commands.helpers import Workspace, create_directly
from tests.conftest import ALICE

Plan = dict[str, Any]


def _save_plan_with_an_update(repo: Workspace) -> Plan:
    path = repo.widgets / "finops" / "aws-costs.yaml"
    path.write_text(path.read_text().replace("Savings plan coverage", "Coverage"))
    saved = repo.wac("plan", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output
    return json.loads((repo.root / "plan.json").read_text())  # type: ignore[no-any-return]


def _tamper(repo: Workspace, edit: Callable[[Plan], None]) -> None:
    plan = _save_plan_with_an_update(repo)
    edit(plan)
    (repo.root / "plan.json").write_text(json.dumps(plan))


def _writes(server: RunningEmulator) -> int:
    return sum(server.stats.by_method[m] for m in ("POST", "PUT", "DELETE"))


def _refused(repo: Workspace, server: RunningEmulator, *args: str, env: dict[str, str | None] | None = None) -> str:
    before = _writes(server)
    result = repo.wac("apply", "--plan", "plan.json", "--auto-approve", *args, env=env)
    assert result.exit_code == 1, result.output
    assert _writes(server) == before, "a refused plan writes nothing"
    assert "Traceback" not in result.output
    return result.output


def test_an_untouched_saved_plan_applies(repo: Workspace) -> None:
    _save_plan_with_an_update(repo)
    applied = repo.wac("apply", "--plan", "plan.json", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "0 created, 1 updated, 0 deleted, 0 failed" in applied.output


def test_a_change_pointed_at_another_owners_widget_is_refused(repo: Workspace, server: RunningEmulator) -> None:
    theirs = create_directly(repo.url, "ccm_reports", "Theirs", ["wac-owner:other", "wac-id:savings-plan-coverage"])

    def retarget(plan: Plan) -> None:
        plan["changes"][0]["remote_id"] = theirs["id"]

    _tamper(repo, retarget)
    output = _refused(repo, server)
    assert f"the saved plan would update ccm_reports/savings-plan-coverage (remote id {theirs['id']})" in output
    after = httpx.get(f"{repo.url}/api/v2/widgets/ccm_reports/{theirs['id']}", headers=ALICE).json()["data"]
    assert after == theirs


def test_an_added_delete_of_an_unmanaged_widget_is_refused(repo: Workspace, server: RunningEmulator) -> None:
    stranger = create_directly(repo.url, "logs_reports", "Made in the UI", [])

    def add_delete(plan: Plan) -> None:
        plan["changes"].append(
            {
                **plan["changes"][0],
                "action": "delete",
                "reason": "manifest removed",
                "remote_id": stranger["id"],
                "content": None,
                "marker": None,
            }
        )

    _tamper(repo, add_delete)
    assert "but a fresh plan would not" in _refused(repo, server)
    assert httpx.get(f"{repo.url}/api/v2/widgets/logs_reports/{stranger['id']}", headers=ALICE).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("kind", "datadog/dashboard/../x", "changes[0].kind must be one of datadog/widget"),
        ("scope", "../../v1/dashboard", "changes[0].scope must be one of ccm_reports"),
        ("remote_id", "../../../v1/dashboard/abc", "changes[0].remote_id must be a remote id"),
        ("action", "purge", "changes[0].action must be one of 'create', 'update', 'replace', 'delete'"),
        ("id", "Not An Id", "changes[0].id holds 'Not An Id', which is not a manifest id"),
        ("content", "rm -rf", "changes[0].content must be a JSON object"),
        ("marker", {"owner": "default", "id": "x", "applied": "not hex"}, "changes[0].marker.applied must be a hex"),
    ],
)
def test_unchecked_text_never_reaches_a_request(
    repo: Workspace, server: RunningEmulator, field: str, value: Any, named: str
) -> None:
    def poison(plan: Plan) -> None:
        plan["changes"][0][field] = value

    _tamper(repo, poison)
    requests = sum(server.stats.by_method.values())
    output = _refused(repo, server)
    assert named in output and "plan.json" in output
    assert sum(server.stats.by_method.values()) == requests, "refused before any request"


def test_the_files_owner_never_overrides_the_chosen_owner(repo: Workspace, server: RunningEmulator) -> None:
    def other_owner(plan: Plan) -> None:
        plan["owner"] = "someone-else"

    _tamper(repo, other_owner)
    output = _refused(repo, server, "--owner", "default")
    assert "made for owner 'someone-else', but owner 'default' is chosen" in output
    output = _refused(repo, server, env={"WAC_OWNER": "default"})
    assert "made for owner 'someone-else', but owner 'default' is chosen" in output
    (repo.root / ".wac.yaml").write_text("owner: default\n")
    assert "but owner 'default' is chosen" in _refused(repo, server)
    (repo.root / ".wac.yaml").unlink()
    # With no owner chosen the file's owner is used, and the fresh plan for it does not match.
    assert "Nothing was applied" in _refused(repo, server)


def test_a_plan_for_another_site_is_refused(repo: Workspace, server: RunningEmulator) -> None:
    _save_plan_with_an_update(repo)
    output = _refused(repo, server, "--site", "datadoghq.eu", env={"DD_API_KEY": "k" * 32, "DD_APP_KEY": "a" * 40})
    assert f"made for site '{repo.url}', but site 'datadoghq.eu' is chosen" in output


def test_a_url_in_a_plan_is_used_only_when_the_user_chooses_it_too(repo: Workspace, server: RunningEmulator) -> None:
    _save_plan_with_an_update(repo)
    before = sum(server.stats.by_method.values())
    refused = repo.wac("apply", "--plan", "plan.json", "--auto-approve", env={"DD_SITE": None})
    assert refused.exit_code == 1
    assert f"names the site '{repo.url}', a URL" in refused.output and "pass the same --site" in refused.output
    assert sum(server.stats.by_method.values()) == before, "no request before the plan file's own checks pass"
    applied = repo.wac("apply", "--plan", "plan.json", "--auto-approve", "--site", repo.url, env={"DD_SITE": None})
    assert applied.exit_code == 0, applied.output


def test_a_plan_naming_another_host_sends_no_key_anywhere(repo: Workspace) -> None:
    """Editing `site` to any URL must not send the keys there: the file alone chooses no host."""
    from tests.hostile_servers import answering, json_answer

    _save_plan_with_an_update(repo)
    seen: list[str] = []

    def record(method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        seen.append(f"{method} {path}")
        return json_answer({"data": [], "meta": {"filtered_total": 0}})

    with answering(record) as elsewhere:
        saved = json.loads((repo.root / "plan.json").read_text())
        saved["site"] = elsewhere
        (repo.root / "plan.json").write_text(json.dumps(saved))
        refused = repo.wac("apply", "--plan", "plan.json", "--auto-approve", env={"DD_SITE": None})
    assert refused.exit_code == 1 and "a URL rather than a Datadog site" in refused.output
    assert seen == []


def test_manifests_edited_after_the_plan_are_refused(repo: Workspace, server: RunningEmulator) -> None:
    _save_plan_with_an_update(repo)
    path = repo.widgets / "finops" / "aws-costs.yaml"
    path.write_text(path.read_text().replace("Coverage", "Something else"))
    (repo.widgets / "extra.yaml").write_text(
        "id: extra\nexperience_type: ccm_reports\ndefinition: {type: toplist, title: X, requests: [{q: x}]}\n"
    )
    output = _refused(repo, server)
    assert "widgets/finops/aws-costs.yaml changed" in output and "widgets/extra.yaml is new" in output


def test_recorded_paths_outside_the_repository_are_refused(repo: Workspace, server: RunningEmulator) -> None:
    def escape(plan: Plan) -> None:
        plan["inputs"]["paths"] = ["../../etc"]

    _tamper(repo, escape)
    assert "names manifest paths outside the repository (../../etc)" in _refused(repo, server)


def test_an_old_or_foreign_file_gets_a_sentence(repo: Workspace, server: RunningEmulator) -> None:
    for text, expected in [
        ('{"format_version": 1}', "format_version 1 is not supported"),
        ("not json", "not a plan file written by `wac plan --out`"),
        ("[1, 2]", "the file must be a JSON object"),
    ]:
        (repo.root / "plan.json").write_text(text)
        assert expected in _refused(repo, server)


def test_a_remote_edit_between_plan_and_apply_is_refused(repo: Workspace, server: RunningEmulator) -> None:
    _save_plan_with_an_update(repo)
    create_directly(repo.url, "logs_reports", "Sneaked in", ["wac-owner:default", "wac-id:sneaked"])
    assert "The saved plan is stale" in _refused(repo, server)


def test_every_field_is_type_checked() -> None:
    from reconciler.backends.registry import SCOPES
    from reconciler.core.plan_file import PlanFileError, plan_from_json

    with pytest.raises(PlanFileError, match=r"summary.unchanged must be a whole number"):
        plan_from_json(
            json.dumps(
                {"format_version": 3, "owner": "x", "site": "local", "summary": {"unchanged": -1}, "changes": []}
            ),
            "p.json",
            SCOPES,
        )
    with pytest.raises(PlanFileError, match=r"format_version 2 is not supported; .* reads format_version 3"):
        plan_from_json(json.dumps({"format_version": 2}), "p.json", SCOPES)


def test_the_client_builds_paths_only_from_the_closed_set_and_uuids() -> None:
    import asyncio

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from reconciler.backends.datadog_widgets.client import ApiError, WidgetsClient
    from reconciler.backends.datadog_widgets.emulator.transport import InProcessTransport
    from reconciler.backends.sites import resolve_site

    seen: list[str] = []

    async def anything(request: Request) -> JSONResponse:
        seen.append(request.url.path)
        return JSONResponse({})

    app = Starlette(routes=[Route("/{path:path}", anything, methods=["GET", "POST", "PUT", "DELETE"])])

    async def attempts() -> list[str]:
        refusals = []
        async with WidgetsClient(
            resolve_site("http://127.0.0.1:1"), "k" * 32, "a" * 40, transport=InProcessTransport(app=app)
        ) as client:
            for call in (
                client.delete("logs_reports", "../../../v1/dashboard/abc-def-ghi"),
                client.get("../../v1/dashboard", "0b5e5a52-9c6c-4c0e-9d3e-2f3c1a7b8e01"),
                client.replace("logs_reports", "0B5E5A52-9C6C-4C0E-9D3E-2F3C1A7B8E01", {}),
                client.search("logs_reports?x=", {}),
            ):
                try:
                    await call
                except ApiError as exc:
                    refusals.append(str(exc))
        return refusals

    refusals = asyncio.run(attempts())
    assert len(refusals) == 4 and all(r.startswith("refused to send a request") for r in refusals)
    assert seen == []
