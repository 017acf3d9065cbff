"""No-op plans of Datadog dashboards, cold and warm cache, against the floor and a refresh-style peer.

Run: python -m benchmarks.bench_dashboards [N ...] [--latency SECONDS] [--rate-limit R] [--rate-period S] [--shared K]

For each N (default 1,000) it starts `wac emulator` with latency and a rate limit in its own
process, applies N dashboard manifests, then measures: a cold no-op plan (no cache: the list pages
and one GET per dashboard), a warm one (cache filled: the list pages only), and the peer that
Terraform is (list, then GET every dashboard, 10 in flight). The floor is the list pages, plus the
one page listing shared dashboards (how a share made in the UI is caught; none is shared here).
It prints calls, wall time, 429s answered and ratios; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from reconciler.backends.datadog_dashboards.backend import DatadogDashboards
from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_dashboards.vocabulary import PAGE_SIZE
from reconciler.backends.emulator_server import emulator_process
from reconciler.backends.sites import resolve_site
from reconciler.core.backend import Backend
from reconciler.engine.runs import apply_run, plan_run
from reconciler.manifests.loading import load_manifests
from reconciler.manifests.validation import desired_from

KEYS = {"DD-API-KEY": "bench-api-key", "DD-APPLICATION-KEY": "bench-app-key"}
PARALLELISM = 16  # the client's default
MANIFEST = """\
kind: datadog/dashboard
id: board-{n:05}
tags: [team:team-{team}]
dashboard:
  title: Service {n} overview
  layout_type: ordered
  template_variables: [{{name: env, prefix: env, defaults: [prod]}}]
  widgets:
    - definition: {{type: timeseries, requests: [{{q: "avg:service.latency{{service:s{n},$env}}"}}]}}
    - definition: {{type: query_value, requests: [{{q: "sum:service.errors{{service:s{n},$env}}"}}]}}
    - definition: {{type: note, content: "Runbook for service {n}"}}
"""
# With --shared N, the first N dashboards are shared invite-only: each plan then also reads each
# share and its invitations (no endpoint lists shares, and a share has no version to cache by).
SHARING = "sharing: {share_type: invite, share_list: [oncall@example.com, partner@example.org]}\n"


def stats(url: str) -> dict[str, Any]:
    return dict(httpx.get(url + "/_emulator/stats").json())


LAST_CPU = [0.0]
LAST_STARTED = [0.0]


def run_library(url: str, cache: Path | None, work: Any) -> tuple[Any, float, int, int]:
    """(result, wall seconds, requests and 429s the server saw) of `work(backends)`; its CPU (the client's alone,
    the emulator being another process) is kept in `LAST_CPU`."""
    before = stats(url)

    async def main() -> Any:
        client = DashboardsClient(resolve_site(url), KEYS["DD-API-KEY"], KEYS["DD-APPLICATION-KEY"])
        async with client:
            # The cache as wac keeps it: a folder, a file per site and owner inside it.
            backend = DatadogDashboards(client, cache, "bench")
            backends: dict[str, Backend] = {backend.kind: backend}
            return await work(backends)

    started, cpu = time.perf_counter(), time.process_time()
    LAST_STARTED[0] = time.time()
    result = asyncio.run(main())
    wall = time.perf_counter() - started
    LAST_CPU[0] = time.process_time() - cpu
    after = stats(url)
    refused = after["by_status"].get("429", 0) - before["by_status"].get("429", 0)
    return result, wall, after["requests"] - before["requests"], refused


def refresh_like_terraform(url: str, in_flight: int = 10) -> tuple[float, int]:
    before = stats(url)["requests"]
    started = time.perf_counter()
    with httpx.Client(base_url=url, headers=KEYS, timeout=60) as http:
        ids: list[str] = []
        start = 0
        while True:
            page = http.get("/api/v1/dashboard", params={"count": PAGE_SIZE, "start": start}).json()["dashboards"]
            ids += [d["id"] for d in page]
            if len(page) < PAGE_SIZE:
                break
            start += PAGE_SIZE

        def get(dashboard_id: str) -> None:
            for _ in range(100):  # a peer waits out 429s too
                answer = http.get(f"/api/v1/dashboard/{dashboard_id}")
                if answer.status_code != 429:
                    return
                time.sleep(float(answer.headers.get("x-ratelimit-reset", "1")))

        with ThreadPoolExecutor(in_flight) as pool:
            list(pool.map(get, ids))
    return time.perf_counter() - started, stats(url)["requests"] - before


def window_floor(writes: int, limit: int, period: float, began: float, used: int, latency: float) -> float:
    """Least time for `writes` under fixed windows of `limit` per `period` (on the clock, as the emulator counts
    them), starting at `began` in a window that has admitted `used` already: the writes wait for the window that
    admits the last of them, and the first window is only the part of it left when the apply began."""
    left_over = writes - max(0, limit - used)
    if left_over <= 0:
        return 0.0
    first_left = (math.floor(began / period) + 1) * period - began
    # The last of them is answered a round trip after its window opens.
    return first_left + (math.ceil(left_over / limit) - 1) * period + latency


def measure(count: int, latency: float, rate_limit: int, rate_period: float, shared: int = 0) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "dashboards"
        folder.mkdir()
        for start in range(0, count, 200):
            documents = [
                MANIFEST.format(n=n, team=n % 5) + (SHARING if n < shared else "")
                for n in range(start, min(count, start + 200))
            ]
            (folder / f"boards-{start:05}.yaml").write_text("---\n".join(documents))
        desired = [d for m in load_manifests([folder]).manifests for d in desired_from(m)]
        options = ("--latency", str(latency), "--rate-limit", str(rate_limit), "--rate-period", str(rate_period))
        with emulator_process(Path(scratch) / "state.sqlite3", *options) as url:
            plan, _, plan_calls, plan_429 = run_library(url, None, lambda b: plan_run(b, "default", desired))
            plan_began = LAST_STARTED[0]
            report, apply_wall, apply_calls, apply_429 = run_library(
                url, None, lambda b: apply_run(b, plan, lambda _: None)
            )
            apply_began = LAST_STARTED[0]
            # The plan's admitted reads count against the window the apply starts in when both fall in it.
            same_window = math.floor(plan_began / rate_period) == math.floor(apply_began / rate_period)
            used = plan_calls - plan_429 if same_window else 0
            assert not report.failed, report.failed[:3]
            apply_cpu = LAST_CPU[0]
            cache = Path(scratch) / "cache"
            cold, cold_wall, cold_calls, cold_429 = run_library(url, cache, lambda b: plan_run(b, "default", desired))
            assert not cold.changes and cold.unchanged == count + shared, "the apply converged"
            _, warm_wall, warm_calls, warm_429 = run_library(url, cache, lambda b: plan_run(b, "default", desired))
            peer_wall, peer_calls = refresh_like_terraform(url)
            window_max = stats(url)["max_admitted_per_window"]
    # The list pages, the page of shared dashboards, and a GET of each share and of its invitations.
    floor_calls = math.ceil((count + 1) / PAGE_SIZE) + math.ceil((min(shared, count) + 1) / PAGE_SIZE) + 2 * shared
    # List pages follow one another; the shares are read side by side, a share then its invitations.
    floor_wall = (math.ceil((count + 1) / PAGE_SIZE) + (2 if shared else 0)) * latency
    print(
        f"\nN = {count:,} dashboards ({shared:,} shared), {latency * 1000:.0f} ms latency,"
        f" limit {rate_limit} per {rate_period:g} s"
    )
    columns = ("wall s", "calls", "429s", "÷floor calls", "÷floor s", "÷peer calls", "÷peer s")
    print(f"{'measure':<18}" + "".join(f"{c:>14}" for c in columns))
    for name, wall, calls, refused in (
        ("cold no-op plan", cold_wall, cold_calls, cold_429),
        ("warm no-op plan", warm_wall, warm_calls, warm_429),
    ):
        shown = [f"{wall:.2f}", f"{calls:,}", f"{refused}", f"{calls / floor_calls:.2f}", f"{wall / floor_wall:.1f}"]
        shown += [f"{calls / peer_calls:.4f}", f"{wall / peer_wall:.3f}"]
        print(f"{name:<18}" + "".join(f"{s:>14}" for s in shown))
    print(f"{'floor (lists)':<18}{floor_wall:>14.2f}{floor_calls:>14,}")
    # A create is one POST (a shared one two more: the share and its invitations); each answer waits the latency,
    # `parallelism` at a time, and no more than the rate limit admits.
    writes = count + 2 * shared
    write_floor = max(
        math.ceil(writes / PARALLELISM) * latency,
        window_floor(writes, rate_limit, rate_period, apply_began, used, latency),
    )
    print(
        f"apply: {count:,} creates in {apply_wall:.2f} s, {apply_calls:,} calls ({apply_429} answered 429);"
        f" floor {write_floor:.2f} s ({writes:,} writes, {PARALLELISM} at a time, limit {rate_limit} per"
        f" {rate_period:g} s): {apply_wall / write_floor:.2f} times the floor; client CPU"
        f" {apply_cpu / max(1, apply_calls) * 1000:.2f} ms a request"
    )
    print(f"{'peer (list + GET)':<18}{peer_wall:>14.2f}{peer_calls:>14,}")
    print(f"most requests admitted in one rate-limit window: {window_max} (limit {rate_limit})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[1000])
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--rate-limit", type=int, default=300)
    parser.add_argument("--rate-period", type=float, default=10.0)
    parser.add_argument("--shared", type=int, default=0, help="Share this many of the dashboards (invite-only).")
    options = parser.parse_args()
    for count in options.counts:
        measure(count, options.latency, options.rate_limit, options.rate_period, options.shared)


if __name__ == "__main__":
    main()
