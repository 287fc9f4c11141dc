"""`python -m ops.replay --stack helpdesk`: invoke again what the stack's failure queues hold.

Reads the queue URLs from the stack's outputs (FailedInboundQueueUrl, FailedTasksQueueUrl),
invokes each kept event's function synchronously, and deletes it from its queue only when the
function succeeded. `--dry-run` lists them and changes nothing. Uses the AWS credentials and
region of the environment, as the AWS CLI does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from chalicelib.adapters.aws.failures import LambdaInvoker, SqsFailureQueue, stack_outputs
from chalicelib.domain.errors import StorageError
from chalicelib.services.ports import FailureQueue, Invoker
from chalicelib.services.replay import Replay, ReplayReport

# queue output → the function its Scheduler dead-letter messages (no function named) go to
QUEUES = {
    "inbound": ("FailedInboundQueueUrl", "inbound-email"),
    "tasks": ("FailedTasksQueueUrl", "scheduled"),
}


def main(
    argv: Sequence[str] | None = None,
    clients: Callable[[str], Any] | None = None,
    invoker: Invoker | None = None,
) -> int:
    """`clients` and `invoker` replace boto3's and Lambda's (tests: moto, handlers in-process)."""
    args = _parser().parse_args(argv)
    client = clients or _boto3_clients(args.region)
    try:
        outputs = stack_outputs(client("cloudformation"), args.stack)
    except StorageError as e:
        print(f"replay: {e}", file=sys.stderr)
        return 2
    invoker = invoker or LambdaInvoker(client("lambda"))
    failed = 0
    for name in QUEUES if args.queue == "all" else (args.queue,):
        queue = failure_queue(client("sqs"), outputs, args.stack, name)
        try:
            report = replay(queue, invoker, dry_run=args.dry_run)
        except StorageError as e:  # the queue itself failed: what was not replayed stays
            print(f"replay: {name}: {e}", file=sys.stderr)
            return 2
        print(summary(name, report))
        failed += len(report.failed)
    return 1 if failed else 0


def failure_queue(sqs: Any, outputs: Mapping[str, str], stack: str, name: str) -> SqsFailureQueue:
    output, function = QUEUES[name]
    if output not in outputs:
        raise SystemExit(f"replay: stack {stack} has no output {output} (deployed before it?)")
    return SqsFailureQueue(sqs, outputs[output], f"{stack}-{function}")


def replay(queue: FailureQueue, invoker: Invoker, *, dry_run: bool) -> ReplayReport:
    return Replay(queue, invoker).run(dry_run=dry_run)


def summary(name: str, report: ReplayReport) -> str:
    if report.listed:
        lines = [f"{name}: {len(report.listed)} waiting (dry run, nothing changed)"]
        lines += [f"  {t.id} → {t.function}: {t.why or 'no reason given'}" for t in report.listed]
        return "\n".join(lines)
    lines = [f"{name}: {len(report.replayed)} replayed, {len(report.failed)} failed again"]
    lines += [f"  {t.id} → {t.function}: {why} (left in the queue)" for t, why in report.failed]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.replay",
        description="Invoke again the inbound mail and tasks a deployed stack failed for good.",
    )
    parser.add_argument("--stack", required=True, help="the CloudFormation stack's name")
    parser.add_argument("--queue", choices=[*QUEUES, "all"], default="all")
    parser.add_argument("--dry-run", action="store_true", help="list them, change nothing")
    parser.add_argument("--region", help="default: the environment's, as for the AWS CLI")
    return parser


def _boto3_clients(region: str | None) -> Callable[[str], Any]:
    import boto3
    from botocore.config import Config

    # inbound_email may run for 60 s; a retried read would invoke it twice (harmless, but noisy)
    config = Config(read_timeout=130, retries={"total_max_attempts": 1})
    session = boto3.session.Session(region_name=region)
    return lambda name: session.client(name, config=config)


if __name__ == "__main__":
    raise SystemExit(main())
