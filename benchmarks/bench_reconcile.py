"""Plan and apply cost against the floor and a refresh-style peer, on an emulator with added latency.

Run: python -m benchmarks.bench_reconcile [N ...] [--latency SECONDS] [--parallelism P] [--rate-limit R]

For each N it starts `wac emulator` in its own process (so server and client do not share a
core's GIL), then measures in one run: apply of N creates, a no-op plan, the same refresh
done the way Terraform does it (one GET per widget, 10 in flight, with Datadog's official
Python client), apply of N updates, and the CPU of load + validate + plan without latency
against a bare parse of the same files. Figures are printed with their ratios to the floor
and to the peer; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from benchmarks.corpus import write_corpus
from benchmarks.peak import wac_with_peak
from reconciler.backends.datadog_keys import Credentials
from reconciler.backends.datadog_widgets.backend import DatadogWidgets
from reconciler.backends.datadog_widgets.connection import open_client
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES, PAGE_SIZE_MAX
from reconciler.backends.emulator_server import emulator_process
from reconciler.backends.sites import resolve_site
from reconciler.core.backend import Backend, Listing
from reconciler.core.planning import plan_changes
from reconciler.engine.runs import apply_run, plan_run, read_remote
from reconciler.entry import fewer_collections
from reconciler.manifests.loading import load_manifests
from reconciler.manifests.validation import desired_from

KEYS = Credentials("bench-api-key", "bench-app-key")


@dataclass
class Row:
    what: str
    wall: float
    calls: int
    floor_wall: float
    floor_calls: int
    peer_wall: float | None = None
    peer_calls: int | None = None
    note: str = ""


def server_requests(url: str) -> int:
    return int(httpx.get(url + "/_emulator/stats").json()["requests"])


def backends_of(client: Any) -> dict[str, Backend]:
    backend = DatadogWidgets(client)
    return {backend.kind: backend}


def run_library(url: str, parallelism: int, work: Any) -> tuple[Any, float, int, float]:
    """Run `work(client)` and return (result, wall seconds, requests the server saw, this process's CPU seconds:
    the client's alone, the emulator being another process)."""
    site = resolve_site(url)
    before = server_requests(url)

    async def main() -> Any:
        async with open_client(site, KEYS, parallelism) as client:
            return await work(client)

    started, cpu = time.perf_counter(), time.process_time()
    result = asyncio.run(main())
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return result, wall, server_requests(url) - before, cpu


def refresh_like_terraform(url: str, targets: list[tuple[str, str]], in_flight: int = 10) -> tuple[float, int]:
    """One GET per widget with Datadog's official client, `in_flight` at a time."""
    from uuid import UUID

    from datadog_api_client import ApiClient, Configuration
    from datadog_api_client.v2.api.widgets_api import WidgetsApi
    from datadog_api_client.v2.model.widget_experience_type import WidgetExperienceType

    config = Configuration(host=url)
    config.api_key["apiKeyAuth"], config.api_key["appKeyAuth"] = KEYS.api_key, KEYS.app_key
    config.connection_pool_maxsize = in_flight
    # Its own retry honours X-RateLimit-Reset on 429, as a peer under a rate limit would need.
    config.enable_retry, config.max_retries = True, 50
    before = server_requests(url)
    started = time.perf_counter()
    with ApiClient(config) as client:
        api = WidgetsApi(client)
        with ThreadPoolExecutor(in_flight) as pool:
            list(
                pool.map(lambda t: api.get_widget(experience_type=WidgetExperienceType(t[0]), uuid=UUID(t[1])), targets)
            )
    return time.perf_counter() - started, server_requests(url) - before


def search_floor(counts: dict[str, int]) -> int:
    return sum(max(1, math.ceil(n / PAGE_SIZE_MAX)) for n in counts.values())


def peak_rss_of_cli_plan(url: str, widgets: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a real `wac plan` process, start-up included (see `benchmarks/peak.py`)."""
    env = {**os.environ, "DD_API_KEY": KEYS.api_key, "DD_APP_KEY": KEYS.app_key}
    args = ["plan", str(widgets), "--site", url, "--format", "json"]
    started = time.perf_counter()
    ran = wac_with_peak(args, env)
    wall = time.perf_counter() - started
    if ran.status != 0:
        raise SystemExit(f"wac plan failed:\n{ran.stderr[-2000:]}")
    return wall, ran.peak_mib


def cpu_of_pipeline(widgets: Path, listing: Listing) -> tuple[float, float]:
    """(load + validate + plan, bare libyaml parse) CPU seconds, best of three, no network."""
    files = sorted(widgets.rglob("*.yaml"))

    def ours() -> None:
        loaded = load_manifests([widgets])
        plan = plan_changes([d for m in loaded.manifests for d in desired_from(m)], listing, "default")
        assert not plan.changes

    def floor() -> None:
        for file in files:
            list(yaml.load_all(file.read_text(), Loader=yaml.CSafeLoader))

    def best(action: Any) -> float:
        times = []
        for _ in range(3):
            started = time.process_time()
            action()
            times.append(time.process_time() - started)
        return min(times)

    return best(ours), best(floor)


def bench(count: int, latency: float, parallelism: int, rate_limit: int | None) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        widgets = write_corpus(Path(tmp) / "widgets", count)
        desired = [d for m in load_manifests([widgets]).manifests for d in desired_from(m)]
        counts = {t: sum(1 for d in desired if d.scope == t) for t in EXPERIENCE_TYPES}
        write_floor = count / parallelism * latency
        if rate_limit:
            write_floor = max(write_floor, count / rate_limit)
        options = ["--latency", str(latency)] + (
            ["--rate-limit", str(rate_limit), "--rate-period", "1"] if rate_limit else []
        )
        with emulator_process(Path(tmp) / "emulator.sqlite3", *options) as url:
            plan, _, plan_calls, _ = run_library(
                url, parallelism, lambda c: plan_run(backends_of(c), "default", desired)
            )
            report, wall, calls, cpu = run_library(
                url, parallelism, lambda c: apply_run(backends_of(c), plan, lambda _: None)
            )
            assert not report.failed, report.failed[:3]
            rows.append(
                Row(
                    f"apply {count:,} creates",
                    wall,
                    calls,
                    write_floor,
                    count,
                    note=f"{calls / wall:,.0f} req/s, client CPU {cpu / calls * 1000:.2f} ms a request; plan before it:"
                    f" {plan_calls} calls",
                )
            )

            listing, *_ = run_library(url, parallelism, lambda c: read_remote(backends_of(c), "default"))
            noop, wall, calls, _ = run_library(url, parallelism, lambda c: plan_run(backends_of(c), "default", desired))
            assert not noop.changes
            floor_calls = search_floor(counts)
            floor_wall = math.ceil(floor_calls / parallelism) * latency + latency
            targets = [(w.scope, w.remote_id) for w in listing.resources]
            peer_wall, peer_calls = refresh_like_terraform(url, targets)
            rows.append(Row("no-op plan", wall, calls, floor_wall, floor_calls, peer_wall, peer_calls))
            cli_wall, rss = peak_rss_of_cli_plan(url, widgets)
            rows[-1].note = f"`wac plan` process: {cli_wall:.2f} s wall incl. start-up, peak RSS {rss:.0f} MiB"

            for path in widgets.rglob("*.yaml"):
                path.write_text(path.read_text().replace(" spend by service", " spend by service (v2)"))
            changed = [d for m in load_manifests([widgets]).manifests for d in desired_from(m)]
            update_plan, _, plan_calls, _ = run_library(
                url, parallelism, lambda c: plan_run(backends_of(c), "default", changed)
            )
            report, wall, calls, cpu = run_library(
                url, parallelism, lambda c: apply_run(backends_of(c), update_plan, lambda _: None)
            )
            assert not report.failed and len(report.outcomes) == count
            rows.append(
                Row(
                    f"apply {count:,} updates",
                    wall,
                    calls,
                    write_floor,
                    count,
                    note=f"{calls / wall:,.0f} req/s, client CPU {cpu / calls * 1000:.2f} ms a request",
                )
            )
            for path in widgets.rglob("*.yaml"):
                path.write_text(path.read_text().replace(" spend by service (v2)", " spend by service"))
        ours, floor = cpu_of_pipeline(widgets, listing)
        rows.append(Row("CPU: load + validate + plan", ours, 0, floor, 0, note="floor: bare libyaml parse"))
    return rows


def print_table(count: int, latency: float, parallelism: int, rate_limit: int | None, rows: list[Row]) -> None:
    limit = f", rate limit {rate_limit}/s" if rate_limit else ""
    print(f"\nN = {count:,} widgets, {latency * 1000:.0f} ms latency per request, parallelism {parallelism}{limit}")
    header = (
        f"{'measure':<30}{'wall s':>9}{'calls':>8}{'floor s':>9}{'floor calls':>12}{'÷floor s':>10}"
        f"{'÷floor calls':>13}{'peer s':>9}{'peer calls':>11}{'÷peer s':>9}{'÷peer calls':>12}"
    )
    print(header)
    for r in rows:
        peer = (
            f"{r.peer_wall:>9.2f}{r.peer_calls:>11,}{r.wall / r.peer_wall:>9.3f}{r.calls / r.peer_calls:>12.4f}"
            if r.peer_wall and r.peer_calls
            else f"{'':>41}"
        )
        calls = f"{r.calls:>8,}" if r.calls else f"{'':>8}"
        floor_calls = f"{r.floor_calls:>12,}{r.calls / r.floor_calls:>13.2f}" if r.floor_calls else f"{'':>25}"
        print(
            f"{r.what:<30}{r.wall:>9.2f}{calls}{r.floor_wall:>9.2f}{floor_calls[:12]}{r.wall / r.floor_wall:>10.2f}"
            f"{floor_calls[12:]}{peer}"
        )
        if r.note:
            print(f"{'':<30}{r.note}")


def main() -> None:
    # The collector tuned as the `wac` command tunes it, so the library runs here as it runs there.
    fewer_collections()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("counts", nargs="*", type=int, default=[1_000, 10_000])
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--parallelism", type=int, default=16)
    parser.add_argument("--rate-limit", type=int, default=None, help="emulator requests per second")
    args = parser.parse_args()
    for count in args.counts:
        rows = bench(count, args.latency, args.parallelism, args.rate_limit)
        print_table(count, args.latency, args.parallelism, args.rate_limit, rows)


if __name__ == "__main__":
    main()
