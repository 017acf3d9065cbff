"""python-core's Query on stored documents: filters with every operator, the keyword, sort, 1-based pages
and only — as its service decorators and MongoModel do them, on plain dicts (`statistics` does `stat`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from reconciler.backends.spaceone_widgets.emulator import errors

Document = dict[str, Any]
Predicate = Callable[[Document], bool]

MINIMAL_FIELDS: Final = ("custom_widget_id", "widget_name", "title", "version", "user_id", "domain_id")
MISSING: Final = object()
_TIMEDIFF: Final = re.compile(r"^\s?(?P<base>now(/[dwm])?)\s?(?P<op>[+-])\s?(?P<number>\d+)(?P<unit>[smhdw])\s?$")
_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def lookup(document: Document, key: str) -> Any:
    """The value at a dotted key (`tags.team`), or MISSING."""
    node: Any = document
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return MISSING
        node = node[part]
    return node


def candidates(value: Any) -> list[Any]:
    """The values a condition is held against: like MongoDB's, a list field's elements, any of which may match."""
    return list(value) if isinstance(value, list) else [value]


def _same(stored: Any, wanted: Any) -> bool:
    if isinstance(stored, str) and isinstance(wanted, str):
        return stored.lower() == wanted.lower()  # `eq` is `iexact` on text
    if numbers(stored, wanted):
        return bool(stored == wanted)
    return type(stored) is type(wanted) and bool(stored == wanted)


def numbers(*values: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _ordered(stored: Any, wanted: Any, compare: Callable[[Any, Any], bool]) -> bool:
    if numbers(stored, wanted) or (isinstance(stored, str) and isinstance(wanted, str)):
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


class _Condition:
    """One checked condition: its key, value and operator, and the values a document holds at the key."""

    def __init__(self, key: str, value: Any, operator: str, raw: Any, now: datetime) -> None:
        self.key, self.value, self.operator, self.raw, self.now = key, value, operator, raw, now

    def at(self, document: Document) -> list[Any]:
        found = lookup(document, self.key)
        return [] if found is MISSING else candidates(found)


def _eq(c: _Condition) -> Predicate:
    if c.value is None:
        return lambda d: lookup(d, c.key) in (MISSING, None)
    return lambda d: any(_same(v, c.value) for v in c.at(d))


def _not(c: _Condition) -> Predicate:
    return lambda d: not any(v == c.value for v in c.at(d))


def _compared(c: _Condition) -> Predicate:
    compare = _COMPARE[c.operator]
    return lambda d: any(_ordered(v, c.value, compare) for v in c.at(d))


def _exists(c: _Condition) -> Predicate:
    if not isinstance(c.value, bool):
        raise errors.operator_value("ERROR_OPERATOR_BOOLEAN_TYPE", c.operator, c.raw)
    return lambda d: (lookup(d, c.key) is not MISSING) == c.value


def _contain(c: _Condition) -> Predicate:
    return lambda d: any(_contains(v, c.value) for v in c.at(d))


def _not_contain(c: _Condition) -> Predicate:
    return lambda d: not any(_contains(v, c.value) for v in c.at(d))


def _in(c: _Condition) -> Predicate:
    return lambda d: any(_same(v, w) for v in c.at(d) for w in c.value)


def _not_in(c: _Condition) -> Predicate:
    return lambda d: not any(v == w for v in c.at(d) for w in c.value)


def _contain_in(c: _Condition) -> Predicate:
    return lambda d: any(_contains(v, w) for v in c.at(d) for w in c.value)


def _not_contain_in(c: _Condition) -> Predicate:
    # mongoengine ORs one `not icontains` per value: true when any value is absent.
    return lambda d: any(not any(_contains(v, w) for v in c.at(d)) for w in c.value)


def _regex_match(c: _Condition) -> Predicate:
    patterns = c.value if isinstance(c.value, list) else [c.value]
    if not all(isinstance(p, str) for p in patterns):
        raise errors.query_failed("regex operator requires text")
    return lambda d: any(_regex(v, p) for v in c.at(d) for p in patterns)


def _match(c: _Condition) -> Predicate:
    if not isinstance(c.value, dict):
        raise errors.operator_value("ERROR_OPERATOR_DICT_VALUE_TYPE", c.operator, c.raw)
    wanted: dict[str, Any] = c.value
    return lambda d: any(isinstance(v, dict) and all(v.get(k) == w for k, w in wanted.items()) for v in c.at(d))


def _moment(c: _Condition) -> Predicate:
    kind, _, comparison = c.operator.partition("_")
    compare = _COMPARE[comparison]
    if kind == "datetime":
        moment = _as_datetime(c.value)
        if moment is None:
            raise errors.query_failed(f"The value of datetime_{comparison} operator is required ISO 8601 format.")
    else:
        moment = timediff(c.value, c.now)
    limit = moment
    return lambda d: any((stamp := _as_datetime(v)) is not None and compare(stamp, limit) for v in c.at(d))


# filter_operator.py's FILTER_OPERATORS, each as the predicate its mongoengine query amounts to.
_PREDICATES: Final[dict[str, Callable[[_Condition], Predicate]]] = {
    "eq": _eq,
    "not": _not,
    **{operator: _compared for operator in _COMPARE},
    "exists": _exists,
    "contain": _contain,
    "not_contain": _not_contain,
    "in": _in,
    "not_in": _not_in,
    "contain_in": _contain_in,
    "not_contain_in": _not_contain_in,
    "regex": _regex_match,
    "regex_in": _regex_match,
    "match": _match,
    **{f"{kind}_{comparison}": _moment for kind in ("datetime", "timediff") for comparison in _COMPARE},
}


def _predicate(key: str, value: Any, operator: str, raw: Any, now: datetime) -> Predicate:
    return _PREDICATES[operator](_Condition(key, value, operator, raw, now))


def combined(filters: Sequence[Any], filters_or: Sequence[Any], now: datetime) -> Predicate:
    """`filter` (all of) and `filter_or` (any of), both when given."""
    every = [condition(c, now) for c in filters]
    some = [condition(c, now) for c in filters_or]

    def matches(document: Document) -> bool:
        return all(p(document) for p in every) and (not some or any(p(document) for p in some))

    return matches


def with_keyword(query: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The query as the service's `append_keyword_filter` leaves it: `keyword` split on spaces into one
    `contain_in` condition per keyword field, appended to `filter_or`, and `keyword` removed."""
    if "keyword" not in query:
        return query
    changed = {name: value for name, value in query.items() if name != "keyword"}
    keyword = query["keyword"]
    if not isinstance(keyword, str):
        # The decorator calls `.strip()` on it; the transaction reports what fails as ERROR_UNKNOWN.
        raise errors.unknown(f"'{type(keyword).__name__}' object has no attribute 'strip'")
    words = [word for word in keyword.strip().split(" ") if word]
    if words:
        filter_or = query.get("filter_or", [])
        if not isinstance(filter_or, list):
            raise errors.unknown(f"'{type(filter_or).__name__}' object has no attribute 'append'")
        changed["filter_or"] = [*filter_or, *({"k": key, "v": words, "o": "contain_in"} for key in fields)]
    return changed


def sort_key(key: str) -> Callable[[Document], tuple[int, Any]]:
    """How MongoDB orders the values at `key`: missing and null first, then numbers, then text, then the rest."""

    def rank(document: Document) -> tuple[int, Any]:
        value = lookup(document, key)
        if value is MISSING or value is None:
            return (0, 0)
        if numbers(value):
            return (1, value)
        if isinstance(value, str):
            return (2, value)
        return (3, repr(value))

    return rank


def sorted_by(rows: Iterable[Document], order: Sequence[tuple[str, bool]]) -> list[Document]:
    """Rows ordered by each `(key, descending)` in turn; ties keep their stored order, as MongoDB's do."""
    result = list(rows)
    # Python's sort is stable, so sorting by the last key first leaves the first key deciding.
    for key, descending in reversed(order):
        result.sort(key=sort_key(key), reverse=descending)
    return result


def ordered(documents: Iterable[Document], sort: Any, default: Sequence[str]) -> list[Document]:
    """MongoModel.query's `order_by`: `sort.key` (with `desc`), else every `sort.keys` entry in turn, else
    the model's own ordering (`default`)."""
    return sorted_by(documents, order_of(sort, default))


def order_of(sort: Any, default: Sequence[str]) -> list[tuple[str, bool]]:
    """The `(key, descending)` pairs `ordered` sorts by; an invalid `sort` fails as it does there."""
    return _order_by(sort) or [(key, False) for key in default]


def _order_by(sort: Any) -> list[tuple[str, bool]]:
    if not isinstance(sort, dict):
        return []
    if "key" in sort:
        if not isinstance(sort["key"], str):
            raise errors.query_failed("sort.key must be text")
        return [(sort["key"], bool(sort.get("desc", False)))]
    if "keys" not in sort:
        return []
    keys = sort["keys"]
    if not isinstance(keys, list):
        # `for s in sort['keys']` then `s.get(...)`: anything but a list of objects fails in Python.
        raise errors.unknown(f"sort.keys must be a list of {{key, desc}} objects, not {type(keys).__name__}")
    return [_sort_entry(entry) for entry in keys]


def _sort_entry(entry: Any) -> tuple[str, bool]:
    if not isinstance(entry, dict):
        raise errors.unknown(f"'{type(entry).__name__}' object has no attribute 'get'")
    if "key" not in entry:
        raise errors.unknown("'key'")  # the KeyError python-core's `s["key"]` raises, as the transaction reports it
    if not isinstance(entry["key"], str):
        raise errors.query_failed("sort.keys[].key must be text")
    return entry["key"], bool(entry.get("desc", False))


def page_of(documents: list[Any], page: Any) -> list[Any]:
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


def conditions(query: dict[str, Any], name: str) -> list[Any]:
    """`query.filter` or `query.filter_or`: a list, or none at all."""
    found = query.get(name, [])
    if not isinstance(found, list):
        raise errors.wrong_type(f"query.{name}", "list")
    return found
