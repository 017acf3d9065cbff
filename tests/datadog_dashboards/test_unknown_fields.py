"""`wac validate` names a field of a dashboard body that the v1 spec does not: at the body's top level, in template
variables and presets, on widgets and at the top of their definitions (groups' too), each at its key's line with
the closest field. Deeper fields pass through; no example and no recorded create is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.datadog_dashboards.test_reconcile import recorded_creates

ROOT = Path(__file__).resolve().parents[2]
HEAD = """\
kind: datadog/dashboard
id: checkout
tags: [team:checkout]
dashboard:
  title: Checkout
  layout_type: ordered
"""


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def validate(tmp_path: Path, text: str, *args: str) -> Result:
    """`wac validate` over one manifest file, `widgets/d.yaml`, in a fresh repository."""
    (tmp_path / "widgets").mkdir(exist_ok=True)
    (tmp_path / "widgets" / "d.yaml").write_text(text, encoding="utf-8")
    with _cwd(tmp_path):
        return CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)


def body(text: str) -> str:
    """A manifest whose `dashboard:` body is HEAD's plus `text` (written at the body's indentation)."""
    return HEAD + textwrap.indent(textwrap.dedent(text), "  ")


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (
            "descripton: Orders and errors\nwidgets: []\n",
            "7:3: dashboard.descripton is not a field of a dashboard; did you mean `description`?",
        ),
        (
            "widgets: []\nsubtitel: Checkout service\n",
            "8:3: dashboard.subtitel is not a field of a dashboard; did you mean `title`?",
        ),
        (
            "widgets: []\ntemplate_variables:\n  - name: env\n    prefx: env\n",
            "10:7: dashboard.template_variables[0].prefx is not a field of a template variable; did you mean `prefix`?",
        ),
        (
            "widgets: []\ntemplate_variables: [{name: env, prefix: env}]\ntemplate_variable_presets:\n"
            "  - name: production\n    template_varaibles: [{name: env, value: prod}]\n",
            "11:7: dashboard.template_variable_presets[0].template_varaibles is not a field of a template variable"
            " preset; did you mean `template_variables`?",
        ),
        (
            "widgets: []\ntemplate_variables: [{name: env, prefix: env}]\ntemplate_variable_presets:\n"
            "  - name: production\n    template_variables:\n      - {name: env, vaule: prod}\n",
            "12:23: dashboard.template_variable_presets[0].template_variables[0].vaule is not a field of a preset's"
            " variable; did you mean `value`?",
        ),
        (
            "widgets:\n  - definition: {type: note, content: Runbook}\n    layuot: {x: 0, y: 0, width: 4, height: 2}\n",
            "9:7: dashboard.widgets[0].layuot is not a field of a widget; did you mean `layout`?",
        ),
        (
            "widgets:\n  - definition:\n      type: timeseries\n      titel: Orders\n      requests: [{q: x}]\n",
            "10:9: dashboard.widgets[0].definition.titel is not a field of a `timeseries` widget definition; did"
            " you mean `title`?",
        ),
        (
            "widgets:\n  - definition:\n      type: group\n      layout_type: ordered\n      widgets:\n"
            "        - definition:\n            type: query_value\n            requests: [{q: x}]\n"
            "            precison: 2\n",
            "15:15: dashboard.widgets[0].definition.widgets[0].definition.precison is not a field of a `query_value`"
            " widget definition; did you mean `precision`?",
        ),
    ],
    ids=[
        "dashboard",
        "dashboard-subtitle",
        "template-variable",
        "preset",
        "preset-value",
        "widget",
        "definition",
        "definition-in-group",
    ],
)
def test_an_unknown_field_is_named_at_its_key_with_the_closest_field(tmp_path: Path, extra: str, problem: str) -> None:
    result = validate(tmp_path, body(extra))
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [f"widgets/d.yaml:{problem}"]


def test_a_field_with_no_close_name_lists_the_objects_fields(tmp_path: Path) -> None:
    result = validate(tmp_path, body("widgets: []\nzzzz: 1\n"))
    (line,) = result.stdout.splitlines()
    assert line.startswith("widgets/d.yaml:8:3: dashboard.zzzz is not a field of a dashboard; its fields are")
    assert "description, " in line and "widgets" in line


def test_unknown_fields_deeper_inside_widgets_pass_through(tmp_path: Path) -> None:
    deeper = """\
        widgets:
          - layout: {x: 0, y: 0, width: 4, height: 2, not_a_layout_field: 1}
            definition:
              type: timeseries
              requests:
                - q: sum:checkout.orders{*}
                  not_a_request_field: true
                  style: {palette: warm, not_a_style_field: 1}
              yaxis: {scale: linear, not_an_axis_field: 1}
        """
    result = validate(tmp_path, body(deeper))
    assert result.exit_code == 0, result.output


def test_every_problem_is_reported_at_once_and_the_others_keep_their_place(tmp_path: Path) -> None:
    text = HEAD.replace("layout_type: ordered", "layout_type: free\n  reflow_type: auto") + (
        "  descripton: x\n  widgets:\n    - definition: {type: note, content: a, backgound_color: red}\n"
    )
    result = validate(tmp_path, text, "--format", "json")
    assert result.exit_code == 1
    assert [(p["line"], p["column"], p["message"]) for p in json.loads(result.stdout)] == [
        # Located at `dashboard:`'s body, as before.
        (5, 3, "dashboard.reflow_type is allowed only with layout_type ordered"),
        (8, 3, "dashboard.descripton is not a field of a dashboard; did you mean `description`?"),
        (
            10,
            44,
            "dashboard.widgets[0].definition.backgound_color is not a field of a `note` widget definition; did you"
            " mean `background_color`?",
        ),
    ]


def test_plan_refuses_it_before_anything_is_sent(tmp_path: Path) -> None:
    (tmp_path / "widgets").mkdir()
    (tmp_path / "widgets" / "d.yaml").write_text(body("descripton: x\nwidgets: []\n"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", "--site", "local"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "widgets/d.yaml:7:3: dashboard.descripton is not a field of a dashboard" in result.stdout + result.stderr


def test_the_examples_and_every_recorded_create_still_validate(tmp_path: Path) -> None:
    with _cwd(ROOT):
        examples = CliRunner().invoke(main, ["validate", "widgets"], catch_exceptions=False)
    assert examples.exit_code == 0, examples.output
    documents = []
    for n, created in enumerate(recorded_creates()):
        tags = created.pop("tags", [])
        documents.append({"kind": "datadog/dashboard", "id": f"recorded-{n:03}", "tags": tags, "dashboard": created})
    result = validate(tmp_path, yaml.safe_dump_all(documents, sort_keys=False))
    assert result.exit_code == 0, result.output
    assert len(documents) >= 75
