"""`{ref: KIND/ID}` in a manifest: replaced by a reference token before the kind's model reads the document, and
checked across every manifest (each names a manifest that exists, and none names itself through others)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from reconciler.backends.registry import BY_KIND
from reconciler.core.problems import Problem
from reconciler.core.references import is_token, parse_target, token
from reconciler.manifests.validation import LoadedManifest, Where

REF: Final = "ref"
_HAND_WRITTEN = (
    "this text is how wac stands for a reference until apply; write the reference itself, like"
    " {ref: datadog/powerpack/latency-pack}, or the remote id"
)
# A document's structure is never a reference: only what its kind's body holds.
STRUCTURE: Final = frozenset({"id", "kind", "adopt", "ignore", "moved_from"})


@dataclass(frozen=True)
class Reference:
    """One `{ref: KIND/ID}` of a manifest: what it names, and where it was written."""

    kind: str
    manifest_id: str
    file: str
    line: int
    column: int

    @property
    def target(self) -> tuple[str, str]:
        return (self.kind, self.manifest_id)

    @property
    def named(self) -> str:
        return f"{self.kind}/{self.manifest_id}"


def with_tokens(data: Any, where: Where) -> tuple[Any, tuple[Reference, ...], list[Problem]]:
    """The document with each `{ref: KIND/ID}` replaced by its token, the references, and what is wrong with them."""
    if not isinstance(data, dict):
        return data, (), []
    found: list[Reference] = []
    problems: list[Problem] = []
    result = {
        key: value if key in STRUCTURE else _swap(value, (key,), where, found, problems) for key, value in data.items()
    }
    return result, tuple(found), problems


def _swap(
    value: Any, path: tuple[str | int, ...], where: Where, found: list[Reference], problems: list[Problem]
) -> Any:
    if isinstance(value, list):
        return [_swap(item, (*path, index), where, found, problems) for index, item in enumerate(value)]
    if isinstance(value, str) and is_token(value):
        file, line, column, note = where(path, want_key=False)
        problems.append(Problem(file, line, column, _HAND_WRITTEN + note))
        return value
    if not isinstance(value, dict):
        return value
    if REF not in value:
        for key in value:
            if is_token(key):
                file, line, column, note = where((*path, key), want_key=True)
                problems.append(Problem(file, line, column, _HAND_WRITTEN + note))
        return {key: _swap(item, (*path, key), where, found, problems) for key, item in value.items()}
    file, line, column, note = where((*path, REF), want_key=False)
    problem = _ref_problem(value)
    if problem:
        problems.append(Problem(file, line, column, problem + note))
        return value
    kind, manifest_id = parse_target(value[REF]) or ("", "")
    found.append(Reference(kind, manifest_id, file, line, column))
    return token(kind, manifest_id)


def _ref_problem(value: dict[str, Any]) -> str | None:
    if len(value) != 1:
        others = ", ".join(sorted(str(k) for k in value if k != REF))
        return (
            "a reference is a mapping with `ref:` alone, like {ref: datadog/powerpack/latency-pack};"
            f" found {others} beside it"
        )
    target = value[REF]
    parsed = parse_target(target) if isinstance(target, str) else None
    if parsed is None:
        return "ref: names a manifest as KIND/ID, like datadog/powerpack/latency-pack or datadog/dashboard/checkout"
    if parsed[0] not in BY_KIND:
        return f"ref: kind '{parsed[0]}' is not supported; references name kind {', '.join(BY_KIND)}"
    return None


def reference_problems(manifests: Sequence[LoadedManifest], others: bool = False) -> list[Problem]:
    """Every reference names a manifest given to this run, and no manifest reaches itself through references;
    `others`: some manifest has a problem already (the one a reference names may be it)."""
    by_target = {(m.manifest.kind, m.manifest.id): m for m in manifests}
    problems = [
        Problem(ref.file, ref.line, ref.column, _dangling(ref, loaded, others))
        for loaded in manifests
        for ref in loaded.references
        if ref.target not in by_target
    ]
    return problems + _cycles(manifests, by_target)


def _dangling(ref: Reference, loaded: LoadedManifest, others: bool) -> str:
    if others:
        # Its manifest may be there but invalid: that problem, reported too, is the one to fix first.
        return (
            f"ref: {ref.named} names no valid manifest given to this run; if its manifest has a problem, fix that first"
        )
    return (
        f"ref: {ref.named} names no manifest given to this run; a reference names a manifest of this repository"
        " (managed by the same owner) — check the id, add its manifest, or write the remote id of a resource"
        " managed elsewhere instead" + (f" (instance {loaded.instance})" if loaded.instance else "")
    )


def _cycles(manifests: Sequence[LoadedManifest], by_target: dict[tuple[str, str], LoadedManifest]) -> list[Problem]:
    """One problem per cycle, at the first reference that closes it: creates could not be ordered."""
    state: dict[tuple[str, str], int] = {}  # 1: being visited, 2: done
    problems: list[Problem] = []
    for start in manifests:
        stack: list[tuple[tuple[str, str], list[str], int]] = [((start.manifest.kind, start.manifest.id), [], 0)]
        while stack:
            target, trail, index = stack.pop()
            loaded = by_target[target]
            if index == 0:
                if state.get(target):
                    continue
                state[target] = 1
            if index < len(loaded.references):
                ref = loaded.references[index]
                stack.append((target, trail, index + 1))
                if state.get(ref.target) == 1 and ref.target in by_target:
                    path = " → ".join([*trail, f"{target[0]}/{target[1]}", ref.named])
                    message = f"ref: {ref.named} closes a cycle of references ({path}); one of them must go"
                    problems.append(Problem(ref.file, ref.line, ref.column, message))
                elif ref.target in by_target and not state.get(ref.target):
                    stack.append((ref.target, [*trail, f"{target[0]}/{target[1]}"], 0))
            else:
                state[target] = 2
    return problems
