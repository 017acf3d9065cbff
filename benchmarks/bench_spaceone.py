"""No-op plan of SpaceONE custom widgets against the floor and a get-per-widget peer, on an emulator with latency.

Run: python -m benchmarks.bench_spaceone [N ...] [--latency SECONDS] [--parallelism P]

For each N (default 2,000) it starts `wac emulator` in its own process, applies N custom widget
manifests, then measures in one run: a no-op plan (calls and wall time), the floor (the list
pages alone, one round trip each), and a peer that reads each widget with its own `get` call, 10
in flight, as a refresh-per-resource tool does. Figures are printed with their ratios; nothing
here asserts a time.
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

from reconciler.backends.emulator_server import emulator_process
from reconciler.backends.spaceone_widgets.backend import SpaceOneWidgets
from reconciler.backends.spaceone_widgets.client import SpaceOneClient
from reconciler.backends.spaceone_widgets.vocabulary import API_ROOT, PAGE_SIZE
from reconciler.core.backend import Backend
from reconciler.engine.runs import apply_run, plan_run
from reconciler.manifests.loading import load_manifests
from reconciler.manifests.validation import desired_from

TOKEN = "bench-token"
DOMAIN = "domain-bench"
MANIFEST = """\
kind: spaceone/custom-widget
id: widget-{n:05}
widget_name: costTrend
title: Cost trend {n}
options: {{granularity: MONTHLY, group_by: [provider], index: {n}}}
settings: {{currency: USD}}
labels: [bench]
tags: {{team: team-{team}}}
"""


def write_manifests(folder: Path, count: int) -> None:
    for start in range(0, count, 500):
        documents = [MANIFEST.format(n=n, team=n % 7) for n in range(start, min(count, start + 500))]
        (folder / f"widgets-{start:05}.yaml").write_text("---\n".join(documents))


def server_requests(url: str) -> int:
    return int(httpx.get(url + "/_emulator/stats").json()["requests"])


def run_library(url: str, parallelism: int, work: Any) -> tuple[Any, float, int]:
    """Run `work(backends)` over a SpaceONE client; (result, wall seconds, requests the server saw)."""
    before = server_requests(url)

    async def main() -> Any:
        async with SpaceOneClient(url, TOKEN, DOMAIN, "the emulator", parallelism=parallelism) as client:
            backend = SpaceOneWidgets(client)
            backends: dict[str, Backend] = {backend.kind: backend}
            return await work(backends)

    started = time.perf_counter()
    result = asyncio.run(main())
    return result, time.perf_counter() - started, server_requests(url) - before


def get_per_widget(url: str, ids: list[str], in_flight: int = 10) -> tuple[float, int]:
    """The peer: one `get` call per widget, `in_flight` at a time (after one list call for the ids)."""
    before = server_requests(url)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    started = time.perf_counter()
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        http.post(f"{API_ROOT}/list", json={"domain_id": DOMAIN, "query": {"only": ["custom_widget_id"]}})

        def get(widget_id: str) -> None:
            http.post(f"{API_ROOT}/get", json={"domain_id": DOMAIN, "custom_widget_id": widget_id}).raise_for_status()

        with ThreadPoolExecutor(in_flight) as pool:
            list(pool.map(get, ids))
    return time.perf_counter() - started, server_requests(url) - before


def measure(count: int, latency: float, parallelism: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "widgets"
        folder.mkdir()
        write_manifests(folder, count)
        desired = [d for m in load_manifests([folder]).manifests for d in desired_from(m)]
        with emulator_process(Path(scratch) / "state.sqlite3", "--latency", str(latency)) as url:
            plan, _, _ = run_library(url, parallelism, lambda b: plan_run(b, "default", desired))
            run_library(url, parallelism, lambda b: apply_run(b, plan, lambda _: None))
            noop, wall, calls = run_library(url, parallelism, lambda b: plan_run(b, "default", desired))
            assert not noop.changes and noop.unchanged == count, "the apply converged"
            floor_calls = max(1, math.ceil(count / PAGE_SIZE))
            # The first page, then every other page at once: two round trips at most.
            floor_wall = latency * min(floor_calls, 2)
            listing, _, _ = run_library(url, parallelism, lambda b: b["spaceone/custom-widget"].list_all())
            peer_wall, peer_calls = get_per_widget(url, [w.remote_id for w in listing])
    print(f"\nN = {count:,} SpaceONE custom widgets, {latency * 1000:.0f} ms latency, parallelism {parallelism}")
    columns = (
        "wall s",
        "calls",
        "floor s",
        "floor calls",
        "÷floor s",
        "peer s",
        "peer calls",
        "÷peer s",
        "÷peer calls",
    )
    print(f"{'measure':<14}" + "".join(f"{c:>12}" for c in columns))
    shown = [f"{wall:.2f}", f"{calls:,}", f"{floor_wall:.2f}", f"{floor_calls:,}", f"{wall / floor_wall:.2f}"]
    shown += [f"{peer_wall:.2f}", f"{peer_calls:,}", f"{wall / peer_wall:.3f}", f"{calls / peer_calls:.4f}"]
    print(f"{'no-op plan':<14}" + "".join(f"{s:>12}" for s in shown))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[2000])
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--parallelism", type=int, default=16)
    options = parser.parse_args()
    for count in options.counts:
        measure(count, options.latency, options.parallelism)


if __name__ == "__main__":
    main()
