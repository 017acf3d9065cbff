"""The emulators alone: CPU a `wac emulator` process spends serving a whole listing, at two sizes, and the
exponent between them (1.0 is linear), so the product's benchmarks at scale measure the client, not the emulator.

Run: python -m benchmarks.bench_emulators [--scale S]

For each API it fills a state file directly (the stores' own inserts, no HTTP), starts `wac emulator` on it in
its own process, reads every page the way wac lists (saved widgets: 100 a page; dashboards: 100 a page;
SpaceONE custom widgets: 1,000 a page, filtered on the owner tag), and reads the process's CPU time from
/proc before and after (the mean of as many listings as take a second of its CPU, the least of three such
batches). Each listing is cold: the benchmark commits to the state file from its own connection first, so what
an emulator keeps between listings of unchanged state is computed again, as for a plan's first listing. Sizes: 5,000 and
20,000 saved widgets, 1,250 and 5,000 dashboards, 5,000 and 20,000 SpaceONE widgets (times `--scale`).
Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import math
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from reconciler.backends.datadog_dashboards.emulator.store import DashboardStore
from reconciler.backends.datadog_widgets.emulator.store import WidgetStore
from reconciler.backends.emulator_server import free_port
from reconciler.backends.spaceone_widgets.emulator.store import CustomWidgetStore

DATADOG = {"DD-API-KEY": "bench-api-key", "DD-APPLICATION-KEY": "bench-app-key"}
SPACEONE = {"Authorization": "Bearer bench-token"}
DOMAIN = "domain-bench"
TICKS = os.sysconf("SC_CLK_TCK")
MAX_REPEATS = 2000
# Each size is measured in batches of a second of the emulator's CPU, the least batch kept: the machine is
# shared, and what else runs only ever adds.
BATCH_CPU = 1.0
BATCHES = 3


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@contextmanager
def emulator(db: Path) -> Iterator[tuple[str, int]]:
    port = free_port("127.0.0.1")
    command = [sys.executable, "-m", "reconciler", "emulator", "--port", str(port), "--db", str(db)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(url + "/_emulator/stats", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def seed_widgets(db: Path, count: int) -> None:
    store = WidgetStore(db)
    definition = {"type": "toplist", "title": "Spend", "requests": [{"q": "sum:aws.cost{*} by {service}"}]}
    for n in range(count):
        store.create("ccm_reports", {**definition, "title": f"Spend {n}"}, ["wac-owner:bench", f"wac-id:w{n}"], "u1")
    store.close()


def seed_dashboards(db: Path, count: int) -> None:
    store = DashboardStore(db)
    for n in range(count):
        store.insert(
            {
                "id": f"{n % 1000:03d}-{n // 1000:03d}-bch",
                "title": f"Board {n}",
                "description": f"Managed by widgets-as-code (owner bench, id b{n}, applied 0123456789abcdef): edit it.",
                "layout_type": "ordered",
                "url": f"/dashboard/{n % 1000:03d}-{n // 1000:03d}-bch",
                "widgets": [{"id": n, "definition": {"type": "note", "content": f"Runbook {n}"}}],
                "author_handle": "bench@example.com",
                "created_at": "2026-01-01T00:00:00.000000+00:00",
                "modified_at": "2026-01-01T00:00:00.000000+00:00",
            }
        )
    store.close()


def seed_spaceone(db: Path, count: int) -> None:
    store = CustomWidgetStore(db)
    for n in range(count):
        fields = {"widget_name": "costTrend", "title": f"Cost {n}", "tags": {"wac-owner": "bench", "wac-id": f"c{n}"}}
        store.create(fields, "user-bench", DOMAIN)
    store.close()


def list_widgets(http: httpx.Client) -> int:
    pages = 0
    while True:
        params: dict[str, str | int] = {"page[size]": 100, "page[number]": pages, "filter[tags]": "[wac-owner:bench]"}
        data = http.get("/api/v2/widgets/ccm_reports", params=params, headers=DATADOG).json()["data"]
        pages += 1
        if len(data) < 100:
            return pages


def list_dashboards(http: httpx.Client) -> int:
    pages = 0
    while True:
        params = {"count": 100, "start": pages * 100}
        found = http.get("/api/v1/dashboard", params=params, headers=DATADOG).json()["dashboards"]
        pages += 1
        if len(found) < 100:
            return pages


def list_spaceone(http: httpx.Client) -> int:
    pages = 0
    while True:
        query = {
            "filter": [{"k": "tags.wac-owner", "v": "bench", "o": "eq"}],
            "page": {"start": 1 + pages * 1000, "limit": 1000},
            "sort": {"key": "custom_widget_id"},
        }
        body = {"query": query, "domain_id": DOMAIN}
        found = http.post("/dashboard/v1/custom-widget/list", json=body, headers=SPACEONE).json()["results"]
        pages += 1
        if len(found) < 1000:
            return pages


def measure(seed: Callable[[Path, int], None], read: Callable[[httpx.Client], int], count: int) -> tuple[float, int]:
    """(emulator CPU seconds, pages) of one whole listing of `count` resources."""
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "state.sqlite3"
        seed(db, count)
        with emulator(db) as (url, pid), httpx.Client(base_url=url, timeout=120) as http:
            pages = read(http)  # warms what a first request loads once (imports, SQLite's page cache)
            with sqlite3.connect(db, isolation_level=None) as touch:
                return min(_batch(pid, http, read, touch) for _ in range(BATCHES)), pages


def _batch(pid: int, http: httpx.Client, read: Callable[[httpx.Client], int], touch: sqlite3.Connection) -> float:
    """Mean emulator CPU of one cold listing, over as many listings as take a second of its CPU: /proc counts CPU
    in clock ticks (10 ms), too coarse for one small listing."""
    before, done = cpu_seconds(pid), 0
    while cpu_seconds(pid) - before < BATCH_CPU and done < MAX_REPEATS:
        # A commit from this connection, of nothing an API shows: what the emulator computed for the last
        # listing (its matches, kept until the state changes) is computed again, as for a plan's first listing.
        touch.execute(f"PRAGMA user_version = {done + 1}")
        read(http)
        done += 1
    return (cpu_seconds(pid) - before) / done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size by this")
    options = parser.parse_args()
    apis = (
        ("saved widgets", seed_widgets, list_widgets, 20_000),
        ("dashboards", seed_dashboards, list_dashboards, 5_000),
        ("SpaceONE widgets", seed_spaceone, list_spaceone, 20_000),
    )
    print(f"{'emulator':<18}{'N':>8}{'pages':>7}{'CPU s':>9}{'N':>8}{'pages':>7}{'CPU s':>9}{'exponent':>10}")
    for name, seed, read, size in apis:
        large = int(size * options.scale)
        small = large // 4
        cpu_small, pages_small = measure(seed, read, small)
        cpu_large, pages_large = measure(seed, read, large)
        exponent = math.log(cpu_large / cpu_small) / math.log(large / small) if cpu_small > 0 else float("nan")
        print(
            f"{name:<18}{small:>8,}{pages_small:>7}{cpu_small:>9.3f}{large:>8,}{pages_large:>7}{cpu_large:>9.3f}"
            f"{exponent:>10.2f}"
        )


if __name__ == "__main__":
    main()
