"""Generated manifest trees of any size, shaped like the examples in widgets/."""

from __future__ import annotations

from pathlib import Path

from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES

TEMPLATE = """\
id: {id}
experience_type: {experience_type}
tags: [team:t{team}, env:prod]
definition:
  type: {widget_type}
  title: Widget {n} spend by service
  requests:
    - response_format: timeseries
      queries:
        - data_source: cloud_cost
          name: query1
          query: sum:aws.cost.amortized{{team:t{team}}} by {{aws_product}}.rollup(sum, daily)
      formulas:
        - formula: query1
  time: {{type: live, unit: day, value: {days}}}
"""
TYPES = ("bar_chart", "timeseries", "toplist", "treemap", "query_table", "change")


def manifest_text(n: int, title_suffix: str = "") -> str:
    text = TEMPLATE.format(
        id=f"widget-{n:05d}",
        experience_type=EXPERIENCE_TYPES[n % len(EXPERIENCE_TYPES)],
        team=n % 17,
        widget_type=TYPES[n % len(TYPES)],
        n=n,
        days=7 + n % 30,
    )
    return text.replace(" spend by service", f" spend by service{title_suffix}")


def write_corpus(root: Path, count: int, per_file: int = 10) -> Path:
    """`count` manifests, `per_file` documents a file, in folders of 100 files."""
    root.mkdir(parents=True, exist_ok=True)
    for start in range(0, count, per_file):
        folder = root / f"team-{start // (per_file * 100):03d}"
        folder.mkdir(exist_ok=True)
        docs = [manifest_text(n) for n in range(start, min(start + per_file, count))]
        (folder / f"widgets-{start:05d}.yaml").write_text("---\n".join(docs))
    return root
