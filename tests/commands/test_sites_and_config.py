"""Where a run goes and as whom: --site, DD_SITE and .wac.yaml, each checked with a sentence."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reconciler.backends.emulator_server import emulator_thread
from reconciler.backends.sites import SiteError, resolve_site
from tests.commands.helpers import create_directly, make_workspace


def test_the_config_files_site_is_used(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        (repo.root / ".wac.yaml").write_text(
            f"site: {server.url}\nowner: team-a\nspaceone: {{endpoint: 'https://spaceone.example.com'}}\n"
        )
        planned = repo.wac("plan", "--format", "json", env={"DD_SITE": None})
        assert planned.exit_code == 0, planned.output
        plan = json.loads(planned.stdout)
        assert (plan["site"], plan["owner"]) == (server.url, "team-a")
        assert server.stats.by_method["GET"] > 0, "the requests went to the configured site"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("owner: [a\n", ".wac.yaml:1:8: not valid YAML"),
        ("sites: local\n", ".wac.yaml: unknown setting(s) sites; allowed: owner, site, spaceone.endpoint"),
        ("spaceone: {token: x}\n", ".wac.yaml: unknown setting(s) spaceone.token; allowed: owner, site"),
        ("owner: 5\n", ".wac.yaml: `owner` must be text"),
        ("- owner\n", ".wac.yaml: expected a mapping"),
    ],
)
def test_a_bad_config_file_is_named_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        (repo.root / ".wac.yaml").write_text(text)
        result = repo.wac("plan")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("site", "message"),
    [
        ("https://[::1", "is not a valid URL (Invalid IPv6 URL)"),
        ("http://127.0.0.1:99999", "is not a valid URL (Port out of range"),
        ("http://127.0.0.1:1/api?x=1", "must be a bare http(s) URL"),
        ("ftp://127.0.0.1", "is not an http(s) URL"),
        ("http://example.com", "plain http to a non-loopback host"),
        ("datadoghq.con", "unknown site 'datadoghq.con'"),
    ],
)
def test_bad_sites_are_sentences(site: str, message: str) -> None:
    with pytest.raises(SiteError, match=re.escape(message)):
        resolve_site(site)


def test_a_site_url_with_a_password_is_refused_without_echoing_it() -> None:
    with pytest.raises(SiteError) as refused:
        resolve_site("https://user:hunter2@api.example.com")
    assert "hunter2" not in str(refused.value)


def test_printed_next_steps_carry_the_site_and_owner(tmp_path: Path) -> None:
    with emulator_thread() as server:
        create_directly(server.url, "ccm_reports", "Spend", [])
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        exported = repo.wac("export", "--out", "widgets", "--owner", "team-a")
        assert f"wac plan widgets --site {server.url} --owner team-a" in exported.output


def test_commands_work_from_any_folder_inside_the_repository(tmp_path: Path) -> None:
    import os

    from click.testing import CliRunner

    from reconciler.cli import main

    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        (repo.root / ".wac.yaml").write_text(f"site: {server.url}\nowner: team-a\n")
        env = {**repo.env, "DD_SITE": None}

        def wac_in(folder: Path, *args: str) -> str:
            before = Path.cwd()
            os.chdir(folder)
            try:
                result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
            finally:
                os.chdir(before)
            assert result.exit_code in (0, 2), result.output
            return result.output

        deep = repo.widgets / "logs"
        here = json.loads(wac_in(repo.root, "plan", "--format", "json"))
        inside = json.loads(wac_in(deep, "plan", "--format", "json"))
        assert inside["owner"] == "team-a" and inside["site"] == server.url, "the repository's .wac.yaml"
        assert inside["summary"] == here["summary"] and inside["inputs"] == here["inputs"]
        wac_in(deep, "plan", "--out", "saved.json")
        assert (deep / "saved.json").is_file(), "a path typed in a folder means that folder"
        applied = wac_in(repo.widgets, "apply", "--plan", "logs/saved.json", "--auto-approve", "--site", server.url)
        assert "Apply complete" in applied
        dot = json.loads(wac_in(deep, "plan", ".", "--format", "json"))
        assert dot["inputs"]["paths"] == ["widgets/logs"], "`.` is the folder it was typed in"
