"""Structured logs: one JSON object a line, carrying the request id, for the service and uvicorn alike."""

from __future__ import annotations

import json
import logging
from typing import Any

from .clock import iso, now

LOGGER = "aiassure.service"
# Attributes every LogRecord has; anything else given with `extra=` is a field of the line.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": iso(now()), "level": record.levelname.lower(), "logger": record.name}
        line["message"] = record.getMessage()
        line.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's `log_config`: its own loggers and the service's, all as JSON on standard error."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    loggers = {
        name: {"handlers": ["json"], "level": level.upper(), "propagate": False}
        for name in ("uvicorn", "uvicorn.error", LOGGER)
    }
    loggers["uvicorn.access"] = {"handlers": [], "level": "WARNING", "propagate": False}  # the service logs requests
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"json": handler},
        "loggers": loggers,
    }


def logger() -> logging.Logger:
    return logging.getLogger(LOGGER)
