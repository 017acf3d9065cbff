"""The plan's three forms, the local site, and keys that never show."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from reconciler.backends.emulator_server import emulator_thread
from reconciler.core.diffing import FieldChange, FieldKind
from reconciler.core.planning import Action, Change, Plan, Reason
from reconciler.render.markdown import COMMENT_LIMIT, MARKER, render_markdown
from tests.commands.helpers import EXAMPLES, make_workspace

ROOT = Path(__file__).resolve().parents[2]


def test_json_plan_is_versioned_and_complete(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        result = repo.wac("plan", "--format", "json", "--out", "saved.json")
        printed = json.loads(result.stdout)
        saved = json.loads((repo.root / "saved.json").read_text())
    assert printed == saved
    assert printed["format_version"] == 3
    assert printed["inputs"]["paths"] == ["widgets"]
    recorded = {f["path"] for f in printed["inputs"]["files"]}
    assert "widgets/exports/csv.yaml" in recorded and len(recorded) == len(list(repo.widgets.rglob("*.yaml")))
    assert printed["owner"] == "default" and printed["site"] == server.url
    assert printed["summary"] == {
        "create": 16, "update": 0, "replace": 0, "rename": 0, "delete": 0, "forget": 0, "widens_access": 0,
        "held_back": 0,
        "refused_by": [],
        "unchanged": 0, "unchanged_kinds": [],
        "managed": 0,
    }  # fmt: skip
    change = next(c for c in printed["changes"] if c["id"] == "orders-by-country")
    assert (
        change["action"] == "create" and change["reason"] == "missing remotely (never applied, or deleted outside git)"
    )
    assert change["source"] == "widgets/exports/csv.yaml:3" and change["cautions"] == []
    assert change["kind"] == "datadog/widget" and change["scope"] == "csv_reports" and change["remote_id"] is None
    assert change["content"]["definition"]["type"] == "geomap"
    assert change["marker"]["owner"] == "default" and change["marker"]["id"] == "orders-by-country"
    assert {
        "path": "definition.title",
        "kind": "added",
        "before": None,
        "after": "Orders by country (7 days)",
    } in change["fields"]


def test_text_plan_is_plain_when_piped_and_coloured_when_forced(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        plain = repo.wac("plan")
    assert "\x1b[" not in plain.output
    assert plain.output.rstrip().endswith(
        "Plan for owner 'default': 16 to create, 0 to update, 0 to delete, 0 unchanged."
    )
    from reconciler.render.text import render_text

    coloured = render_text(_big_plan(1), colour=True)
    assert "\x1b[32m" in coloured or "\x1b[33m" in coloured


def _big_plan(count: int) -> Plan:
    changes = tuple(
        Change(
            action=Action.UPDATE,
            reason=Reason.MANIFEST_CHANGED,
            kind="datadog/widget",
            scope="ccm_reports",
            manifest_id=f"widget-{n:04d}",
            title=f"Widget {n} " + "x" * 60,
            remote_id=f"uuid-{n:04d}",
            content={"definition": {"type": "toplist", "title": "t"}, "tags": []},
            fields=(
                FieldChange(
                    "definition.requests[0].queries[0].query",
                    FieldKind.CHANGED,
                    "sum:aws.cost{*} by {service}" * 3,
                    "sum:gcp.cost{*} by {service}" * 3,
                ),
            ),
        )
        for n in range(count)
    )
    return Plan(owner="default", changes=changes, unchanged=0, managed=count)


def test_markdown_comment_for_a_thousand_changes_stays_under_githubs_limit() -> None:
    text = render_markdown(_big_plan(1000), "datadoghq.com")
    assert len(text) < COMMENT_LIMIT
    assert text.startswith(MARKER.replace("plan -->", "plan owner=default -->"))
    assert "| 0 | 1000 | 0 | 0 |" in text
    assert "more change(s) not shown to stay under GitHub's comment size limit" in text
    assert text.count("<details>") == text.count("</details>") > 50


def test_markdown_warns_about_deletes() -> None:
    delete = Change(
        action=Action.DELETE,
        reason=Reason.REMOVED,
        kind="datadog/widget",
        scope="ccm_reports",
        manifest_id="old",
        title="<Old>",
        remote_id="u1",
    )
    text = render_markdown(Plan(owner="o", changes=(delete,), unchanged=3, managed=4), "local")
    assert "deletes 1 resource(s)" in text and "&lt;Old&gt;" in text
    assert "not shown" not in text


def test_the_local_site_needs_no_keys_and_keeps_state_under_dot_wac(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "widgets")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DD_")}
    env["PYTHONPATH"] = str(ROOT)

    def wac(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reconciler", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    assert wac("plan", "--site", "local", "--detailed-exitcode").returncode == 2
    applied = wac("apply", "--site", "local", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert (tmp_path / ".wac" / "local.sqlite3").is_file()
    assert wac("plan", "--site", "local", "--detailed-exitcode").returncode == 0


def test_keys_never_appear_in_any_output(tmp_path: Path) -> None:
    api_key, app_key = "api-SECRET-0123456789abcdef", "app-SECRET-fedcba9876543210"
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        repo.env.update({"DD_API_KEY": api_key, "DD_APP_KEY": app_key})
        outputs = [
            repo.wac("plan", "--out", "plan.json").output,
            repo.wac("plan", "--format", "json").output,
            repo.wac("plan", "--format", "markdown").output,
            repo.wac("apply", "--auto-approve").output,
            repo.wac("drift", "--format", "json", "--unmanaged").output,
            (repo.root / "plan.json").read_text(),
        ]
    outputs.append(repo.wac("plan", "--site", "http://127.0.0.1:9").output)  # nothing listens there
    outputs.append(repo.wac("plan", "--site", "http://example.com").output)
    for text in outputs:
        assert api_key not in text and app_key not in text
        assert "Traceback" not in text
    assert "cannot reach" in outputs[-2] or "could not connect" in outputs[-2]
    assert "use https" in outputs[-1]


def test_missing_keys_are_a_clear_error(tmp_path: Path) -> None:
    repo = make_workspace(tmp_path, "https://api.datadoghq.com")
    result = repo.wac("plan", env={"DD_API_KEY": "", "DD_APP_KEY": "", "DD_SITE": "datadoghq.com"})
    assert result.exit_code == 1
    assert "DD_API_KEY and DD_APP_KEY not set" in result.output


def test_invalid_manifests_stop_before_any_request(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        (repo.widgets / "bad.yaml").write_text("id: Bad\n")
        result = repo.wac("apply", "--auto-approve")
        assert result.exit_code == 1
        assert "widgets/bad.yaml:1:5: id 'Bad' is not allowed" in result.output
        assert server.stats.as_dict()["requests"] == 0


def test_apply_reports_as_versioned_json_for_machines(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        refused = repo.wac("apply", "--format", "json")
        assert refused.exit_code == 1 and "pass --auto-approve" in refused.output
        dry = json.loads(repo.wac("apply", "--format", "json", "--dry-run").stdout)
        assert dry["dry_run"] is True and dry["outcomes"] == [] and dry["summary"]["not_applied"] == 16
        done = repo.wac("apply", "--format", "json", "--auto-approve", "--detailed-exitcode")
        assert done.exit_code == 2
        report = json.loads(done.stdout)
        assert report["format_version"] == 1 and report["site"] == server.url and report["owner"] == "default"
        assert report["summary"] == {
            "created": 16, "updated": 0, "replaced": 0, "deleted": 0, "forgotten": 0, "failed": 0, "not_applied": 0,
            "held_back": 0,
        }  # fmt: skip
        outcome = report["outcomes"][0]
        assert set(outcome) == {"action", "kind", "scope", "id", "remote_id", "ok", "detail"}
        assert outcome["ok"] and outcome["action"] == "create" and outcome["remote_id"]
        again = json.loads(repo.wac("apply", "--format", "json", "--auto-approve").stdout)
        assert again["outcomes"] == [] and again["dry_run"] is False


def test_a_plan_apply_would_refuse_says_so_first_in_every_format(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        for manifest in repo.widgets.rglob("*.yaml"):
            manifest.unlink()
        (repo.widgets / "one.yaml").write_text(
            "id: only-one\nexperience_type: ccm_reports\ndefinition: {type: toplist, title: One, requests: [{q: a}]}\n"
        )
        text = repo.wac("plan").output
        assert text.splitlines()[0].startswith("! apply will refuse this plan: it deletes every resource")
        assert "--allow-mass-delete" in text.splitlines()[0]
        markdown = repo.wac("plan", "--format", "markdown").output
        assert markdown.index("[!CAUTION]") < markdown.index("Plan for owner"), "before the counts"
        assert "Apply will refuse this plan" in markdown
        planned = json.loads(repo.wac("plan", "--format", "json").stdout)
        assert planned["summary"]["refused_by"] == ["mass_delete"]
        (refusal,) = planned["refusals"]
        assert refusal["guard"] == "mass_delete" and "--allow-mass-delete" in refusal["allow_with"]
        refused = repo.wac("apply", "--auto-approve")
        assert refused.exit_code == 1 and "Refusing to apply" in refused.output
