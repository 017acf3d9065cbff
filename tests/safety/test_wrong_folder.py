"""A wrong folder deletes nothing: a plan that deletes every resource of one kind while others stay is refused
like a mass delete, and says so first."""

from __future__ import annotations

from pathlib import Path

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import make_workspace


def test_applying_one_kind_s_folder_never_deletes_every_resource_of_another_kind(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, dashboards=True)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        widgets_before = len(repo.managed())

        # The dashboards with the powerpack they use by reference: every other kind's manifests are left out.
        folders = ("widgets/dashboards", "widgets/powerpacks")
        planned = repo.wac("plan", *folders)
        assert "apply will refuse this plan: it deletes every resource of kind datadog/widget (16)" in planned.output
        refused = repo.wac("apply", "--auto-approve", *folders)
        assert refused.exit_code == 1 and "--allow-mass-delete" in refused.output, refused.output
        assert len(repo.managed()) == widgets_before, "nothing was deleted"

        # Removing one dashboard's sharing, or one widget, is an everyday edit and not refused.
        (repo.widgets / "exports" / "csv.yaml").unlink()
        assert repo.wac("apply", "--auto-approve").exit_code == 0


def test_a_kind_the_manifests_use_but_kinds_leaves_out_is_named(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, dashboards=True)
        (repo.root / ".wac.yaml").write_text("kinds: [datadog/widget]\n")
        planned = repo.wac("plan")
        unlisted = "datadog/dashboard, datadog/dashboard-list, datadog/powerpack: read this time, but `kinds:`"
        assert unlisted + " in .wac.yaml does not list it" in planned.output
