"""Debug logging for `wac --debug`, with every key scrubbed before a line is written."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable

import click

from reconciler.cli.output_guard import KEY_VARIABLES, guarded
from reconciler.core.redaction import redact


class RedactSecrets(logging.Filter):
    """Rewrites each record's message with the keys (and share tokens) replaced; a leak would need a key to be split."""

    def __init__(self, secrets: Iterable[str]) -> None:
        from reconciler.backends.registry import SECRET_PATTERNS

        super().__init__()
        self.secrets = [s for s in secrets if s]
        self.patterns = SECRET_PATTERNS

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += f" ({record.exc_info[1]!r})"
            record.exc_info = record.exc_text = None
        record.msg, record.args = redact(message, self.secrets, self.patterns), None
        return True


def enable_debug_logging() -> None:
    configure_logging(debug=True)


def configure_logging(debug: bool, http: bool | None = None) -> None:
    """Retries and rate-limit waits, one line each on stderr; with `debug`, one line per request too, and with
    `http` httpx's and httpcore's own lines (None: as `--debug-http` set it for this command). Keys are scrubbed
    from every line, whichever form they take."""
    if http is None:
        # Read from the command's context, which `--debug-http` sets: this is called again as each context
        # starts, and a module-level switch would outlive the command (tests run many in one process).
        ctx = click.get_current_context(silent=True)
        http = ctx is not None and bool(ctx.meta.get("wac.debug_http"))
    # Through the guard even when `--debug` is parsed before `main` installs it on sys.stderr.
    handler = logging.StreamHandler(guarded(sys.stderr))
    pattern = "%(asctime)s %(name)s %(levelname)s %(message)s" if debug else "%(message)s"
    handler.setFormatter(logging.Formatter(pattern))
    handler.addFilter(RedactSecrets(os.environ.get(name, "") for name in KEY_VARIABLES))
    handler.wac_handler = True  # type: ignore[attr-defined]
    levels = {"reconciler": logging.DEBUG if debug else logging.INFO}
    # httpx and httpcore write some 15 lines per request: only when asked for by name.
    internals = ("httpx", "httpcore", "reconciler.backends.transport")
    levels |= {name: logging.DEBUG if debug and http else logging.WARNING for name in internals}
    for name, level in levels.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        # One handler of ours at a time, however often a command runs in one process.
        for old in [h for h in logger.handlers if getattr(h, "wac_handler", False)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.propagate = False
