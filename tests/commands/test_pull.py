"""`wac pull`: an edit made in the UI becomes an edit of the manifest, in place, everything else byte for byte."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import httpx

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import make_workspace
from tests.conftest import BOB
from tests.datadog_dashboards.test_sharing import dashboard_of


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def test_a_ui_edit_is_pulled_into_its_manifest_and_nothing_else_changes(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, dashboards=True)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        files = {p: p.read_text() for p in repo.widgets.rglob("*.yaml")}
        nothing = repo.wac("pull")
        assert nothing.exit_code == 0 and "Pulled 0 edit(s)" in nothing.output
        assert {p: p.read_text() for p in files} == files, "no drift: every manifest byte-identical"

        # In the UI: a widget's title, and a dashboard's title.
        (widget,) = repo.managed()["checkout-error-rate"]
        attributes = widget["attributes"]
        definition = {**attributes["definition"], "title": "Error rate, 5 minutes"}
        body = {"data": {"type": "widgets", "attributes": {"definition": definition, "tags": attributes["tags"]}}}
        url = f"{server.url}/api/v2/widgets/logs_reports/{widget['id']}"
        assert httpx.put(url, headers=BOB, json=body).status_code == 200
        board = dashboard_of(server.url, "checkout-overview")
        full = httpx.get(f"{server.url}/api/v1/dashboard/{board['id']}", headers=BOB).json()
        edited = {k: v for k, v in full.items() if k in ("title", "description", "widgets", "layout_type",
                                                         "template_variables", "notify_list", "reflow_type",
                                                         "template_variable_presets", "tags")}  # fmt: skip
        edited["title"] = "Checkout at a glance"
        assert httpx.put(f"{server.url}/api/v1/dashboard/{board['id']}", headers=BOB, json=edited).status_code == 200

        pulled = repo.wac("pull")
        assert pulled.exit_code == 0 and "Pulled 2 edit(s)" in pulled.output, pulled.output
        errors = repo.widgets / "logs" / "errors.yaml"
        assert _changed_lines(files[errors], errors.read_text()) == [
            "-   title: Checkout error rate (5 min)",
            "+   title: Error rate, 5 minutes",
        ]
        checkout = repo.widgets / "dashboards" / "checkout.yaml"
        assert _changed_lines(files[checkout], checkout.read_text()) == [
            "-   title: Checkout overview",
            "+   title: Checkout at a glance",
        ]
        assert all(p.read_text() == text for p, text in files.items() if p not in (errors, checkout))
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0, "git now says what the UI says"
        pulled_text = {p: p.read_text() for p in files}

        # The same from a saved drift report, offline: the manifests as before the pull, then pulled again.
        for path, text in files.items():
            path.write_text(text)
        report = repo.wac("drift", "--format", "json")
        (repo.root / "drift.json").write_text(report.output)
        offline = repo.wac("pull", "--from", "drift.json", env={"DD_SITE": "http://127.0.0.1:9"})
        assert offline.exit_code == 0 and "Pulled 2 edit(s)" in offline.output, offline.output
        assert {p: p.read_text() for p in files} == pulled_text


def test_a_drift_report_cannot_point_a_write_outside_the_repository(tmp_path: Path) -> None:
    repo = make_workspace(tmp_path, "http://127.0.0.1:9")
    entry = {
        "kind": "datadog/widget", "scope": "logs_reports", "id": "x", "title": "x", "reason": "changed outside git",
        "source": "../../outside.yaml:1", "fields": [{"path": "definition.title", "kind": "changed",
                                                     "before": "a", "after": "b"}],
    }  # fmt: skip
    (repo.root / "drift.json").write_text(json.dumps({"format_version": 4, "edited": [entry]}))
    refused = repo.wac("pull", "--from", "drift.json")
    assert refused.exit_code == 1 and "source must name a manifest file inside this repository" in refused.output
    (repo.root / "drift.json").write_text("[" * 100_000)
    assert "not a drift report" in repo.wac("pull", "--from", "drift.json").output

    def pulled_with(**changed: object) -> str:
        (repo.root / "drift.json").write_text(json.dumps({"format_version": 4, "edited": [{**entry, **changed}]}))
        done = repo.wac("pull", "--from", "drift.json")
        assert done.exit_code == 0 and "Pulled 0 edit(s)" in done.output, done.output
        return done.output

    before = {p: p.read_text() for p in repo.root.rglob("*.y*ml")}
    # Not a manifest read from the paths: a workflow, the settings, a link out, another document's line.
    (repo.root / ".wac.yaml").write_text("owner: default\n")
    assert "does not name the manifest" in pulled_with(source=".wac.yaml:1", fields=[
        {"path": "owner", "kind": "changed", "before": "default", "after": "mine"}])  # fmt: skip
    (repo.widgets / "link.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    assert "does not name the manifest" in pulled_with(source="widgets/link.yaml:1")
    assert "does not name the manifest" in pulled_with(source="widgets/logs/errors.yaml:99999")
    # The manifest at that line, but another id; then the right one with structure or an endless list.
    assert "does not name the manifest" in pulled_with(source="widgets/logs/errors.yaml:24")
    right = {"id": "checkout-error-rate", "source": "widgets/logs/errors.yaml:24"}
    assert "not a field wac pulls" in pulled_with(**right, fields=[
        {"path": "id", "kind": "changed", "before": "checkout-error-rate", "after": "hijack"}])  # fmt: skip
    assert "does not fit" in pulled_with(**right, fields=[
        {"path": "definition.requests[100000000].q", "kind": "changed", "before": None, "after": "x"}])  # fmt: skip
    assert {p: p.read_text() for p in repo.root.rglob("*.y*ml") if p.name not in (".wac.yaml", "link.yaml")} == {
        p: t for p, t in before.items() if p.name != ".wac.yaml"
    }
    assert not (tmp_path / "elsewhere.yaml").exists()


def test_a_flow_list_stays_a_flow_list() -> None:
    from reconciler.core.diffing import FieldChange, FieldKind
    from reconciler.manifests.pull import pulled

    text = "id: w\ntags: [team:a, env:prod]  # who\ndefinition: {title: t}\n"
    changed = FieldChange("tags", FieldKind.CHANGED, ["env:prod", "team:b"], ["env:prod", "team:a"])
    assert pulled(text, 1, [changed]) == "id: w\ntags: [env:prod, team:b]  # who\ndefinition: {title: t}\n"


def test_every_example_document_round_trips_byte_for_byte() -> None:
    """The edit machinery itself changes nothing it is not asked to: each example document, given no field."""
    from reconciler.manifests.documents import parse_documents
    from reconciler.manifests.pull import pulled

    examples = Path(__file__).resolve().parents[2] / "widgets"
    for path in sorted(examples.rglob("*.yaml")):
        text = path.read_text()
        documents, _ = parse_documents(text)
        for document in documents:
            assert pulled(text, document.line, []) == text, f"{path.name}:{document.line}"


def test_a_resource_made_outside_git_with_the_marker_is_pulled_as_a_new_manifest(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        body = {"data": {"type": "widgets", "attributes": {
            "definition": {"type": "toplist", "title": "Made in the UI", "requests": [{"q": "sum:x{*}"}]},
            "tags": ["team:ui", "wac-owner:default", "wac-id:made-in-ui"],
        }}}  # fmt: skip
        assert httpx.post(f"{server.url}/api/v2/widgets/logs_reports", headers=BOB, json=body).status_code == 200
        assert "- delete logs_reports/made-in-ui" in repo.wac("plan").output, "without a manifest it would go"

        pulled = repo.wac("pull")
        assert "1 resource(s) that exist only remotely as new manifests" in pulled.output, pulled.output
        written = repo.widgets / "logs_reports" / "made-in-ui.yaml"
        assert "Made in the UI" in written.read_text()
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0, "git now holds it"


def test_a_resource_pull_cannot_write_as_a_manifest_is_named(tmp_path: Path) -> None:
    """A widget carrying this owner's marker with an id no manifest may have is named, not skipped silently."""
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        body = {"data": {"type": "widgets", "attributes": {
            "definition": {"type": "toplist", "title": "Odd id", "requests": [{"q": "sum:x{*}"}]},
            "tags": ["wac-owner:default", "wac-id:-odd"],
        }}}  # fmt: skip
        answer = httpx.post(f"{server.url}/api/v2/widgets/logs_reports", headers=BOB, json=body)
        assert answer.status_code == 200, answer.text
        uuid = answer.json()["data"]["id"]

        pulled = repo.wac("pull")
        said = f'not pulled: logs_reports {uuid} ("Odd id") has the owner marker but the id "-odd", which no manifest'
        assert said in pulled.output, pulled.output
        assert "a plan deletes it" in pulled.output and "- delete logs_reports/-odd" in repo.wac("plan").output
        assert not list(repo.widgets.rglob("*odd*.yaml"))


def test_a_dashboard_pulled_as_new_names_a_managed_powerpack_by_reference(tmp_path: Path) -> None:
    """Made in the UI with the marker, using the powerpack this repository manages: the manifest pull writes names
    the powerpack by `{ref:}`, so git holds no remote id and a replaced powerpack keeps the dashboard right."""
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, dashboards=True)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        packs = httpx.get(f"{server.url}/api/v2/powerpacks", headers=BOB).json()["data"]
        (pack_id,) = [p["id"] for p in packs if p["attributes"]["name"] == "Service latency"]
        board = {
            "title": "Made in the UI",
            "description": "Managed by widgets-as-code (owner default, id made-in-ui, applied 0123456789abcdef):"
            " edit it in git.",
            "layout_type": "ordered",
            "widgets": [{"definition": {"type": "powerpack", "powerpack_id": pack_id}}],
        }
        assert httpx.post(f"{server.url}/api/v1/dashboard", headers=BOB, json=board).status_code == 200

        pulled = repo.wac("pull")
        assert "1 resource(s) that exist only remotely as new manifests" in pulled.output, pulled.output
        (written,) = [p for p in repo.widgets.rglob("made-in-ui.yaml")]
        text = written.read_text()
        assert "ref: datadog/powerpack/latency-pack" in text and pack_id not in text.split("\n", 1)[1], text
        assert repo.wac("validate").exit_code == 0
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0, "git now holds it as it is"


def test_only_a_resource_claimed_once_is_named_by_reference() -> None:
    """A copy carrying another's marker (cloned in the UI) keeps its own id in a pulled manifest: a reference
    would mean the original once the duplicate is gone."""
    from reconciler.cli.pull import _named_by_manifests
    from tests.widgets import desired_widget, remote_widget

    chart = {"type": "toplist", "title": "t", "requests": [{"q": "sum:x{*}"}]}
    mine = ["wac-owner:default", "wac-id:kept"]
    cloned = ["wac-owner:default", "wac-id:cloned"]
    remotes = [
        remote_widget("11111111-1111-1111-1111-111111111111", "logs_reports", chart, mine),
        remote_widget("22222222-2222-2222-2222-222222222222", "logs_reports", chart, cloned),
        remote_widget("33333333-3333-3333-3333-333333333333", "logs_reports", chart, cloned),
        remote_widget("44444444-4444-4444-4444-444444444444", "logs_reports", chart, ["wac-owner:other", "wac-id:x"]),
    ]
    desired = [desired_widget("logs_reports", name, chart) for name in ("kept", "cloned", "x")]
    assert _named_by_manifests(remotes, desired, "default") == {
        "11111111-1111-1111-1111-111111111111": "datadog/widget/kept"
    }
