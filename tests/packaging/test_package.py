"""The package as a user installs it: sdist and wheel built and checked, the wheel in a fresh venv
running the commands the README promises, the version from one place, and the pre-commit hook."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest
import yaml

from reconciler import __version__

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False, timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INDEX": "1"},
    )  # fmt: skip
    assert done.returncode in (0, 2), f"{args}: {done.stdout}{done.stderr}"
    return done


@pytest.mark.slow
def test_the_wheel_installs_alone_and_runs_validate_plan_and_init(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # From this environment's setuptools, so no package index is reached.
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ROOT)
    built = sorted(p.name for p in dist.iterdir())
    assert built == [f"widgets_as_code-{__version__}-py3-none-any.whl", f"widgets_as_code-{__version__}.tar.gz"]
    checked = run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert checked.stdout.count("PASSED") == 2

    # No pip of its own (ensurepip costs seconds): this environment's pip installs into it.
    venv.create(tmp_path / "fresh", with_pip=False)
    bin_dir = tmp_path / "fresh" / ("Scripts" if os.name == "nt" else "bin")
    wheel = next(dist.glob("*.whl"))
    run(sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "-q", "--no-index", "--no-deps", wheel)
    # The dependencies come from this environment (read after the venv's own packages), not an index:
    # tests reach no network. The wheel's own files are what runs (checked below).
    fresh_site = next((tmp_path / "fresh").glob("lib/python*/site-packages"))
    ours = [p for p in map(Path, sys.path) if p.name == "site-packages" and p.is_dir()]
    (fresh_site / "zz-dependencies.pth").write_text("\n".join(str(p) for p in ours) + "\n")
    wac = bin_dir / "wac"
    work = tmp_path / "work"
    work.mkdir()
    located = run(bin_dir / "python", "-c", "import reconciler; print(reconciler.__file__)", cwd=work)
    assert str(tmp_path / "fresh") in located.stdout, "the wheel's copy runs, not this checkout"
    assert run(wac, "--version", cwd=work).stdout.strip() == f"wac, version {__version__}"
    validated = run(wac, "validate", ROOT / "widgets", cwd=work)
    assert "manifest(s) valid" in validated.stdout + validated.stderr
    planned = run(wac, "plan", "--site", "local", "--detailed-exitcode", ROOT / "widgets", cwd=work)
    assert re.search(r"Plan for owner 'default': \d+ to create", planned.stdout), "the emulator is in the wheel"
    run(wac, "init", "repo", "--site", "local", "--kind", "datadog/dashboard", cwd=work)
    assert (work / "repo" / ".github" / "workflows" / "widgets-plan.yml").is_file(), "the templates are in the wheel"
    assert run(wac, "plan", "--detailed-exitcode", cwd=work / "repo").returncode == 2


def test_the_version_is_written_in_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{__version__}]" in changelog and "## [Unreleased]" in changelog


def test_the_pre_commit_hook_checks_the_changed_manifests_it_is_given(tmp_path: Path) -> None:
    """The hook as pre-commit runs it: its entry, with the staged files its `files` pattern selects."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "wac-validate" and hook["language"] == "python" and hook["pass_filenames"] is True
    staged = ["widgets/good.yaml", "widgets/bad.yml", ".github/workflows/ci.yml", "widgets/manifest.schema.json"]
    selected = [path for path in staged if re.search(hook["files"], path)]
    assert selected == ["widgets/good.yaml", "widgets/bad.yml"]
    (tmp_path / "widgets").mkdir()
    (tmp_path / "widgets" / "good.yaml").write_text((ROOT / "widgets" / "logs" / "errors.yaml").read_text())
    (tmp_path / "widgets" / "bad.yml").write_text("id: [unclosed\n")
    entry = [str(Path(sys.executable).parent / "wac"), *hook["entry"].split()[1:]]
    failed = subprocess.run([*entry, *selected], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert failed.returncode == 1 and "widgets/bad.yml:1:5: not valid YAML" in failed.stdout + failed.stderr
    passed = subprocess.run([*entry, selected[0]], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert passed.returncode == 0, passed.stdout + passed.stderr
