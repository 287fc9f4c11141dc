"""`python -m ops.backfill --stack helpdesk`: rebuild the report aggregates and the live board
from the tickets of a deployed table (the one place the helpdesk Scans).

Every ticket's life is replayed from its event log and messages through the write path's own
facts (chalicelib/services/backfill.py); the AGG# and BOARD items are then put whole and stale
ones deleted, with the read side's AGGSUM# summaries, so that running it twice leaves the same
table. `--table` names the table instead of the stack's `TableName` output; `--dry-run` reads
everything and says what it would write; `--before YYYY-MM` rebuilds only the desk-local months
before that one and leaves later months and the board alone (safe while mail flows). Uses
`helpdesk.toml` (time zone, calendars: `HELPDESK_CONFIG` for another) and the AWS credentials
and region of the environment, as the AWS CLI does. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.adapters.aws.failures import stack_outputs
from chalicelib.adapters.dynamo.rebuild import DynamoRebuild
from chalicelib.domain.errors import StorageError
from chalicelib.services.backfill import Backfill, BackfillReport, Progress
from chalicelib.services.ports import Clock

EVERY_SECONDS = 5.0  # how often progress is printed


def main(
    argv: Sequence[str] | None = None,
    clients: Callable[[str], Any] | None = None,
    clock: Clock | None = None,
) -> int:
    """`clients` replaces boto3's (tests: moto); `clock` the system's."""
    args = _parser().parse_args(argv)
    client = clients or _boto3_clients(args.region)
    try:
        table = args.table or _table_of(client("cloudformation"), args.stack)
        report = backfill(client("dynamodb"), table, args, clock)
    except StorageError as e:
        print(f"backfill: {e}", file=sys.stderr)
        return 2
    print(summary(table, report))
    return 1 if report.changed and report.before is None else 0


def backfill(
    dynamodb: Any, table: str, args: argparse.Namespace, clock: Clock | None = None
) -> BackfillReport:
    container = _container(table, {"dynamodb": dynamodb}, clock)
    service = Backfill(
        DynamoRebuild(dynamodb, table), container.recorder.facts, container.clock, Printer()
    )
    return service.run(before=args.before, dry_run=args.dry_run, segments=args.segments)


def _table_of(cloudformation: Any, stack: str) -> str:
    outputs = stack_outputs(cloudformation, stack)
    if "TableName" not in outputs:
        raise SystemExit(f"backfill: stack {stack} has no output TableName")
    return outputs["TableName"]


def _container(table: str, clients: dict[str, Any], clock: Clock | None) -> Any:
    """The app's own wiring, for the desk's time zone and the queues' calendars."""
    from chalicelib.bootstrap import Container
    from chalicelib.config import Settings

    env = {**os.environ, "TABLE_NAME": table}
    env.setdefault("MAIL_BUCKET", "unused-by-the-backfill")
    return Container(Settings.from_env(env), clock=clock, clients=clients)


class Printer:
    """Progress on stderr at most every few seconds: tickets, items read, rate, ETA."""

    def __init__(self, every: float = EVERY_SECONDS) -> None:
        self._every = every
        self._last = time.monotonic()

    def __call__(self, p: Progress) -> None:
        if time.monotonic() - self._last < self._every:
            return
        self._last = time.monotonic()
        print(f"backfill: {progress_line(p)}", file=sys.stderr, flush=True)


def progress_line(p: Progress) -> str:
    share = f" ({p.scanned / p.estimate:.0%})" if p.estimate else ""
    eta = p.eta_seconds
    left = f", ETA {_duration(eta)}" if eta is not None else ""
    return (
        f"{p.tickets:,} tickets, {p.scanned:,} of ~{p.estimate:,} items{share}, "
        f"{p.rate:.0f} tickets/s{left}"
    )


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def summary(table: str, r: BackfillReport) -> str:
    scope = f"months before {r.before}" if r.before else "every month and the board"
    verb = "would put" if r.dry_run else "put"
    deleted = "would delete" if r.dry_run else "deleted"
    lines = [
        f"{table}: {r.tickets:,} tickets ({r.scanned:,} items read) in {r.seconds:.1f} s; "
        f"{scope}: {verb} {r.rebuilt.put:,} report items, {deleted} {r.rebuilt.deleted:,}"
        + (" (dry run, nothing changed)" if r.dry_run else "")
    ]
    if r.changed:
        shown = ", ".join(f"#{n}" for n in r.changed[:20]) + (" …" if len(r.changed) > 20 else "")
        lines.append(
            f"{len(r.changed)} tickets were written while it ran ({shown}): today's cells and "
            + (
                "the board may be off by those writes; run it again in a quiet hour"
                if r.before is None
                else "later months were not touched, nothing rebuilt is affected"
            )
        )
    return "\n".join(lines)


def _month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError("must be YYYY-MM")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.backfill",
        description="Rebuild the report aggregates and the live board from the tickets.",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="the CloudFormation stack's name (its TableName output)")
    where.add_argument("--table", help="the DynamoDB table's name")
    parser.add_argument(
        "--before",
        type=_month,
        metavar="YYYY-MM",
        help="rebuild only the months before this one; later months and the board stay",
    )
    parser.add_argument("--dry-run", action="store_true", help="read all, say, change nothing")
    parser.add_argument(
        "--segments", type=int, default=4, help="parallel Scan segments (default 4)"
    )
    parser.add_argument("--region", help="default: the environment's, as for the AWS CLI")
    return parser


def _boto3_clients(region: str | None) -> Callable[[str], Any]:
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "adaptive", "max_attempts": 10})  # a Scan meets throttling
    session = boto3.session.Session(region_name=region)
    return lambda name: session.client(name, config=config)


if __name__ == "__main__":
    raise SystemExit(main())
