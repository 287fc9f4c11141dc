"""The OpenAPI document and the real routes describe the same API, and the document is sound."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from app import app
from chalicelib.api.openapi import document
from tests.integration.conftest import Api

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def real_routes() -> set[tuple[str, str]]:
    return {
        (path, method.lower())
        for path, methods in app.routes.items()
        if path == "/api" or path.startswith("/api/")
        for method in methods
    }


def documented_routes(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, item in doc["paths"].items() for method in item}


def test_every_api_route_is_documented_and_nothing_else_is() -> None:
    real, documented = real_routes(), documented_routes(document())
    assert real - documented == set(), "routes missing from the OpenAPI document"
    assert documented - real == set(), "documented operations that do not exist"


def test_it_is_served_to_signed_in_agents(api: Api, client: Any) -> None:
    served = api.get("/api/openapi.json")
    assert served.status_code == 200 and served.json_body == document()
    assert client.http.get("/api/openapi.json").status_code == 401


def walk(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{where}/{i}")


def resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def test_the_document_is_structurally_valid_openapi_3() -> None:
    doc = document()
    assert re.fullmatch(r"3\.0\.\d+", doc["openapi"])
    assert doc["info"]["title"] and doc["info"]["version"]
    assert set(doc) <= {"openapi", "info", "servers", "paths", "components", "security", "tags",
                        "externalDocs"}  # fmt: skip
    schemes = doc["components"]["securitySchemes"]
    for requirement in doc["security"]:
        assert set(requirement) <= set(schemes)
    for path, item in doc["paths"].items():
        assert path.startswith("/") and set(item) <= METHODS, path
        placeholders = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            check_operation(path, method, operation, placeholders)
    for where, node in walk(doc):
        if isinstance(node, dict) and "$ref" in node:
            assert set(node) == {"$ref"}, where
            resolve(doc, node["$ref"])


def check_operation(path: str, method: str, operation: dict[str, Any], names: set[str]) -> None:
    where = f"{method.upper()} {path}"
    responses = operation["responses"]
    assert responses and all(re.fullmatch(r"[1-5]\d\d", code) for code in responses), where
    assert all(r.get("description") for r in responses.values()), where
    in_path = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
    assert in_path == names, f"{where}: path parameters {in_path} != {names}"
    for parameter in operation.get("parameters", []):
        assert parameter["in"] in {"path", "query", "header", "cookie"}, where
        assert "schema" in parameter, where
        if parameter["in"] == "path":
            assert parameter["required"] is True, where
    if "requestBody" in operation:
        assert method in {"post", "put", "patch"}, where
        assert "application/json" in operation["requestBody"]["content"], where
    assert "401" in responses, f"{where} must document the bearer token's 401"


@pytest.mark.parametrize(("path", "method"), sorted(real_routes()))
def test_each_operation_documents_its_success(path: str, method: str) -> None:
    operation = document()["paths"][path][method]
    assert any(code.startswith("2") for code in operation["responses"])


@pytest.mark.parametrize("route", ["replies", "notes", "take", "transfer"])
def test_the_routes_that_take_an_idempotency_key_document_it_and_its_repeat(route: str) -> None:
    operation = document()["paths"][f"/api/tickets/{{number}}/{route}"]["post"]
    headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]
    assert "400" in operation["responses"]
    assert "Idempotent-Replayed" in operation["responses"]["200"]["description"]


def test_only_the_reply_documents_a_mail_ses_refused() -> None:
    refusing = {
        (path, method)
        for path, item in document()["paths"].items()
        for method, operation in item.items()
        if "422" in operation["responses"]
    }
    assert refusing == {("/api/tickets/{number}/replies", "post")}
