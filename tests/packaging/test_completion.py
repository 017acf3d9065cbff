"""Shell completion as the README documents it for bash, zsh and fish: click's scripts, and answers
for commands, options and kinds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WAC = str(Path(sys.executable).parent / "wac")


def completion(shell_mode: str, words: str = "", cword: int = 0) -> str:
    env = {**os.environ, "_WAC_COMPLETE": shell_mode, "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    done = subprocess.run([WAC], env=env, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


SCRIPTS = [("bash", "complete -o nosort -F"), ("zsh", "#compdef wac"), ("fish", "complete --no-files --command wac")]


@pytest.mark.parametrize(("shell", "marker"), SCRIPTS)
def test_each_shell_gets_a_completion_script(shell: str, marker: str) -> None:
    assert marker in completion(f"{shell}_source")


def test_commands_options_and_kinds_complete() -> None:
    assert completion("bash_complete", "wac in", 1).split() == ["plain,init"]
    assert "plain,--format" in completion("bash_complete", "wac plan --fo", 2).split()
    assert completion("bash_complete", "wac plan --kind datadog/d", 3).split() == [
        "plain,datadog/dashboard",
        "plain,datadog/dashboard-list",
    ]
    assert completion("bash_complete", "wac plan --kind datadog/p", 3).split() == ["plain,datadog/powerpack"]
