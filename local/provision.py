"""Create in moto the resources infra/resources.yaml declares, from that file itself.

Only the resource types the helpdesk uses are provisioned: bucket, table, receipt rules, sending
identity and configuration set, schedule group, the failure queues and the SES events topic. The
rest (IAM, alarms, log groups, Lambda subscriptions and permissions) have no behaviour worth
emulating locally and are listed as skipped, as are resources whose Condition is false.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

INFRA_TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "resources.yaml"
ACCOUNT = "123456789012"
AWS_SERVICES = ("s3", "dynamodb", "ses", "sesv2", "scheduler", "lambda", "iam", "sqs", "sns")


def load_template(path: Path = INFRA_TEMPLATE) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass
class Names:
    """Physical names for the local stage (CloudFormation would generate them in AWS)."""

    bucket: str
    table: str
    schedule_group: str
    region: str
    stack: str = "helpdesk-local"
    parameters: dict[str, Any] = field(default_factory=dict)


class Resolver:
    """Enough of CloudFormation's intrinsic functions to read our own template."""

    def __init__(self, template: Mapping[str, Any], names: Names) -> None:
        params = {k: v.get("Default") for k, v in template.get("Parameters", {}).items()}
        params |= names.parameters
        for key, value in list(params.items()):
            kind = template.get("Parameters", {}).get(key, {}).get("Type", "")
            if kind == "CommaDelimitedList" and isinstance(value, str):
                params[key] = [v.strip() for v in value.split(",") if v.strip()]
        self.names = names
        self.params = params
        self.conditions = template.get("Conditions", {})
        self.physical = {
            "MailBucket": names.bucket,
            "Table": names.table,
            "ScheduleGroup": names.schedule_group,
            "ReceiptRuleSet": params.get("ReceiptRuleSetName", "helpdesk"),
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": names.region,
            "AWS::Partition": "aws",
            "AWS::StackName": names.stack,
        } | physical_names(names)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            handler = self._intrinsics.get(key)
            if handler is not None:
                return handler(arg)
        return {k: self(v) for k, v in value.items()}

    @property
    def _intrinsics(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self._ref,
            "Fn::Sub": self._sub,
            "Fn::GetAtt": self._get_att,
            "Fn::If": self._if,
            "Fn::Not": lambda a: not self(a[0]),
            "Fn::Equals": lambda a: str(self(a[0])) == str(self(a[1])),
        }

    def _ref(self, name: str) -> Any:
        if name in self.params:
            return self.params[name]
        if name in _REF_IS_ARN:  # Ref of a topic is its ARN
            return self._get_att([name, "Arn"])
        return self.physical.get(name, name)

    def _sub(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            ref = match.group(1)
            if "." in ref:
                return str(self._get_att(ref.split(".", 1)))
            return str(self._ref(ref))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def _get_att(self, arg: list[str] | str) -> str:
        logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
        name = self.physical.get(logical, logical)
        arns = {
            "MailBucket": f"arn:aws:s3:::{name}",
            "Table": f"arn:aws:dynamodb:{self.names.region}:{ACCOUNT}:table/{name}",
            "InboundEmail": f"arn:aws:lambda:{self.names.region}:{ACCOUNT}:function:{name}",
            "SchedulerRole": f"arn:aws:iam::{ACCOUNT}:role/{self.names.stack}-scheduler",
            **{q: f"arn:aws:sqs:{self.names.region}:{ACCOUNT}:{self.physical[q]}" for q in QUEUES},
            **{t: f"arn:aws:sns:{self.names.region}:{ACCOUNT}:{self.physical[t]}" for t in TOPICS},
        }
        if attribute == "Arn":
            return arns.get(logical, f"arn:aws:local:::{logical}")
        return str(name)

    def _if(self, arg: list[Any]) -> Any:
        condition, yes, no = arg
        return self(yes) if self.holds(condition) else self(no)

    def holds(self, condition: str) -> bool:
        return bool(self(self.conditions[condition]))


QUEUES = {"FailedInboundQueue": "failed-inbound", "FailedTasksQueue": "failed-tasks"}
TOPICS = {"SesEventsTopic": "ses-events", "AlarmTopic": "alarms"}
_REF_IS_ARN = frozenset(TOPICS)


def physical_names(names: Names) -> dict[str, str]:
    """Names CloudFormation would generate, fixed here so that the `local` stage can name them."""
    return {
        "InboundEmail": f"{names.stack}-inbound-email",
        "SesEvents": f"{names.stack}-ses-events",
        "SesConfigurationSet": f"{names.stack}-helpdesk",
        **{logical: f"{names.stack}-{name}" for logical, name in (QUEUES | TOPICS).items()},
    }


def provision(
    clients: Mapping[str, Any], names: Names, template: Mapping[str, Any] | None = None
) -> list[str]:
    """Create each supported resource; returns a line per resource for the log."""
    template = template or load_template()
    resolve = Resolver(template, names)
    log = []
    ordered = sorted(template["Resources"].items(), key=lambda kv: _ORDER.get(kv[1]["Type"], 0))
    for logical, resource in ordered:
        kind = resource["Type"]
        if "Condition" in resource and not resolve.holds(resource["Condition"]):
            log.append(f"skipped {logical} ({kind}): condition {resource['Condition']} is false")
            continue
        props = resolve(resource.get("Properties", {}))
        creator = _CREATORS.get(kind)
        if creator is None:
            log.append(f"skipped {logical} ({kind}): nothing to emulate locally")
            continue
        log.append(creator(clients, names, props, logical))
    return log


def _bucket(clients: Mapping[str, Any], names: Names, props: dict[str, Any], logical: str) -> str:
    s3 = clients["s3"]
    config = {"LocationConstraint": names.region} if names.region != "us-east-1" else None
    s3.create_bucket(
        Bucket=names.bucket, **({"CreateBucketConfiguration": config} if config else {})
    )
    if "BucketEncryption" in props:
        rules = [
            {"ApplyServerSideEncryptionByDefault": r["ServerSideEncryptionByDefault"]}
            | {k: v for k, v in r.items() if k != "ServerSideEncryptionByDefault"}
            for r in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(
            Bucket=names.bucket, ServerSideEncryptionConfiguration={"Rules": rules}
        )
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=names.bucket,
            PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"],
        )
    return f"created bucket {names.bucket} ({logical})"


def _table(clients: Mapping[str, Any], names: Names, props: dict[str, Any], logical: str) -> str:
    db = clients["dynamodb"]
    db.create_table(
        TableName=names.table,
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props.get("GlobalSecondaryIndexes", []),
        BillingMode=props.get("BillingMode", "PAY_PER_REQUEST"),
    )
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        db.update_time_to_live(TableName=names.table, TimeToLiveSpecification=ttl)
    indexes = len(props.get("GlobalSecondaryIndexes", []))
    return f"created table {names.table} with {indexes} indexes ({logical})"


def _rule_set(clients: Mapping[str, Any], names: Names, props: dict[str, Any], logical: str) -> str:
    ses = clients["ses"]
    ses.create_receipt_rule_set(RuleSetName=props["RuleSetName"])
    ses.set_active_receipt_rule_set(RuleSetName=props["RuleSetName"])
    return f"created and activated receipt rule set {props['RuleSetName']} ({logical})"


def _rule(clients: Mapping[str, Any], names: Names, props: dict[str, Any], logical: str) -> str:
    clients["ses"].create_receipt_rule(RuleSetName=props["RuleSetName"], Rule=props["Rule"])
    rule = props["Rule"]
    return f"created receipt rule {rule['Name']} for {', '.join(rule['Recipients'])} ({logical})"


def _identity(clients: Mapping[str, Any], names: Names, props: dict[str, Any], logical: str) -> str:
    clients["sesv2"].create_email_identity(EmailIdentity=props["EmailIdentity"])
    return f"created sending identity {props['EmailIdentity']} ({logical})"


def _schedule_group(
    clients: Mapping[str, Any], names: Names, props: dict[str, Any], logical: str
) -> str:
    clients["scheduler"].create_schedule_group(Name=names.schedule_group)
    return f"created schedule group {names.schedule_group} ({logical})"


def _function(clients: Mapping[str, Any], names: Names, props: dict[str, Any], logical: str) -> str:
    """A record of the function in moto's Lambda, so receipt rules can name it.

    moto cannot run it (that needs Docker); the local stack calls the handler in-process.
    """
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    iam = clients["iam"]
    role_name = f"{names.stack}-{logical}"
    role = iam.create_role(
        RoleName=role_name,
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    )
    clients["lambda"].create_function(
        FunctionName=props["FunctionName"],
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
    )
    return f"registered function {props['FunctionName']} (runs in-process) ({logical})"


def _queue(clients: Mapping[str, Any], names: Names, props: dict[str, Any], logical: str) -> str:
    name = physical_names(names)[logical]
    attributes = {k: str(props[k]) for k in ("MessageRetentionPeriod",) if k in props}
    if "SqsManagedSseEnabled" in props:
        attributes["SqsManagedSseEnabled"] = str(props["SqsManagedSseEnabled"]).lower()
    clients["sqs"].create_queue(QueueName=name, Attributes=attributes)
    return f"created queue {name} ({logical})"


def _topic(clients: Mapping[str, Any], names: Names, props: dict[str, Any], logical: str) -> str:
    name = physical_names(names)[logical]
    clients["sns"].create_topic(Name=name)
    return f"created topic {name} ({logical})"


def _configuration_set(
    clients: Mapping[str, Any], names: Names, props: dict[str, Any], logical: str
) -> str:
    clients["sesv2"].create_configuration_set(ConfigurationSetName=props["Name"])
    return f"created SES configuration set {props['Name']} ({logical})"


def _event_destination(
    clients: Mapping[str, Any], names: Names, props: dict[str, Any], logical: str
) -> str:
    declared = props["EventDestination"]
    destination = {
        "Name": declared["Name"],
        "Enabled": declared["Enabled"],
        "MatchingEventTypes": declared["MatchingEventTypes"],
        "SNSDestination": {"TopicARN": declared["SnsDestination"]["TopicARN"]},
    }
    clients["ses"].create_configuration_set_event_destination(
        ConfigurationSetName=props["ConfigurationSetName"], EventDestination=destination
    )
    events = ", ".join(declared["MatchingEventTypes"])
    return f"created SES event destination {declared['Name']} ({events}) ({logical})"


_ORDER = {
    "AWS::Serverless::Function": -1,
    "AWS::SNS::Topic": -1,
    "AWS::SES::ConfigurationSetEventDestination": 1,  # after its configuration set
}

_CREATORS = {
    "AWS::Serverless::Function": _function,
    "AWS::S3::Bucket": _bucket,
    "AWS::DynamoDB::Table": _table,
    "AWS::SES::ReceiptRuleSet": _rule_set,
    "AWS::SES::ReceiptRule": _rule,
    "AWS::SES::EmailIdentity": _identity,
    "AWS::Scheduler::ScheduleGroup": _schedule_group,
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::SES::ConfigurationSet": _configuration_set,
    "AWS::SES::ConfigurationSetEventDestination": _event_destination,
}
