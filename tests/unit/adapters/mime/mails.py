"""Small MIME messages built as bytes, the way mail programs send them (CRLF, raw parts)."""

from __future__ import annotations


def multipart(subtype: str, *parts: bytes, head: bytes = b"From: a@example.com\r\n") -> bytes:
    """A message of `parts`, each given as its own headers, a blank line and its body."""
    body = b"".join(b"--b\r\n" + part + b"\r\n" for part in parts)
    content_type = f'Content-Type: multipart/{subtype}; boundary="b"\r\n'.encode()
    return head + content_type + b"\r\n" + body + b"--b--\r\n"


def part(content_type: str, body: bytes, *headers: str) -> bytes:
    lines = [f"Content-Type: {content_type}", *headers]
    return "".join(f"{line}\r\n" for line in lines).encode() + b"\r\n" + body


def nested(depth: int, *, head: bytes = b"From: a@example.com\r\n", first: bytes = b"") -> bytes:
    """`depth` multiparts inside the message, each the last part of the one before it, around
    one text part; `first` is a part put before the chain at the top level."""
    opening = b"".join(
        b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (n, n + 1)
        for n in range(depth)
    )
    inner = b"--b%d\r\nContent-Type: text/plain\r\n\r\nDeep text.\r\n--b%d--\r\n" % (depth, depth)
    closing = b"".join(b"--b%d--\r\n" % n for n in reversed(range(depth)))
    top = b'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n'
    return (
        head + top + (b"--b0\r\n" + first + b"\r\n" if first else b"") + opening + inner + closing
    )
