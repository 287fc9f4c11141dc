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
