"""Both record shapes of the failure queues read into a task: what to invoke, with what, why."""

from __future__ import annotations

import json

from chalicelib.adapters.aws.failures import failed_task

SCHEDULED = "arn:aws:lambda:eu-west-1:123456789012:function:helpdesk-scheduled"


def test_a_lambda_on_failure_record_gives_its_function_its_event_and_the_error() -> None:
    record = {
        "version": "1.0",
        "timestamp": "2026-11-23T08:03:00.000Z",
        "requestContext": {
            "requestId": "e4b46cbf-b738-xmpl-8880-a18cdf61200e",
            "functionArn": f"{SCHEDULED}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": {"type": "sla", "ticket": 1001, "schedule": "sla-1001-fr-w"},
        "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": "DynamoDB throttled", "errorType": "StorageError"},
    }
    message = {"MessageId": "m1", "ReceiptHandle": "r1", "Body": json.dumps(record)}

    task = failed_task(message, "helpdesk-scheduled")

    assert (task.id, task.receipt) == ("m1", "r1")
    assert task.function == f"{SCHEDULED}:$LATEST"
    assert task.payload == {"type": "sla", "ticket": 1001, "schedule": "sla-1001-fr-w"}
    assert task.why == "RetriesExhausted: DynamoDB throttled"


def test_a_scheduler_dead_letter_message_is_the_schedules_input_and_names_its_target() -> None:
    message = {
        "MessageId": "m2",
        "ReceiptHandle": "r2",
        "Body": json.dumps({"type": "survey_send", "ticket": 1001, "survey": "s1"}),
        "MessageAttributes": {
            "ERROR_CODE": {"StringValue": "AWS.Lambda.AccessDeniedException", "DataType": "String"},
            "ERROR_MESSAGE": {"StringValue": "not authorized", "DataType": "String"},
            "TARGET_ARN": {"StringValue": SCHEDULED, "DataType": "String"},
        },
    }

    task = failed_task(message, "helpdesk-scheduled")

    assert task.function == SCHEDULED
    assert task.payload == {"type": "survey_send", "ticket": 1001, "survey": "s1"}
    assert task.why == "AWS.Lambda.AccessDeniedException: not authorized"


def test_a_message_without_attributes_goes_to_the_queues_default_function() -> None:
    message = {"MessageId": "m3", "ReceiptHandle": "r3", "Body": '{"type": "sla"}'}

    assert failed_task(message, "helpdesk-scheduled").function == "helpdesk-scheduled"
