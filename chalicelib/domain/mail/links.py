"""Text with its links and addresses taken out: what we may restate of a mail nobody vouches for.

An unauthenticated mail may carry a victim's address in From and a phishing link in its subject
or name; our acknowledgement must not carry that link to the victim from our trusted address.
"""

from __future__ import annotations

import re

GONE = "…"
_LINK = re.compile(
    r"""
    (?:[a-z][a-z0-9+.-]*:)?//\S+          # scheme://… and protocol-relative //…
    | \b(?:mailto|tel|data|javascript):\S+
    | \S+@\S+                             # addresses, and anything shaped like one
    | \b(?:[\w-]+\.)+[^\W\d_]{2,}\b(?:[/:?#]\S*)?  # bare host names: evil.example/login
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SPACES = re.compile(r"\s{2,}")


def without_links(text: str) -> str:
    """The text with every URL, address and host name replaced by an ellipsis."""
    cut = _LINK.sub(GONE, text)
    return _SPACES.sub(" ", cut).strip()
