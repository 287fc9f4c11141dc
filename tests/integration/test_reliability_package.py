"""The deployment's failure paths: nothing asynchronous fails into nowhere, someone hears of it,
and deleting the stack keeps the mail and the tickets (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.test_package import _CfnLoader, package

__all__ = ["package"]  # the module-scoped fixture that builds the package once here

FUNCTIONS = ("InboundEmail", "Scheduled", "APIHandler", "SesEvents")
SENDERS = ("InboundEmail", "Scheduled", "APIHandler")


@pytest.fixture(scope="module")
def template(package: Path) -> dict[str, Any]:
    return dict(yaml.load((package / "sam.yaml").read_text(), Loader=_CfnLoader))  # noqa: S506


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def statements(template: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                yield from policy["PolicyDocument"]["Statement"]
        if resource["Type"] == "AWS::IAM::Policy":
            yield from props["PolicyDocument"]["Statement"]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_every_asynchronous_function_keeps_what_failed_three_times(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    for logical, queue in (
        ("InboundEmail", "FailedInboundQueue"),
        ("Scheduled", "FailedTasksQueue"),
        ("SesEvents", "FailedTasksQueue"),
    ):
        config = resources[logical]["Properties"]["EventInvokeConfig"]
        assert config["MaximumRetryAttempts"] == 2, logical
        on_failure = config["DestinationConfig"]["OnFailure"]
        assert on_failure == {"Type": "SQS", "Destination": {"Fn::GetAtt": [queue, "Arn"]}}


def test_functions_that_make_schedules_name_the_dead_letter_queue_the_scheduler_may_use(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    for logical in SENDERS:
        variables = resources[logical]["Properties"]["Environment"]["Variables"]
        assert variables["SCHEDULER_DEAD_LETTER_ARN"] == {"Fn::GetAtt": ["FailedTasksQueue", "Arn"]}
    policy = resources["FailedTasksQueuePolicy"]["Properties"]
    assert {"Ref": "SchedulerRole"} in policy["Roles"] and {"Ref": "ScheduledRole"} in policy[
        "Roles"
    ]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "sqs:SendMessage"


def test_every_pass_role_names_the_service_it_passes_to(template: dict[str, Any]) -> None:
    passing = [s for s in statements(template) if "iam:PassRole" in _list(s["Action"])]
    assert len(passing) >= 3
    for statement in passing:
        condition = statement["Condition"]["StringEquals"]
        assert condition["iam:PassedToService"] == "scheduler.amazonaws.com", statement


def test_only_this_stacks_schedule_group_may_assume_the_scheduler_role(
    template: dict[str, Any],
) -> None:
    role = template["Resources"]["SchedulerRole"]["Properties"]["AssumeRolePolicyDocument"]
    [trust] = role["Statement"]
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}"
        ":schedule-group/${ScheduleGroup}"
    }


def test_deleting_the_stack_keeps_the_mail_and_the_tickets(template: dict[str, Any]) -> None:
    for logical in ("MailBucket", "Table"):
        resource = template["Resources"][logical]
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    assert template["Resources"]["Table"]["Properties"]["DeletionProtectionEnabled"] is True


def test_each_functions_logs_are_kept_for_the_retention_parameter(
    template: dict[str, Any],
) -> None:
    groups = resources_of(template, "AWS::Logs::LogGroup")
    named = {g["Properties"]["LogGroupName"]["Fn::Sub"] for g in groups.values()}
    assert named == {f"/aws/lambda/${{{f}}}" for f in FUNCTIONS}
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert template["Parameters"]["LogRetentionDays"]["Default"] == 90


def test_every_alarm_notifies_the_alarm_topic_and_the_set_stays_small(
    template: dict[str, Any],
) -> None:
    alarms = resources_of(template, "AWS::CloudWatch::Alarm")
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
    watched = {
        (a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms.values()
    }
    assert watched == {
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/SES", "Reputation.BounceRate"),
        ("AWS/SES", "Reputation.ComplaintRate"),
    }
    functions = {
        a["Properties"]["Dimensions"][0]["Value"]["Ref"]
        for a in alarms.values()
        if a["Properties"]["Namespace"] == "AWS/Lambda"
    }
    assert functions == set(FUNCTIONS)
    assert len(alarms) == 13  # $1.30 a month, as README "When something fails for good" says


def test_the_alarm_mail_subscription_exists_only_when_an_address_is_given(
    template: dict[str, Any],
) -> None:
    subscription = template["Resources"]["AlarmEmailSubscription"]
    assert subscription["Condition"] == "AlarmByEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""


def test_bounces_and_complaints_reach_ses_events_and_every_sender_names_the_set(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    destination = resources["SesConfigurationSetEvents"]["Properties"]["EventDestination"]
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert destination["SnsDestination"]["TopicARN"] == {"Ref": "SesEventsTopic"}
    subscription = resources["SesEventsSubscription"]["Properties"]
    assert subscription["Endpoint"] == {"Fn::GetAtt": ["SesEvents", "Arn"]}
    assert resources["SesEvents"]["Properties"]["Handler"] == "app.ses_events"
    for logical in SENDERS:
        variables = resources[logical]["Properties"]["Environment"]["Variables"]
        assert variables["SES_CONFIGURATION_SET"] == {"Ref": "SesConfigurationSet"}
    sending = [s for s in statements(template) if "ses:SendEmail" in _list(s["Action"])]
    for statement in sending:  # SendEmail with a configuration set needs it as a resource too
        assert any("configuration-set/" in str(r) for r in _list(statement["Resource"]))


def test_the_replay_finds_both_queues_in_the_stack_outputs(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["FailedInboundQueueUrl"]["Value"] == {"Ref": "FailedInboundQueue"}
    assert outputs["FailedTasksQueueUrl"]["Value"] == {"Ref": "FailedTasksQueue"}
