"""SES receiving: which recipients a rule takes, the verdict header, storing and retrying."""

from __future__ import annotations

from typing import Any

import pytest

from local.lambdas import MissingFunction
from local.receipt_rules import ReceiptRule, verdicts_from_header
from local.receiving import Receiver, summary
from tests.unit.local.fakes import frozen_clock

INBOUND_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:helpdesk-local-inbound-email"
RULE = ReceiptRule(
    name="helpdesk-inbound",
    recipients=("support@example.com", "billing@example.com"),
    bucket="mail",
    prefix="inbound/",
    function_arn=INBOUND_ARN,
)
RAW = b"From: a@customer.example\r\nTo: support@example.com\r\nSubject: hi\r\n\r\nhello\r\n"


@pytest.mark.parametrize(
    ("recipients", "address", "accepted"),
    [
        (("support@example.com",), "support@example.com", True),
        (("support@example.com",), "Support@Example.COM", True),
        (("support@example.com",), "sales@example.com", False),
        (("example.com",), "anyone@example.com", True),
        (("example.com",), "anyone@eu.example.com", False),
        ((".example.com",), "anyone@eu.example.com", True),
        ((".example.com",), "anyone@example.com", False),
        ((), "anyone@anywhere.example", True),
    ],
)
def test_a_rule_takes_addresses_domains_and_subdomains_as_ses_does(
    recipients: tuple[str, ...], address: str, accepted: bool
) -> None:
    assert ReceiptRule("r", recipients).accepts(address) is accepted


def test_a_rule_is_read_with_its_s3_and_lambda_actions() -> None:
    rule = ReceiptRule.from_api(
        {
            "Name": "helpdesk-inbound",
            "Enabled": True,
            "Recipients": ["support@example.com"],
            "Actions": [
                {"S3Action": {"BucketName": "mail", "ObjectKeyPrefix": "inbound/"}},
                {"LambdaAction": {"FunctionArn": INBOUND_ARN, "InvocationType": "Event"}},
            ],
        }
    )
    assert (rule.bucket, rule.prefix, rule.function_arn) == ("mail", "inbound/", INBOUND_ARN)


def test_the_verdict_header_sets_ses_verdicts() -> None:
    raw = b"X-Local-Verdicts: spam=FAIL, virus=pass, dmarc = GRAY\r\nSubject: x\r\n\r\n"
    assert verdicts_from_header(raw) == {"spam": "FAIL", "virus": "PASS", "dmarc": "GRAY"}


def test_unknown_verdicts_are_ignored() -> None:
    raw = b"X-Local-Verdicts: spam=MAYBE, mood=FAIL, garbage\r\n\r\n"
    assert verdicts_from_header(raw) == {}
    assert verdicts_from_header(RAW) == {}


class FakeS3:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put_object(self, **kwargs: Any) -> None:  # boto3's parameter names
        self.objects[(kwargs["Bucket"], kwargs["Key"])] = kwargs["Body"]


class FakeFunctions:
    def __init__(self, failures: list[BaseException]) -> None:
        self.failures = failures
        self.events: list[tuple[str, dict[str, Any]]] = []

    def invoke(self, arn: str, event: dict[str, Any]) -> Any:
        self.events.append((arn, event))
        if self.failures:
            raise self.failures.pop(0)
        return {"results": [{"ticket": 1001, "outcome": "ticket", "acknowledged": True}]}


def receiver(failures: list[BaseException]) -> tuple[Receiver, FakeS3, FakeFunctions]:
    s3, functions = FakeS3(), FakeFunctions(failures)
    made = Receiver([RULE], s3, functions, frozen_clock(), retry_delays=(0, 0))
    return made, s3, functions


def test_the_raw_mail_is_stored_at_the_rules_prefix_and_mail_id() -> None:
    made, s3, _ = receiver([])
    delivery = made.store(RAW, ["support@example.com"], "a@customer.example")
    assert s3.objects == {("mail", f"inbound/{delivery.mail_id}"): RAW}
    assert len(delivery.mail_id) == 40


def test_the_lambda_gets_an_ses_event_for_the_accepted_recipients() -> None:
    made, _, functions = receiver([])
    raw = RAW.replace(b"Subject: hi", b"X-Local-Verdicts: spam=FAIL\r\nSubject: hi")
    delivery = made.store(raw, ["support@example.com"], "bounce@customer.example")
    made.process(delivery, raw)
    arn, event = functions.events[0]
    record = event["Records"][0]["ses"]
    assert arn == INBOUND_ARN
    assert record["mail"]["messageId"] == delivery.mail_id
    assert record["mail"]["source"] == "bounce@customer.example"
    assert record["receipt"]["recipients"] == ["support@example.com"]
    assert record["receipt"]["spamVerdict"] == {"status": "FAIL"}
    assert record["receipt"]["action"]["functionArn"] == INBOUND_ARN
    assert record["mail"]["timestamp"].startswith("2026-11-23T08:00:00")


def test_a_failing_handler_is_retried_twice_as_lambda_does() -> None:
    made, s3, functions = receiver([RuntimeError("one"), RuntimeError("two"), RuntimeError("3")])
    delivery = made.store(RAW, ["support@example.com"], "a@customer.example")
    made.process(delivery, RAW)
    assert len(functions.events) == 3
    assert ("mail", f"inbound/{delivery.mail_id}") in s3.objects


def test_a_handler_that_recovers_is_not_called_again() -> None:
    made, _, functions = receiver([RuntimeError("throttled")])
    made.process(made.store(RAW, ["support@example.com"], "a@customer.example"), RAW)
    assert len(functions.events) == 2


def test_a_missing_handler_is_not_retried() -> None:
    made, _, functions = receiver([MissingFunction("no inbound_email")])
    made.process(made.store(RAW, ["support@example.com"], "a@customer.example"), RAW)
    assert len(functions.events) == 1


def test_the_log_summary_reads_as_a_sentence() -> None:
    result = {"results": [{"ticket": 1001, "outcome": "ticket", "acknowledged": True}]}
    assert summary(result) == "ticket #1001 (ticket), acknowledged"
    assert summary(None) == "processed"
