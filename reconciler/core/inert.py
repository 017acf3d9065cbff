"""Text no reader can run: what GitHub's runner would take for a workflow command, and raw control characters,
escaped; secret-shaped text masked without breaking the JSON or YAML escapes around it.

GitHub's runner (`ActionCommand.TryParseV2`) runs a line of a step's output as a workflow command when, its
leading whitespace trimmed, it starts with `::`; the older form (`TryParse`) runs it when `##[` appears
anywhere in it. So a line's leading `::` gets a backslash before its first colon (`\\::error`), and the `[`
of `##[` is written `\\u005b`, which JSON and YAML's double quotes read back as the same `[`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Final

from reconciler.core.redaction import MASK, redact

# What a runner, or a culture-aware comparison, may skip before a line's first character: whitespace and
# the default-ignorable format characters (zero-width spaces and joiners, soft hyphen, BOM, bidi marks).
_IGNORED: Final = r"\u00ad\u034f\u061c\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
_SKIPPED: Final = r"\s\u115f\u1160\u17b4\u17b5" + _IGNORED
# A colon at a line's start (after what may be skipped) that a second colon follows, or that ends the text
# so far (a stream cannot yet know what comes next).
_COMMAND_START: Final = re.compile(rf"([{_SKIPPED}]*):(?=[{_IGNORED}]*:)")
_COMMAND_START_SO_FAR: Final = re.compile(rf"([{_SKIPPED}]*):(?=[{_IGNORED}]*(?::|\Z))")
# Only these end a line for the runner (and in JSON or YAML text they are never inside a string).
_LINE_END: Final = re.compile("([\n\r])")
_BLANK: Final = re.compile(rf"[{_SKIPPED}]*")
_OLD_COMMAND: Final = re.compile(rf"(#[{_IGNORED}]{{0,8}}#[{_IGNORED}]{{0,8}})\[")
# Raw control characters a terminal or log viewer would act on: C0 but tab, newline and carriage return;
# an escape that does not open a CSI sequence (colours, erasing a line: what click and rich write); DEL, C1,
# and the Unicode line and paragraph separators.
_CONTROL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f\u2028\u2029]|\x1b(?!\\[)")
# An escape inside JSON, YAML or Python's repr: a secret's shape never starts in the middle of one.
_ESCAPE: Final = r"\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|U[0-9A-Fa-f]{8}|.)"


def inert(text: str, at_line_start: bool = True, complete: bool = True) -> str:
    """The text with no line a runner would run: each line's leading `::` and every `##[` escaped.

    `at_line_start`: the text begins a line. `complete`: nothing follows, so a lone colon that ends the
    text is not the start of `::` (a stream passes False, and such a colon is escaped too).
    """
    if ":" in text:
        text = _line_starts_escaped(text, at_line_start, complete)
    if "[" in text and "#" in text:
        text = _OLD_COMMAND.sub(r"\1\\u005b", text)
    return text


def _line_starts_escaped(text: str, at_line_start: bool, complete: bool) -> str:
    # Line by line rather than one pattern over the text: a write is usually one line, and this is per write.
    parts = _LINE_END.split(text)
    last = len(parts) - 1
    for n in range(0 if at_line_start else 2, len(parts), 2):
        line = parts[n]
        found = ":" in line and (_COMMAND_START if complete or n < last else _COMMAND_START_SO_FAR).match(line)
        if found:
            parts[n] = line[: found.end(1)] + "\\" + line[found.end(1) :]
    return "".join(parts)


def blank(text: str) -> bool:
    """Whether the text holds only what a runner skips before a command (so a line that began with it has
    not yet begun for the runner)."""
    return _BLANK.fullmatch(text) is not None


def escape_controls(text: str) -> str:
    """Raw control characters shown as `\\uXXXX`, which is also how JSON writes them, so JSON stays valid."""
    if text.removesuffix("\n").isprintable():
        return text  # the common case: one line of printable text
    return _CONTROL.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def mask_shapes(text: str, patterns: Sequence[re.Pattern[str]]) -> str:
    """Every match of `patterns` replaced by the mask, each match starting outside any backslash escape, so
    masking JSON or YAML text never leaves half an escape behind (`\\u00e9abc-…` keeps its `\\u00e9`)."""
    if not any(pattern.search(text) for pattern in patterns):
        return text  # the common case, at the cost of one scan
    return _shapes(tuple(patterns)).sub(_masked, text)


def mask_all(text: str, secrets: Iterable[str], patterns: Sequence[re.Pattern[str]]) -> str:
    """The text with each secret's forms and each secret-shaped match masked (see `redaction.redact`)."""
    return mask_shapes(redact(text, secrets), patterns)


@cache
def _shapes(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    shapes = "|".join(f"(?:{p.pattern})" for p in patterns)
    return re.compile(f"(?P<escape>{_ESCAPE})|{shapes}")


def _masked(found: re.Match[str]) -> str:
    return found.group() if found.group("escape") is not None else MASK
