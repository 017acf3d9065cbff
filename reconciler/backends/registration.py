"""What a backend registers: everything the commands, the manifests and the emulator server need to know of it.

Plain data, light to import (`wac --version` and every command's options read it); what would load heavy code
(a pydantic model, an HTTP client, an ASGI app) is a `module:attribute` reference, imported on first use.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic_core import ErrorDetails
    from starlette.types import ASGIApp

    from reconciler.backends.connection import Connect
    from reconciler.backends.emulation.routing import EmulatedStore
    from reconciler.core.resources import Desired, Remote

    EmulatorBuild = Callable[[str | Path, Mapping[str, Any]], tuple[ASGIApp, EmulatedStore]]
    ExportDocument = Callable[[Remote, str, bool, Sequence[Remote]], tuple[dict[str, Any], tuple[str, ...]]]


@cache
def load(reference: str) -> Any:
    """The object a `module:attribute` reference names, imported the first time it is asked for."""
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


class ManifestModel(Protocol):
    """What every backend's validated manifest offers the loader."""

    @property
    def id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def scope(self) -> str: ...

    @property
    def adopt(self) -> str | None: ...

    def desired(self, source: str) -> Desired: ...

    def resources(self, source: str) -> tuple[Desired, ...]:
        """The manifest's resource, then any that belong to it (a dashboard's share)."""
        ...


@dataclass(frozen=True)
class Variable:
    """An environment variable a backend reads when it connects."""

    name: str
    # A secret's value is masked in every line wac prints and every file it writes.
    secret: bool = False


@dataclass(frozen=True)
class Setting:
    """A key a backend reads from `.wac.yaml`, as `section.key` (never a secret); the example shows its form."""

    key: str
    example: str


@dataclass(frozen=True)
class Flag:
    """A flag every command that connects takes; its value wins over the environment variable it names."""

    flag: str
    variable: str
    help: str


@dataclass(frozen=True)
class ScopeFilter:
    """A `wac export` option choosing some of the backend's scopes (the choices); only its backend gets them."""

    flag: str
    help: str


@dataclass(frozen=True)
class EmulatorOption:
    """A `wac emulator` option naming a file the backend's emulator reads; registrations may share one."""

    flag: str
    help: str
    # `module:function` turning the file's path into the value the emulators get; a ValueError says what the
    # file should hold.
    load: str

    @property
    def name(self) -> str:
        """The value's key in the emulator settings' options: the flag as click names its parameter."""
        return self.flag.lstrip("-").replace("-", "_")

    def loader(self) -> Callable[[Path], object]:
        found: Callable[[Path], object] = load(self.load)
        return found


@dataclass(frozen=True)
class Emulator:
    """How the backend's emulator is served beside the others: one port, one SQLite file, the same knobs."""

    # `module:function`: (state file, options by name) → the ASGI app and the store it keeps its state in.
    build: str
    # The request paths it answers (the longest prefix wins); the knobs apply to these.
    prefixes: tuple[str, ...]
    # Takes every request no emulator's prefix claims (one registration only).
    default: bool = False
    options: tuple[EmulatorOption, ...] = ()

    def builder(self) -> EmulatorBuild:
        found: EmulatorBuild = load(self.build)
        return found


@dataclass(frozen=True)
class Example:
    """The example manifest `wac init` writes: a template of `reconciler/scaffold/templates`, and where it goes."""

    template: str
    path: str


@dataclass(frozen=True)
class Registration:
    """One backend: its manifests' kind and scopes, its words, its manifests, how it connects, its emulator."""

    kind: str
    # What its resources are, for help texts ("Datadog saved widgets").
    title: str
    scopes: tuple[str, ...]
    # How the scope is named to a person ("experience type"); ids are unique per scope.
    scope_name: str
    # What one resource of each scope is called ("widget", "share").
    nouns: Mapping[str, str] = field(hash=False)
    # `module:attribute` references, imported when a manifest is validated or exported: the pydantic model;
    # the error's location in the document from pydantic's (dropping what pydantic inserts); a sentence for
    # errors the backend has its own words for, else None; and the manifest `wac export` writes for a remote
    # resource (given the resources that belong to it), with what it had to leave out.
    model_ref: str
    data_path_ref: str
    explain_ref: str
    export_ref: str
    # Where its `Connect` function is, as `module:function`: imported only when a run connects, so
    # validating manifests never loads an HTTP client (like a package's entry point).
    connect: str
    emulator: Emulator
    variables: tuple[Variable, ...] = ()
    settings: tuple[Setting, ...] = ()
    flags: tuple[Flag, ...] = ()
    scope_filter: ScopeFilter | None = None
    example: Example | None = None
    # Text that grants access wherever it is read (a share's token): masked in every error and log line.
    secret_patterns: tuple[re.Pattern[str], ...] = ()
    # Keys in its manifests' bodies whose value (or each item of the list there) is another resource's remote
    # id: where `wac export` writes `{ref: KIND/ID}` for a resource it exports in the same run.
    id_fields: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if set(self.nouns) != set(self.scopes):
            raise ValueError(f"{self.kind}: name the resources of exactly its scopes {self.scopes}")
        unknown = {flag.variable for flag in self.flags} - {variable.name for variable in self.variables}
        if unknown:
            raise ValueError(f"{self.kind}: its flags set variables it does not read: {sorted(unknown)}")

    def noun(self, scope: str) -> str:
        """What one resource of `scope` is called in a sentence ("dashboard", "share")."""
        return self.nouns.get(scope, "resource")

    @property
    def model(self) -> type[BaseModel]:
        found: type[BaseModel] = load(self.model_ref)
        return found

    @property
    def data_path(self) -> Callable[[Sequence[str | int]], tuple[str | int, ...]]:
        found: Callable[[Sequence[str | int]], tuple[str | int, ...]] = load(self.data_path_ref)
        return found

    @property
    def explain(self) -> Callable[[Any, tuple[str | int, ...], str, ErrorDetails], str | None]:
        found: Callable[[Any, tuple[str | int, ...], str, ErrorDetails], str | None] = load(self.explain_ref)
        return found

    @property
    def export_document(self) -> ExportDocument:
        found: ExportDocument = load(self.export_ref)
        return found

    def connector(self) -> Connect:
        found: Connect = load(self.connect)
        return found
