"""The embedded AWS holds what infra/resources.yaml declares: provisioned from it, checked here."""

from __future__ import annotations

from typing import Any

import pytest

from local.provision import load_template
from tests.conftest import TEST_ENV

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]


def props(logical: str) -> dict[str, Any]:
    return dict(RESOURCES[logical]["Properties"])


def default(parameter: str) -> Any:
    return TEMPLATE["Parameters"][parameter]["Default"]


@pytest.fixture
def table(aws: dict[str, Any]) -> dict[str, Any]:
    return dict(aws["dynamodb"].describe_table(TableName=TEST_ENV["TABLE_NAME"])["Table"])


def test_the_table_has_the_declared_key_schema(table: dict[str, Any]) -> None:
    assert table["KeySchema"] == props("Table")["KeySchema"]
    assert table["BillingModeSummary"]["BillingMode"] == props("Table")["BillingMode"]


def test_the_table_has_every_declared_index(table: dict[str, Any]) -> None:
    declared = {i["IndexName"]: i for i in props("Table")["GlobalSecondaryIndexes"]}
    created = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert set(created) == set(declared)
    for name, index in declared.items():
        assert created[name]["KeySchema"] == index["KeySchema"], name
        assert created[name]["Projection"] == index["Projection"], name


def test_the_table_expires_items_by_the_declared_attribute(aws: dict[str, Any]) -> None:
    ttl = aws["dynamodb"].describe_time_to_live(TableName=TEST_ENV["TABLE_NAME"])
    declared = props("Table")["TimeToLiveSpecification"]
    assert ttl["TimeToLiveDescription"]["AttributeName"] == declared["AttributeName"]
    assert ttl["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"


def test_the_bucket_is_encrypted_as_declared(aws: dict[str, Any]) -> None:
    rules = aws["s3"].get_bucket_encryption(Bucket=TEST_ENV["MAIL_BUCKET"])[
        "ServerSideEncryptionConfiguration"
    ]["Rules"]
    declared = props("MailBucket")["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert [r["ApplyServerSideEncryptionByDefault"] for r in rules] == [
        d["ServerSideEncryptionByDefault"] for d in declared
    ]
    assert [r.get("BucketKeyEnabled") for r in rules] == [d["BucketKeyEnabled"] for d in declared]


def test_the_bucket_blocks_public_access_as_declared(aws: dict[str, Any]) -> None:
    block = aws["s3"].get_public_access_block(Bucket=TEST_ENV["MAIL_BUCKET"])
    declared = props("MailBucket")["PublicAccessBlockConfiguration"]
    assert block["PublicAccessBlockConfiguration"] == declared


def test_the_active_receipt_rule_takes_the_declared_recipients(aws: dict[str, Any]) -> None:
    active = aws["ses"].describe_active_receipt_rule_set()
    (rule,) = active["Rules"]
    declared = props("ReceiptRule")["Rule"]
    assert active["Metadata"]["Name"] == default("ReceiptRuleSetName")
    assert rule["Name"] == declared["Name"]
    assert rule["Enabled"] is declared["Enabled"]
    assert rule["Recipients"] == default("ReceivingRecipients").split(",")


def test_the_receipt_rule_stores_to_s3_before_invoking_the_lambda(aws: dict[str, Any]) -> None:
    (rule,) = aws["ses"].describe_active_receipt_rule_set()["Rules"]
    declared = props("ReceiptRule")["Rule"]["Actions"]
    assert [next(iter(a)) for a in rule["Actions"]] == [next(iter(a)) for a in declared]
    assert [next(iter(a)) for a in rule["Actions"]] == ["S3Action", "LambdaAction"]
    s3, invoke = rule["Actions"][0]["S3Action"], rule["Actions"][1]["LambdaAction"]
    assert s3["BucketName"] == TEST_ENV["MAIL_BUCKET"]
    assert s3["ObjectKeyPrefix"] == declared[0]["S3Action"]["ObjectKeyPrefix"]
    assert invoke["FunctionArn"].endswith(":function:helpdesk-local-inbound-email")
    assert invoke["InvocationType"] == declared[1]["LambdaAction"]["InvocationType"]


def test_the_schedule_group_exists(aws: dict[str, Any]) -> None:
    group = aws["scheduler"].get_schedule_group(Name=TEST_ENV["SCHEDULER_GROUP"])
    assert group["State"] == "ACTIVE"


def test_the_sending_identity_is_the_declared_mail_domain(aws: dict[str, Any]) -> None:
    identities = aws["sesv2"].list_email_identities()["EmailIdentities"]
    assert default("MailDomain") in [i["IdentityName"] for i in identities]


def test_the_failure_queues_exist_and_keep_messages_as_declared(aws: dict[str, Any]) -> None:
    for logical, name in (
        ("FailedInboundQueue", "helpdesk-local-failed-inbound"),
        ("FailedTasksQueue", "helpdesk-local-failed-tasks"),
    ):
        url = aws["sqs"].get_queue_url(QueueName=name)["QueueUrl"]
        attributes = aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        declared = props(logical)["MessageRetentionPeriod"]
        assert attributes["Attributes"]["MessageRetentionPeriod"] == str(declared)


def test_the_schedules_dead_letter_queue_is_the_failed_tasks_queue(aws: dict[str, Any]) -> None:
    arn = aws["sqs"].get_queue_attributes(
        QueueUrl=aws["sqs"].get_queue_url(QueueName="helpdesk-local-failed-tasks")["QueueUrl"],
        AttributeNames=["QueueArn"],
    )["Attributes"]["QueueArn"]
    assert arn == TEST_ENV["SCHEDULER_DEAD_LETTER_ARN"]


def test_the_configuration_set_publishes_bounces_and_complaints_to_the_events_topic(
    aws: dict[str, Any],
) -> None:
    name = TEST_ENV["SES_CONFIGURATION_SET"]
    assert aws["sesv2"].get_configuration_set(ConfigurationSetName=name)
    topics = [t["TopicArn"] for t in aws["sns"].list_topics()["Topics"]]
    assert "arn:aws:sns:eu-west-1:123456789012:helpdesk-local-ses-events" in topics
    declared = props("SesConfigurationSetEvents")["EventDestination"]
    assert declared["MatchingEventTypes"] == ["bounce", "complaint"]


def test_a_resource_whose_condition_is_false_is_not_created(aws: dict[str, Any]) -> None:
    assert default("AlarmEmail") == ""  # so AlarmEmailSubscription's condition is false
    [alarms] = [
        t["TopicArn"]
        for t in aws["sns"].list_topics()["Topics"]
        if t["TopicArn"].endswith("alarms")
    ]
    assert aws["sns"].list_subscriptions_by_topic(TopicArn=alarms)["Subscriptions"] == []
