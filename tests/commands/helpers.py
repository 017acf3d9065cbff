"""Driving `wac` as a user would, against a loopback emulator, and reading remote state back over HTTP."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result

from reconciler.backends.emulation.knobs import RequestStats
from reconciler.cli import main
from tests.conftest import ALICE

EXAMPLES = Path(__file__).resolve().parents[2] / "widgets"
TYPES = ("ccm_reports", "logs_reports", "csv_reports", "product_analytics")


@dataclass
class Workspace:
    """A widgets repository in a temporary folder, pointed at one emulator."""

    root: Path
    url: str
    env: dict[str, str]

    @property
    def widgets(self) -> Path:
        return self.root / "widgets"

    def wac(self, *args: str, env: dict[str, str | None] | None = None) -> Result:
        """Run wac in the repository; an env value of None unsets that variable."""
        runner = CliRunner()
        with _cwd(self.root):
            return runner.invoke(main, list(args), env={**self.env, **(env or {})}, catch_exceptions=False)

    def remote(self, experience_type: str | None = None, headers: dict[str, str] = ALICE) -> list[dict[str, Any]]:
        """Every live widget, read straight from the API."""
        found = []
        for kind in [experience_type] if experience_type else TYPES:
            page = 0
            while True:
                body = _get_through_faults(
                    f"{self.url}/api/v2/widgets/{kind}", headers, {"page[size]": 100, "page[number]": page}
                )
                found += [{**w, "experience_type": kind} for w in body["data"]]
                if len(body["data"]) < 100:
                    break
                page += 1
        return found

    def managed(self, owner: str = "default") -> dict[str, list[dict[str, Any]]]:
        """Remote widgets of `owner` grouped by wac-id."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for widget in self.remote():
            tags = widget["attributes"]["tags"]
            if f"wac-owner:{owner}" in tags:
                manifest_id = next(t[7:] for t in tags if t.startswith("wac-id:"))
                groups.setdefault(manifest_id, []).append(widget)
        return groups


def converges(repo: Workspace, runs: int) -> bool:
    """Apply (short timeouts, as under faults) until a plan is empty, at most `runs` times."""
    for _ in range(runs):
        repo.wac("apply", "--auto-approve", "--timeout", "2")
        if repo.wac("plan", "--detailed-exitcode").exit_code == 0:
            return True
    return False


def _get_through_faults(url: str, headers: dict[str, str], params: dict[str, int]) -> dict[str, Any]:
    """A read that outlasts the emulator's injected faults, so tests see the true state."""
    for _ in range(50):
        try:
            response = httpx.get(url, headers=headers, params=params)
        except httpx.TransportError:
            continue
        if response.status_code == 200:
            return response.json()  # type: ignore[no-any-return]
        if response.status_code == 429:
            # A rate limit's window must pass; asking again at once only spends the next one.
            time.sleep(min(float(response.headers.get("x-ratelimit-reset") or 0.1), 2.0) or 0.1)
    raise AssertionError(f"could not read {url} through the injected faults")


class _cwd:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        import os

        self.previous = Path.cwd()
        os.chdir(self.path)

    def __exit__(self, *_: object) -> None:
        import os

        os.chdir(self.previous)


def make_workspace(
    tmp_path: Path,
    url: str,
    copy_examples: bool = True,
    spaceone: bool = False,
    dashboards: bool = False,
    templates: bool = False,
) -> Workspace:
    """A repository with the example manifests: Datadog widgets', plus SpaceONE's, dashboards' and the templates
    (`services/` and the `fragments/` they use) when asked."""
    root = tmp_path / "repo"
    root.mkdir()
    if copy_examples:
        # The dashboard examples name the powerpack example by reference, and the list example names them:
        # both come with the dashboards.
        chosen = (
            ("spaceone", spaceone), ("dashboards", dashboards), ("lists", dashboards), ("powerpacks", dashboards),
            ("services", templates), ("fragments", templates),
        )  # fmt: skip
        left_out = [name for name, wanted in chosen if not wanted]
        shutil.copytree(EXAMPLES, root / "widgets", ignore=shutil.ignore_patterns(*left_out))
    env = {
        "DD_SITE": url,
        "DD_API_KEY": ALICE["DD-API-KEY"],
        "DD_APP_KEY": ALICE["DD-APPLICATION-KEY"],
        "WAC_OWNER": "",
        "NO_COLOR": "1",
    }
    return Workspace(root, url, env)


def create_directly(
    url: str, experience_type: str, title: str, tags: list[str], headers: dict[str, str] = ALICE
) -> dict[str, Any]:
    body = {
        "data": {
            "type": "widgets",
            "attributes": {
                "definition": {"title": title, "type": "bar_chart", "requests": [{"q": "sum:x{*}"}]},
                "tags": tags,
            },
        }
    }
    response = httpx.post(f"{url}/api/v2/widgets/{experience_type}", headers=headers, json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def apply_in_background(repo: Workspace, posts: RequestStats, after_creates: int) -> subprocess.Popen[str]:
    """A real `wac apply` process, returned once the emulator has seen `after_creates` creates."""
    env = {**os.environ, **repo.env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "--auto-approve", "--parallelism", "2"],
        cwd=repo.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while posts.by_method["POST"] < after_creates and time.monotonic() < deadline:
        time.sleep(0.02)
    return process


def write_many(widgets: Path, count: int, title: str = "Widget") -> None:
    """Replace the manifests with `count` toplists, ids w000…, in one file."""
    widgets.mkdir(parents=True, exist_ok=True)
    for path in widgets.rglob("*.yaml"):
        path.unlink()
    docs = [
        f"id: w{n:03d}\nexperience_type: logs_reports\ntags: [n:{n}]\n"
        f"definition: {{type: toplist, title: '{title} {n}', requests: [{{q: 'count:x{{*}}'}}]}}\n"
        for n in range(count)
    ]
    (widgets / "many.yaml").write_text("---\n".join(docs))
