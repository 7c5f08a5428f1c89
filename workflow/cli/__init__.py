"""Command line entry point: ``award``.

Every error the engine raises on purpose prints one line (or a JSON error document with
``--json``) and exits with its documented code; anything unexpected prints one line too and
exits 70 — set ``AWARD_DEBUG=1`` to see the traceback.
"""

from __future__ import annotations

import json
import os
import sys

from workflow.cli import (  # noqa: F401 (registers commands)
    audit,
    ballots,
    bench,
    db,
    demo,
    flows,
    items,
    lists,
    notices,
    ops,
    reports,
    sessions,
    web,
)
from workflow.cli.base import app

__all__ = ["app", "main"]

INTERNAL_ERROR = 70


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    except SystemExit:
        raise
    except Exception as exc:  # the last line of defence: never a traceback for users
        if os.environ.get("AWARD_DEBUG"):
            raise
        message = f"internal error: {type(exc).__name__}: {exc}".splitlines()[0]
        if "--json" in sys.argv:
            sys.stdout.write(json.dumps({"error": {"type": "InternalError",
                                                   "message": message}}) + "\n")
        else:
            sys.stderr.write(f"error: {message} (set AWARD_DEBUG=1 for details)\n")
        raise SystemExit(INTERNAL_ERROR) from None
