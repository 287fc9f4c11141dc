"""HTML pages of the local stack (outbox, start page), from local/templates/, never deployed."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined
    )


def render(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(**context)
