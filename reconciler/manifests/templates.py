"""One manifest, many resources: shared fragments (`$ref`) inlined, then a `template:` expanded per instance.

Both work on parsed values, never on YAML text: a value substituted for `${name}` is a scalar and can never add
keys or documents, and a fragment is data from a file inside the repository. Every problem is located in the
file it comes from, naming the instance and the fragment's point of use.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from reconciler.core.problems import Problem
from reconciler.manifests.documents import Document, Node, locate

REF: Final = "$ref"
TEMPLATE: Final = "template"
# In an instance: the environments it exists in (not a parameter).
ONLY_IN: Final = "environments"
MAX_INSTANCES: Final = 10_000
MAX_REF_DEPTH: Final = 16
# `${name}` takes a value; `$${` is a literal `${`; any other `${…}` is a mistake worth a sentence.
_PLACEHOLDER: Final = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
Path = tuple[str | int, ...]
Scalar = str | int | float | bool


@dataclass(frozen=True)
class Fragment:
    """A fragment file's value (what `fragment:` holds) and its node, for locating problems in it."""

    file: str
    value: Any
    node: Node
    # How many values it holds: what each use of it costs the run's budget.
    size: int = 1


class FragmentsTooLarge(Exception):
    """The run's fragments inline more values than any manifest needs: the sentence says so."""


# What reads a fragment named by `$ref` in `file`: the fragment, or a sentence saying why not.
FragmentReader = Callable[[str, str], "Fragment | str"]


@dataclass(frozen=True)
class _Place:
    """Where a fragment was inlined: under `path` of the expanded data, overridden by `overrides` of the use."""

    path: Path
    fragment: Fragment
    used_at: str
    overrides: frozenset[str]


@dataclass(frozen=True)
class Locator:
    """Finds the file, line and column a path of expanded data was written at, through fragments."""

    file: str
    root: Node
    places: tuple[_Place, ...] = ()

    def __call__(self, path: Path, *, want_key: bool = False) -> tuple[str, int, int, str]:
        """(file, line, column, a note naming the fragment's point of use, or "")."""
        # The deepest place first and, at one depth, the latest inlined (a fragment's own `$ref` at its root).
        for place in sorted(reversed(self.places), key=lambda p: len(p.path), reverse=True):
            inside = path[: len(place.path)] == place.path
            rest = path[len(place.path) :]
            if inside and not (rest and rest[0] in place.overrides):
                line, column = locate(place.fragment.node, rest, want_key=want_key)
                return place.fragment.file, line, column, f" (in the fragment used at {place.used_at})"
        line, column = locate(self.root, path, want_key=want_key)
        return self.file, line, column, ""


@dataclass(frozen=True)
class Expanded:
    """One resource's document after fragments and its template: the data, which instance, and where from."""

    data: dict[str, Any]
    instance: str | None
    locator: Locator


@dataclass
class _Refs:
    read: FragmentReader
    file: str
    root: Node
    places: list[_Place] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    fragment_files: set[str] = field(default_factory=set)


def expand(
    file: str,
    document: Document,
    read: FragmentReader | None,
    environment: Mapping[str, Scalar] | None = None,
    environment_name: str | None = None,
    known_environments: tuple[str, ...] | None = None,
) -> tuple[list[Expanded], list[Problem], set[str]]:
    """The document's resources, every problem located, and the fragment files read (no `read`: no `$ref` used).

    An environment's values are every template's defaults (an instance's own values win) and, in a manifest
    without a template, its only values.
    """
    refs = _Refs(read or _no_fragments, file, document.root)
    try:
        data = document.data if read is None else _inline(document.data, (), file, refs, ())
    except FragmentsTooLarge as exc:
        line, column = locate(document.root, (), want_key=False)
        return [], [Problem(file, line, column, str(exc))], refs.fragment_files
    locator = Locator(file, document.root, tuple(refs.places))
    if refs.problems:
        return [], refs.problems, refs.fragment_files
    if not isinstance(data, dict) or TEMPLATE not in data:
        expanded, problems = _plain(data, locator, environment)
        return expanded, problems, refs.fragment_files
    instances, problems = _instances(data[TEMPLATE], locator, environment or {}, environment_name)
    problems += _unknown_environments(data[TEMPLATE], locator, known_environments)
    if problems:
        return [], problems, refs.fragment_files
    expanded, problems = _each_instance({k: v for k, v in data.items() if k != TEMPLATE}, instances, locator)
    return expanded, problems, refs.fragment_files


def _plain(
    data: Any, locator: Locator, environment: Mapping[str, Scalar] | None
) -> tuple[list[Expanded], list[Problem]]:
    """A manifest without a template is as written, whatever the environment: its text means one thing."""
    return [Expanded(data, None, locator)], []


def _each_instance(
    body: dict[str, Any], instances: list[dict[str, Scalar]], locator: Locator
) -> tuple[list[Expanded], list[Problem]]:
    expanded: list[Expanded] = []
    # One sentence per mistake in the template, naming the instances it breaks, not one per instance.
    broken: dict[tuple[Path, str], list[str]] = {}
    for values in instances:
        label = ", ".join(f"{k}={v}" for k, v in values.items())
        result, missing = _substitute(body, values, ())
        for path, message in missing:
            broken.setdefault((path, message), []).append(label)
        expanded.append(Expanded(result, label, locator))
    problems = [
        _located(locator, path, f"{message} ({_instances_named(labels, len(instances))})")
        for (path, message), labels in broken.items()
    ]
    return ([] if problems else expanded), problems


def _instances_named(labels: list[str], count: int) -> str:
    if len(labels) == count and count > 1:
        return f"all {count} instances"
    shown = "; ".join(labels[:3])
    return f"instance {shown}" + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")


def _no_fragments(_file: str, target: str) -> str:
    return f"$ref '{target[:200]}' cannot be read here"


def _located(locator: Locator, path: Path, message: str, *, want_key: bool = False) -> Problem:
    file, line, column, note = locator(path, want_key=want_key)
    return Problem(file, line, column, message + note)


# fragments ------------------------------------------------------------------------------------------------------


def _inline(value: Any, path: Path, file: str, refs: _Refs, chain: tuple[str, ...]) -> Any:
    """`value` with every `$ref` mapping replaced by its fragment (overridden by the mapping's other keys)."""
    if isinstance(value, list):
        return [_inline(item, (*path, n), file, refs, chain) for n, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    if REF not in value:
        return {k: _inline(v, (*path, k), file, refs, chain) for k, v in value.items()}
    fragment = _fragment(value[REF], path, file, refs, chain)
    if fragment is None:
        return None
    overrides = {k: _inline(v, (*path, k), file, refs, chain) for k, v in value.items() if k != REF}
    # Recorded first, so a problem inside the fragment is located in it.
    refs.places.append(_Place(path, fragment, _use_site(refs, file, path), frozenset(overrides)))
    inlined = _inline(fragment.value, path, fragment.file, refs, (*chain, fragment.file))
    if not overrides:
        return inlined
    if not isinstance(inlined, dict):
        refs.problems.append(_at(refs, file, path, "a fragment that is not a mapping takes no overrides beside $ref"))
        return None
    return _merged(inlined, overrides)


def _fragment(target: Any, path: Path, file: str, refs: _Refs, chain: tuple[str, ...]) -> Fragment | None:
    if not isinstance(target, str) or not target:
        refs.problems.append(_at(refs, file, (*path, REF), "$ref must name a fragment file, like ../fragments/x.yaml"))
        return None
    if len(chain) >= MAX_REF_DEPTH:
        refs.problems.append(_at(refs, file, (*path, REF), f"fragments nest more than {MAX_REF_DEPTH} deep"))
        return None
    found = refs.read(file, target)
    if isinstance(found, str):
        refs.problems.append(_at(refs, file, (*path, REF), found))
        return None
    if found.file in chain or found.file == refs.file:
        cycle = " → ".join((*chain, found.file)) if chain else found.file
        refs.problems.append(_at(refs, file, (*path, REF), f"$ref '{target}' makes a cycle ({cycle})"))
        return None
    refs.fragment_files.add(found.file)
    return found


def _at(refs: _Refs, file: str, path: Path, message: str) -> Problem:
    # A problem in the manifest itself, or inside a fragment being inlined at `path` or above it.
    if file == refs.file:
        line, column = locate(refs.root, path, want_key=False)
        return Problem(file, line, column, message)
    found_file, line, column, note = Locator(refs.file, refs.root, tuple(refs.places))(path)
    return Problem(found_file, line, column, message + note)


def _use_site(refs: _Refs, file: str, path: Path) -> str:
    line = locate(refs.root, path, want_key=False)[0] if file == refs.file else None
    return f"{file}:{line}" if line is not None else file


def _merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Overrides win; mappings on both sides merge key by key, anything else is replaced."""
    result = dict(base)
    for key, value in overrides.items():
        old = result.get(key)
        result[key] = _merged(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return result


# templates ------------------------------------------------------------------------------------------------------


def _instances(
    template: Any, locator: Locator, environment: Mapping[str, Scalar], chosen: str | None
) -> tuple[list[dict[str, Scalar]], list[Problem]]:
    """Every instance's values (of those the chosen environment makes), each parameter given (or defaulted), or
    located problems."""
    here: Path = (TEMPLATE,)
    if not isinstance(template, dict):
        return [], [_located(locator, here, "template must be a mapping with instances: or matrix:")]
    unknown = sorted(set(template) - {"parameters", "instances", "matrix"})
    if unknown:
        return [], [_located(locator, (*here, unknown[0]), _unknown_template_key(unknown[0]), want_key=True)]
    defaults, problems = _parameters(template.get("parameters"), locator)
    given, more = _given(template, locator)
    problems += more
    if problems:
        return [], problems
    instances: list[dict[str, Scalar]] = []
    for index, values in _made_in(given, chosen):
        inherited = {k: v for k, v in environment.items() if defaults is None or k in defaults}
        instance, missing = _completed({**inherited, **values}, defaults)
        if missing:
            where = (*here, "instances", index) if index >= 0 else (*here, "matrix")
            problems.append(_located(locator, where, missing))
        instances.append(instance)
    return instances, problems


def _unknown_environments(template: Any, locator: Locator, known: tuple[str, ...] | None) -> list[Problem]:
    """An instance's `environments:` names only environments `.wac.yaml` defines (a typo would drop it)."""
    listed = template.get("instances") if isinstance(template, dict) else None
    if known is None or not isinstance(listed, list):
        return []
    problems = []
    for index, values in enumerate(listed):
        names = values.get(ONLY_IN) if isinstance(values, dict) else None
        unknown = [n for n in names if n not in known] if isinstance(names, list) else []
        if unknown:
            defined = f"it defines {', '.join(known)}" if known else "it defines none"
            message = f"{ONLY_IN} names '{unknown[0]}', which is not an environment of .wac.yaml ({defined})"
            problems.append(_located(locator, (TEMPLATE, "instances", index, ONLY_IN), message))
    return problems


def _made_in(given: list[tuple[int, dict[str, Any]]], chosen: str | None) -> list[tuple[int, dict[str, Any]]]:
    """The instances the chosen environment makes: an instance's `environments:` list names where it exists
    (every environment when it has none, and every instance when none is chosen), and is not a parameter."""
    made = []
    for index, values in given:
        only = values.get(ONLY_IN)
        if chosen is None or only is None or chosen in only:
            made.append((index, {k: v for k, v in values.items() if k != ONLY_IN}))
    return made


def _unknown_template_key(key: str) -> str:
    return f"unknown field '{key}' in template; it takes parameters:, and instances: or matrix:"


def _parameters(raw: Any, locator: Locator) -> tuple[dict[str, Scalar | None] | None, list[Problem]]:
    """Declared parameters and their defaults (None: required); None when the template declares none."""
    if raw is None:
        return None, []
    where: Path = (TEMPLATE, "parameters")
    if not isinstance(raw, dict):
        return None, [_located(locator, where, "template.parameters must map each name to {} or {default: …}")]
    declared: dict[str, Scalar | None] = {}
    for name, spec in raw.items():
        if not _NAME.match(name):
            return None, [_located(locator, (*where, name), _bad_name(name), want_key=True)]
        default = spec.get("default") if isinstance(spec, dict) else None
        if not (spec is None or (isinstance(spec, dict) and set(spec) <= {"default"})) or not _scalar_or_none(default):
            message = f"parameter '{name}' takes {{}} or {{default: a text, number or true/false}}"
            return None, [_located(locator, (*where, name), message)]
        declared[name] = default
    return declared, []


def _given(template: dict[str, Any], locator: Locator) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """The value sets written: (index in instances, values), or (-1, values) for each matrix combination."""
    has_instances, has_matrix = "instances" in template, "matrix" in template
    if has_instances == has_matrix:
        return [], [_located(locator, (TEMPLATE,), "template needs exactly one of instances: (a list) or matrix:")]
    if has_instances:
        return _listed(template["instances"], locator)
    return _combined(template["matrix"], locator)


def _listed(raw: Any, locator: Locator) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    where: Path = (TEMPLATE, "instances")
    if not isinstance(raw, list) or not raw:
        return [], [_located(locator, where, "template.instances must be a list of mappings of parameter values")]
    if len(raw) > MAX_INSTANCES:
        return [], [_located(locator, where, f"{len(raw):,} instances; at most {MAX_INSTANCES:,} per template")]
    problems = [
        problem for index, values in enumerate(raw) for problem in _value_problems(values, (*where, index), locator)
    ]
    return [(index, values) for index, values in enumerate(raw)], problems


def _combined(raw: Any, locator: Locator) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    where: Path = (TEMPLATE, "matrix")
    lists = isinstance(raw, dict) and raw and all(isinstance(v, list) and v for v in raw.values())
    if not lists:
        return [], [_located(locator, where, "template.matrix must map each parameter to a list of values")]
    count = math.prod(len(values) for values in raw.values())
    if count > MAX_INSTANCES:
        return [], [_located(locator, where, f"the matrix makes {count:,} instances; at most {MAX_INSTANCES:,}")]
    names = list(raw)
    combos = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*raw.values())]
    return [(-1, combo) for combo in combos], _matrix_problems(raw, combos[0], locator)


def _matrix_problems(raw: dict[str, list[Any]], first: dict[str, Any], locator: Locator) -> list[Problem]:
    where: Path = (TEMPLATE, "matrix")
    problems = [p for p in _value_problems(first, where, locator) if "must be" not in p.message]
    problems += [
        _located(locator, (*where, name), f"matrix.{name} holds a value that is not text, a number or true/false")
        for name, values in raw.items()
        if not all(_scalar_or_none(v) and v is not None for v in values)
    ]
    return problems


def _value_problems(values: Any, where: Path, locator: Locator) -> list[Problem]:
    if not isinstance(values, dict):
        return [_located(locator, where, "an instance is a mapping of parameter names to values")]
    problems = []
    for name, value in values.items():
        if name == ONLY_IN:
            if not isinstance(value, list) or not value or not all(isinstance(e, str) and e for e in value):
                message = f"{ONLY_IN} lists the environments this instance exists in, like [production]"
                problems.append(_located(locator, (*where, name), message))
        elif not _NAME.match(name):
            problems.append(_located(locator, (*where, name), _bad_name(name), want_key=True))
        elif value is None or not _scalar_or_none(value):
            message = f"{name} must be a text, a number or true/false (a parameter's value is never structure)"
            problems.append(_located(locator, (*where, name), message))
    return problems


def _completed(values: dict[str, Scalar], declared: dict[str, Scalar | None] | None) -> tuple[dict[str, Scalar], str]:
    """The instance's values with defaults filled in, and what is wrong with it ("" when nothing)."""
    if declared is None:
        return dict(values), ""
    undeclared = sorted(set(values) - set(declared))
    if undeclared:
        return {}, f"parameter '{undeclared[0]}' is not declared in template.parameters ({', '.join(declared)})"
    completed: dict[str, Scalar] = {}
    for name, default in declared.items():
        value = values.get(name, default)
        if value is None:
            return {}, f"this instance gives no value for parameter '{name}', which has no default"
        completed[name] = value
    return completed, ""


def _bad_name(name: str) -> str:
    return f"'{name}' is not a parameter name; use letters, digits and _ (not starting with a digit)"


def _scalar_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _substitute(value: Any, values: dict[str, Scalar], path: Path) -> tuple[Any, list[tuple[Path, str]]]:
    """`value` with placeholders in its strings replaced; keys are never substituted (they are structure)."""
    if isinstance(value, str):
        return _text(value, values, path)
    problems: list[tuple[Path, str]] = []
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            new, more = _substitute(item, values, (*path, index))
            items.append(new)
            problems += more
        return items, problems
    if isinstance(value, dict):
        mapping = {}
        for key, item in value.items():
            mapping[key], more = _substitute(item, values, (*path, key))
            problems += more
        return mapping, problems
    return value, problems


def _text(text: str, values: dict[str, Scalar], path: Path) -> tuple[Any, list[tuple[Path, str]]]:
    if "$" not in text:
        return text, []
    whole = _PLACEHOLDER.fullmatch(text)
    if whole and whole.group(1) in values:
        return values[whole.group(1)], []  # the value as it was typed: a number stays a number
    problems: list[tuple[Path, str]] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "${"
        if name in values:
            return _shown(values[name])
        known = ", ".join(values) or "none"
        message = (
            f"'${{{name}}}' names no parameter (this template has {known}); write $${{ for a literal ${{"
            if _NAME.match(name)
            else f"'${{{name}}}' is not a placeholder: use ${{name}}, or $${{ for a literal ${{"
        )
        problems.append((path, message))
        return match.group(0)

    return _PLACEHOLDER.sub(replace, text), problems


def _shown(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def placeholders(value: Any) -> Iterator[str]:
    """Every parameter name `value`'s strings use, for tools that list what a template needs."""
    if isinstance(value, str):
        yield from (m.group(1) for m in _PLACEHOLDER.finditer(value) if m.group(1))
    elif isinstance(value, list):
        for item in value:
            yield from placeholders(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from placeholders(item)


_SCALAR_SCHEMA: Final = {"type": ["string", "number", "boolean"]}
TEMPLATE_SCHEMA: Final = {
    "type": "object",
    "description": "One resource per instance; ${name} in any text takes the instance's value ($${ is a literal ${).",
    "properties": {
        "parameters": {
            "type": "object",
            "propertyNames": {"pattern": _NAME.pattern},
            "additionalProperties": {
                "type": ["object", "null"],
                "properties": {"default": _SCALAR_SCHEMA},
                "additionalProperties": False,
            },
        },
        "instances": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_INSTANCES,
            "items": {
                "type": "object",
                "properties": {ONLY_IN: {"type": "array", "items": {"type": "string"}, "minItems": 1}},
                "additionalProperties": _SCALAR_SCHEMA,
            },
        },
        "matrix": {"type": "object", "additionalProperties": {"type": "array", "minItems": 1, "items": _SCALAR_SCHEMA}},
    },
    "additionalProperties": False,
    "oneOf": [{"required": ["instances"]}, {"required": ["matrix"]}],
}


def editor_schema(manifests: dict[str, Any]) -> dict[str, Any]:
    """The manifests' JSON Schema with `moved_from`, templates and fragment files beside them, for editors.

    A template's body is checked in full by `wac validate` after expansion; the editor checks its `template:`.
    """
    moved = {
        "type": "array",
        "minItems": 1,
        "items": {"type": "string"},
        "description": "Ids this manifest had before: a resource carrying one is renamed, not recreated.",
    }
    alternatives = [
        {**kind, "properties": {**kind.get("properties", {}), "moved_from": moved}}
        for kind in manifests.get("oneOf", [manifests])
    ]
    templated = {
        "title": "A template: one resource per instance",
        "type": "object",
        "required": ["id", TEMPLATE],
        "properties": {"id": {"type": "string"}, "kind": {"type": "string"}, TEMPLATE: TEMPLATE_SCHEMA},
    }
    fragment = {
        "title": "A fragment file, used by `$ref` from manifests",
        "type": "object",
        "required": ["fragment"],
        "properties": {"fragment": {}},
        "additionalProperties": False,
    }
    return {**manifests, "oneOf": [*alternatives, templated, fragment]}
