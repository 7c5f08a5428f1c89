"""Log lines: one per request and one per sweep, as text or as JSON (``--log-format json``).

Callers log an event name and its fields (``log.info("sweep", extra={"fields": {...}})``);
:class:`JsonFormatter` writes them as one JSON object per line. What is logged is chosen
where it is logged: counts, durations, routes and statuses — never a person's name, an
objection's text, a contact, a ballot's choice or a query string.

Must not import anything outside the standard library.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

__all__ = ["FORMATS", "JsonFormatter", "configure", "fields"]

FORMATS = ("text", "json")


def fields(**values: Any) -> dict[str, Any]:
    """``extra=`` for a log call: the event's fields."""
    return {"fields": values}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = getattr(record, "fields", {})
        tail = " ".join(f"{k}={v}" for k, v in extra.items())
        return f"{record.levelname.lower()} {record.name}: {record.getMessage()}" + (
            f" {tail}" if tail else "")


def configure(fmt: str = "text", level: int = logging.INFO) -> None:
    """Send the engine's log lines to stderr in ``fmt``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger("workflow")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
