"""Jinja2 rendering of our own mail templates (text + HTML, one pair per language)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)

from chalicelib.services.ports import RenderedMail

FALLBACK_LANGUAGE = "en"


class JinjaRenderer:
    def __init__(self, templates_dir: Path) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(templates_dir)),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render_mail(self, template: str, language: str, context: Mapping[str, Any]) -> RenderedMail:
        return RenderedMail(
            text=self._render(template, language, "txt", context).strip() + "\n",
            html=self._render(template, language, "html", context),
        )

    def _render(self, template: str, language: str, ext: str, context: Mapping[str, Any]) -> str:
        try:
            tpl = self.env.get_template(f"mail/{template}.{language}.{ext}")
        except TemplateNotFound:
            tpl = self.env.get_template(f"mail/{template}.{FALLBACK_LANGUAGE}.{ext}")
        return tpl.render(**context)
