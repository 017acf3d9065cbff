"""`{ref: KIND/ID}` in manifests: swapped for a reference token the planner resolves, and every reference checked
across all manifests (it names one that exists, and none reaches itself) with the line it was written on."""

from __future__ import annotations

from pathlib import Path

from reconciler.core.references import token
from reconciler.manifests.loading import load_manifests
from reconciler.manifests.validation import desired_from
from tests.manifests.helpers import problems_of, write


def dashboard(manifest_id: str, note: str) -> str:
    return f"""\
kind: datadog/dashboard
id: {manifest_id}
dashboard:
  title: {manifest_id}
  layout_type: ordered
  widgets:
    - definition:
        type: note
        content: {note}
"""


def test_a_reference_becomes_a_token_and_names_its_target(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", dashboard("a", "{ref: datadog/dashboard/b}"))
    write(tmp_path, "b.yaml", dashboard("b", "plain"))
    result = load_manifests([tmp_path])
    assert result.ok, result.problems
    (a,) = [d for m in result.manifests if m.manifest.id == "a" for d in desired_from(m)]
    assert a.references == (("datadog/dashboard", "b"),)
    assert token("datadog/dashboard", "b") in str(a.content)


def test_a_reference_to_no_manifest_is_located(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", dashboard("a", "{ref: datadog/dashboard/missing}"))
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("a.yaml:9:")
    assert "ref: datadog/dashboard/missing names no manifest given to this run" in problem


def test_a_cycle_of_references_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", dashboard("a", "{ref: datadog/dashboard/b}"))
    write(tmp_path, "b.yaml", dashboard("b", "{ref: datadog/dashboard/a}"))
    problems = problems_of(tmp_path)
    assert len(problems) == 1 and "closes a cycle of references" in problems[0], problems
    write(tmp_path, "b.yaml", dashboard("b", "{ref: datadog/dashboard/b}"))
    assert any("closes a cycle" in p for p in problems_of(tmp_path / "b.yaml"))


def test_malformed_references_say_what_is_allowed(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", dashboard("a", "{ref: latency-pack}"))
    write(tmp_path, "c.yaml", dashboard("c", "{ref: datadog/dashboard/a, extra: 1}"))
    write(tmp_path, "d.yaml", dashboard("d", "{ref: acme/thing/a}"))
    problems = problems_of(tmp_path)
    assert any(p.startswith("a.yaml:9:") and "names a manifest as KIND/ID" in p for p in problems), problems
    assert any(p.startswith("c.yaml:9:") and "found extra beside it" in p for p in problems), problems
    assert any(p.startswith("d.yaml:9:") and "kind 'acme/thing' is not supported" in p for p in problems), problems


def test_structure_keys_are_never_references(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "id: {ref: datadog/dashboard/b}\n" + dashboard("a", "x").split("\n", 2)[2])
    assert problems_of(tmp_path), "an id must be a plain id"


def test_a_hand_written_placeholder_is_refused(tmp_path: Path) -> None:
    """Only `{ref:}` makes a reference: the placeholder text written by hand would reach the API as it is."""
    write(tmp_path, "a.yaml", dashboard("a", '"(known after apply: datadog/dashboard/b)"'))
    write(tmp_path, "b.yaml", dashboard("b", "plain"))
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("a.yaml:9:") and "this text is how wac stands for a reference" in problem


def test_a_reference_to_an_invalid_manifest_says_to_fix_that_first(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", dashboard("a", "{ref: datadog/dashboard/b}"))
    write(tmp_path, "b.yaml", dashboard("b", "plain").replace("layout_type: ordered", "layout_type: sideways"))
    problems = problems_of(tmp_path)
    assert any(p.startswith("b.yaml:") for p in problems), problems
    assert any("names no valid manifest given to this run; if its manifest has a problem" in p for p in problems)
