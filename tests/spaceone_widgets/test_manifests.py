"""SpaceONE manifests checked offline: each mistake located to file:line:col, in a sentence, nothing sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.manifests.helpers import problems_of, write

VALID = """\
kind: spaceone/custom-widget
id: monthly-cost-trend
widget_name: costTrend
title: Monthly cost trend
options: {granularity: MONTHLY}
settings: {currency: USD}
labels: [finops]
tags: {team: finops}
"""


def test_a_valid_manifest_and_one_beside_datadog_widgets(tmp_path: Path) -> None:
    write(
        tmp_path,
        "w.yaml",
        VALID
        + "---\nid: spend\nexperience_type: ccm_reports\ndefinition: {type: toplist, title: S, requests: [{q: x}]}\n",
    )
    assert problems_of(tmp_path) == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("tags: {team: finops}", "tags: {team.name: finops}"),
            "8:7: tag key 'team.name' contains '.'",
        ),
        (("tags: {team: finops}", "tags: {wac-owner: me}"), "8:7: tag key 'wac-owner' is reserved"),
        (("widget_name: costTrend", "widget_name: " + "w" * 41), "3:14: widget_name is 41 characters; at most 40"),
        (("title: Monthly cost trend", "title: " + "t" * 256), "4:8: title is 256 characters; at most 255"),
        (("options: {granularity: MONTHLY}", "options: [MONTHLY]"), "5:10: options must be a mapping, got a list"),
        (("labels: [finops]", "labels: finops"), "7:9: labels must be a list, got text"),
        (
            ("settings: {currency: USD}", "settings: {currency: USD}\nwidget_options: {}"),
            "7:1: unknown field 'widget_options'",
        ),
        (("id: monthly-cost-trend", "id: Monthly Cost"), "2:5: id 'Monthly Cost' is not allowed"),
    ],
)
def test_each_mistake_is_located(tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    write(tmp_path, "w.yaml", VALID.replace(*edit))
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("w.yaml:" + expected.split(": ", 1)[0] + ": "), problem
    assert expected.split(": ", 1)[1] in problem, problem


def test_required_fields_are_named(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", "kind: spaceone/custom-widget\nid: x\n")
    problems = problems_of(tmp_path)
    assert {p.split(": ", 1)[1] for p in problems} == {
        "options is required",
        "title is required",
        "widget_name is required",
    }


def test_ids_are_unique_per_kind_not_across_kinds(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", VALID)
    write(tmp_path, "b.yaml", VALID)
    (problem,) = problems_of(tmp_path)
    assert (
        "id 'monthly-cost-trend' is already used for custom-widget at a.yaml:2; ids must be unique per domain"
        in problem
    )
    write(
        tmp_path,
        "b.yaml",
        "id: monthly-cost-trend\nexperience_type: ccm_reports\n"
        "definition: {type: toplist, title: S, requests: [{q: x}]}\n",
    )
    assert problems_of(tmp_path) == []
