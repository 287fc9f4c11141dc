"""Canned templates are user content: a sandbox, and a grammar with nothing that can run away.

Only placeholders, a few string filters, conditions and joins are allowed: no loops, calls,
attribute or item access, macros, includes, assignments or arithmetic. A template therefore
renders in time linear in its length, and the sandbox stands behind that as a second wall.
The output is bounded as well.
"""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from chalicelib.domain.desk.canned import MAX_TEMPLATE_CHARS, PLACEHOLDERS, sample_values
from chalicelib.domain.errors import InvalidInput

MAX_OUTPUT_CHARS = 60_000
_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Filter,
    nodes.Test, nodes.If, nodes.CondExpr, nodes.And, nodes.Or, nodes.Not, nodes.Compare,
    nodes.Operand, nodes.Concat, nodes.Keyword, nodes.Tuple, nodes.List,
)  # fmt: skip
_FILTERS = frozenset(
    {"default", "d", "upper", "lower", "title", "capitalize", "trim", "truncate", "length"}
)
_TESTS = frozenset({"defined", "undefined", "none", "string", "eq", "ne", "equalto"})


class SandboxedTemplates:
    def __init__(self) -> None:
        self._env = SandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
        )

    def check(self, source: str) -> None:
        self._render(source, sample_values(), "body")

    def render(self, source: str, values: Mapping[str, str]) -> str:
        return self._render(source, values, "template_id")

    def _render(self, source: str, values: Mapping[str, str], field: str) -> str:
        if len(source) > MAX_TEMPLATE_CHARS:
            raise InvalidInput(field, f"a template has at most {MAX_TEMPLATE_CHARS} characters")
        try:
            tree = self._env.parse(source)
            _check_grammar(tree, field)
            template = self._env.from_string(source)
            out: list[str] = []
            size = 0
            for chunk in template.generate(**{k: values.get(k, "") for k in PLACEHOLDERS}):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise InvalidInput(field, f"renders to more than {MAX_OUTPUT_CHARS} characters")
                out.append(chunk)
        except TemplateSyntaxError as e:
            raise InvalidInput(field, f"line {e.lineno}: {e.message}") from e
        except TemplateError as e:
            raise InvalidInput(field, f"cannot be rendered: {e.message or e}") from e
        return "".join(out)


def _check_grammar(tree: nodes.Template, field: str) -> None:
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _NODES):
            raise InvalidInput(field, f"{_describe(node)} is not allowed in templates")
        if isinstance(node, nodes.Filter) and node.name not in _FILTERS:
            raise InvalidInput(field, f"the filter {node.name!r} is not allowed")
        if isinstance(node, nodes.Test) and node.name not in _TESTS:
            raise InvalidInput(field, f"the test {node.name!r} is not allowed")
        if isinstance(node, nodes.Name) and node.name not in PLACEHOLDERS:
            known = ", ".join(sorted(PLACEHOLDERS))
            raise InvalidInput(field, f"unknown placeholder {node.name!r} (known: {known})")


def _describe(node: nodes.Node) -> str:
    names = {
        "For": "a loop",
        "Call": "a call",
        "Getattr": "attribute access",
        "Getitem": "item access",
        "Macro": "a macro",
        "Assign": "an assignment",
        "Include": "an include",
        "Extends": "extends",
        **dict.fromkeys(("Add", "Sub", "Mul", "Div", "FloorDiv", "Mod", "Pow"), "arithmetic"),
    }
    return names.get(type(node).__name__, f"{type(node).__name__}")
