"""Canned templates are user content: only placeholders, and nothing that escapes or runs away."""

from __future__ import annotations

import time

import pytest

from chalicelib.adapters.render.canned_engine import MAX_OUTPUT_CHARS, SandboxedTemplates
from chalicelib.domain.desk.canned import MAX_TEMPLATE_CHARS, sample_values
from chalicelib.domain.errors import InvalidInput

engine = SandboxedTemplates()
VALUES = {**sample_values(), "customer_name": "Anna", "agent_name": "Mikko", "agent_title": ""}


def test_placeholders_filters_and_conditions_render() -> None:
    source = (
        "Hi {{ customer_name|default('there') }}, about {{ ticket_tag }}:\n"
        "{% if agent_title %}{{ agent_title }}{% else %}{{ agent_name|upper }}{% endif %}"
    )
    engine.check(source)
    assert engine.render(source, VALUES) == "Hi Anna, about [#1042]:\nMIKKO"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "a call"),
        ("{{ customer_name.__class__ }}", "attribute access"),
        ("{{ customer_name['__class__'] }}", "item access"),
        ("{{ customer_name|attr('__class__') }}", "filter 'attr'"),
        ("{{ cycler.__init__.__globals__ }}", "attribute access"),
        ("{{ lipsum() }}", "a call"),
        ("{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}", "loop"),
        ("{{ 'x' * 999999999 }}", "arithmetic"),
        ("{{ 9 ** 9 ** 9 }}", "arithmetic"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "macro"),
        ("{% include 'mail/_layout.html' %}", "include"),
        ("{% set x = 1 %}", "assignment"),
        ("{{ config }}", "unknown placeholder 'config'"),
        ("{{ customer_name", "line 1"),
        ("x" * (MAX_TEMPLATE_CHARS + 1), "at most"),
    ],
)
def test_unsafe_or_broken_templates_are_refused_naming_the_body(source: str, problem: str) -> None:
    started = time.monotonic()
    with pytest.raises(InvalidInput) as refused:
        engine.check(source)
    assert refused.value.field == "body" and problem in refused.value.problem
    assert time.monotonic() - started < 1


def test_rendering_a_refused_template_names_the_template() -> None:
    with pytest.raises(InvalidInput) as refused:
        engine.render("{% for i in range(3) %}{% endfor %}", VALUES)
    assert refused.value.field == "template_id"


def test_output_is_bounded() -> None:
    chunk = "{{ subject }}" * 1000
    with pytest.raises(InvalidInput, match=str(MAX_OUTPUT_CHARS)):
        engine.render(chunk, {**VALUES, "subject": "y" * 100})
