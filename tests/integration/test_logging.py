"""Logs: one structured line per event, not two."""

from __future__ import annotations

import logging


def test_each_log_line_is_written_once() -> None:
    import app  # noqa: F401 - importing builds the Chalice app and the Powertools logger

    streams = [
        h for h in logging.getLogger("helpdesk").handlers if type(h) is logging.StreamHandler
    ]
    assert len(streams) == 1, "Chalice and Powertools would both print every line"
