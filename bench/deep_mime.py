"""`python -m bench.deep_mime`: parse time of hostile, deeply nested multiparts (target < 1 s)."""

from __future__ import annotations

import statistics
import sys
import time

from chalicelib.adapters.mime.parser import parse_email

TARGET_SECONDS = 1.0
DEPTHS = (10, 100, 1_000, 5_000)


def nested(depth: int, *, closed: bool = True) -> bytes:
    """`depth` multiparts, each the only part of the one before, around one text part."""
    opening = b"".join(
        b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (n, n + 1)
        for n in range(depth)
    )
    inner = b"--b%d\r\nContent-Type: text/plain\r\n\r\nDeep text.\r\n--b%d--\r\n" % (depth, depth)
    closing = b"".join(b"--b%d--\r\n" % n for n in reversed(range(depth))) if closed else b""
    head = b'From: a@example.com\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n'
    return head + opening + inner + closing


def seconds(raw: bytes, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        parse_email(raw)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = 3
    for depth in DEPTHS:
        for closed in (True, False):
            raw = nested(depth, closed=closed)
            took = seconds(raw, runs)
            mail = parse_email(raw)
            verdict = "PASS" if took < TARGET_SECONDS else "MISS"
            print(
                f"depth {depth:>5} {'closed' if closed else 'unclosed':>8} {len(raw):>8} bytes: "
                f"{took:.3f} s (median of {runs}; target < {TARGET_SECONDS:.0f} s) {verdict}; "
                f"text {mail.text[:24]!r}, {len(mail.attachments)} attachment(s), "
                f"defects {[d for d in mail.defects if 'multipart' in d or 'fallback' in d]}"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
