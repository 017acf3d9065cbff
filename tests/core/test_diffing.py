"""Field changes: the plain walk of mappings says exactly what DeepDiff says, for any two contents. Pure."""

from __future__ import annotations

from typing import Any

from deepdiff import DeepDiff
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.core.diffing import _KINDS, FieldChange, _dotted, field_changes
from tests.budget import examples

leaves = st.sampled_from([0, 1, 1.0, True, False, "x", "y", None])
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
    max_leaves=12,
)
contents = st.dictionaries(st.sampled_from(["definition", "tags", "title"]), values, min_size=1, max_size=3)


def _reference(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """What field_changes said when every nested mapping went through DeepDiff whole."""
    changes = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if not (isinstance(old, dict) and isinstance(new, dict)):
            continue
        diff = DeepDiff(old, new, view="tree", ignore_order=False)
        for report, kind in _KINDS.items():
            for level in diff.get(report, []):
                path = _dotted([key, *level.path(output_format="list")])
                changes.append(FieldChange(path, kind, None if kind == "added" else level.t1,
                                           None if kind == "removed" else level.t2))  # fmt: skip
    return sorted(changes, key=lambda c: c.path)


@settings(max_examples=examples(ci=300, nightly=3000), deadline=None)
@given(before=contents, after=contents)
def test_the_walk_says_what_deepdiff_says(before: dict[str, Any], after: dict[str, Any]) -> None:
    nested = {k for k in before.keys() & after.keys() if isinstance(before[k], dict) and isinstance(after[k], dict)}
    ours = [c for c in field_changes(before, after) if c.path.split(".")[0].split("[")[0] in nested]
    assert [(c.path, c.kind, repr(c.before), repr(c.after)) for c in ours] == [
        (c.path, c.kind, repr(c.before), repr(c.after)) for c in _reference(before, after)
    ]
