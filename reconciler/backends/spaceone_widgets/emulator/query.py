"""python-core's Query on stored documents: filters with every operator, sort, 1-based pages, only,
minimal, count_only, and `stat` aggregation — as its MongoModel does them, on plain dicts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from reconciler.backends.spaceone_widgets.emulator import errors

Document = dict[str, Any]
Predicate = Callable[[Document], bool]

MINIMAL_FIELDS: Final = ("custom_widget_id", "widget_name", "title", "version", "user_id", "domain_id")
_MISSING: Final = object()
_TIMEDIFF: Final = re.compile(r"^\s?(?P<base>now(/[dwm])?)\s?(?P<op>[+-])\s?(?P<number>\d+)(?P<unit>[smhdw])\s?$")
_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def lookup(document: Document, key: str) -> Any:
    """The value at a dotted key (`tags.team`), or _MISSING."""
    node: Any = document
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _candidates(value: Any) -> list[Any]:
    # Like MongoDB, a condition on a list field holds when it holds for any element.
    return list(value) if isinstance(value, list) else [value]


def _same(stored: Any, wanted: Any) -> bool:
    if isinstance(stored, str) and isinstance(wanted, str):
        return stored.lower() == wanted.lower()  # `eq` is `iexact` on text
    if _numbers(stored, wanted):
        return bool(stored == wanted)
    return type(stored) is type(wanted) and bool(stored == wanted)


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _ordered(stored: Any, wanted: Any, compare: Callable[[Any, Any], bool]) -> bool:
    if _numbers(stored, wanted) or (isinstance(stored, str) and isinstance(wanted, str)):
        return compare(stored, wanted)
    return False


def _contains(stored: Any, wanted: Any) -> bool:
    return isinstance(stored, str) and str(wanted).lower() in stored.lower()


def _regex(stored: Any, pattern: str) -> bool:
    try:
        return isinstance(stored, str) and re.search(pattern, stored, re.IGNORECASE) is not None
    except re.error as exc:
        raise errors.query_failed(f"invalid regex: {exc}") from None


def _as_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def timediff(value: Any, now: datetime) -> datetime:
    """`now`, `now/d`, `now/w`, `now/m`, optionally `+`/`-` a number of s, m, h, d or w."""
    text = value if isinstance(value, str) else ""
    match = _TIMEDIFF.match(text)
    base_text = match.group("base") if match else text.strip()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    bases = {
        "now": now,
        "now/d": today,
        "now/w": today - timedelta(days=today.weekday()),
        "now/m": today.replace(day=1),
    }
    if base_text not in bases:
        raise errors.query_failed(f"The value of timediff operator is invalid. (value = {value})")
    base = bases[base_text]
    if not match:
        return base
    delta = timedelta(**{_UNITS[match.group("unit")]: int(match.group("number"))})
    return base + delta if match.group("op") == "+" else base - delta


_COMPARE: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
}
SINGLE: Final = frozenset(
    {"eq", "not", "lt", "lte", "gt", "gte", "exists", "contain", "not_contain", "regex", "match"}
    | {f"datetime_{c}" for c in _COMPARE}
    | {f"timediff_{c}" for c in _COMPARE}
)
MULTIPLE: Final = frozenset({"in", "not_in", "contain_in", "not_contain_in", "regex_in"})
OPERATORS: Final = SINGLE | MULTIPLE


def condition(raw: Any, now: datetime) -> Predicate:
    """One `{k|key, v|value, o|operator}` condition as a predicate, checked as python-core checks it."""
    if not isinstance(raw, dict):
        raise errors.query_failed("Filter condition should have key, value and operator.")
    key = raw.get("key", raw.get("k"))
    value = raw.get("value", raw.get("v"))
    operator = raw.get("operator", raw.get("o"))
    if operator not in OPERATORS:
        raise errors.query_failed(f"Filter operator is not supported. (operator = {sorted(OPERATORS)})")
    if operator in MULTIPLE and not isinstance(value, list):
        raise errors.operator_value("ERROR_OPERATOR_LIST_VALUE_TYPE", operator, raw)
    if operator in SINGLE and isinstance(value, list):
        raise errors.operator_value("ERROR_OPERATOR_VALUE_TYPE", operator, raw)
    if not isinstance(key, str) or not key:
        raise errors.query_failed("Filter condition should have key, value and operator.")
    return _predicate(key, value, operator, raw, now)


def _predicate(key: str, value: Any, operator: str, raw: Any, now: datetime) -> Predicate:
    def at(document: Document) -> list[Any]:
        found = lookup(document, key)
        return [] if found is _MISSING else _candidates(found)

    if operator == "eq":
        if value is None:
            return lambda d: lookup(d, key) in (_MISSING, None)
        return lambda d: any(_same(v, value) for v in at(d))
    if operator == "not":
        return lambda d: not any(v == value for v in at(d))
    if operator in _COMPARE:
        compare = _COMPARE[operator]
        return lambda d: any(_ordered(v, value, compare) for v in at(d))
    if operator == "exists":
        if not isinstance(value, bool):
            raise errors.operator_value("ERROR_OPERATOR_BOOLEAN_TYPE", operator, raw)
        return lambda d: (lookup(d, key) is not _MISSING) == value
    if operator == "contain":
        return lambda d: any(_contains(v, value) for v in at(d))
    if operator == "not_contain":
        return lambda d: not any(_contains(v, value) for v in at(d))
    if operator == "in":
        return lambda d: any(_same(v, w) for v in at(d) for w in value)
    if operator == "not_in":
        return lambda d: not any(v == w for v in at(d) for w in value)
    if operator == "contain_in":
        return lambda d: any(_contains(v, w) for v in at(d) for w in value)
    if operator == "not_contain_in":
        # mongoengine ORs one `not icontains` per value: true when any value is absent.
        return lambda d: any(not any(_contains(v, w) for v in at(d)) for w in value)
    if operator in ("regex", "regex_in"):
        patterns = value if isinstance(value, list) else [value]
        if not all(isinstance(p, str) for p in patterns):
            raise errors.query_failed("regex operator requires text")
        return lambda d: any(_regex(v, p) for v in at(d) for p in patterns)
    if operator == "match":
        if not isinstance(value, dict):
            raise errors.operator_value("ERROR_OPERATOR_DICT_VALUE_TYPE", operator, raw)
        return lambda d: any(isinstance(v, dict) and all(v.get(k) == w for k, w in value.items()) for v in at(d))
    kind, _, comparison = operator.partition("_")
    compare = _COMPARE[comparison]
    if kind == "datetime":
        moment = _as_datetime(value)
        if moment is None:
            raise errors.query_failed(f"The value of datetime_{comparison} operator is required ISO 8601 format.")
    else:
        moment = timediff(value, now)
    limit = moment
    return lambda d: any((stamp := _as_datetime(v)) is not None and compare(stamp, limit) for v in at(d))


def combined(filters: Sequence[Any], filters_or: Sequence[Any], now: datetime) -> Predicate:
    """`filter` (all of) and `filter_or` (any of), both when given."""
    every = [condition(c, now) for c in filters]
    some = [condition(c, now) for c in filters_or]

    def matches(document: Document) -> bool:
        return all(p(document) for p in every) and (not some or any(p(document) for p in some))

    return matches


def _sort_key(key: str) -> Callable[[Document], tuple[int, Any]]:
    def rank(document: Document) -> tuple[int, Any]:
        value = lookup(document, key)
        # MongoDB orders missing and null first, then numbers, then text, then the rest.
        if value is _MISSING or value is None:
            return (0, 0)
        if _numbers(value):
            return (1, value)
        if isinstance(value, str):
            return (2, value)
        return (3, repr(value))

    return rank


def ordered(documents: Iterable[Document], sort: Any) -> list[Document]:
    if not isinstance(sort, dict) or "key" not in sort:
        return list(documents)
    if not isinstance(sort["key"], str):
        raise errors.query_failed("sort.key must be text")
    return sorted(documents, key=_sort_key(sort["key"]), reverse=bool(sort.get("desc", False)))


def page_of(documents: list[Document], page: Any) -> list[Document]:
    if not isinstance(page, dict):
        return documents
    limit = page.get("limit")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        return documents
    start = page.get("start", 1)
    start = start if isinstance(start, int) and not isinstance(start, bool) and start >= 1 else 1
    return documents[start - 1 : start - 1 + limit]


def projected(document: Document, only: Sequence[str] | None, minimal: bool) -> Document:
    fields: Sequence[str] | None = MINIMAL_FIELDS if minimal else only
    if not fields:
        return document
    return {name: document[name] for name in fields if name in document}


def stat(documents: list[Document], query: dict[str, Any], now: datetime) -> dict[str, Any]:
    """`aggregate` (a `group` with keys and fields, or `count`) or `distinct`, then sort and page."""
    aggregate, distinct = query.get("aggregate"), query.get("distinct")
    if not aggregate and not distinct:
        raise errors.required("aggregate")
    matches = combined(_conditions(query, "filter"), _conditions(query, "filter_or"), now)
    matching = [d for d in documents if matches(d)]
    page: dict[str, Any] = query["page"] if isinstance(query.get("page"), dict) else {}
    if distinct:
        if not isinstance(distinct, str):
            raise errors.wrong_type("query.distinct", "str")
        values = sorted(
            {_hashable(v) for d in matching for v in _candidates(lookup(d, distinct)) if v is not _MISSING}, key=repr
        )
        return _paged({"results": values}, values, page)
    stages = aggregate if isinstance(aggregate, list) else [aggregate]
    rows: list[Document] = matching
    for stage in stages:
        if not isinstance(stage, dict):
            raise errors.query_failed("aggregate stages must be objects")
        if "group" in stage:
            rows = _group(rows, stage["group"])
        if "count" in stage:
            count = stage["count"]
            if not isinstance(count, dict) or "name" not in count:
                raise errors.required("aggregate.count.name")
            rows = [{count["name"]: len(rows)}]
        if "sort" in stage:
            rows = _sort_rows(rows, stage["sort"])
        if not {"group", "count", "sort"} & stage.keys():
            raise errors.required("aggregate.group or aggregate.count")
    rows = _sort_rows(rows, query.get("sort"))
    return _paged({"results": page_of(rows, page)}, rows, page)


def _conditions(query: dict[str, Any], name: str) -> list[Any]:
    conditions = query.get(name, [])
    if not isinstance(conditions, list):
        raise errors.wrong_type(f"query.{name}", "list")
    return conditions


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else repr(value)


def _paged(result: dict[str, Any], everything: list[Any], page: dict[str, Any]) -> dict[str, Any]:
    limit = page.get("limit")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        result["total_count"] = len(everything)
    return result


def _sort_rows(rows: list[Document], sort: Any) -> list[Document]:
    if not isinstance(sort, dict):
        return rows
    name = sort.get("name", sort.get("key"))
    if not isinstance(name, str):
        return rows
    return sorted(rows, key=_sort_key(name), reverse=bool(sort.get("desc", False)))


_AGGREGATES: Final[dict[str, Callable[[list[Any]], Any]]] = {
    "count": len,
    "sum": lambda values: sum(v for v in values if _numbers(v)),
    "max": lambda values: max((v for v in values if _numbers(v) or isinstance(v, str)), default=None, key=_sort_value),
    "min": lambda values: min((v for v in values if _numbers(v) or isinstance(v, str)), default=None, key=_sort_value),
    "avg": lambda values: (sum(n) / len(n)) if (n := [v for v in values if _numbers(v)]) else None,
    "add_to_set": lambda values: sorted({_hashable(v) for v in values}, key=repr),
    "push": list,
}


def _sort_value(value: Any) -> tuple[int, Any]:
    return (1, value) if _numbers(value) else (2, value)


def _group(rows: list[Document], group: Any) -> list[Document]:
    if not isinstance(group, dict):
        raise errors.required("aggregate.group.keys")
    keys, fields = group.get("keys", []), group.get("fields", [])
    if not isinstance(keys, list) or not keys:
        raise errors.required("aggregate.group.keys")
    if not isinstance(fields, list):
        raise errors.wrong_type("aggregate.group.fields", "list")
    key_specs = [_named(k, "aggregate.group.keys") for k in keys]
    field_specs = [_field(f) for f in fields]
    buckets: dict[tuple[Any, ...], list[Document]] = {}
    for row in rows:
        values = tuple(_hashable(None if (v := lookup(row, key)) is _MISSING else v) for key, _ in key_specs)
        buckets.setdefault(values, []).append(row)
    grouped = []
    for values, members in buckets.items():
        result: Document = {name: value for (_, name), value in zip(key_specs, values, strict=True)}
        for key, name, operator in field_specs:
            found = [v for m in members if key is not None and (v := lookup(m, key)) is not _MISSING]
            result[name] = len(members) if operator == "count" else _AGGREGATES[operator](found)
        grouped.append(result)
    return grouped


def _named(raw: Any, where: str) -> tuple[str, str]:
    if not isinstance(raw, dict):
        raise errors.query_failed(f"'{where}' condition must be an object: {raw}")
    key, name = raw.get("key", raw.get("k")), raw.get("name", raw.get("n"))
    if not isinstance(key, str):
        raise errors.query_failed(f"'{where}' condition requires a key: {raw}")
    if not isinstance(name, str):
        raise errors.query_failed(f"'{where}' condition requires a name: {raw}")
    return key, name


def _field(raw: Any) -> tuple[str | None, str, str]:
    if not isinstance(raw, dict):
        raise errors.query_failed(f"'aggregate.group.fields' condition must be an object: {raw}")
    operator = raw.get("operator", raw.get("o"))
    key, name = raw.get("key", raw.get("k")), raw.get("name", raw.get("n"))
    if operator not in _AGGREGATES:
        raise errors.query_failed(
            f"'aggregate.group.fields' operator is not supported. (operator = {sorted(_AGGREGATES)})"
        )
    if operator != "count" and not isinstance(key, str):
        raise errors.query_failed(f"'aggregate.group.fields' condition requires a key: {raw}")
    if not isinstance(name, str):
        raise errors.query_failed(f"'aggregate.group.fields' condition requires a name: {raw}")
    return key, name, operator
