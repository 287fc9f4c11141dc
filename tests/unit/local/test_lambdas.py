"""In-process Lambda functions: found by function ARN, called with a Lambda-like context."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from local.lambdas import FunctionSettings, LambdaFunctions, MissingFunction, function_name

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:helpdesk-local-inbound-email"


def test_the_function_name_comes_from_the_arn() -> None:
    assert function_name(ARN) == "helpdesk-local-inbound-email"
    assert function_name(ARN + ":live") == "helpdesk-local-inbound-email"
    assert function_name("not-an-arn") == "not-an-arn"


def test_a_stack_function_maps_to_the_app_handler_of_that_name() -> None:
    seen: list[tuple[Any, Any]] = []
    app = SimpleNamespace(inbound_email=lambda event, context: seen.append((event, context)))
    functions = LambdaFunctions(app, "helpdesk-local", lambda _n: FunctionSettings(1024, 60))
    functions.invoke(ARN, {"Records": []})
    event, context = seen[0]
    assert event == {"Records": []}
    assert context.function_name == "helpdesk-local-inbound-email"
    assert context.invoked_function_arn == ARN
    assert context.memory_limit_in_mb == 1024
    assert context.aws_request_id
    assert 0 < context.get_remaining_time_in_millis() <= 60_000


def test_a_handler_added_later_is_found_without_a_restart() -> None:
    app = SimpleNamespace()
    functions = LambdaFunctions(app, "helpdesk-local")
    arn = ARN.replace("inbound-email", "scheduled")
    with pytest.raises(MissingFunction, match="name='scheduled'"):
        functions.invoke(arn, {})
    app.scheduled = lambda event, context: event["kind"]
    assert functions.invoke(arn, {"kind": "sla_breach"}) == "sla_breach"


def test_a_function_of_another_stack_is_missing() -> None:
    functions = LambdaFunctions(SimpleNamespace(inbound_email=print), "helpdesk-local")
    with pytest.raises(MissingFunction, match="not a function of stack"):
        functions.invoke(ARN.replace("helpdesk-local", "other"), {})


def test_survey_links_follow_the_api_port() -> None:
    from types import SimpleNamespace

    from local.api_server import apply_environment

    env: dict[str, str] = {"PUBLIC_BASE_URL": "http://127.0.0.1:8000"}
    config = SimpleNamespace(environment_variables={"PUBLIC_BASE_URL": "http://127.0.0.1:8000"})
    apply_environment(config, "http://127.0.0.1:5999", env, public_base_url="http://127.0.0.1:8123")
    assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:8123"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5999"
