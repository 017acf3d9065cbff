"""Debug logging for `wac --debug`, with every key scrubbed before a line is written."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable

KEY_VARIABLES = ("DD_API_KEY", "DD_APP_KEY", "DD_APPLICATION_KEY")


class RedactSecrets(logging.Filter):
    """Rewrites each record's message with the keys replaced; a leak would need a key to be split."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, "***")
        record.msg, record.args = message, None
        return True


def enable_debug_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(RedactSecrets(os.environ.get(name, "") for name in KEY_VARIABLES))
    for name in ("reconciler", "httpx", "httpcore"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        # One handler of ours at a time, however often the command runs in one process.
        for old in [h for h in logger.handlers if getattr(h, "wac_debug", False)]:
            logger.removeHandler(old)
        handler.wac_debug = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
