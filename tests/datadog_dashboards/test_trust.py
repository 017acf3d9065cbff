"""Trust on dashboards and their shares, over HTTP against the emulator: the daily edit loop keeps a share,
every share write is re-checked against its dashboard, markers are exact or a conflict, a listing whose pages
shift never makes a copy, and the cache can neither write nor hide anything."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from reconciler.backends.connection import Connection
from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from reconciler.backends.policy import RetryPolicy
from reconciler.backends.registry import BY_KIND
from reconciler.backends.sites import resolve_site
from reconciler.engine.runs import apply_run, plan_run
from reconciler.manifests.loading import load_manifests
from reconciler.manifests.validation import desired_from
from tests.commands.helpers import Workspace
from tests.conftest import ALICE
from tests.datadog_dashboards.test_sharing import (
    INVITE,
    board,
    dashboard_of,
    invitations,
    share,
    token_of,
    workspace,
    write,
)
from tests.proxy import proxy

KIND = "datadog/dashboard"
OPEN = "sharing:\n  share_type: open\n  global_time: {live_span: 1h}\n"


@pytest.fixture
def server() -> Iterator[RunningEmulator]:
    with emulator_thread() as running:
        yield running


def apply(repo: Workspace, *args: str, env: dict[str, str | None] | None = None) -> str:
    result = repo.wac("apply", "--auto-approve", *args, env=env)
    assert result.exit_code == 0, result.output
    return result.output


def settled(repo: Workspace, *args: str) -> bool:
    return repo.wac("plan", "--detailed-exitcode", *args).exit_code == 0


def put(url: str, dashboard: dict[str, Any], **changes: Any) -> None:
    """An edit made in the UI: the whole dashboard written back with `changes`."""
    server_fields = ("id", "url", "author_handle", "author_name", "created_at", "modified_at")
    body = {k: v for k, v in dashboard.items() if k not in server_fields} | changes
    response = httpx.put(f"{url}/api/v1/dashboard/{dashboard['id']}", headers=ALICE, json=body)
    assert response.status_code == 200, response.text


EDITED = (
    board(sharing=INVITE)
    .replace("Board checkout-overview", "Checkout, renamed")
    .replace("title: Orders", "title: Orders per minute")
    .replace("available_values: [prod, staging]", "available_values: [prod, staging, qa]")
)


def test_every_edit_of_a_shared_dashboard_keeps_its_share_and_the_next_plan_is_empty(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = workspace(tmp_path, server.url, board())
    apply(repo)
    token = token_of(server.url, "checkout-overview")
    assert token is not None
    edits = [
        EDITED,  # title, a widget and the template variables at once
        EDITED.replace("live_span: 4h", "live_span: 1d"),  # the share's time span
        EDITED.replace("Vendor@Example.org", "new@example.com"),  # who is invited
        EDITED.replace(INVITE, OPEN),  # invite-only to open
        EDITED.replace(INVITE, OPEN).replace("Checkout, renamed", "Checkout, renamed again"),  # title, shared open
    ]
    for edit in edits:
        write(repo, edit)
        apply(repo)
        plan = repo.wac("plan", "--detailed-exitcode")
        assert plan.exit_code == 0, plan.output
        assert "conflict" not in plan.output
        assert token_of(server.url, "checkout-overview") == token, "the same share, never a new link"
    assert share(server.url, token).json()["share_type"] == "open"
    assert repo.wac("drift").exit_code == 0


def _folder(root: Path, name: str) -> Path:
    (root / name).mkdir()
    return root / name


def _connected(url: str, owner: str) -> Any:
    site = resolve_site(url)
    environ = {"DD_API_KEY": ALICE["DD-API-KEY"], "DD_APP_KEY": ALICE["DD-APPLICATION-KEY"]}
    connection = Connection(site, environ, {}, 4, RetryPolicy(timeout=10))
    return BY_KIND[KIND].connector()(connection)


def test_a_share_write_is_refused_when_the_marker_now_reaches_another_teams_share(
    tmp_path: Path, server: RunningEmulator
) -> None:
    team_a = workspace(_folder(tmp_path, "a"), server.url, board("a-board", sharing=INVITE))
    team_b = workspace(_folder(tmp_path, "b"), server.url, board("b-board", sharing=INVITE))
    apply(team_a, "--owner", "team-a")
    apply(team_b, "--owner", "team-b")
    token_b = token_of(server.url, "b-board")
    assert token_b is not None
    b_before = (share(server.url, token_b).json(), invitations(server.url, token_b))
    # Team A opens its share, reviewed and planned...
    write(team_a, board("a-board", sharing=OPEN))
    loaded = load_manifests([team_a.widgets])
    desired = [d for m in loaded.manifests for d in desired_from(m)]

    async def plan_then_apply() -> list[tuple[bool, str]]:
        async with _connected(server.url, "team-a").open() as backend:
            plan = await plan_run({KIND: backend}, "team-a", desired)
            assert [c.scope for c in plan.changes] == ["dashboard-share"]
            # ...and between the plan and the write, B's token (readable in B's marker) is put in A's marker.
            a_board = dashboard_of(server.url, "a-board")
            token_a = token_of(server.url, "a-board") or ""
            put(server.url, a_board, description=a_board["description"].replace(token_a, token_b))
            report = await apply_run({KIND: backend}, plan, lambda _: None)
            return [(o.ok, o.detail) for o in report.outcomes]

    ((ok, detail),) = asyncio.run(plan_then_apply())
    assert not ok and "belongs to another dashboard" in detail and "nothing was written" in detail
    assert (share(server.url, token_b).json(), invitations(server.url, token_b)) == b_before, "B's share is untouched"


def test_revoking_a_share_checks_the_share_belongs_to_the_dashboard(tmp_path: Path, server: RunningEmulator) -> None:
    team_a = workspace(_folder(tmp_path, "a"), server.url, board("a-board", sharing=OPEN))
    team_b = workspace(_folder(tmp_path, "b"), server.url, board("b-board", sharing=OPEN))
    apply(team_a, "--owner", "team-a")
    apply(team_b, "--owner", "team-b")
    token_b = token_of(server.url, "b-board") or ""
    write(team_a, board("a-board", sharing=""))
    a_board = dashboard_of(server.url, "a-board")
    put(server.url, a_board, description=a_board["description"].replace(token_of(server.url, "a-board") or "", token_b))
    team_a.wac("apply", "--auto-approve", "--owner", "team-a")
    assert share(server.url, token_b).status_code == 200, "B's share was never revoked by A"


def test_adopting_a_dashboard_shared_outside_wac_is_refused_with_what_to_do(
    tmp_path: Path, server: RunningEmulator
) -> None:
    body = {
        "title": "Made in the UI",
        "layout_type": "ordered",
        "widgets": [{"definition": {"type": "note", "content": "x"}}],
    }
    made = httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=body).json()
    shared = {"dashboard_id": made["id"], "dashboard_type": "custom_timeboard", "share_type": "open"}
    assert httpx.post(f"{server.url}/api/v1/dashboard/public", headers=ALICE, json=shared).status_code == 200
    manifest = (
        f"kind: datadog/dashboard\nid: adopted\nadopt: {made['id']}\ndashboard:\n  title: Made in the UI\n"
        "  layout_type: ordered\n  widgets:\n    - definition: {type: note, content: x}\n" + OPEN
    )
    repo = workspace(tmp_path, server.url, manifest)
    plan = repo.wac("plan")
    assert plan.exit_code == 1
    assert "shared, by a share made outside wac" in plan.output and "Share menu" in plan.output
    assert repo.wac("apply", "--auto-approve").exit_code == 1
    assert "Managed by" not in (
        httpx.get(f"{server.url}/api/v1/dashboard/{made['id']}", headers=ALICE).json()["description"] or ""
    )


@pytest.mark.parametrize(
    "disguise",
    [
        pytest.param(lambda line: f"- {line}", id="list-item"),
        pytest.param(lambda line: f"* {line}", id="bullet"),
        pytest.param(lambda line: line.replace("Managed by", "Managed  by"), id="spacing"),
        pytest.param(lambda line: line.replace("a", "\u0430"), id="cyrillic-a"),
        pytest.param(lambda line: line.replace("Managed", "\uff2danaged"), id="full-width"),
        pytest.param(lambda line: f"{line}\n{line}", id="pasted-twice"),
        pytest.param(lambda line: line.replace("M", "\u039c", 1), id="greek-capital-mu"),
        pytest.param(lambda line: line.replace("M", "\u1d0d", 1), id="small-capital-m"),
        pytest.param(lambda line: line.replace("M", "\u13b7", 1), id="cherokee-lu"),
        pytest.param(lambda line: line.replace("g", "\u0581", 1), id="armenian-co"),
        pytest.param(lambda line: line.replace("w", "\u0461", 1), id="cyrillic-omega"),
        pytest.param(lambda line: line.replace("owner default", "owner d\u0435fault"), id="look-alike-owner"),
        pytest.param(lambda line: line.replace("id checkout", "id ch\u0435ckout"), id="look-alike-id"),
        pytest.param(lambda line: line.replace("widgets-as-code ", "widgets-\nas-code "), id="broken-over-lines"),
    ],
)
def test_a_marker_that_is_not_exactly_one_is_a_conflict_never_unmanaged(
    tmp_path: Path, server: RunningEmulator, disguise: Callable[[str], str]
) -> None:
    repo = workspace(tmp_path, server.url, board(sharing=OPEN))
    apply(repo)
    token = token_of(server.url, "checkout-overview") or ""
    made = dashboard_of(server.url, "checkout-overview")
    text, line = made["description"].rsplit("\n", 1)
    put(server.url, made, description=f"{text}\n{disguise(line)}")
    plan = repo.wac("plan", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "was edited by hand" in plan.output and "held back" in plan.output
    assert "+ create" not in plan.output and "No changes" not in plan.output
    assert repo.wac("drift").exit_code == 2
    apply(repo)
    assert len([d for d in httpx.get(f"{server.url}/api/v1/dashboard", headers=ALICE).json()["dashboards"]]) == 1
    assert share(server.url, token).status_code == 200, "the live share is not orphaned"
    exported = repo.wac("export", "--kind", KIND, "--out", "exported")
    assert token not in "".join(p.read_text() for p in (repo.root / "exported").rglob("*.yaml")), exported.output


def test_a_copy_made_by_wac_itself_is_repaired_and_a_clone_edited_in_the_ui_is_a_conflict(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = workspace(tmp_path, server.url, board(sharing=""))
    apply(repo)
    made = dashboard_of(server.url, "checkout-overview")
    server_fields = ("id", "url", "author_handle", "author_name", "created_at", "modified_at")
    exact = {k: v for k, v in made.items() if k not in server_fields}
    # What a create whose answer was lost leaves: the same body, the same marker.
    copy = httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=exact).json()
    plan = repo.wac("plan")
    assert "- delete dashboard/checkout-overview" in plan.output and "duplicate" in plan.output, plan.output
    assert copy["id"] in plan.output and "conflict" not in plan.output
    apply(repo)
    listed = httpx.get(f"{server.url}/api/v1/dashboard", headers=ALICE).json()["dashboards"]
    assert [d["id"] for d in listed] == [made["id"]], "the oldest is kept"
    clone = httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=exact | {"title": "Clone of it"}).json()
    plan = repo.wac("plan")
    assert "is also on another dashboard" in plan.output and "- delete" not in plan.output
    assert clone["id"] in plan.output


@contextmanager
def shifting_proxy(upstream: str, on_second_page: Callable[[], None]) -> Iterator[str]:
    """A proxy to the emulator that runs `on_second_page` just before the first request for the dashboard
    list's second page, as a deletion in the UI between two page reads would."""
    fired = threading.Event()

    def hook(method: str, target: str) -> None:
        parts = urlsplit(target)
        if parts.path == "/api/v1/dashboard" and parse_qs(parts.query).get("start") == ["100"] and not fired.is_set():
            fired.set()
            on_second_page()

    with proxy(upstream, hook) as url:
        yield url


def test_a_dashboard_a_shifted_listing_missed_is_not_created_again(tmp_path: Path, server: RunningEmulator) -> None:
    note = [{"definition": {"type": "note", "content": "x"}}]
    early = httpx.post(
        f"{server.url}/api/v1/dashboard",
        headers=ALICE,
        json={"title": "Early", "layout_type": "ordered", "widgets": note},
    ).json()
    documents = []
    for n in range(105):
        marker = f"Managed by widgets-as-code (owner default, id board-{n}, applied 0123456789abcdef): edit it in git."
        body = {"title": f"Board {n}", "layout_type": "ordered", "widgets": note, "description": marker}
        assert httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=body).status_code == 200
        documents.append(
            f"kind: datadog/dashboard\nid: board-{n}\ndashboard:\n  title: Board {n}\n  layout_type: ordered\n"
            "  widgets:\n    - definition: {type: note, content: x}\n"
        )
    repo = workspace(tmp_path, server.url, *documents)

    def delete_early() -> None:
        httpx.delete(f"{server.url}/api/v1/dashboard/{early['id']}", headers=ALICE)

    with shifting_proxy(server.url, delete_early) as proxy:
        output = repo.wac("plan", "--format", "json", env={"DD_SITE": proxy}).stdout
    plan = json.loads(output)
    assert plan["summary"]["create"] == 0, "the dashboard the shifted pages skipped was found again"
    assert plan["summary"]["unchanged"] == 105
    assert httpx.get(f"{server.url}/api/v1/dashboard/{early['id']}", headers=ALICE).status_code == 404, "it shifted"


def test_apply_never_reads_the_cache_and_a_poisoned_entry_is_dropped(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board("one", sharing=""), board("two", sharing=""))
    apply(repo)
    assert settled(repo)  # fills the cache
    (cache_file,) = Path(os.environ["WAC_CACHE_DIR"]).glob("dashboards-*.json")
    cache = json.loads(cache_file.read_text())
    one, two = dashboard_of(server.url, "one"), dashboard_of(server.url, "two")
    # An entry for `one` whose body is `two`'s: dropped, whatever it holds.
    poisoned = json.loads(json.dumps(cache))
    poisoned["dashboards"][one["id"]]["body"] = {**cache["dashboards"][two["id"]]["body"], "title": "Poisoned"}
    cache_file.write_text(json.dumps(poisoned))
    assert settled(repo), "an entry that is not the dashboard it is filed under is dropped"
    assert "Poisoned" not in cache_file.read_text()
    # An entry with content the remote does not have, at the listed version: apply never reads it.
    poisoned = json.loads(cache_file.read_text())
    poisoned["dashboards"][two["id"]]["body"]["widgets"] = []
    poisoned["dashboards"][one["id"]]["body"]["title"] = "Poisoned"
    cache_file.write_text(json.dumps(poisoned))
    write(repo, board("one", sharing="").replace("Board one", "Board one, renamed"), board("two", sharing=""))
    output = apply(repo)
    assert "1 updated" in output and "Poisoned" not in output
    assert dashboard_of(server.url, "two")["widgets"] == two["widgets"], "nothing from the cache was written"
    assert dashboard_of(server.url, "one")["title"] == "Board one, renamed"
    assert len(httpx.get(f"{server.url}/api/v1/dashboard", headers=ALICE).json()["dashboards"]) == 2


def test_the_cache_holds_only_this_owners_dashboards_and_never_one_git_tracks(
    tmp_path: Path, server: RunningEmulator
) -> None:
    secret = '"Runbook: https://p.datadoghq.com/sb/abc123-0123456789abcdef0123456789abcdef"'
    theirs = {"title": "Another team's", "layout_type": "ordered", "description": "their private notes",
              "widgets": [{"definition": {"type": "note", "content": "x"}}]}  # fmt: skip
    httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=theirs)
    repo = workspace(tmp_path, server.url, board("one", sharing=""), board("two", sharing="").replace(
        "Orders, errors and latency of the checkout service.", secret))  # fmt: skip
    apply(repo)
    assert repo.wac("drift", "--unmanaged").exit_code == 2
    assert repo.wac("export", "--kind", KIND, "--out", "exported").exit_code == 0
    assert settled(repo)
    (cache_file,) = Path(os.environ["WAC_CACHE_DIR"]).glob("dashboards-*.json")
    cached = cache_file.read_text()
    assert "Board one" in cached and "their private notes" not in cached and "Another team" not in cached
    assert "0123456789abcdef0123456789abcdef" not in cached, "a dashboard holding a token is not cached"
    # A cache folder inside a repository, with the file committed: refused, so it can hide nothing.
    planted = tmp_path / "planted"
    planted.mkdir()
    subprocess.run(["git", "init", "-q", str(planted)], check=True)
    (planted / cache_file.name).write_text(cached.replace("Board one", "Board one (stale)"))
    subprocess.run(["git", "-C", str(planted), "add", cache_file.name], check=True)
    requests = sum(server.stats.by_method.values())
    plan = repo.wac("plan", "--kind", KIND, env={"WAC_CACHE_DIR": str(planted)})
    assert plan.exit_code == 0 and "git tracks it" in plan.output
    assert sum(server.stats.by_method.values()) - requests >= 4, "every dashboard read afresh, not from the file"


def test_removing_the_last_dashboard_manifest_deletes_it_when_the_repository_lists_its_kinds(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = workspace(tmp_path, server.url, board(sharing=""))
    widget = "id: spend\nexperience_type: ccm_reports\ndefinition: {type: toplist, title: Spend, requests: [{q: a}]}\n"
    (repo.widgets / "spend.yaml").write_text(widget)
    apply(repo)
    (repo.widgets / "boards.yaml").unlink()
    plan = repo.wac("plan")
    assert "not read: " in plan.output and "datadog/dashboard" in plan.output and "`kinds:` in .wac.yaml" in plan.output
    assert "No changes" in plan.output, "without `kinds:` the dashboard is not read, and the plan says so"
    (repo.root / ".wac.yaml").write_text("kinds: [datadog/widget, datadog/dashboard]\n")
    plan = repo.wac("plan", "--format", "json")
    (change,) = json.loads(plan.stdout)["changes"]
    assert (change["action"], change["kind"], change["id"]) == ("delete", KIND, "checkout-overview")
    assert "not read" not in plan.output
    (repo.root / ".wac.yaml").write_text("kinds: [datadog/dashbord]\n")
    refused = repo.wac("plan")
    assert refused.exit_code == 1 and "`kinds` names 'datadog/dashbord', which is not a kind" in refused.output


def test_changes_held_back_by_a_conflict_are_counted_in_every_format(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board(sharing=""))
    apply(repo)
    made = dashboard_of(server.url, "checkout-overview")
    put(server.url, made, description=made["description"] + "\n" + made["description"].rsplit("\n", 1)[-1])
    write(repo, board(sharing="").replace("Board checkout-overview", "Renamed"))
    assert repo.wac("plan", "--detailed-exitcode").exit_code == 2
    markdown = repo.wac("plan", "--format", "markdown").output
    assert "Held back: dashboard/checkout-overview" in markdown and "No changes" not in markdown
    planned = json.loads(repo.wac("plan", "--format", "json").stdout)
    assert planned["summary"]["held_back"] == 1
    assert planned["held_back"] == [{"kind": KIND, "scope": "dashboard", "id": "checkout-overview"}]
    assert "1 held back by conflicts" in apply(repo)


def test_two_applies_sharing_at_once_leave_one_recorded_share(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board(sharing=""))
    apply(repo)
    write(repo, board(sharing=OPEN))
    rival: list[str] = []

    def other_apply_first(method: str, target: str) -> None:
        # Just before this apply's share create, another apply shares the dashboard and records its token.
        if method == "POST" and target == "/api/v1/dashboard/public" and not rival:
            made = dashboard_of(server.url, "checkout-overview")
            request = {"dashboard_id": made["id"], "dashboard_type": "custom_timeboard", "share_type": "open"}
            token = httpx.post(f"{server.url}/api/v1/dashboard/public", headers=ALICE, json=request).json()["token"]
            line = made["description"].rsplit("\n", 1)[-1]
            recorded_line = line.replace(
                "): edit it in git.", f", share {token} applied 0123456789abcdef): edit it in git."
            )
            put(server.url, made, description=made["description"].replace(line, recorded_line))
            rival.append(token)

    with proxy(server.url, other_apply_first) as url:
        result = repo.wac("apply", "--auto-approve", env={"DD_SITE": url})
    assert result.exit_code == 1 and "shared by another apply at the same time" in result.output
    live = [token for _, token in server.stores[KIND].share_tokens()]
    assert live == rival, "this apply's own share was revoked; the recorded one stays"
    assert token_of(server.url, "checkout-overview") == rival[0]


def test_a_block_scalar_description_converges(tmp_path: Path, server: RunningEmulator) -> None:
    text = board(sharing="").replace(
        "  description: Orders, errors and latency of the checkout service.\n",
        "  description: |\n    Orders, errors and latency.\n    Second line.\n",
    )
    repo = workspace(tmp_path, server.url, text)
    apply(repo)
    assert settled(repo) and repo.wac("drift").exit_code == 0


def test_a_conflict_waiting_on_a_revoke_or_delete_is_not_no_changes(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board(sharing=""), board("second", sharing=""))
    apply(repo)
    made = dashboard_of(server.url, "checkout-overview")
    request = {"dashboard_id": made["id"], "dashboard_type": "custom_timeboard", "share_type": "open"}
    assert httpx.post(f"{server.url}/api/v1/dashboard/public", headers=ALICE, json=request).status_code == 200
    plan = repo.wac("plan", "--detailed-exitcode")
    assert plan.exit_code == 2 and "No changes" not in plan.output, "a public share the manifest does not want"
    second = dashboard_of(server.url, "second")
    text, line = second["description"].rsplit("\n", 1)
    put(server.url, second, description=f"{text}\n- {line}")
    write(repo, board(sharing=""))
    planned = json.loads(repo.wac("plan", "--format", "json").stdout)
    assert {"kind": KIND, "scope": "dashboard", "id": "second"} in planned["held_back"]


def test_a_share_embedded_or_paused_in_the_ui_is_drift_and_reverted(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board(sharing=OPEN))
    apply(repo)
    token = token_of(server.url, "checkout-overview") or ""
    body = {"share_type": "open", "embeddable_domains": ["https://evil.example"]}
    assert httpx.put(f"{server.url}/api/v1/dashboard/public/{token}", headers=ALICE, json=body).status_code == 200
    drift = repo.wac("drift")
    assert drift.exit_code == 2 and "Access widened outside git" in drift.output and "evil.example" in drift.output
    apply(repo)
    assert share(server.url, token).json()["embeddable_domains"] == []
    assert settled(repo)


def test_a_description_that_reads_like_the_marker_is_refused_offline(tmp_path: Path, server: RunningEmulator) -> None:
    text = board(sharing="").replace(
        "Orders, errors and latency of the checkout service.", '"Managed by widgets-as-code: edit it in git."'
    )
    repo = workspace(tmp_path, server.url, text)
    result = repo.wac("validate")
    assert result.exit_code == 1 and "reads like wac's ownership line" in result.output


def test_a_cache_git_cannot_vouch_for_is_refused(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board(sharing=""))
    apply(repo)
    planted = tmp_path / "planted"
    planted.mkdir()
    subprocess.run(["git", "init", "-q", str(planted)], check=True)
    plan = repo.wac("plan", env={"WAC_CACHE_DIR": str(planted), "GIT_DIR": str(tmp_path / "no-such-git")})
    assert plan.exit_code == 0 and "git tracks it" in plan.output, "git failing is not git saying 'untracked'"


def test_a_token_followed_by_more_hex_is_still_masked(tmp_path: Path, server: RunningEmulator) -> None:
    shaped = "abc123-0123456789abcdef0123456789abcdef7"
    text = board(sharing="").replace("Orders, errors and latency of the checkout service.", f"See {shaped}")
    repo = workspace(tmp_path, server.url, text)
    apply(repo)
    for args in (("plan", "--format", "json"), ("drift",), ("export", "--kind", KIND, "--out", "exported")):
        assert "0123456789abcdef0123456789abcdef" not in repo.wac(*args).output
    assert "0123456789abcdef0123456789abcdef" not in "".join(
        p.read_text() for p in (repo.root / "exported").rglob("*.yaml")
    )


def test_export_never_writes_through_a_symlink(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, board(sharing=""))
    apply(repo)
    (repo.root / "exported").mkdir()
    (repo.root / "exported" / "dashboard").symlink_to(tmp_path / "outside")
    result = repo.wac("export", "--kind", KIND, "--out", "exported")
    assert result.exit_code == 1 and "is a symbolic link" in result.output
    assert not (tmp_path / "outside").exists()


def test_drift_says_when_the_api_cannot_tell_who_and_widened_access_comes_first(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = workspace(tmp_path, server.url, board(sharing=INVITE))
    apply(repo)
    made = dashboard_of(server.url, "checkout-overview")
    put(server.url, made, title="Renamed in the UI")
    token = token_of(server.url, "checkout-overview") or ""
    body = {"share_type": "open"}
    assert httpx.put(f"{server.url}/api/v1/dashboard/public/{token}", headers=ALICE, json=body).status_code == 200
    report = json.loads(repo.wac("drift", "--format", "json").stdout)
    who = {e["scope"]: e["changed_by"] for e in report["edited"]}
    assert who["dashboard"]["known"] is False and who["dashboard"]["handle"] is None
    assert "records only the dashboard's author" in who["dashboard"]["note"]
    assert report["summary"]["by_kind"][KIND]["edited"] == 2
    markdown = repo.wac("drift", "--format", "markdown").output
    assert markdown.index("[!CAUTION]") < markdown.index("#### Changed outside git")
    assert "Access widened outside git" in markdown
