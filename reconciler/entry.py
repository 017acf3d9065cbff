"""The console script: imports the CLI itself, so a Ctrl-C during start-up is an exit, not a traceback."""

from __future__ import annotations

import sys


def run() -> None:
    try:
        from reconciler.cli import main

        main()
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted before starting; nothing was done.\n")
        raise SystemExit(1) from None
    except BrokenPipeError:
        # The reader went away (`wac plan | head`): what it wanted was written.
        raise SystemExit(1) from None
