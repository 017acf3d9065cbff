"""The request messages of the seed doc, checked field by field as the gateway and service check them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from reconciler.backends.spaceone_widgets.emulator import errors

TEXT: Final = "str"
STRUCT: Final = "dict"
TEXTS: Final = "list of str"
LIST: Final = "list"

# Each message's fields and their types; a field not named here is refused, as protobuf refuses it.
_CONTENT: Final = {
    "title": TEXT,
    "options": STRUCT,
    "settings": STRUCT,
    "inherit_options": STRUCT,
    "labels": TEXTS,
    "tags": STRUCT,
    "domain_id": TEXT,
}
MESSAGES: Final[Mapping[str, Mapping[str, str]]] = {
    # widget_name is set on create only: the update message has no such field.
    "CreateCustomWidgetRequest": {"widget_name": TEXT, **_CONTENT},
    "UpdateCustomWidgetRequest": {"custom_widget_id": TEXT, **_CONTENT},
    "CustomWidgetRequest": {"custom_widget_id": TEXT, "domain_id": TEXT},
    "GetCustomWidgetRequest": {"custom_widget_id": TEXT, "domain_id": TEXT, "only": TEXTS},
    "CustomWidgetQuery": {
        "query": STRUCT,
        "custom_widget_id": TEXT,
        "widget_name": TEXT,
        "title": TEXT,
        "user_id": TEXT,
        "domain_id": TEXT,
    },
    "CustomWidgetStatQuery": {"query": STRUCT, "domain_id": TEXT},
}
# The service's @check_required, per method.
REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    "CreateCustomWidgetRequest": ("widget_name", "title", "options", "domain_id"),
    "UpdateCustomWidgetRequest": ("custom_widget_id", "domain_id"),
    "CustomWidgetRequest": ("custom_widget_id", "domain_id"),
    "GetCustomWidgetRequest": ("custom_widget_id", "domain_id"),
    "CustomWidgetQuery": ("domain_id",),
    "CustomWidgetStatQuery": ("query", "domain_id"),
}
# The model's StringField max_length: the database refuses longer values when the widget is saved.
MAX_LENGTH: Final = {"widget_name": 40, "title": 255}


def parsed(message: str, body: Any) -> dict[str, Any]:
    """The body as `message`: unknown fields and wrong types refused, empty text counted as absent."""
    if not isinstance(body, dict):
        raise errors.not_json()
    fields = MESSAGES[message]
    params: dict[str, Any] = {}
    for name, value in body.items():
        if name not in fields:
            raise errors.invalid(name, f"{name} is not a field of {message}")
        if value is None or value == "":
            continue  # protobuf has no null; an empty text is its default, i.e. not given
        _check_type(name, value, fields[name])
        params[name] = value
    for name in REQUIRED[message]:
        if name not in params:
            raise errors.required(name)
    for name, limit in MAX_LENGTH.items():
        if name in params and len(params[name]) > limit:
            raise errors.query_failed(f"ValidationError (CustomWidget:None) (String value is too long: ['{name}'])")
    return params


def _check_type(name: str, value: Any, kind: str) -> None:
    ok = {
        TEXT: isinstance(value, str),
        STRUCT: isinstance(value, dict),
        TEXTS: isinstance(value, list) and all(isinstance(v, str) for v in value),
        LIST: isinstance(value, list),
    }[kind]
    if not ok:
        raise errors.wrong_type(name, kind)
