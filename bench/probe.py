"""Measurements that need a fresh interpreter: `python -m bench.probe first-call | memory FILE`.

Each prints one line `BENCH-RESULT {json}` on stdout; the app's own log lines go elsewhere.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

MARK = "BENCH-RESULT "


def peak_rss_mb() -> float:
    """The process's peak resident set (VmHWM; reset by reset_peak), interpreter included."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Linux resets VmHWM to the current RSS when 5 is written to clear_refs."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _moto_app() -> tuple[Any, Any, Any]:
    """moto started and provisioned, then the Lambda entry module imported (timed)."""
    import boto3
    from moto import mock_aws

    from bench.desk import ENV, HARNESS_SERVICES, REGION, STACK, put_survey_secret
    from local import moto_patch
    from local.provision import Names, provision

    moto_patch.apply()
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(key, None)
    os.environ.update(ENV)
    mock = mock_aws()
    mock.start()
    aws = {name: boto3.client(name, region_name=REGION) for name in HARNESS_SERVICES}
    provision(
        aws, Names(ENV["MAIL_BUCKET"], ENV["TABLE_NAME"], ENV["SCHEDULER_GROUP"], REGION, STACK)
    )
    put_survey_secret(aws["ssm"])
    started = time.perf_counter()
    import app

    return app, aws, time.perf_counter() - started


def _deliver(app: Any, aws: Any, raw: bytes, mail_id: str) -> tuple[float, dict[str, Any]]:
    """SES's S3 action, then one timed `inbound_email` invocation as Lambda makes it."""
    from datetime import UTC, datetime

    from chalice.local import LambdaContext

    from bench.config import memory_mb
    from bench.desk import ENV, INBOUND_ARN, envelope_sender
    from local.ses_events import ses_event

    aws["s3"].put_object(Bucket=ENV["MAIL_BUCKET"], Key=f"inbound/{mail_id}", Body=raw)
    event = ses_event(
        raw,
        mail_id=mail_id,
        recipients=["support@example.com"],
        source=envelope_sender(raw),
        at=datetime.now(UTC),
        function_arn=INBOUND_ARN,
    )
    context = LambdaContext("helpdesk-inbound-email", memory_mb("inbound_email"), 60_000)
    started = time.perf_counter()
    with redirect_stdout(sys.stderr):
        result = app.inbound_email(event, context)
    return time.perf_counter() - started, dict(result["results"][0])


def first_call() -> dict[str, Any]:
    from bench.corpus import customer_mail

    app, aws, imported = _moto_app()
    timings = []
    for n in (1, 2):
        raw = customer_mail(
            subject=f"Question {n}",
            body="Hello,\n\nwhere is my order?\n",
            sender=f"Customer {n} <customer{n}@customer.example>",
            message_id=f"<probe-{n}@customer.example>",
        )
        seconds, result = _deliver(app, aws, raw, f"probe{n:037d}")
        timings.append({"seconds": seconds, "outcome": result["outcome"]})
    return {"import": imported, "first": timings[0], "second": timings[1]}


def memory(path: str) -> dict[str, Any]:
    app, aws, _ = _moto_app()
    raw = Path(path).read_bytes()
    size = len(raw)
    before = peak_rss_mb()
    reset = reset_peak()
    seconds, result = _deliver(app, aws, raw, "memory" + "0" * 34)
    return {
        "mail_mb": size / 1024 / 1024,
        "peak_before_mb": before,
        "peak_mb": peak_rss_mb(),
        "reset": reset,
        "seconds": seconds,
        "outcome": result["outcome"],
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["first-call"]:
        found = first_call()
    elif argv[:1] == ["memory"] and len(argv) == 2:
        found = memory(argv[1])
    else:
        print("usage: python -m bench.probe first-call | memory FILE", file=sys.stderr)
        return 2
    print(MARK + json.dumps(found), flush=True)
    return 0


def parse(stdout: str) -> dict[str, Any]:
    """The probe's result line, from everything the subprocess printed."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARK):
            found: dict[str, Any] = json.loads(line.removeprefix(MARK))
            return found
    raise RuntimeError(f"the probe printed no result:\n{stdout[-2000:]}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
