"""`wac init`'s questions and closing words: a bad answer at the prompt is asked again, an emulator site is
warned about, and the secrets named are those the workflows read for the kinds chosen."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.commands.helpers import make_workspace


def test_a_bad_answer_at_the_prompt_is_asked_again(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "init", "asked"],
        cwd=tmp_path,
        env=env,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    answers = ["Team A", "team-b", "nowhere", "http://10.1.2.3", "local", "datadog/monitor", "datadog/dashboard"]
    os.write(controller, "".join(f"{answer}\n" for answer in answers).encode())
    output, _ = process.communicate(timeout=60)
    os.close(controller)
    os.close(terminal)
    text = output.decode()
    assert process.returncode == 0, text
    assert text.count("Owner (one per repository)") == 2
    assert "Error: owner 'Team A' is not allowed" in text
    assert text.count("Datadog site, `local` or an emulator URL") == 3
    assert "Error: unknown site 'nowhere'" in text and "plain http to a non-loopback host" in text
    assert text.count("Kinds, comma separated") == 2
    assert "Error: 'datadog/monitor' is not a kind; use one of" in text
    assert yaml.safe_load((tmp_path / "asked" / ".wac.yaml").read_text()) == {
        "owner": "team-b",
        "site": "local",
        "kinds": ["datadog/dashboard"],
    }


def test_a_bad_flag_still_ends_the_run_before_anything_is_written(tmp_path: Path) -> None:
    outside = make_workspace(tmp_path, "http://127.0.0.1:9", copy_examples=False)
    result = outside.wac("init", "refused", "--owner", "Team A")
    assert result.exit_code == 1 and "Error: --owner: owner 'Team A' is not allowed" in result.stderr
    assert not (outside.root / "refused").exists()


@pytest.mark.parametrize("site", ["local", "http://127.0.0.1:8126"])
def test_an_emulator_site_is_warned_about(tmp_path: Path, site: str) -> None:
    outside = make_workspace(tmp_path, "http://127.0.0.1:9", copy_examples=False)
    result = outside.wac("init", "new-repo", "--owner", "team-a", "--site", site)
    assert result.exit_code == 0, result.output
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert f"--site {site} is an emulator" in warning and "workflows" in warning
    assert "--site datadoghq.com (or your site)" in warning


@pytest.mark.parametrize(
    ("site", "kinds", "closing"),
    [
        ("local", ("datadog/widget", "spaceone/custom-widget"), "wac apply."),
        (
            "datadoghq.eu",
            ("datadog/widget",),
            "wac apply. Add the secrets DD_API_KEY and DD_APP_KEY to the repository for its workflows.",
        ),
        (
            "datadoghq.eu",
            ("datadog/dashboard", "datadog/widget"),
            "Add the secrets DD_API_KEY and DD_APP_KEY to the repository for its workflows.",
        ),
        (
            "datadoghq.eu",
            ("spaceone/custom-widget",),
            "Add the secrets SPACEONE_TOKEN, and the variables SPACEONE_ENDPOINT and SPACEONE_DOMAIN_ID, to the"
            " repository for its workflows.",
        ),
        (
            "datadoghq.com",
            ("datadog/widget", "spaceone/custom-widget"),
            "Add the secrets DD_API_KEY, DD_APP_KEY and SPACEONE_TOKEN, and the variables SPACEONE_ENDPOINT and"
            " SPACEONE_DOMAIN_ID, to the repository for its workflows.",
        ),
    ],
)
def test_the_closing_line_names_the_secrets_of_the_kinds_chosen(
    tmp_path: Path, site: str, kinds: tuple[str, ...], closing: str
) -> None:
    outside = make_workspace(tmp_path, "http://127.0.0.1:9", copy_examples=False)
    chosen = [arg for kind in kinds for arg in ("--kind", kind)]
    result = outside.wac("init", "new-repo", "--owner", "team-a", "--site", site, *chosen)
    assert result.exit_code == 0, result.output
    (last,) = [line for line in result.stdout.splitlines() if line.startswith("Next:")]
    assert last.endswith(closing), last
    assert "DD_APPLICATION_KEY" not in last, "another name for DD_APP_KEY; the workflows do not read it"
    assert ("SPACEONE" in last) == (site != "local" and "spaceone/custom-widget" in kinds)
    assert ("DD_API_KEY" in last) == (site != "local" and any(k.startswith("datadog/") for k in kinds))
    assert ("warning:" in result.stderr) == (site == "local")
