"""Is a form POST from our own page? Browsers say so in Sec-Fetch-Site, older ones in Origin.

Our pages send `Referrer-Policy: no-referrer`, under which a browser sends `Origin: null` even
for the page's own form (Fetch standard, "serializing a request origin"), so `null` is not
proof of a foreign site; `Sec-Fetch-Site` decides where a browser sends it. A request with
neither header (a script, curl, a very old browser) carries no ambient authority here: the
token in the path is the secret, so it is not refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

OWN_SITE = frozenset({"same-origin", "none"})  # "none": typed or opened from a bookmark


def cross_site(headers: Mapping[str, str]) -> bool:
    """True when the browser tells us the POST came from another site's page."""
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    fetch_site = lower.get("sec-fetch-site", "").lower()
    if fetch_site:
        return fetch_site not in OWN_SITE
    origin = lower.get("origin", "")
    if not origin or origin == "null":
        return False
    host = lower.get("host", "").lower()
    return not host or urlsplit(origin).netloc.lower() != host
