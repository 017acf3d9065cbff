"""No-op plans of dashboards that use powerpacks by reference, and the lists that hold them, against the floor.

Run: python -m benchmarks.bench_references [--dashboards N] [--powerpacks P] [--lists L] [--latency SECONDS]

It starts `wac emulator` with latency in its own process, writes N dashboards (each with a powerpack widget
naming one of P powerpacks by `{ref: …}`) and L dashboard lists (each holding N ÷ L dashboards by reference),
applies them with `wac apply`, then runs `wac plan` twice: cold (no cache: the dashboard list pages and one GET
per dashboard) and warm (the list pages only). The floor is every kind's cheapest complete listing: the
dashboard pages and the page of shared dashboards, the powerpack pages, the lists with one items page per
list, and the saved-widget searches (every Datadog kind is read with Datadog keys). Every figure is a real
`wac` process (start-up included); it prints calls, wall time and ratios and asserts no time.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.peak import wac_with_peak
from reconciler.backends.datadog_dashboards.vocabulary import PAGE_SIZE as DASHBOARD_PAGE
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES
from reconciler.backends.emulator_server import emulator_process

POWERPACK_PAGE = 1000  # the powerpack listing's page[limit]

DASHBOARD = """\
kind: datadog/dashboard
id: board-{n:05}
dashboard:
  title: Service {n} overview
  layout_type: ordered
  widgets:
    - definition: {{type: note, content: "Runbook for service {n}"}}
    - definition: {{type: powerpack, powerpack_id: {{ref: datadog/powerpack/pack-{pack:03}}}, title: Latency}}
"""
POWERPACK = """\
kind: datadog/powerpack
id: pack-{n:03}
powerpack:
  name: Latency pack {n}
  group_widget:
    definition:
      type: group
      layout_type: ordered
      widgets:
        - definition: {{type: note, content: "Latency of team {n}"}}
"""
LIST = """\
kind: datadog/dashboard-list
id: list-{n:02}
name: Team {n} dashboards
dashboards:
"""


def write_repository(root: Path, dashboards: int, powerpacks: int, lists: int) -> None:
    folder = root / "widgets"
    folder.mkdir(parents=True)
    (folder / "powerpacks.yaml").write_text("---\n".join(POWERPACK.format(n=n) for n in range(powerpacks)))
    for start in range(0, dashboards, 200):
        documents = [DASHBOARD.format(n=n, pack=n % powerpacks) for n in range(start, min(dashboards, start + 200))]
        (folder / f"dashboards-{start:05}.yaml").write_text("---\n".join(documents))
    members = [[n for n in range(dashboards) if n % lists == team] for team in range(lists)]
    (folder / "lists.yaml").write_text(
        "---\n".join(
            LIST.format(n=team) + "".join(f"  - {{ref: datadog/dashboard/board-{n:05}}}\n" for n in ids)
            for team, ids in enumerate(members)
        )
    )


def requests_seen(url: str) -> int:
    return int(httpx.get(url + "/_emulator/stats").json()["requests"])


def wac(root: Path, url: str, cache: Path, *args: str) -> tuple[float, int, str, float]:
    """(wall seconds, requests the emulator saw, stdout, peak RSS MiB) of one `wac` process."""
    env = {**os.environ, "DD_API_KEY": "bench-api-key", "DD_APP_KEY": "bench-app-key", "WAC_CACHE_DIR": str(cache)}
    before = requests_seen(url)
    started = time.perf_counter()
    ran = wac_with_peak([*args, "--site", url, "widgets/"], env, cwd=root)
    wall = time.perf_counter() - started
    if ran.status not in (0, 2):
        raise SystemExit(f"wac {' '.join(args)} failed:\n{ran.stderr[-2000:]}")
    return wall, requests_seen(url) - before, ran.stdout, ran.peak_mib


def measure(dashboards: int, powerpacks: int, lists: int, latency: float) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        write_repository(root, dashboards, powerpacks, lists)
        cache = Path(scratch) / "cache"
        with emulator_process(Path(scratch) / "state.sqlite3", "--latency", str(latency)) as url:
            apply_wall, apply_calls, _, apply_peak = wac(root, url, cache, "apply", "--auto-approve")
            shutil.rmtree(cache, ignore_errors=True)  # apply keeps no cache; a plan before it might
            cold_wall, cold_calls, cold, cold_peak = wac(root, url, cache, "plan")
            warm_wall, warm_calls, warm, warm_peak = wac(root, url, cache, "plan")
    assert "No changes" in cold and "No changes" in warm, (cold[-500:], warm[-500:])
    dashboard_pages = math.ceil((dashboards + 1) / DASHBOARD_PAGE) + 1  # and the page of shared dashboards
    # With Datadog keys every Datadog kind is read, saved widgets too: one search per experience type.
    floor_calls = dashboard_pages + math.ceil((powerpacks + 1) / POWERPACK_PAGE) + 1 + lists + len(EXPERIENCE_TYPES)
    # Pages of one listing follow one another; the kinds and the lists' items are read side by side.
    floor_wall = (math.ceil((dashboards + 1) / DASHBOARD_PAGE) + 1) * latency
    print(
        f"\n{dashboards:,} dashboards, {powerpacks:,} powerpacks (each used by {dashboards // powerpacks}),"
        f" {lists} lists of {dashboards // lists}; {latency * 1000:.0f} ms latency"
    )
    print(f"{'measure':<22}{'wall s':>10}{'calls':>10}{'÷floor calls':>14}{'÷floor s':>10}{'peak MiB':>10}")
    print(f"{'apply (all creates)':<22}{apply_wall:>10.2f}{apply_calls:>10,}{'':>24}{apply_peak:>10.0f}")
    for name, wall, calls, peak in (
        ("cold no-op plan", cold_wall, cold_calls, cold_peak),
        ("warm no-op plan", warm_wall, warm_calls, warm_peak),
    ):
        shown = f"{calls / floor_calls:>14.2f}{wall / floor_wall:>10.1f}{peak:>10.0f}"
        print(f"{name:<22}{wall:>10.2f}{calls:>10,}{shown}")
    print(f"{'floor (listings)':<22}{floor_wall:>10.2f}{floor_calls:>10,}")
    print("(wall figures include each `wac` process's start-up)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dashboards", type=int, default=1000)
    parser.add_argument("--powerpacks", type=int, default=100)
    parser.add_argument("--lists", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.02)
    options = parser.parse_args()
    measure(options.dashboards, options.powerpacks, options.lists, options.latency)


if __name__ == "__main__":
    main()
