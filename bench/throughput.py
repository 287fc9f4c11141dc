"""Figure 5: mails through `inbound_email` in-process, then through SMTP; none lost; peak memory."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import probe
from bench.config import REPO, memory_source
from bench.corpus import Kind, Mail, big_mail, corpus
from bench.desk import ENV, running_desk
from bench.local_stack import Sent, local_stack, send_all
from bench.table import FigureResult, Row, judged, reported

FIGURE = 5
KEPT = ("ticket", "reply", "quarantine")
BIG_MB = 20


@dataclass(frozen=True)
class Tally:
    """What became of each mail, read back from the table after the run."""

    outcomes: Counter[str]
    lost: list[str]
    replies: int
    threaded: int

    def text(self) -> str:
        kept = ", ".join(f"{self.outcomes[o]} {o}" for o in KEPT)
        return (
            f"{len(self.lost)} lost ({kept}; {self.threaded} of {self.replies} replies threaded)"
            + (f": {'; '.join(self.lost[:3])}" if self.lost else "")
        )


def batch_get(db: Any, table: str, keys: Sequence[dict[str, str]]) -> list[dict[str, Any]]:
    from chalicelib.adapters.dynamo.table import from_attr, to_attr

    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), 100):
        request: dict[str, Any] = {table: {"Keys": [to_attr(k) for k in keys[start : start + 100]]}}
        while request:
            response = db.batch_get_item(RequestItems=request)
            found += [from_attr(i) for i in response["Responses"].get(table, [])]
            request = response.get("UnprocessedKeys") or {}
    return found


def tally(db: Any, table: str, mails: Mapping[str, Mail]) -> Tally:
    """Every mail must be a ticket, a threaded reply or a quarantine entry that exists."""
    records = {r["PK"].split("#", 1)[1]: r for r in batch_get(db, table, _mail_keys(mails))}
    lost = [f"{i}: no record" for i in mails if i not in records]
    lost += [f"{i}: {r['outcome']}" for i, r in records.items() if r["outcome"] not in KEPT]
    numbers = {int(r["ticket"]) for r in records.values() if r["outcome"] in KEPT[:2]}
    keys = [{"PK": f"TICKET#{n}", "SK": "META"} for n in sorted(numbers)]
    tickets = {int(t["number"]) for t in batch_get(db, table, keys)}
    lost += [f"ticket #{n} missing" for n in sorted(numbers - tickets)]
    held = _quarantined(db, table)
    lost += [
        f"{i}: no quarantine entry"
        for i, r in records.items()
        if r["outcome"] == "quarantine" and i not in held
    ]
    replies = [i for i, m in mails.items() if m.kind == Kind.REPLY]
    threaded = sum(1 for i in replies if records.get(i, {}).get("outcome") == "reply")
    return Tally(Counter(r["outcome"] for r in records.values()), lost, len(replies), threaded)


def _mail_keys(mail_ids: Mapping[str, Mail] | Sequence[str]) -> list[dict[str, str]]:
    return [{"PK": f"MAIL#{i}", "SK": "MAIL"} for i in mail_ids]


def _quarantined(db: Any, table: str) -> set[str]:
    held: set[str] = set()
    pages = db.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "QUARANTINE"}},
    )
    for page in pages:
        held |= {item["mail_id"]["S"] for item in page["Items"]}
    return held


def shape(mails: Sequence[Mail]) -> str:
    sizes = sorted(len(m.raw) for m in mails)
    languages = len({m.language for m in mails})
    return (
        f"{sum(sizes) / 1e6:.0f} MB, {sizes[0] / 1024:.1f} KB to {sizes[-1] / 1024 / 1024:.1f} MB, "
        f"median {sizes[len(sizes) // 2] / 1024:.1f} KB, {languages} languages"
    )


def per_mail(seconds: Sequence[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"


def in_process(count: int) -> list[Row]:
    mails = list(corpus(count))
    with running_desk() as desk:
        sent: dict[str, Mail] = {}
        for mail in mails:
            mail_id = f"bench{mail.index:035d}"
            desk.deliver(
                mail.raw, recipients=[mail.recipient], verdicts=mail.verdicts, mail_id=mail_id
            )
            sent[mail_id] = mail
        seconds = [s for f, s in desk.durations if f == "inbound_email"]
        counted = tally(desk.aws["dynamodb"], ENV["TABLE_NAME"], sent)
    rate = len(seconds) / sum(seconds)
    name = f"{count} mails through inbound_email, in-process (moto)"
    return [
        reported(
            FIGURE,
            name,
            round(rate, 1),
            f"{rate:.1f} mails/s, {per_mail(seconds)} ({shape(mails)})",
        ),
        judged(FIGURE, f"{name}: none lost", len(counted.lost), 0, counted.text()),
    ]


def over_smtp(count: int) -> list[Row]:
    mails = list(corpus(count))
    with local_stack() as stack:
        table, db = stack.environment["TABLE_NAME"], stack.aws("dynamodb")
        started = time.perf_counter()
        sent = send_all(stack, mails)
        done = _wait_processed(db, table, sent, timeout=60 + count)
        counted = tally(db, table, {s.mail_id: s.mail for s in sent})
        failures = stack.logged().count("failed (attempt")
    rate = len(sent) / (done - started)
    name = f"{count} mails through the local stack's SMTP (4 connections)"
    smtp = per_mail([s.seconds for s in sent])
    return [
        reported(
            FIGURE,
            name,
            round(rate, 1),
            f"{rate:.1f} mails/s sent to processed; SMTP 250 in {smtp}; "
            f"{failures} failed attempts logged",
        ),
        judged(
            FIGURE,
            f"{name}: none lost",
            len(counted.lost),
            0,
            f"{counted.text()}; {_overtaken(sent)} replies reached SMTP before their original",
        ),
    ]


def _overtaken(sent: Sequence[Sent]) -> int:
    """Replies accepted before the mail they answer (a big one on another connection)."""
    accepted = {s.mail.index: s.accepted_at for s in sent}
    return sum(
        1
        for s in sent
        if s.mail.kind == Kind.REPLY
        and s.mail.original is not None
        and accepted.get(s.mail.original, 0.0) > s.accepted_at
    )


def _wait_processed(db: Any, table: str, sent: Sequence[Sent], timeout: float) -> float:
    """When the last mail was done (record written, acknowledgement no longer in flight)."""
    pending = {s.mail_id for s in sent}
    deadline = time.perf_counter() + timeout
    last = max(sent, key=lambda s: s.accepted_at).mail_id
    while pending and time.perf_counter() < deadline:
        ask = [last] if last in pending else sorted(pending)
        for record in batch_get(db, table, _mail_keys(ask)):
            if record.get("ack") != "claimed":
                pending.discard(record["PK"].split("#", 1)[1])
        if pending:
            time.sleep(0.1)
    return time.perf_counter()


def peak_memory(mb: int) -> Row:
    configured, source = memory_source("inbound_email")
    with tempfile.TemporaryDirectory(prefix="bench-big-") as tmp:
        path = Path(tmp) / "big.eml"
        path.write_bytes(big_mail(mb * 1024 * 1024))
        done = subprocess.run(
            [sys.executable, "-m", "bench.probe", "memory", str(path)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    found = probe.parse(done.stdout)
    text = (
        f"{found['peak_mb']:.0f} MB peak RSS of the process (interpreter, moto holding the mail, "
        f"boto3) for a {found['mail_mb']:.1f} MB mail → {found['outcome']} in "
        f"{found['seconds']:.2f} s; configured {configured} MB ({source})"
    )
    name = f"peak memory, one {mb} MB mail through inbound_email"
    return judged(FIGURE, name, round(found["peak_mb"]), configured, text, " MB")


def run(smoke: bool = False) -> FigureResult:
    count = 10 if smoke else 1000
    result = FigureResult()
    for row in [*in_process(count), *over_smtp(count), peak_memory(BIG_MB)]:
        result.add(row)
    return result
