"""Shared dashboards as code, end to end through `wac` over HTTP: a `sharing:` block is planned with
access warnings first, applied as a share with its invitations, found again through the dashboard's
marker, reported and reverted when widened in the UI, and revoked when removed."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from tests.commands.helpers import Workspace, make_workspace
from tests.conftest import ALICE
from tests.datadog_dashboards.test_reconcile import DASHBOARD

TOKEN = re.compile(r"share ([a-z0-9]{1,32}-[0-9a-f]{32}) applied")
INVITE = """\
sharing:
  share_type: invite
  share_list: [partner@example.com, Vendor@Example.org]
  global_time: {live_span: 4h}
  selectable_template_vars:
    - {name: env, prefix: env, default_value: prod, visible_tags: [prod, staging]}
"""


def board(manifest_id: str = "checkout-overview", sharing: str = INVITE) -> str:
    text = DASHBOARD.replace("checkout-overview", manifest_id).replace("Checkout overview", f"Board {manifest_id}")
    return text + sharing


@pytest.fixture
def server() -> Iterator[RunningEmulator]:
    with emulator_thread() as running:
        yield running


def workspace(tmp_path: Path, url: str, *documents: str) -> Workspace:
    repo = make_workspace(tmp_path, url, copy_examples=False)
    repo.widgets.mkdir()
    write(repo, *documents)
    return repo


def write(repo: Workspace, *documents: str) -> None:
    (repo.widgets / "boards.yaml").write_text("---\n".join(documents))


def dashboard_of(url: str, manifest_id: str) -> dict[str, Any]:
    for summary in httpx.get(f"{url}/api/v1/dashboard", headers=ALICE).json()["dashboards"]:
        if f"id {manifest_id}," in (summary["description"] or ""):
            found: dict[str, Any] = httpx.get(f"{url}/api/v1/dashboard/{summary['id']}", headers=ALICE).json()
            return found
    raise AssertionError(f"no dashboard with id {manifest_id}")


def token_of(url: str, manifest_id: str) -> str | None:
    found = TOKEN.search(dashboard_of(url, manifest_id)["description"] or "")
    return found[1] if found else None


def share(url: str, token: str) -> httpx.Response:
    return httpx.get(f"{url}/api/v1/dashboard/public/{token}", headers=ALICE)


def invitations(url: str, token: str) -> dict[str, str]:
    """Each invited email with when its invitation was sent."""
    body = httpx.get(f"{url}/api/v1/dashboard/public/{token}/invitation", headers=ALICE).json()
    return {item["attributes"]["email"]: item["attributes"]["created_at"] for item in body["data"]}


def apply(repo: Workspace, *args: str) -> str:
    result = repo.wac("apply", "--auto-approve", *args)
    assert result.exit_code == 0, result.output
    return result.output


def no_changes(repo: Workspace) -> None:
    result = repo.wac("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output


def test_a_new_share_is_planned_with_its_access_warning_first_in_every_format(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = workspace(tmp_path, server.url, board())
    text = repo.wac("plan").output
    assert text.startswith("Access changes (review these first):\n  ! dashboard-share/checkout-overview: widens")
    assert "partner@example.com, vendor@example.org" in text
    assert '+ create dashboard-share/checkout-overview "Board checkout-overview"' in text
    assert '+ global_time.live_span: "4h"' in text

    plan = json.loads(repo.wac("plan", "--format", "json").output)
    assert plan["summary"]["widens_access"] == 1
    (shared,) = [c for c in plan["changes"] if c["scope"] == "dashboard-share"]
    assert shared["action"] == "create" and shared["cautions"][0]["widens_access"] is True
    assert shared["content"]["invitations"] == ["partner@example.com", "vendor@example.org"]

    markdown = repo.wac("plan", "--format", "markdown").output
    caution = markdown.index("**This plan widens access**")
    assert caution < markdown.index("| create |"), "the access warning comes before the counts"
    first_detail = markdown[markdown.index("<details>") :]
    assert first_detail.startswith("<details><summary><code>+ create dashboard-share/checkout-overview")


def test_apply_shares_records_the_token_in_the_marker_and_invites_each_email_once(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = workspace(tmp_path, server.url, board())
    output = apply(repo)
    token = token_of(server.url, "checkout-overview")
    assert token is not None
    assert token not in output
    answer = share(server.url, token).json()
    assert answer["share_type"] == "invite" and answer["global_time"] == {"live_span": "4h"}
    assert answer["dashboard_id"] == dashboard_of(server.url, "checkout-overview")["id"]
    assert answer["dashboard_type"] == "custom_timeboard"
    sent = invitations(server.url, token)
    assert set(sent) == {"partner@example.com", "vendor@example.org"}
    no_changes(repo)

    # One more email and one fewer: the new one is invited, the removed one uninvited, nobody re-sent.
    write(repo, board(sharing=INVITE.replace("Vendor@Example.org", "oncall@example.net")))
    plan = repo.wac("plan").output
    assert "! dashboard-share/checkout-overview: widens access: invites oncall@example.net" in plan
    assert "removes access for vendor@example.org" in plan
    apply(repo)
    now = invitations(server.url, token)
    assert set(now) == {"partner@example.com", "oncall@example.net"}
    assert now["partner@example.com"] == sent["partner@example.com"], "an invited email is never sent again"
    assert token_of(server.url, "checkout-overview") == token, "an update keeps the share and its link"
    no_changes(repo)


def test_a_share_widened_in_the_ui_is_reported_as_drift_and_reverted(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board())
    apply(repo)
    token = token_of(server.url, "checkout-overview")
    assert token is not None
    widened = {"share_type": "open", "share_list": [], "global_time": {"live_span": "1w"}}
    assert httpx.put(f"{server.url}/api/v1/dashboard/public/{token}", headers=ALICE, json=widened).status_code == 200
    drift = repo.wac("drift")
    assert drift.exit_code == 2
    assert "Access widened outside git (the next apply narrows it again):" in drift.output
    assert "widens access: from invite to open" in drift.output
    assert token not in drift.output
    report = json.loads(repo.wac("drift", "--format", "json").output)
    (edit,) = report["edited"]
    assert edit["scope"] == "dashboard-share" and edit["cautions"][0]["widens_access"] is True

    plan = repo.wac("plan").output
    assert "narrows access: from open to invite" in plan
    apply(repo)
    reverted = share(server.url, token).json()
    assert reverted["share_type"] == "invite" and reverted["global_time"] == {"live_span": "4h"}
    assert set(invitations(server.url, token)) == {"partner@example.com", "vendor@example.org"}
    no_changes(repo)
    assert repo.wac("drift").exit_code == 0

    # Someone invites one more person in the UI: reported as widened, and uninvited by the next apply.
    emails = ["partner@example.com", "vendor@example.org", "x@evil.io"]
    listed = {**widened, "global_time": {"live_span": "4h"}, "share_type": "invite", "share_list": emails}
    assert httpx.put(f"{server.url}/api/v1/dashboard/public/{token}", headers=ALICE, json=listed).status_code == 200
    invite = {"data": {"type": "public_dashboard_invitation", "attributes": {"email": "x@evil.io"}}}
    assert httpx.post(f"{server.url}/api/v1/dashboard/public/{token}/invitation", headers=ALICE, json=invite).is_success
    drift = repo.wac("drift")
    assert drift.exit_code == 2
    assert "! dashboard-share/checkout-overview: widens access: invites x@evil.io" in drift.output
    apply(repo)
    assert "x@evil.io" not in invitations(server.url, token)
    assert "x@evil.io" not in share(server.url, token).json()["share_list"]
    no_changes(repo)


def test_removing_sharing_revokes_the_share_and_the_guard_counts_revocations(
    tmp_path: Path, server: RunningEmulator
) -> None:
    ids = [f"board-{n}" for n in range(3)]
    repo = workspace(tmp_path, server.url, *(board(i) for i in ids))
    apply(repo)
    tokens = [token_of(server.url, i) for i in ids]
    assert all(tokens)

    write(repo, *(board(i, sharing="") for i in ids))
    plan = repo.wac("plan").output
    assert plan.count("revokes the share") == 6, "listed first, then under each change"
    assert "0 to create, 0 to update, 3 to delete" in plan
    refused = repo.wac("apply", "--auto-approve", "--delete-limit", "2")
    assert refused.exit_code == 1 and "Refusing to apply" in refused.output
    assert all(share(server.url, t).status_code == 200 for t in tokens if t), "nothing was revoked"

    apply(repo, "--delete-limit", "3")
    assert all(share(server.url, t).status_code == 404 for t in tokens if t)
    assert all(token_of(server.url, i) is None for i in ids), "the marker no longer names a share"
    assert len(httpx.get(f"{server.url}/api/v1/dashboard", headers=ALICE).json()["dashboards"]) == 3
    no_changes(repo)


def test_a_share_made_in_the_ui_is_a_conflict_nobody_writes_to(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board(sharing=""))
    apply(repo)
    made = dashboard_of(server.url, "checkout-overview")
    body = {"dashboard_id": made["id"], "dashboard_type": "custom_timeboard", "share_type": "open"}
    assert httpx.post(f"{server.url}/api/v1/dashboard/public", headers=ALICE, json=body).status_code == 200

    drift = repo.wac("drift")
    assert drift.exit_code == 2
    assert "marker records no share of it" in drift.output and "Revoke it in Datadog" in drift.output

    # With a `sharing:` block, no second share is made beside the unknown one.
    write(repo, board())
    plan = repo.wac("plan", "--detailed-exitcode")
    assert "create dashboard-share" not in plan.output and "conflict" in plan.output
    apply(repo)
    assert token_of(server.url, "checkout-overview") is None


def test_a_share_revoked_in_the_ui_is_shared_again_with_a_new_link(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board())
    apply(repo)
    token = token_of(server.url, "checkout-overview")
    assert httpx.delete(f"{server.url}/api/v1/dashboard/public/{token}", headers=ALICE).status_code == 200
    drift = repo.wac("drift")
    assert drift.exit_code == 2 and "dashboard-share/checkout-overview" in drift.output
    plan = repo.wac("plan").output
    assert "+ create dashboard-share/checkout-overview" in plan and "widens access: shares the dashboard" in plan
    apply(repo)
    again = token_of(server.url, "checkout-overview")
    assert again is not None and again != token
    assert set(invitations(server.url, again)) == {"partner@example.com", "vendor@example.org"}
    no_changes(repo)


def test_an_open_share_with_an_expiration_round_trips_and_a_removed_expiration_widens(
    tmp_path: Path, server: RunningEmulator
) -> None:
    sharing = "sharing:\n  share_type: open\n  expiration: 2030-01-31T18:00:00+01:00\n"
    repo = workspace(tmp_path, server.url, board(sharing=sharing))
    plan = repo.wac("plan").output
    assert "open to anyone who has its link" in plan and "expires 2030-01-31T17:00:00Z" in plan
    apply(repo)
    no_changes(repo)
    write(repo, board(sharing="sharing:\n  share_type: open\n"))
    plan = repo.wac("plan").output
    assert "widens access: the share no longer expires (it was to expire 2030-01-31T17:00:00Z)" in plan


def test_a_saved_plan_with_share_changes_applies_and_holds_no_token(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board())
    apply(repo)
    token = token_of(server.url, "checkout-overview")
    assert token is not None
    write(repo, board(sharing=INVITE.replace("4h", "1d")))
    assert repo.wac("plan", "--out", "plan.json").exit_code == 0
    saved = (repo.root / "plan.json").read_text()
    assert token not in saved and '"scope": "dashboard-share"' in saved
    applied = repo.wac("apply", "--plan", "plan.json", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert share(server.url, token).json()["global_time"] == {"live_span": "1d"}
    no_changes(repo)


def test_export_writes_the_sharing_block_of_a_shared_dashboard(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board())
    apply(repo)
    exported = repo.wac("export", "--kind", "datadog/dashboard", "--out", "exported")
    assert exported.exit_code == 0, exported.output
    (written,) = (repo.root / "exported").rglob("*.yaml")
    document = yaml.safe_load(written.read_text())
    assert document["sharing"] == {
        "share_type": "invite",
        "share_list": ["partner@example.com", "vendor@example.org"],
        "global_time": {"live_span": "4h"},
        "selectable_template_vars": [
            {"name": "env", "prefix": "env", "default_value": "prod", "visible_tags": ["prod", "staging"]}
        ],
    }
    assert repo.wac("validate", "exported").exit_code == 0


def test_the_share_token_never_reaches_output_or_debug_logs(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board())
    first = repo.wac("--debug", "apply", "--auto-approve")
    token = token_of(server.url, "checkout-overview")
    assert token is not None
    write(repo, board(sharing=INVITE.replace("4h", "1d")))
    outputs = [first.output]
    for args in (("plan",), ("plan", "--format", "json"), ("drift", "--format", "json"), ("apply", "--auto-approve")):
        outputs.append(repo.wac("--debug", *args).output)
    assert "dashboard/public/***" in "".join(outputs), "the share's requests are logged, masked"
    assert all(token not in text and token[-32:] not in text for text in outputs)
    # The dashboards cache (which CI keeps with actions/cache) holds the marker without the token, and lives in
    # the user's cache folder, never in the repository.
    assert not list(repo.root.rglob("dashboards-*.json"))
    (cache,) = Path(os.environ["WAC_CACHE_DIR"]).glob("dashboards-*.json")
    cached = cache.read_text()
    assert "Managed by widgets-as-code (owner default, id checkout-overview" in cached
    assert token[-32:] not in cached


@pytest.mark.parametrize(
    ("sharing", "message"),
    [
        ("sharing:\n  share_type: public\n", "sharing.share_type 'public' is not allowed"),
        ("sharing:\n  share_type: invite\n  share_list: [not-an-email]\n", "'not-an-email' is not an email address"),
        ("sharing:\n  share_type: invite\n", "an `invite` share needs at least one email"),
        ("sharing:\n  share_type: open\n  share_list: [a@example.com]\n", "only for `invite` shares"),
        ("sharing:\n  share_type: open\n  expiration: tomorrow\n", "expiration 'tomorrow' is not a date and time"),
        ("sharing:\n  share_type: open\n  global_time: {live_span: 2y}\n", "sharing.global_time.live_span '2y'"),
        (
            "sharing:\n  share_type: open\n  selectable_template_vars: [{name: region}]\n",
            "names 'region', which is not a template variable of this dashboard (it has: env)",
        ),
        (
            "sharing:\n  share_type: invite\n  share_list: [a@example.com, A@example.com]\n",
            "'A@example.com' is listed twice",
        ),
        ("sharing:\n  share_type: open\n  public_url: x\n", "unknown field 'public_url'"),
    ],
)
def test_a_bad_sharing_block_is_one_located_sentence_offline(tmp_path: Path, sharing: str, message: str) -> None:
    repo = workspace(tmp_path, "http://127.0.0.1:9", board(sharing=sharing))
    result = repo.wac("validate", "widgets")
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "boards.yaml:" in result.output and "Traceback" not in result.output


def test_a_removed_manifest_revokes_the_share_before_deleting_the_dashboard(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = workspace(tmp_path, server.url, board("kept", sharing=""), board())
    apply(repo)
    token = token_of(server.url, "checkout-overview")
    assert token is not None
    write(repo, board("kept", sharing=""))
    plan = repo.wac("plan").output
    assert "- delete dashboard-share/checkout-overview" in plan and "- delete dashboard/checkout-overview" in plan
    output = apply(repo)
    assert "2 deleted, 0 failed" in output
    assert share(server.url, token).status_code == 404
    no_changes(repo)


def test_an_adopted_dashboard_is_shared_as_its_manifest_says(tmp_path: Path, server: RunningEmulator) -> None:
    made = httpx.post(
        f"{server.url}/api/v1/dashboard",
        headers=ALICE,
        json={"title": "Made in the UI", "layout_type": "free", "widgets": [], "description": "By hand."},
    ).json()
    manifest = (
        "kind: datadog/dashboard\nid: adopted\n"
        f"adopt: {made['id']}\n"
        "dashboard: {title: Made in the UI, layout_type: free, widgets: [], description: By hand.}\n"
        "sharing: {share_type: open, global_time: {live_span: 1h}}\n"
    )
    repo = workspace(tmp_path, server.url, manifest)
    plan = repo.wac("plan").output
    assert "~ update dashboard/adopted" in plan and "+ create dashboard-share/adopted" in plan
    apply(repo)
    token = token_of(server.url, "adopted")
    assert token is not None
    answer = share(server.url, token).json()
    assert answer["dashboard_id"] == made["id"] and answer["dashboard_type"] == "custom_screenboard"
    assert answer["share_type"] == "open"
    no_changes(repo)


def test_the_shared_filter_lists_dashboards_with_a_live_share(server: RunningEmulator) -> None:
    def listed(**params: str) -> list[str]:
        found = httpx.get(f"{server.url}/api/v1/dashboard", headers=ALICE, params=params).json()["dashboards"]
        return [d["id"] for d in found]

    plain = {"title": "a", "layout_type": "ordered", "widgets": []}
    first, second = (httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=plain).json() for _ in range(2))
    body = {"dashboard_id": first["id"], "dashboard_type": "custom_timeboard", "share_type": "open"}
    token = httpx.post(f"{server.url}/api/v1/dashboard/public", headers=ALICE, json=body).json()["token"]
    assert listed(**{"filter[shared]": "true"}) == [first["id"]]
    assert sorted(listed()) == sorted([first["id"], second["id"]])
    httpx.delete(f"{server.url}/api/v1/dashboard/public/{token}", headers=ALICE)
    assert listed(**{"filter[shared]": "true"}) == []


def test_export_names_a_share_it_cannot_read(tmp_path: Path, server: RunningEmulator) -> None:
    made = httpx.post(
        f"{server.url}/api/v1/dashboard",
        headers=ALICE,
        json={"title": "Shared by hand", "layout_type": "ordered", "widgets": []},
    ).json()
    body = {"dashboard_id": made["id"], "dashboard_type": "custom_timeboard", "share_type": "open"}
    assert httpx.post(f"{server.url}/api/v1/dashboard/public", headers=ALICE, json=body).status_code == 200
    repo = workspace(tmp_path, server.url)
    exported = repo.wac("export", "--kind", "datadog/dashboard", "--out", "exported")
    assert exported.exit_code == 0, exported.output
    assert f'dashboard-share {made["id"]} ("Shared by hand") is left out: Datadog reports this dashboard shared' in (
        exported.output
    )
    (written,) = (repo.root / "exported").rglob("*.yaml")
    assert "sharing" not in yaml.safe_load(written.read_text())


def test_a_time_span_the_manifest_leaves_out_is_datadogs_and_never_a_diff(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = workspace(tmp_path, server.url, board(sharing="sharing:\n  share_type: open\n"))
    apply(repo)
    token = token_of(server.url, "checkout-overview")
    assert token is not None
    assert share(server.url, token).json()["global_time"] == {"live_span": "1h"}, "none was sent: the default"
    chosen = {"share_type": "open", "global_time": {"live_span": "1w"}}
    assert httpx.put(f"{server.url}/api/v1/dashboard/public/{token}", headers=ALICE, json=chosen).status_code == 200
    no_changes(repo)
    write(repo, board(sharing="sharing:\n  share_type: open\n  global_time_selectable_enabled: true\n"))
    apply(repo)
    kept = share(server.url, token).json()
    assert kept["global_time"] == {"live_span": "1w"} and kept["global_time_selectable_enabled"] is True
