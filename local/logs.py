"""One readable log on stderr: the stack's own lines and the app's Powertools lines alike."""

from __future__ import annotations

import logging
import sys
import warnings
from datetime import datetime
from typing import Any

FORMAT = "%(asctime)s %(levelname)-7s %(name)-13s %(message)s"
DATE_FORMAT = "%H:%M:%S"
QUIET = ("werkzeug", "botocore", "boto3", "urllib3", "mail.log", "asyncio")
# Keys every Powertools line carries; the rest (mail, ticket, ...) are worth showing.
_POWERTOOLS_NOISE = frozenset(
    {
        "level",
        "location",
        "message",
        "timestamp",
        "service",
        "sampling_rate",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "xray_trace_id",
        "exception",
        "exception_name",
        "exception_notes",
        "stack_trace",
    }
)


def configure() -> None:
    logging.basicConfig(
        level=logging.INFO, format=FORMAT, datefmt=DATE_FORMAT, stream=sys.stderr, force=True
    )
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    # The app flushes Powertools metrics per invocation; locally there are none to flush.
    warnings.filterwarnings("ignore", message="No application metrics to publish")


def readable_powertools(powertools_logger: Any) -> None:
    """Powertools writes JSON objects to stdout; locally one line like ours, on stderr."""
    handler = powertools_logger.registered_handler
    underlying = logging.getLogger(powertools_logger.name)
    for other in list(underlying.handlers):
        if other is not handler:
            underlying.removeHandler(other)  # Chalice's own handler on the same logger name
    if isinstance(handler, logging.StreamHandler):
        handler.setStream(sys.stderr)
    powertools_logger.registered_formatter.json_serializer = powertools_line


def powertools_line(record: dict[str, Any]) -> str:
    time = datetime.now().strftime(DATE_FORMAT)
    level = str(record.get("level", "INFO"))
    service = f"app.{record.get('service', 'helpdesk')}"
    keys = " ".join(
        f"{k}={v}" for k, v in record.items() if k not in _POWERTOOLS_NOISE and v not in (None, "")
    )
    line = f"{time} {level:<7} {service:<13} {record.get('message', '')}"
    if keys:
        line += f"  [{keys}]"
    if record.get("exception"):
        line += "\n" + str(record["exception"])
    return line
