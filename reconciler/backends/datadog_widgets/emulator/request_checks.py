"""Request checks the Widgets API makes, each failure a sentence for the `errors` list."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.backends.datadog_widgets.emulator.store import SORT_COLUMNS, SearchQuery
from reconciler.backends.datadog_widgets.vocabulary import (
    EXPERIENCE_TYPES,
    PAGE_SIZE_MAX,
    TITLE_MAX_LENGTH,
    WIDGET_TYPES,
)

DEFAULT_PAGE_SIZE = 50


class InvalidRequest(Exception):
    def __init__(self, errors: list[str], status: int = 400) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors
        self.status = status


@dataclass(frozen=True)
class WidgetWrite:
    definition: dict[str, Any]
    tags: list[str]


def check_experience_type(value: str) -> str:
    if value not in EXPERIENCE_TYPES:
        raise InvalidRequest([f"Invalid experience_type '{value}': allowed values are {', '.join(EXPERIENCE_TYPES)}"])
    return value


def check_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidRequest([f"Invalid uuid '{value}': expected a UUID"]) from None


def check_json_content_type(content_type: str | None) -> None:
    """Writes carry JSON, as the spec's requestBody says; a form or text body is refused, not guessed at."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise InvalidRequest([f"Content-Type must be application/json, got '{content_type or 'none'}'"])


def parse_widget_write(body: bytes) -> WidgetWrite:
    """The body of a create or a full-replacement update, or every reason it is refused."""
    try:
        document = json.loads(body, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidRequest([f"Malformed JSON body: {exc}"]) from None
    except RecursionError:
        raise InvalidRequest(["Malformed JSON body: nested too deeply"]) from None
    errors: list[str] = []
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        raise InvalidRequest(["data: required, must be an object"])
    # The spec types data.type as any string (example: widgets); only its absence is an error.
    if not isinstance(data.get("type"), str):
        errors.append(f"data.type: required, must be a string, got {json.dumps(data.get('type'))}")
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        errors.append("data.attributes: required, must be an object")
        raise InvalidRequest(errors)
    definition = attributes.get("definition")
    if not isinstance(definition, dict):
        errors.append("data.attributes.definition: required, must be an object")
    else:
        errors.extend(_definition_errors(definition))
    tags = attributes.get("tags")
    if tags is None:
        tags = []
    elif not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        errors.append("data.attributes.tags: must be a list of strings")
    if errors:
        raise InvalidRequest(errors)
    assert isinstance(definition, dict)
    return WidgetWrite(definition=definition, tags=list(tags))


def _refuse_constant(name: str) -> Any:
    # Python's parser accepts NaN and Infinity; JSON does not, and they could not be answered.
    raise InvalidRequest([f"Malformed JSON body: {name} is not valid JSON"])


def _definition_errors(definition: dict[str, Any]) -> list[str]:
    errors = []
    title = definition.get("title")
    if not isinstance(title, str):
        errors.append("data.attributes.definition.title: required, must be a string")
    elif not 1 <= len(title) <= TITLE_MAX_LENGTH:
        errors.append(f"data.attributes.definition.title: must be 1 to {TITLE_MAX_LENGTH} characters, got {len(title)}")
    widget_type = definition.get("type")
    if widget_type not in WIDGET_TYPES:
        errors.append(
            f"data.attributes.definition.type: invalid value {json.dumps(widget_type)};"
            f" allowed values are {', '.join(WIDGET_TYPES)}"
        )
    return errors


def parse_search(experience_type: str, viewer_id: str, params: Mapping[str, str]) -> SearchQuery:
    errors: list[str] = []
    widget_type = params.get("filter[widgetType]")
    if widget_type is not None and widget_type not in WIDGET_TYPES:
        errors.append(
            f"filter[widgetType]: invalid value '{widget_type}'; allowed values are {', '.join(WIDGET_TYPES)}"
        )
    favorited = params.get("filter[isFavorited]", "false").lower()
    if favorited not in ("true", "false"):
        errors.append(f"filter[isFavorited]: must be true or false, got '{favorited}'")
    sort = params.get("sort") or None
    if sort is not None and sort.lstrip("-") not in (*SORT_COLUMNS, "is_favorited"):
        errors.append(
            f"sort: invalid value '{sort}'; allowed values are title, created_at, modified_at,"
            " is_favorited, each optionally prefixed with '-'"
        )
    page_number = _integer(params, "page[number]", 0, errors)
    page_size = _integer(params, "page[size]", DEFAULT_PAGE_SIZE, errors)
    if page_number < 0:
        errors.append(f"page[number]: must be 0 or more, got {page_number}")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        errors.append(f"page[size]: must be between 1 and {PAGE_SIZE_MAX}, got {page_size}")
    if errors:
        raise InvalidRequest(errors)
    return SearchQuery(
        experience_type=experience_type,
        viewer_id=viewer_id,
        widget_type=widget_type,
        creator_handle=params.get("filter[creatorHandle]") or None,
        favorited_only=favorited == "true",
        title=params.get("filter[title]") or None,
        tags=parse_tag_filter(params.get("filter[tags]", "")),
        sort=sort,
        page_number=page_number,
        page_size=page_size,
    )


def parse_tag_filter(raw: str) -> tuple[str, ...]:
    """`[a,b]` → ("a", "b"); the brackets are what the docs show, a bare list is accepted too."""
    inner = raw.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    return tuple(tag.strip() for tag in inner.split(",") if tag.strip())


INT64_MAX = 2**63 - 1
_DECIMAL = re.compile(r"[+-]?[0-9]{1,30}")


def _integer(params: Mapping[str, str], name: str, default: int, errors: list[str]) -> int:
    """A query integer as the spec types it (int64): present but empty or out of range is an error."""
    raw = params.get(name)
    if raw is None:
        return default
    try:
        if not _DECIMAL.fullmatch(raw):
            raise ValueError(raw)
        value = int(raw)
    except ValueError:
        errors.append(f"{name}: must be an integer, got '{raw}'")
        return default
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        errors.append(f"{name}: must fit in a 64-bit integer, got {raw}")
        return default
    return value
