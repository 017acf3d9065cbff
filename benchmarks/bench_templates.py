"""Templates at scale: 1,000 dashboards from one template and a shared fragment, against the same dashboards
written out by hand.

Run: python -m benchmarks.bench_templates [N]

It measures, in CPU seconds (best of three), loading and validating the template (fragments inlined, one
dashboard per instance) against loading the same N dashboards written out as plain manifests (`wac render`'s
output), and against only parsing those with libyaml (the floor). Then it plans and applies the template
against `wac emulator` in its own process and plans again, printing calls and wall time. Nothing here asserts
a time; the ratio to watch is template ÷ written out (under 1.5x).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from benchmarks.bench_load import cpu_seconds
from reconciler.backends.emulator_server import emulator_process
from reconciler.manifests.loading import load_manifests
from reconciler.render.expanded import expanded_yaml

FRAGMENT = """\
fragment:
  type: timeseries
  title: p95 latency
  requests:
    - response_format: timeseries
      queries: [{data_source: metrics, name: p95, query: "p95:trace.http.request.duration{service:${service},$env}"}]
      formulas: [{formula: p95}]
"""
HEAD = """\
kind: datadog/dashboard
id: overview-${service}
template:
  parameters: {service: {}, team: {default: platform}}
  instances:
"""
BODY = """\
tags: ["team:${team}"]
dashboard:
  title: ${service} overview
  description: Requests, errors and latency of ${service}.
  layout_type: ordered
  template_variables: [{name: env, prefix: env, defaults: [prod]}]
  widgets:
    - definition:
        type: query_value
        title: Errors (5 min)
        requests: [{q: "sum:trace.http.request.errors{service:${service},$env}.as_count()", aggregator: sum}]
    - definition: {type: note, content: "Runbook for ${service}: https://wiki.example.com/${service}"}
    - definition:
        $ref: ../fragments/latency.yaml
        title: ${service} p95 latency
"""


def write_template(root: Path, count: int) -> Path:
    (root / "fragments").mkdir(parents=True)
    (root / "fragments" / "latency.yaml").write_text(FRAGMENT)
    instances = "".join(f"    - {{service: s{n:05}, team: team-{n % 7}}}\n" for n in range(count))
    (root / "widgets").mkdir()
    (root / "widgets" / "overview.yaml").write_text(HEAD + instances + BODY)
    return root / "widgets"


def wac(root: Path, url: str, *args: str) -> float:
    env = {**os.environ, "DD_SITE": url, "DD_API_KEY": "bench-api-key", "DD_APP_KEY": "bench-app-key"}
    started = time.perf_counter()
    command = [sys.executable, "-m", "reconciler", *args]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 2), done.stdout + done.stderr
    return time.perf_counter() - started


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        templated = write_template(root / "repo", count)
        os.chdir(root / "repo")  # fragments come from inside the repository, as when wac runs there
        loaded = load_manifests([templated])
        assert not loaded.problems and len(loaded.manifests) == count, loaded.problems[:3]
        written = root / "repo" / "written"
        written.mkdir()
        (written / "overview.yaml").write_text(expanded_yaml((m.source, m.data or {}) for m in loaded.manifests))
        assert len(load_manifests([written]).manifests) == count
        ours = cpu_seconds(lambda: load_manifests([templated]))
        plain = cpu_seconds(lambda: load_manifests([written]))
        text = (written / "overview.yaml").read_text()
        floor = cpu_seconds(lambda: list(yaml.load_all(text, Loader=yaml.CSafeLoader)))

        print(f"dashboards: {count:,} from one template and one fragment (CPU seconds, best of 3)")
        print(f"{'step':<52}{'seconds':>10}{'ratio':>10}")
        for name, seconds in (
            ("floor: libyaml parse of the written-out dashboards", floor),
            ("wac: load + validate, written out", plain),
            ("wac: load + validate, template + fragment", ours),
        ):
            print(f"{name:<52}{seconds:>10.3f}{seconds / floor:>9.2f}x")
        print(f"template ÷ written out: {ours / plain:.2f}x (expansion's own cost)")

        with emulator_process(root / "emulator.sqlite3") as url:
            first = wac(root / "repo", url, "plan", "widgets")
            applied = wac(root / "repo", url, "apply", "--auto-approve", "widgets")
            again = wac(root / "repo", url, "plan", "--detailed-exitcode", "widgets")
            stats = httpx.get(f"{url}/_emulator/stats").json()
        print(
            f"against wac emulator: plan {first:.1f} s, apply of {count:,} creates {applied:.1f} s,"
            f" no-op plan {again:.1f} s; {sum(stats.get('by_method', {}).values()):,} requests in all"
        )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1_000, help="how many (default 1,000)")
    main(parser.parse_args().count)
