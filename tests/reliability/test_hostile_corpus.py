"""A corpus of hostile and broken manifests: each is a clear located error, quickly, and no request is sent."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from tests.commands.helpers import make_workspace
from tests.manifests.helpers import VALID

SPACEONE = """\
kind: spaceone/custom-widget
id: cost
widget_name: costTrend
title: Cost
options: {granularity: MONTHLY}
tags: {team: finops}
"""


DASHBOARD_HEAD = "kind: datadog/dashboard\nid: d\n"


def _alias_bomb() -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        prev, name = f"l{i - 1}" if i > 1 else "a", f"l{i}"
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def _write(text: str | bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return make


def _symlink_loop(path: Path) -> None:
    os.symlink(path.name, path)


CORPUS: dict[str, tuple[Callable[[Path], None], str]] = {
    "bad-syntax": (
        _write("id: x\ndefinition: [a, b\n"),
        ":2:13: not valid YAML: the flow sequence that starts here is never closed",
    ),
    "duplicate-key": (_write(VALID + "  title: Again\n"), ":9:3: duplicate key 'title'"),
    "tab-indent": (_write("id: x\ndefinition:\n\ttype: toplist\n"), ":3:1: a tab is used for indentation"),
    "non-utf8": (_write(b"id: caf\xe9\n"), ":1:8: the file is not UTF-8 text"),
    "binary": (_write(bytes(range(256)) * 64), "the file is not UTF-8 text"),
    "not-a-mapping": (_write("- a\n- b\n"), ":1:1: a manifest must be a mapping"),
    "empty-file": (_write(""), ":1:1: the file holds no manifest"),
    "unknown-type": (_write(VALID.replace("bar_chart", "pie")), ":5:9: definition.type 'pie' is not a widget type"),
    "missing-requests": (_write(VALID.split("  requests:")[0]), ":4:1: definition.requests is required"),
    "geomap-without-view": (
        _write(VALID.replace("bar_chart", "geomap") + "  style: {a: 1}\n"),
        ":4:1: definition.view is required for a geomap widget",
    ),
    "long-title": (_write(VALID.replace("title: Spend", "title: " + "t" * 101)), ":6:10: definition.title is 101"),
    "bad-tag": (_write(VALID.replace("[team:finops]", "['Team Finops']")), ":3:8: tag 'Team Finops' is not a valid"),
    "reserved-tag": (_write(VALID.replace("[team:finops]", "['wac-owner:evil']")), "uses a reserved prefix"),
    "bad-id": (_write(VALID.replace("id: spend", "id: Spend!")), ":1:5: id 'Spend!' is not allowed"),
    "bad-experience": (_write(VALID.replace("ccm_reports", "x")), ":2:18: experience_type 'x' is not allowed"),
    "python-tag": (
        _write("id: !!python/object/apply:os.system ['echo pwned']\n"),
        ":1:5: the tag '!!python/object/apply:os.system' is not allowed",
    ),
    "alias-bomb": (_write(_alias_bomb()), "expands to more than 100,000 values"),
    "huge-file": (_write(VALID + "#" + "x" * 2_000_000 + "\n"), ":1:1: file is 2,000,"),
    "deep-flow-nesting": (_write("a: " + "[" * 100_000 + "]" * 100_000 + "\n"), "nested more than 64 levels deep"),
    "deep-block-nesting": (
        _write("".join(" " * i + f"k{i}:\n" for i in range(500)) + " " * 500 + "v\n"),
        "nested more than 64 levels deep",
    ),
    "symlink-loop": (_symlink_loop, "cannot read the file"),
    "spaceone-dotted-tag": (
        _write(SPACEONE.replace("{team: finops}", "{team.sub: x}")),
        ":6:7: tag key 'team.sub' contains '.'",
    ),
    "spaceone-owner-tag": (_write(SPACEONE.replace("{team: finops}", "{wac-owner: evil}")), "is reserved"),
    "spaceone-struct-as-text": (_write(SPACEONE.replace("{granularity: MONTHLY}", "MONTHLY")), ":5:10: options must"),
    "dashboard-free-tag": (
        _write(
            "kind: datadog/dashboard\nid: d\ntags: [env:prod]\n"
            "dashboard: {title: D, layout_type: ordered, widgets: []}\n"
        ),
        ":3:7: tag 'env:prod' is not allowed: dashboards take team tags only",
    ),
    "dashboard-unknown-widget": (
        _write(
            "kind: datadog/dashboard\nid: d\ndashboard:\n  title: D\n  layout_type: ordered\n"
            "  widgets: [{definition: {type: pie}}]\n"
        ),
        "definition.type 'pie' is not a dashboard widget type",
    ),
    "dashboard-server-field": (
        _write(
            "kind: datadog/dashboard\nid: d\ndashboard: {id: abc-def-ghi, title: D, layout_type: free, widgets: []}\n"
        ),
        "dashboard.id is set by Datadog; leave it out",
    ),
    "spaceone-unknown-kind": (_write(SPACEONE.replace("spaceone/custom-widget", "spaceone/../x")), "is not supported"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[RunningEmulator]:
    with emulator_thread() as running:
        yield running


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_input_is_a_clear_error_quickly_and_nothing_is_sent(
    tmp_path: Path, server: RunningEmulator, name: str
) -> None:
    make, expected = CORPUS[name]
    repo = make_workspace(tmp_path, server.url, copy_examples=False)
    repo.widgets.mkdir()
    (repo.widgets / "good.yaml").write_text(VALID.replace("id: spend", "id: fine"))
    make(repo.widgets / f"{name}.yaml")
    before = server.stats.as_dict()["requests"]
    started = time.monotonic()
    result = repo.wac("apply", "--auto-approve")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert elapsed < 10
    assert f"widgets/{name}.yaml" in result.output and expected in result.output, result.output
    assert "Traceback" not in result.output
    assert "nothing was sent to the API" in result.output
    assert server.stats.as_dict()["requests"] == before
