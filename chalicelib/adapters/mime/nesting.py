"""The stdlib feed parser with a nesting limit: parts nested deeper are kept whole, unparsed.

Each level of multipart costs the stdlib parser a generator frame and a boundary test per line:
1,000 levels took seconds, overflowed the recursion limit and left the raw boundaries as the
text. Below MAX_DEPTH nothing changes; a container (multipart/*, message/*) found deeper is
read as one opaque leaf holding everything down to its parent's boundary, its Content-Type
moved to CUT_HEADER so that the parser does not descend, and MultipartTooDeepDefect noted.
"""

from __future__ import annotations

from email import errors
from email.feedparser import BytesFeedParser
from email.message import Message
from email.policy import Policy
from typing import TYPE_CHECKING, Any

MAX_DEPTH = 50  # real mail nests about 10 deep (forwarded, signed, alternative, related)
CUT_HEADER = "X-Helpdesk-Cut-Content-Type"
CUT_TYPE = "application/octet-stream"  # what the parser sees: a leaf, read to the boundary


class MultipartTooDeepDefect(errors.MessageDefect):
    """A multipart or message nested deeper than MAX_DEPTH: kept whole, not parsed."""


if TYPE_CHECKING:  # generic in typeshed only
    _FeedParser = BytesFeedParser[Any]
else:
    _FeedParser = BytesFeedParser


class NestingLimitParser(_FeedParser):
    def __init__(self, *, policy: Policy[Any], max_depth: int = MAX_DEPTH) -> None:
        super().__init__(policy=policy)
        self._max_depth = max_depth

    def _parse_headers(self, lines: list[str]) -> None:
        super()._parse_headers(lines)  # type: ignore[misc]
        stack: list[Message[Any, Any]] = self._msgstack  # type: ignore[attr-defined]
        part = stack[-1]
        if len(stack) > self._max_depth and part.get_content_maintype() in ("multipart", "message"):
            value = " ".join(raw_content_type(part).split())  # unfolded: a header may not fold
            del part["content-type"]
            part.set_default_type(CUT_TYPE)  # also overrides multipart/digest's message/rfc822
            part[CUT_HEADER] = value
            part.defects.append(MultipartTooDeepDefect())


def raw_content_type(message: Message[Any, Any]) -> str:
    return next((str(v) for k, v in message.raw_items() if k.lower() == "content-type"), "")


def was_cut(message: Message[Any, Any]) -> bool:
    """Cut by this parser (the defect), not merely carrying CUT_HEADER as a sender wrote it."""
    return any(isinstance(d, MultipartTooDeepDefect) for d in message.defects)
