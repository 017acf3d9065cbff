"""python-core's `stat` on stored documents: `aggregate` stages or `distinct`, then a page — as MongoModel.stat
(python-core 1.12 `model/mongo_model/__init__.py`) builds and runs them, on plain dicts."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from reconciler.backends.spaceone_widgets.emulator import errors
from reconciler.backends.spaceone_widgets.emulator.query import (
    MISSING,
    Document,
    candidates,
    combined,
    conditions,
    lookup,
    numbers,
    page_of,
    sorted_by,
)

# _make_aggregate_rules reads each stage by the first of these it holds.
_STAGE_NAMES: Final = ("unwind", "group", "count", "sort", "project", "limit", "skip")


def stat(documents: list[Document], query: dict[str, Any], now: datetime) -> dict[str, Any]:
    """`aggregate` (a list of stages) or `distinct` over the matching documents, then `page`, with
    `total_count` when the page has a limit; a top-level `sort` is not read (stat takes none)."""
    aggregate, distinct = query.get("aggregate"), query.get("distinct")
    if not aggregate and not distinct:
        raise errors.required("aggregate")
    matches = combined(conditions(query, "filter"), conditions(query, "filter_or"), now)
    matching = [d for d in documents if matches(d)]
    try:
        rows = _aggregated(matching, aggregate) if aggregate else _distinct(matching, distinct)
    except errors.ServiceError as exc:
        # MongoModel.stat runs the pipeline inside one try: whatever fails there is a failed query (500).
        raise errors.query_failed(exc.message) from None
    page = query["page"] if isinstance(query.get("page"), dict) else {}
    result: dict[str, Any] = {"results": page_of(rows, page)}
    limit = page.get("limit")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        result["total_count"] = len(rows)
    return result


def _aggregated(rows: list[Any], aggregate: Any) -> list[Any]:
    if not isinstance(aggregate, list):
        raise errors.wrong_type("aggregate", "list")
    for stage in aggregate:
        name = next((n for n in _STAGE_NAMES if isinstance(stage, dict) and n in stage), None)
        if name is None:
            raise errors.required(" or ".join(f"aggregate.{n}" for n in _STAGE_NAMES))
        rows = _STAGES[name](rows, stage[name])
    return rows


def _distinct(rows: list[Document], key: Any) -> list[Any]:
    if not isinstance(key, str):
        raise errors.unknown(f"distinct takes a field name, not {type(key).__name__}")
    values: dict[Any, Any] = {}
    for row in rows:
        value = lookup(row, key)
        for each in [] if value is MISSING else candidates(value):
            values.setdefault(_token(each), each)
    found = list(values.values())
    # _stat_distinct sorts the values when they can be compared, and leaves mixed types as they came.
    with contextlib.suppress(TypeError):
        found = sorted(found)
    return found


def _unwind(rows: list[Document], options: Any) -> list[Document]:
    if not isinstance(options, dict) or "path" not in options:
        raise errors.required("aggregate.unwind.path")
    path = str(options["path"])
    unwound: list[Document] = []
    for row in rows:
        value = lookup(row, path)
        # $unwind drops missing, null and empty arrays, and keeps a value that is not an array as it is.
        if isinstance(value, list):
            unwound.extend(_replaced(row, path.split("."), item) for item in value)
        elif value is not MISSING and value is not None:
            unwound.append(row)
    return unwound


def _replaced(row: Document, parts: list[str], value: Any) -> Document:
    copy = dict(row)
    copy[parts[0]] = _replaced(copy[parts[0]], parts[1:], value) if len(parts) > 1 else value
    return copy


def _group(rows: list[Document], options: Any) -> list[Document]:
    if not isinstance(options, dict):
        raise errors.unknown(f"'{type(options).__name__}' object has no attribute 'get'")
    raw_keys, raw_fields = options.get("keys", []), options.get("fields", [])
    if not raw_keys and not raw_fields:
        raise errors.required("aggregate.group.keys || aggregate.group.fields")
    keys = [_group_key(raw) for raw in _listed(raw_keys)]
    fields = [_Field(raw) for raw in _listed(raw_fields)]
    buckets: dict[tuple[Any, ...], tuple[list[Any], list[Document]]] = {}
    for row in rows:
        values = [lookup(row, key) for key, _ in keys]
        buckets.setdefault(tuple(_token(v) for v in values), (values, []))[1].append(row)
    grouped = []
    for values, members in buckets.values():
        # A key the members lack is left out of the row, as MongoDB leaves it out of `_id` (null is kept).
        result: Document = {name: v for (_, name), v in zip(keys, values, strict=True) if v is not MISSING}
        result |= {field.name: field.value(members) for field in fields}
        grouped.append(result)
    return grouped


def _listed(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise errors.unknown(f"aggregate.group keys and fields are lists, not {type(value).__name__}")
    return value


def _group_key(raw: Any) -> tuple[str, str]:
    key, name = _key_and_name(raw)
    if key is None:
        raise errors.query_failed(f"'aggregate.group.keys' condition requires a key: {raw}")
    if name is None:
        raise errors.query_failed(f"'aggregate.group.keys' condition requires a name: {raw}")
    return str(key), str(name)


def _key_and_name(raw: Any) -> tuple[Any, Any]:
    if not isinstance(raw, dict):
        raise errors.unknown(f"'{type(raw).__name__}' object has no attribute 'get'")
    return raw.get("key", raw.get("k")), raw.get("name", raw.get("n"))


class _Field:
    """One `aggregate.group.fields` entry: the value named `name` that `operator` makes of a group's members."""

    def __init__(self, raw: Any) -> None:
        key, name = _key_and_name(raw)
        operator = raw.get("operator", raw.get("o"))
        if operator not in _OPERATORS:
            raise errors.query_failed(
                f"'aggregate.group.fields' condition's {operator} operator is not supported."
                f" (supported_operator = {list(_OPERATORS)})"
            )
        if name is None:
            raise errors.query_failed(f"'aggregate.group.fields' condition requires a name: {raw}")
        self.subfields = _subfields(raw) if operator == "push" else []
        if key is None and operator != "count" and not self.subfields:
            needed = "fields" if operator == "push" else "a key"
            raise errors.query_failed(f"'aggregate.group.fields' condition requires {needed}: {raw}")
        for feature in ("conditions", "data_type"):  # not reproduced, so refused rather than ignored
            if raw.get(feature):
                raise errors.query_failed(f"aggregate.group.fields[].{feature} is not reproduced by the emulator")
        self.key, self.name, self.operator = None if key is None else str(key), str(name), str(operator)

    def value(self, members: list[Document]) -> Any:
        if self.operator == "push" and self.key is None:
            return [{n: v for k, n in self.subfields if (v := lookup(m, k)) is not MISSING} for m in members]
        values = [MISSING if self.key is None else lookup(m, self.key) for m in members]
        return _OPERATORS[self.operator]([v for v in values if v is not MISSING], values)


def _subfields(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """A `push` field's own `fields`: each pushed object's names and the keys they are read from."""
    found = []
    for field in _listed(raw.get("fields") or []):
        key, name = _key_and_name(field)
        if key is None or name is None:
            missing = "a key" if key is None else "a name"
            raise errors.query_failed(f"'aggregate.group.fields.fields' condition requires {missing}: {raw}")
        found.append((str(key), str(name)))
    return found


def _edge(values: list[Any], index: int) -> Any:
    # $first and $last give the first or last member's value, null when that member has none.
    return None if not values or values[index] is MISSING else values[index]


def _merged(values: list[Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for value in values:
        if isinstance(value, dict):
            merged |= value
    return merged


def _extreme(pick: Callable[..., Any]) -> Callable[[list[Any], list[Any]], Any]:
    # $max and $min ignore null; numbers order before text, as BSON orders them.
    def reduce(present: list[Any], _: list[Any]) -> Any:
        comparable = [v for v in present if numbers(v) or isinstance(v, str)]
        return pick(comparable, default=None, key=lambda v: (1, v) if numbers(v) else (2, v))

    return reduce


# stat_operator.py's STAT_GROUP_OPERATORS; each takes the members' present values and all of them (in order).
_OPERATORS: Final[dict[str, Callable[[list[Any], list[Any]], Any]]] = {
    "count": lambda _, everything: len(everything),
    "sum": lambda present, _: sum(v for v in present if numbers(v)),
    "average": lambda present, _: (sum(n) / len(n)) if (n := [v for v in present if numbers(v)]) else None,
    "max": _extreme(max),
    "min": _extreme(min),
    "first": lambda _, everything: _edge(everything, 0),
    "last": lambda _, everything: _edge(everything, -1),
    "push": lambda present, _: list(present),
    "add_to_set": lambda present, _: list({_token(v): v for v in present}.values()),
    "merge_objects": lambda present, _: _merged(present),
}


def _count(rows: list[Any], options: Any) -> list[Any]:
    if not isinstance(options, dict) or "name" not in options:
        raise errors.required("aggregate.count.name")
    # $count outputs nothing at all when no document reaches it.
    return [{str(options["name"]): len(rows)}] if rows else []


def _sort(rows: list[Document], options: Any) -> list[Document]:
    """_make_sort_rule: `key` (with `desc`), else each of `keys` in turn."""
    if not isinstance(options, dict):
        raise errors.unknown(f"'{type(options).__name__}' object has no attribute 'get'")
    key, keys = options.get("key"), options.get("keys")
    if key:
        return sorted_by(rows, [(str(key), bool(options.get("desc", False)))])
    if not keys:
        raise errors.required("aggregate.sort.key")
    order = []
    for entry in _listed(keys):
        if not isinstance(entry, dict) or "key" not in entry:
            raise errors.unknown("'key'")  # python-core reads each entry's k['key']
        order.append((str(entry["key"]), bool(entry.get("desc", False))))
    return sorted_by(rows, order)


def _limit(rows: list[Any], options: Any) -> list[Any]:
    if not isinstance(options, int) or isinstance(options, bool) or options <= 0:
        raise errors.unknown("the limit must be positive")  # MongoDB's own refusal of $limit
    return rows[:options]


def _skip(rows: list[Any], options: Any) -> list[Any]:
    if not isinstance(options, int) or isinstance(options, bool) or options < 0:
        raise errors.unknown("the skip must be a non-negative number")  # MongoDB's own refusal of $skip
    return rows[options:]


def _project(rows: list[Any], options: Any) -> list[Any]:
    # Not reproduced: asked for, the emulator says so rather than answer something else.
    raise errors.query_failed("aggregate.project is not reproduced by the emulator")


_STAGES: Final[dict[str, Callable[[list[Any], Any], list[Any]]]] = {
    "unwind": _unwind,
    "group": _group,
    "count": _count,
    "sort": _sort,
    "project": _project,
    "limit": _limit,
    "skip": _skip,
}


def _token(value: Any) -> Any:
    """A hashable stand-in for a value, equal for values MongoDB finds equal (1 and 1.0, not True and 1)."""
    if isinstance(value, bool) or value is None:
        return ("bool", value)
    if numbers(value):
        return ("number", value)
    if isinstance(value, str):
        return ("text", value)
    return ("other", repr(value))
