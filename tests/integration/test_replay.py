"""`python -m ops.replay` against moto: the stack's outputs name the queues, the kept events
run again through the real handlers (in-process: moto cannot run Lambda), and leave only then."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from chalicelib.domain.errors import ReplayFailed
from local.lambdas import function_name
from local.ses_events import new_mail_id, ses_event
from ops import replay
from tests.helpers import FUNCTION_ARN, make_mail, sent_mail
from tests.integration.conftest import Helpdesk

STACK = "helpdesk-test"
QUEUES_TEMPLATE = {
    "Resources": {
        "FailedInboundQueue": {"Type": "AWS::SQS::Queue"},
        "FailedTasksQueue": {"Type": "AWS::SQS::Queue"},
    },
    "Outputs": {
        "FailedInboundQueueUrl": {"Value": {"Ref": "FailedInboundQueue"}},
        "FailedTasksQueueUrl": {"Value": {"Ref": "FailedTasksQueue"}},
    },
}


class InProcess:
    """Invoker: the app's handler for the function's name, as chalice's test client runs it."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def invoke(self, function: str, payload: Mapping[str, Any]) -> None:
        handler = function_name(function).removeprefix("helpdesk-local-")  # as TEST_ENV names them
        try:
            self._client.lambda_.invoke(handler.replace("-", "_"), dict(payload))
        except Exception as e:
            raise ReplayFailed(f"{function}: {type(e).__name__}: {e}") from e


@pytest.fixture
def queues(helpdesk: Helpdesk) -> dict[str, str]:
    cloudformation = helpdesk.container.client("cloudformation")
    cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(QUEUES_TEMPLATE))
    return replay.stack_outputs(cloudformation, STACK)


def run(helpdesk: Helpdesk, *args: str) -> int:
    return replay.main(
        ["--stack", STACK, *args],
        clients=helpdesk.container.client,
        invoker=InProcess(helpdesk.client),
    )


def on_failure_record(function: str, event: dict[str, Any]) -> str:
    """What Lambda's on-failure destination writes after the third failed attempt."""
    return json.dumps(
        {
            "version": "1.0",
            "requestContext": {
                "functionArn": f"{function}:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": 3,
            },
            "requestPayload": event,
            "responsePayload": {"errorMessage": "DynamoDB throttled"},
        }
    )


def failed_mail(helpdesk: Helpdesk, queues: dict[str, str], raw: bytes | None) -> str:
    """A mail SES stored and inbound_email failed three times on; None: its raw mail is gone."""
    mail_id = new_mail_id()
    body = raw or make_mail()
    if raw is not None:
        helpdesk.aws["s3"].put_object(
            Bucket="helpdesk-mail-test", Key=f"inbound/{mail_id}", Body=raw
        )
    event = ses_event(
        body,
        mail_id=mail_id,
        recipients=("support@example.com",),
        source="anna.virtanen@customer.example",
        at=helpdesk.clock.now(),
        function_arn=FUNCTION_ARN,
    )
    helpdesk.aws["sqs"].send_message(
        QueueUrl=queues["FailedInboundQueueUrl"], MessageBody=on_failure_record(FUNCTION_ARN, event)
    )
    return mail_id


def waiting(helpdesk: Helpdesk, url: str) -> int:
    attributes = helpdesk.aws["sqs"].get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def test_a_failed_mail_replayed_becomes_its_ticket_and_leaves_the_queue(
    helpdesk: Helpdesk, queues: dict[str, str]
) -> None:
    failed_mail(helpdesk, queues, make_mail(subject="Lost on the way?"))

    assert run(helpdesk) == 0

    assert helpdesk.ticket(1001).subject == "Lost on the way?"
    assert len(sent_mail(helpdesk.aws)) == 1  # its acknowledgement
    assert waiting(helpdesk, queues["FailedInboundQueueUrl"]) == 0


def test_replaying_a_mail_that_was_half_processed_mails_the_customer_once(
    helpdesk: Helpdesk, queues: dict[str, str]
) -> None:
    raw = make_mail()
    mail_id = failed_mail(helpdesk, queues, raw)
    helpdesk.deliver(raw, mail_id=mail_id)  # a later attempt got through after all

    assert run(helpdesk) == 0

    assert len(sent_mail(helpdesk.aws)) == 1 and helpdesk.ticket(1002) is None


def test_a_mail_that_fails_again_stays_in_the_queue_and_the_command_says_so(
    helpdesk: Helpdesk, queues: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    failed_mail(helpdesk, queues, None)  # its raw mail is not in S3: NotFound again

    assert run(helpdesk) == 1

    assert waiting(helpdesk, queues["FailedInboundQueueUrl"]) == 1
    assert "inbound: 0 replayed, 1 failed again" in capsys.readouterr().out


def test_a_firing_the_scheduler_could_not_deliver_is_replayed_to_scheduled(
    helpdesk: Helpdesk, queues: dict[str, str]
) -> None:
    helpdesk.deliver(make_mail())
    group = "helpdesk-test"
    [first, *_] = helpdesk.aws["scheduler"].list_schedules(GroupName=group)["Schedules"]
    target = helpdesk.aws["scheduler"].get_schedule(Name=first["Name"], GroupName=group)["Target"]
    helpdesk.aws["sqs"].send_message(  # a dead-letter message: the Input, and why, as attributes
        QueueUrl=queues["FailedTasksQueueUrl"],
        MessageBody=target["Input"],
        MessageAttributes={
            "ERROR_CODE": {"DataType": "String", "StringValue": "AWS.Lambda.Throttled"},
            "TARGET_ARN": {"DataType": "String", "StringValue": target["Arn"]},
        },
    )

    assert run(helpdesk, "--queue", "tasks") == 0

    assert waiting(helpdesk, queues["FailedTasksQueueUrl"]) == 0


def test_a_dry_run_lists_and_changes_nothing(
    helpdesk: Helpdesk, queues: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    failed_mail(helpdesk, queues, make_mail())

    assert run(helpdesk, "--dry-run") == 0

    assert helpdesk.ticket(1001) is None
    assert waiting(helpdesk, queues["FailedInboundQueueUrl"]) == 1
    assert "RetriesExhausted: DynamoDB throttled" in capsys.readouterr().out


def test_a_stack_that_does_not_exist_is_a_clear_error(
    helpdesk: Helpdesk, capsys: pytest.CaptureFixture[str]
) -> None:
    assert replay.main(["--stack", "nope"], clients=helpdesk.container.client) == 2
    assert "cannot read stack nope" in capsys.readouterr().err


def test_a_queue_that_cannot_be_read_is_a_clear_error_and_deletes_nothing(
    helpdesk: Helpdesk, queues: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    helpdesk.aws["sqs"].delete_queue(QueueUrl=queues["FailedInboundQueueUrl"])

    assert run(helpdesk, "--queue", "inbound") == 2
    assert "replay: inbound: SQS receive_message" in capsys.readouterr().err
