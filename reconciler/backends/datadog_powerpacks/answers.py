"""Powerpacks as the API answers them (JSON:API), checked field by field before any of it is used."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from reconciler.backends.datadog_powerpacks.codec import user_from
from reconciler.backends.datadog_powerpacks.vocabulary import POWERPACK_ID
from reconciler.core.backend import BackendError
from reconciler.core.resources import User

MALFORMED: Final = "the API's answer is malformed, so nothing was planned from it"
_TEXT_LISTS: Final = ("tags",)


def _refuse(where: str, what: str) -> BackendError:
    return BackendError(f"{where}{what}; {MALFORMED}")


def _checked_attributes(attributes: Any, where: str) -> None:
    if not isinstance(attributes, dict):
        raise _refuse(where, ".attributes is not an object")
    if not isinstance(attributes.get("name"), str):
        raise _refuse(where, ".attributes.name is not text")
    if not isinstance(attributes.get("description", ""), str | None):
        raise _refuse(where, ".attributes.description is not text")
    group = attributes.get("group_widget")
    definition = group.get("definition") if isinstance(group, dict) else None
    if not isinstance(definition, dict) or not isinstance(definition.get("widgets"), list):
        raise _refuse(where, ".attributes.group_widget is not a group of widgets")
    tags = attributes.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _refuse(where, ".attributes.tags is not a list of text")
    variables = attributes.get("template_variables") or []
    if not isinstance(variables, list) or not all(isinstance(v, dict) for v in variables):
        raise _refuse(where, ".attributes.template_variables is not a list of objects")


def checked_item(item: Any, where: str, powerpack_id: str | None = None) -> dict[str, Any]:
    """A powerpack `data` item, every field used checked; `powerpack_id` is the one asked for, which it must be."""
    if not isinstance(item, dict):
        raise _refuse(where, " is not an object")
    found = item.get("id")
    if not isinstance(found, str) or not POWERPACK_ID.fullmatch(found):
        raise _refuse(where, ".id is missing or not a powerpack id")
    if powerpack_id is not None and found != powerpack_id:
        raise _refuse(where, f" is powerpack {found}, not the one asked for")
    _checked_attributes(item.get("attributes"), where)
    if not isinstance(item.get("relationships", {}), dict | None):
        raise _refuse(where, ".relationships is not an object")
    return item


def checked_one(body: Mapping[str, Any], where: str, powerpack_id: str | None = None) -> dict[str, Any]:
    return checked_item(body.get("data"), f"{where}: data", powerpack_id)


def users_of(body: Mapping[str, Any]) -> dict[str, User]:
    """The users an answer includes; an entry of another shape is passed over (it only names an author)."""
    users = {}
    included = body.get("included")
    for item in included if isinstance(included, list) else []:
        if not isinstance(item, dict) or item.get("type") != "users" or not isinstance(item.get("id"), str):
            continue
        attributes = item.get("attributes")
        if not isinstance(attributes, dict) or not all(
            isinstance(attributes.get(name), str | None) for name in ("name", "email")
        ):
            continue
        users[item["id"]] = user_from(item)
    return users
