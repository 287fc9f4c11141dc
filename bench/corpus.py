"""Generated mail for the benchmarks: six languages, a long tail of sizes, attachments, replies."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum
from functools import cache

from bench.config import REPO
from bench.desk import START

SEEDS = REPO.parent / "shared" / "seeds"
SEED_LANGUAGES = {"000": "fi", "001": "sv", "002": "pl", "003": "fa", "004": "da"}
BUILT_IN = {
    "en": "Hello, my invoice shows the wrong amount. The order was 100 EUR but I was charged "
    "120 EUR. Could you check it and send a corrected invoice? Thank you for your help.",
    "fi": "Hei, laskussani on väärä summa. Tilaus oli 100 euroa, mutta minulta veloitettiin "
    "120 euroa. Voisitteko tarkistaa asian ja lähettää korjatun laskun? Kiitos avusta.",
    "sv": "Hej, min faktura visar fel belopp. Beställningen var 100 EUR men jag debiterades "
    "120 EUR. Kan ni kontrollera det och skicka en rättad faktura? Tack för hjälpen.",
    "pl": "Dzień dobry, moja faktura pokazuje złą kwotę. Zamówienie kosztowało 100 EUR, a "
    "pobrano 120 EUR. Czy mogą Państwo to sprawdzić i wysłać poprawioną fakturę? Dziękuję.",
    "fa": "سلام، فاکتور من مبلغ اشتباهی را نشان می‌دهد. سفارش ۱۰۰ یورو بود اما ۱۲۰ یورو "
    "از من کسر شد. لطفاً بررسی کنید و فاکتور اصلاح‌شده را بفرستید. با تشکر.",
    "da": "Hej, min faktura viser det forkerte beløb. Ordren var på 100 EUR, men jeg blev "
    "opkrævet 120 EUR. Kan I tjekke det og sende en rettet faktura? Tak for hjælpen.",
}
# (share, smallest, largest raw size in bytes): mostly short mail, a tail of attachments to 5 MB.
SIZE_BUCKETS = (
    (0.62, 1_000, 8_000),
    (0.20, 8_000, 60_000),
    (0.11, 60_000, 600_000),
    (0.05, 600_000, 2_000_000),
    (0.02, 2_000_000, 5_000_000),
)
ATTACHMENT_TYPES = (
    ("application/pdf", "lasku_{n}.pdf"),
    ("image/png", "skärmbild_{n}.png"),
    ("image/jpeg", "zdjęcie_{n}.jpg"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "report_{n}.xlsx"),
)
ADDRESSES = (
    ("support@example.com", 60),
    ("billing@example.com", 25),
    ("anna@example.com", 8),
    ("help@example.com", 7),
)
BASE64_GROWTH = 1.37  # base64 (4/3) plus its line breaks
HEADERS_BYTES = 500


class Kind(StrEnum):
    NEW = "new"
    REPLY = "reply"  # a customer's follow-up on an earlier mail of theirs
    AUTO = "auto"  # an out-of-office auto-reply
    SPAM = "spam"  # SES's spam verdict FAIL


@dataclass(frozen=True)
class Mail:
    index: int
    kind: Kind
    language: str
    raw: bytes
    sender: str
    recipient: str
    message_id: str
    verdicts: Mapping[str, str] | None = None
    original: int | None = None  # the index of the mail a reply answers


@cache
def texts() -> dict[str, str]:
    """Text per language: the seed articles when shared/ is there, else the built-in lines."""
    found = dict(BUILT_IN)
    if SEEDS.is_dir():
        for path in sorted(SEEDS.glob("*.txt")):
            language = SEED_LANGUAGES.get(path.name[:3])
            if language:
                found[language] = " ".join(path.read_text(encoding="utf-8").split())
    return found


def excerpt(rng: random.Random, language: str, chars: int) -> str:
    text = texts()[language]
    while len(text) < chars + 1:
        text = f"{text} {text}"
    start = rng.randrange(0, len(text) - chars)
    return text[start : start + chars].strip() or "Hello"


def corpus(count: int, seed: int = 2026) -> Iterator[Mail]:
    """`count` varied mails, the same ones for the same seed; built one at a time."""
    rng = random.Random(seed)
    originals: list[Mail] = []
    for index in range(count):
        mail = _next(rng, index, originals)
        if mail.kind == Kind.NEW:
            originals.append(mail)
        yield mail


def _next(rng: random.Random, index: int, originals: Sequence[Mail]) -> Mail:
    roll = rng.random()
    answerable = [m for m in originals if m.index <= index - 25]
    if roll < 0.15 and answerable:
        return reply_to(rng, index, rng.choice(answerable))
    if roll < 0.20:
        return _auto(rng, index, rng.choice(answerable) if answerable and roll < 0.175 else None)
    return _fresh(rng, index, Kind.SPAM if roll < 0.27 else Kind.NEW)


def _size(rng: random.Random) -> int:
    roll = rng.random()
    for share, low, high in SIZE_BUCKETS:
        if roll < share:
            return int(low * (high / low) ** rng.random())  # log-uniform within the bucket
        roll -= share
    _, low, high = SIZE_BUCKETS[-1]
    return high


def _fresh(rng: random.Random, index: int, kind: Kind) -> Mail:
    language = rng.choice(sorted(texts()))
    size = _size(rng)
    sender = f"customer{index}@customer{index % 97}.example"
    recipient = rng.choices([a for a, _ in ADDRESSES], [w for _, w in ADDRESSES])[0]
    message_id = f"<bench-{index}@customer{index % 97}.example>"
    subject = excerpt(rng, language, rng.randint(20, 60))
    headers = {"X-Local-Verdicts": "spam=FAIL"} if kind == Kind.SPAM else {}
    raw = compose(
        rng,
        language,
        size,
        sender=sender,
        to=recipient,
        subject=subject,
        message_id=message_id,
        headers=headers,
        index=index,
    )
    verdicts = {"spam": "FAIL"} if kind == Kind.SPAM else None
    return Mail(index, kind, language, raw, sender, recipient, message_id, verdicts)


def reply_to(rng: random.Random, index: int, original: Mail) -> Mail:
    message_id = f"<bench-{index}@customer{index % 97}.example>"
    raw = compose(
        rng,
        original.language,
        int(1_000 * 20 ** rng.random()),
        sender=original.sender,
        to=original.recipient,
        subject="Re: follow-up",
        message_id=message_id,
        index=index,
        headers={"In-Reply-To": original.message_id, "References": original.message_id},
    )
    return Mail(
        index,
        Kind.REPLY,
        original.language,
        raw,
        original.sender,
        original.recipient,
        message_id,
        original=original.index,
    )


def _auto(rng: random.Random, index: int, original: Mail | None) -> Mail:
    sender = original.sender if original else f"away{index}@customer{index % 97}.example"
    headers = {"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"}
    if original:
        headers |= {"In-Reply-To": original.message_id, "References": original.message_id}
    message_id = f"<bench-{index}@customer{index % 97}.example>"
    to = original.recipient if original else "support@example.com"
    raw = compose(
        rng,
        "en",
        1_500,
        sender=sender,
        to=to,
        index=index,
        headers=headers,
        subject="Automatic reply: out of office until Monday",
        message_id=message_id,
    )
    original_index = original.index if original else None
    return Mail(index, Kind.AUTO, "en", raw, sender, to, message_id, original=original_index)


def compose(
    rng: random.Random,
    language: str,
    size: int,
    *,
    sender: str,
    to: str,
    subject: str,
    message_id: str,
    index: int = 0,
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """A mail of about `size` bytes: text (and HTML) up to 60 KB, attachments beyond."""
    msg = EmailMessage()
    msg["From"] = f"Customer {index} <{sender}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(START)
    for name, value in (headers or {}).items():
        msg[name] = value
    text_bytes = max(800, min(size, 60_000) - HEADERS_BYTES)
    html = size > 4_000 and rng.random() < 0.4
    text = excerpt(rng, language, _chars(language, text_bytes // (2 if html else 1)))
    msg.set_content(text)
    if html:
        msg.add_alternative(f"<html><body><p>{text}</p></body></html>", subtype="html")
    for n, length in enumerate(_attachment_sizes(rng, size - 60_000)):
        kind, name = ATTACHMENT_TYPES[(index + n) % len(ATTACHMENT_TYPES)]
        main, sub = kind.split("/", 1)
        data = rng.randbytes(length)
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name.format(n=n + 1))
    return msg.as_bytes(policy=policy.SMTP)


def _chars(language: str, utf8_bytes: int) -> int:
    """Characters of that language that make about `utf8_bytes` once encoded for mail."""
    per_char = 2.6 if language == "fa" else 1.15  # UTF-8 plus the transfer encoding
    return max(50, int(utf8_bytes / per_char))


def _attachment_sizes(rng: random.Random, remaining: int) -> list[int]:
    if remaining <= 0:
        return []
    pieces = rng.randint(1, 3)
    total = int(remaining / BASE64_GROWTH)
    return [max(1, total // pieces)] * pieces


def big_mail(size: int, seed: int = 20) -> bytes:
    """One mail of about `size` bytes: a page of text and attachments for the rest."""
    rng = random.Random(seed)
    return compose(
        rng,
        "fi",
        size,
        sender="big@customer.example",
        to="support@example.com",
        subject="Scans of the contract",
        message_id="<big@customer.example>",
    )


def customer_mail(
    *,
    subject: str,
    body: str,
    sender: str = "Anna Virtanen <anna.virtanen@customer.example>",
    to: str = "support@example.com",
    message_id: str,
    headers: Mapping[str, str] | None = None,
    attachments: Sequence[tuple[str, int]] = (),
) -> bytes:
    """One plain customer mail, with attachments of the given names and sizes."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(START)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    rng = random.Random(len(attachments))
    for filename, size in attachments:
        msg.add_attachment(rng.randbytes(size), "application", "pdf", filename=filename)
    return msg.as_bytes(policy=policy.SMTP)
