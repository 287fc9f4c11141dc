"""Failure queues on SQS, invoking a Lambda function again, and the stack's outputs that name
the queues: what the replay needs of AWS.

Two record shapes arrive in the queues:
- a Lambda on-failure destination's record (inbound_email, scheduled, ses_events): JSON with
  `requestContext.functionArn`, `requestContext.condition`, `requestPayload` (the event) and
  `responsePayload` (the error);
- an EventBridge Scheduler dead-letter message: the body is the schedule's Input, and message
  attributes say why (`ERROR_CODE`, `ERROR_MESSAGE`) and to what (`TARGET_ARN`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import ReplayFailed, StorageError
from chalicelib.services.ports import FailedTask

HIDDEN_SECONDS = 900  # longer than any function's timeout: one run never meets a task twice


def failed_task(message: Mapping[str, Any], default_function: str) -> FailedTask:
    body_text = str(message.get("Body") or "")
    try:
        body = json.loads(body_text)
    except ValueError:
        body = None
    attributes = {
        k: str(v.get("StringValue") or "")
        for k, v in (message.get("MessageAttributes") or {}).items()
        if isinstance(v, Mapping)
    }
    base = {"id": str(message["MessageId"]), "receipt": str(message["ReceiptHandle"])}
    if isinstance(body, Mapping) and isinstance(body.get("requestContext"), Mapping):
        context = body["requestContext"]
        response = body.get("responsePayload")
        error = response.get("errorMessage") if isinstance(response, Mapping) else None
        why = ": ".join(str(x) for x in (context.get("condition"), error) if x)
        payload = body.get("requestPayload")
        return FailedTask(
            **base,
            function=str(context.get("functionArn") or default_function),
            payload=payload if isinstance(payload, Mapping) else {},
            why=why,
        )
    why = ": ".join(v for v in (attributes.get("ERROR_CODE"), attributes.get("ERROR_MESSAGE")) if v)
    return FailedTask(
        **base,
        function=attributes.get("TARGET_ARN") or default_function,
        payload=body if isinstance(body, Mapping) else {"unreadable": body_text[:2000]},
        why=why or "the Scheduler could not deliver it",
    )


class SqsFailureQueue:
    def __init__(self, client: Any, url: str, default_function: str) -> None:
        self._sqs = client
        self._url = url
        self._default = default_function

    def receive(self) -> list[FailedTask]:
        response = self._call(
            "receive_message",
            QueueUrl=self._url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=HIDDEN_SECONDS,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
        )
        return [failed_task(m, self._default) for m in response.get("Messages", [])]

    def delete(self, task: FailedTask) -> None:
        self._call("delete_message", QueueUrl=self._url, ReceiptHandle=task.receipt)

    def release(self, task: FailedTask) -> None:
        self._call(
            "change_message_visibility",
            QueueUrl=self._url,
            ReceiptHandle=task.receipt,
            VisibilityTimeout=0,
        )

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._sqs, operation)(**kwargs)
        except (ClientError, BotoCoreError) as e:
            raise StorageError(f"SQS {operation} on {self._url} failed: {e}") from e


class LambdaInvoker:
    """Invokes and waits (RequestResponse), so that success is known before the delete."""

    def __init__(self, client: Any) -> None:
        self._lambda = client

    def invoke(self, function: str, payload: Mapping[str, Any]) -> None:
        try:
            response = self._lambda.invoke(
                FunctionName=function,
                InvocationType="RequestResponse",
                Payload=json.dumps(dict(payload)).encode("utf-8"),
            )
        except (ClientError, BotoCoreError) as e:
            raise ReplayFailed(f"invoking {function} failed: {e}") from e
        if response.get("FunctionError"):
            detail = response["Payload"].read().decode("utf-8", "replace")[:500]
            raise ReplayFailed(f"{function} failed: {detail}")


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    try:
        [described] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except (ClientError, BotoCoreError) as e:  # no such stack, no permission, no network
        raise StorageError(f"cannot read stack {stack}: {e}") from e
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
