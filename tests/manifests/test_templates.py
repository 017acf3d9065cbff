"""Templates and fragments: one definition, many resources, every problem located at its source."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.manifests.documents import parse_documents
from reconciler.manifests.loading import load_manifests
from reconciler.manifests.templates import expand
from tests.budget import examples
from tests.manifests.helpers import problems_of, write

TEMPLATED = """\
id: errors-${service}
experience_type: logs_reports
template:
  parameters: {service: {}, team: {default: platform}, limit: {default: 10}}
  instances:
    - {service: checkout, team: checkout}
    - {service: payments, limit: 25}
tags: ["team:${team}", "service:${service}"]
definition:
  type: toplist
  title: ${service} errors ($${not a placeholder})
  requests:
    - q: "sum:errors{service:${service}}"
      limit: ${limit}
"""

FRAGMENT = """\
fragment:
  type: toplist
  title: Errors
  requests:
    - q: "sum:errors{service:${service}}"
"""


def _by_id(folder: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    result = load_manifests([folder])
    assert result.ok, result.problems
    return {m.manifest.id: m.data for m in result.manifests if m.data is not None}


def test_each_instance_is_a_resource_with_its_values_and_the_defaults(tmp_path: Path, in_repo: Path) -> None:
    write(in_repo, "w/errors.yaml", TEMPLATED)
    found = _by_id(in_repo / "w")
    assert sorted(found) == ["errors-checkout", "errors-payments"]
    checkout, payments = found["errors-checkout"], found["errors-payments"]
    assert checkout["tags"] == ["team:checkout", "service:checkout"] and payments["tags"][0] == "team:platform"
    assert checkout["definition"]["title"] == "checkout errors (${not a placeholder})", "$${ is a literal ${"
    assert checkout["definition"]["requests"][0] == {"q": "sum:errors{service:checkout}", "limit": 10}
    assert payments["definition"]["requests"][0]["limit"] == 25, "a whole-string placeholder keeps the number"
    assert "template" not in checkout


def test_a_matrix_makes_every_combination(in_repo: Path) -> None:
    write(
        in_repo,
        "w/m.yaml",
        """\
        id: ${service}-${region}
        experience_type: logs_reports
        template: {matrix: {service: [a, b, c], region: [eu, us]}}
        definition: {type: toplist, title: "${service} in ${region}", requests: [{q: x}]}
        """,
    )
    assert sorted(_by_id(in_repo / "w")) == ["a-eu", "a-us", "b-eu", "b-us", "c-eu", "c-us"]


def test_a_fragment_is_inlined_with_overrides_and_placeholders(in_repo: Path) -> None:
    write(in_repo, "fragments/errors.yaml", FRAGMENT)
    write(
        in_repo,
        "w/uses.yaml",
        """\
        id: errors-${service}
        experience_type: logs_reports
        template: {instances: [{service: checkout}]}
        definition:
          $ref: ../fragments/errors.yaml
          title: Checkout errors
        """,
    )
    (found,) = _by_id(in_repo / "w").values()
    assert found["definition"] == {
        "type": "toplist",
        "title": "Checkout errors",
        "requests": [{"q": "sum:errors{service:checkout}"}],
    }


def test_a_fragment_file_is_never_a_manifest_and_its_digest_is_recorded(in_repo: Path) -> None:
    write(in_repo, "w/fragments/errors.yaml", FRAGMENT)
    write(in_repo, "w/uses.yaml", "id: x\nexperience_type: logs_reports\ndefinition: {$ref: fragments/errors.yaml}\n")
    result = load_manifests([in_repo / "w"])
    assert result.ok and [m.manifest.id for m in result.manifests] == ["x"]
    assert any(f.endswith("fragments/errors.yaml") and digest for f, digest in result.files)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"w/a.yaml": "id: a-${service}\nexperience_type: logs_reports\ntemplate: {matrix: {service: [x, y]}}\n"
             "definition: {type: toplist, title: '${servce}', requests: [{q: x}]}\n"},
            ["w/a.yaml:4:36: '${servce}' names no parameter (this template has service); write $${ for a literal ${"
             " (all 2 instances)"],
        ),
        (
            {"w/a.yaml": "id: same\nexperience_type: logs_reports\ntemplate: {matrix: {service: [x, y]}}\n"
             "definition: {type: toplist, title: '${service}', requests: [{q: x}]}\n"},
            ["w/a.yaml:1:5: id 'same' (instance service=y) is already used for logs_reports at w/a.yaml:1 (instance"
             " service=x); ids must be unique per experience type; a template's id needs a ${parameter} to differ"
             " per instance"],
        ),
        (
            {"w/a.yaml": "id: a\nexperience_type: logs_reports\ndefinition: {$ref: ../fragments/none.yaml}\n"},
            ["w/a.yaml:3:20: $ref '../fragments/none.yaml': no such fragment file (fragments/none.yaml)"],
        ),
        (
            {"w/a.yaml": "id: a\nexperience_type: logs_reports\ndefinition: {$ref: ../../../etc/x.yaml}\n"},
            ["w/a.yaml:3:20: $ref '../../../etc/x.yaml' leads outside the repository; fragments live inside it"],
        ),
        (
            {
                "w/a.yaml": "id: a\nexperience_type: logs_reports\ndefinition: {$ref: ../fragments/one.yaml}\n",
                "fragments/one.yaml": "fragment: {$ref: two.yaml}\n",
                "fragments/two.yaml": "fragment: {$ref: one.yaml}\n",
            },
            ["fragments/two.yaml:1:18: $ref 'one.yaml' makes a cycle (fragments/one.yaml → fragments/two.yaml →"
             " fragments/one.yaml) (in the fragment used at fragments/one.yaml)"],
        ),
        (
            {
                "w/a.yaml": "id: a-${s}\nexperience_type: logs_reports\ntemplate: {instances: [{s: x}]}\n"
                "definition:\n  $ref: ../fragments/bad.yaml\n",
                "fragments/bad.yaml": "fragment:\n  type: toplists\n  title: x\n",
            },
            ["fragments/bad.yaml:2:9: definition.type 'toplists' is not a widget type; allowed: bar_chart, change,"
             " cloud_cost_summary, cohort, funnel, geomap, list_stream, query_table, query_value, retention_curve,"
             " sankey, sunburst, timeseries, toplist, treemap (instance s=x) (in the fragment used at w/a.yaml:5)"],
        ),
        (
            {"w/a.yaml": "id: a-${s}\nexperience_type: logs_reports\ntemplate: {instances: [{s: [1, 2]}]}\n"
             "definition: {type: toplist, title: x, requests: [{q: x}]}\n"},
            ["w/a.yaml:3:28: s must be a text, a number or true/false (a parameter's value is never structure)"],
        ),
        (
            {"w/a.yaml": "id: a-${s}\nexperience_type: logs_reports\ntemplate: {parameters: {s: {}, t: {}},"
             " instances: [{s: x}]}\ndefinition: {type: toplist, title: x, requests: [{q: x}]}\n"},
            ["w/a.yaml:3:52: this instance gives no value for parameter 't', which has no default"],
        ),
        (
            {"w/a.yaml": "id: a\nexperience_type: logs_reports\ntemplate: {instances: [], matrix: {}}\n"
             "definition: {type: toplist, title: x, requests: [{q: x}]}\n"},
            ["w/a.yaml:3:11: template needs exactly one of instances: (a list) or matrix:"],
        ),
    ],
    ids=["unknown-placeholder", "same-id", "missing-fragment", "outside", "cycle", "in-fragment", "structure",
         "no-value", "both"],
)  # fmt: skip
def test_every_problem_is_located_at_its_source(in_repo: Path, files: dict[str, str], expected: list[str]) -> None:
    for name, text in files.items():
        write(in_repo, name, text)
    assert problems_of(in_repo / "w") == expected


@pytest.fixture()
def in_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands run at the repository's root: fragments come from inside it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


VALUES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=examples(ci=80, nightly=400), deadline=None)
@given(value=VALUES)
def test_a_value_never_becomes_structure(value: str) -> None:
    """Whatever text a parameter holds (YAML, JSON, `${…}`, new lines), it lands as that one string."""
    (document,), problems = parse_documents(
        "id: w-${v}\ntemplate: {parameters: {v: {}}, instances: [{v: x}]}\ndefinition: {title: 'a ${v} b', t: '${v}'}\n"
    )
    assert problems == []
    document.data["template"]["instances"][0]["v"] = value
    expanded, found, _ = expand("m.yaml", document, None)
    assert found == [] and len(expanded) == 1
    data = expanded[0].data
    assert set(data) == {"id", "definition"} and set(data["definition"]) == {"title", "t"}
    assert data["definition"] == {"title": f"a {value} b", "t": value}


def test_a_fragment_through_a_symbolic_link_is_refused(in_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.yaml"
    outside.write_text("fragment: {type: toplist, title: secret, requests: [{q: x}]}\n")
    write(in_repo, "w/a.yaml", "id: a\nexperience_type: logs_reports\ndefinition: {$ref: linked.yaml}\n")
    (in_repo / "w" / "linked.yaml").symlink_to(outside)
    referred, linked = problems_of(in_repo / "w")
    assert "goes through the symbolic link" in referred and "secret" not in referred
    # The link itself, found in the folder, is not read as a manifest either.
    assert linked.startswith("w/linked.yaml:1:1: a symbolic link (this file or folder, or a folder on the way")


def test_fragments_that_fan_out_are_refused_in_one_sentence(in_repo: Path) -> None:
    for level in range(8):
        write(
            in_repo, f"f/e{level}.yaml", "fragment: {l: [" + ", ".join([f"{{$ref: e{level + 1}.yaml}}"] * 10) + "]}\n"
        )
    write(in_repo, "f/e8.yaml", "fragment: {x: 1}\n")
    write(in_repo, "w/a.yaml", "id: a\nexperience_type: logs_reports\ndefinition: {$ref: ../f/e0.yaml}\n")
    (problem,) = problems_of(in_repo / "w")
    assert "inline more than 100,000 values" in problem
