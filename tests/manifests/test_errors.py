"""Every class of manifest error, with its exact file:line:column and a sentence that says what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.backends.registry import BY_KIND
from tests.manifests.helpers import VALID, problems_of, write


def one_problem(tmp_path: Path, text: str, name: str = "w.yaml") -> str:
    write(tmp_path, name, text)
    problems = problems_of(tmp_path)
    assert len(problems) == 1, problems
    return problems[0]


def test_a_valid_manifest_has_no_problems(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", VALID)
    assert problems_of(tmp_path) == []


def test_bad_yaml_syntax(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, "id: x\ndefinition: [a, b\n")
    assert problem == "w.yaml:2:13: not valid YAML: the flow sequence that starts here is never closed"


def test_an_unclosed_quote_is_located_at_the_quote(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, 'id: x\ndefinition:\n  title: "open\n  type: toplist\n\n\n')
    assert problem == "w.yaml:3:10: not valid YAML: the quoted scalar that starts here is never closed"


def test_flow_tags_with_colons_are_valid_yaml_1_2(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", VALID.replace("[team:finops]", "[team:finops, env:prod]"))
    assert problems_of(tmp_path) == []


def test_duplicate_mapping_key(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, VALID + "  title: Again\n")
    assert problem == "w.yaml:9:3: duplicate key 'title' (first given on line 6)"


def test_tab_indentation(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, "id: x\ndefinition:\n\ttype: bar_chart\n")
    assert problem == "w.yaml:3:1: a tab is used for indentation; YAML allows only spaces there"


def test_non_utf8_file(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_bytes(b"id: x\ntitle: caf\xe9\n")
    assert problems_of(tmp_path) == ["w.yaml:2:11: the file is not UTF-8 text (byte 0xe9); save it as UTF-8"]


def test_non_mapping_document(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, VALID + "---\n- just\n- a list\n")
    assert problem == "w.yaml:10:1: a manifest must be a mapping (id, experience_type, definition, …), not a list"


def test_file_without_a_manifest(tmp_path: Path) -> None:
    assert one_problem(tmp_path, "# only a comment\n") == "w.yaml:1:1: the file holds no manifest"


def test_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not yaml")
    (problem,) = problems_of(tmp_path)
    assert problem == f"{tmp_path.as_posix()}:1:1: no manifests here: the directory has no *.yaml or *.yml files"


def test_missing_path(tmp_path: Path) -> None:
    problems = problems_of(tmp_path / "nope")
    assert len(problems) == 1 and problems[0].endswith("nope:1:1: no such file or directory")


def test_unknown_widget_type(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, VALID.replace("bar_chart", "pie_chart"))
    assert problem.startswith("w.yaml:5:9: definition.type 'pie_chart' is not a widget type; allowed: bar_chart,")
    assert "treemap" in problem


def test_missing_type(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, VALID.replace("  type: bar_chart\n", ""))
    assert problem.startswith("w.yaml:4:1: definition.type is required; allowed: bar_chart")


def test_missing_requests(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, VALID.split("  requests:")[0])
    assert problem == ("w.yaml:4:1: definition.requests is required for a bar_chart widget (it needs title, requests)")


@pytest.mark.parametrize(
    ("widget_type", "fields", "missing"),
    [
        ("cloud_cost_summary", "", ["graph_options"]),
        ("geomap", "", ["style", "view"]),
        ("geomap", "  style: {palette: blues}\n", ["view"]),
    ],
)
def test_per_type_required_fields(tmp_path: Path, widget_type: str, fields: str, missing: list[str]) -> None:
    write(tmp_path, "w.yaml", VALID.replace("bar_chart", widget_type) + fields)
    problems = problems_of(tmp_path)
    assert [p.split(" is required")[0] for p in problems] == [f"w.yaml:4:1: definition.{f}" for f in missing]


def test_title_too_long(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, VALID.replace("title: Spend", "title: " + "x" * 101))
    assert problem == "w.yaml:6:10: definition.title is 101 characters; at most 100 are allowed"


def test_title_empty(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, VALID.replace("title: Spend", 'title: ""'))
    assert problem == "w.yaml:6:10: definition.title is empty; it needs at least 1 character"


def test_title_not_text(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, VALID.replace("title: Spend", "title: [a]"))
    assert problem == "w.yaml:6:10: definition.title must be text, got a list"


@pytest.mark.parametrize(
    ("tag", "column", "message"),
    [
        ("Team:finops", 8, "tag 'Team:finops' is not a valid Datadog tag: it must start with a lowercase letter"),
        ("1team", 8, "tag '1team' is not a valid Datadog tag"),
        ("team finops", 8, "tag 'team finops' is not a valid Datadog tag"),
        ("team:", 8, "tag 'team:' ends with ':'"),
        ("a" * 201, 8, "is 201 characters; at most 200 are allowed"),
        ("wac-owner:other", 8, "tag 'wac-owner:other' uses a reserved prefix"),
        ("wac-id:x", 8, "tag 'wac-id:x' uses a reserved prefix"),
    ],
)
def test_invalid_tags(tmp_path: Path, tag: str, column: int, message: str) -> None:
    problem = one_problem(tmp_path, VALID.replace("[team:finops]", f"['{tag}']"))
    assert problem.startswith(f"w.yaml:3:{column}: ")
    assert message in problem


def test_tags_not_a_list(tmp_path: Path) -> None:
    assert (
        one_problem(tmp_path, VALID.replace("[team:finops]", "team:finops"))
        == "w.yaml:3:7: tags must be a list, got text"
    )


@pytest.mark.parametrize("bad_id", ["Spend", "spend now", "-spend", "spénd", "a:b"])
def test_invalid_ids(tmp_path: Path, bad_id: str) -> None:
    problem = one_problem(tmp_path, VALID.replace("id: spend", f"id: '{bad_id}'"))
    assert problem.startswith(f"w.yaml:1:5: id '{bad_id}' is not allowed: use lowercase letters")


def test_unknown_experience_type(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, VALID.replace("ccm_reports", "dashboards"))
    assert problem == (
        "w.yaml:2:18: experience_type 'dashboards' is not allowed; use one of ccm_reports,"
        " logs_reports, csv_reports, product_analytics"
    )


def test_unknown_top_level_field(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, "titel: typo\n" + VALID)
    assert problem.startswith("w.yaml:1:1: unknown field 'titel'; a manifest has only kind, id, experience_type")


def test_unknown_definition_fields_pass_through(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", VALID + "  custom_links: [{label: Runbook, link: 'https://example.com'}]\n")
    from reconciler.manifests.loading import load_manifests

    (loaded,) = load_manifests([tmp_path]).manifests
    assert loaded.manifest.definition_dict()["custom_links"] == [{"label": "Runbook", "link": "https://example.com"}]


def test_bad_ignore_path(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, VALID + "ignore: ['requests[x]']\n")
    assert problem.startswith("w.yaml:9:10: ignore path 'requests[x]' is not allowed")


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", VALID)
    write(tmp_path, "sub/b.yaml", "# another team\n" + VALID)
    write(tmp_path, "sub/c.yaml", VALID.replace("ccm_reports", "logs_reports"))
    assert problems_of(tmp_path) == [
        "sub/b.yaml:2:5: id 'spend' is already used for ccm_reports at a.yaml:1; ids must be unique per experience type"
    ]


def test_every_problem_in_every_file_at_once_and_sorted(tmp_path: Path) -> None:
    write(
        tmp_path,
        "b.yaml",
        VALID.replace("title: Spend", 'title: ""')
        + "---\n"
        + VALID.replace("id: spend", "id: Other").replace("bar_chart", "pie"),
    )
    write(tmp_path, "a.yaml", "x: [\n")
    problems = problems_of(tmp_path)
    assert [p.split(": ")[0] for p in problems] == ["a.yaml:2:1", "b.yaml:6:10", "b.yaml:10:5", "b.yaml:14:9"]


def test_several_documents_and_yml_files_and_hidden_folders(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", VALID + "---\n" + VALID.replace("id: spend", "id: spend-2") + "---\n")
    write(tmp_path, ".git/ignored.yaml", "not: [valid\n")
    write(tmp_path, "readme.md", "# not a manifest")
    from reconciler.manifests.loading import load_manifests

    result = load_manifests([tmp_path])
    assert result.problems == ()
    assert [m.manifest.id for m in result.manifests] == ["spend", "spend-2"]
    assert [m.line for m in result.manifests] == [1, 10]


def test_a_single_file_may_be_named(tmp_path: Path) -> None:
    path = write(tmp_path, "one.txt", VALID)
    from reconciler.manifests.loading import load_manifests

    assert [m.manifest.id for m in load_manifests([path]).manifests] == ["spend"]


def test_anchors_and_merge_keys_work(tmp_path: Path) -> None:
    write(
        tmp_path,
        "w.yaml",
        """\
        id: spend
        experience_type: ccm_reports
        definition:
          type: bar_chart
          title: Spend
          requests:
            - &base {q: "sum:aws.cost{*}", aggregator: sum}
            - <<: *base
              aggregator: avg
        """,
    )
    from reconciler.manifests.loading import load_manifests

    (loaded,) = load_manifests([tmp_path]).manifests
    assert loaded.manifest.definition_dict()["requests"] == [
        {"q": "sum:aws.cost{*}", "aggregator": "sum"},
        {"q": "sum:aws.cost{*}", "aggregator": "avg"},
    ]


def test_scalars_follow_yaml_1_2(tmp_path: Path) -> None:
    from reconciler.manifests.loading import load_manifests

    extra = "  flags: [yes, on, NO, 0o17, 017, 0x1f, 1e3, ~, True, '5', !!int '6', 2024-01-01, a:b]\n"
    write(tmp_path, "w.yaml", VALID + extra)
    (loaded,) = load_manifests([tmp_path]).manifests
    flags = loaded.manifest.definition_dict()["flags"]
    assert flags == ["yes", "on", "NO", 15, 17, 31, 1000.0, None, True, "5", 6, "2024-01-01", "a:b"]


def test_infinity_cannot_be_sent_as_json(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", VALID + "  max: .inf\n")
    assert problems_of(tmp_path) == ["w.yaml:9:8: '.inf' cannot be sent to the API: JSON has no infinity or NaN"]


def test_a_wrongly_tagged_scalar_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", VALID + "  limit: !!int 'ten'\n")
    assert problems_of(tmp_path) == ["w.yaml:9:10: 'ten' is not a valid !!int"]


def test_a_trailing_line_break_never_passes_for_an_id_or_tag(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, VALID.replace("id: spend", 'id: "spend\\n"'))
    assert "id 'spend\\n' is not allowed" in problem
    problem = one_problem(tmp_path, VALID.replace("[team:finops]", '["team:finops\\n"]'))
    assert "is not a valid Datadog tag" in problem


def test_kind_defaults_to_datadog_widget_and_others_are_named(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", "kind: datadog/widget\n" + VALID)
    assert problems_of(tmp_path) == []
    problem = one_problem(tmp_path, "kind: grafana/dashboard\n" + VALID)
    assert problem == (
        "w.yaml:1:7: kind 'grafana/dashboard' is not supported; this version manages kind datadog/widget,"
        f" {', '.join(BY_KIND)[len('datadog/widget, ') :]} (datadog/widget is the default when absent)"
    )
    # A known kind validates the document by its own model and its own words.
    fields = one_problem(
        tmp_path, "kind: spaceone/custom-widget\nid: x\nwidget_name: w\ntitle: t\noptions: {}\ncolor: red\n"
    )
    assert fields.startswith("w.yaml:6:1: unknown field 'color'; a spaceone/custom-widget manifest has only kind, id,")
