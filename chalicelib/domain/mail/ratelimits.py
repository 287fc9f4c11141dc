"""Whom an acknowledgement counts against: the address without its +tag, and its domain."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain.mail.addresses import normalise
from chalicelib.domain.mail.delivery import Quota, RateLimit

UNVERIFIED = "unverified:"  # the key prefix of quotas for mail whose sender is not proven
DOMAIN_FACTOR = 10  # the domain's default quota, in multiples of one address's
# Free mail: a domain shared by millions who have nothing to do with each other. Counting them
# as one sender would leave every Gmail customer without an answer after the 30th.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "zoho.com",
        "gmx.com",
        "gmx.net",
        "gmx.de",
        "web.de",
        "t-online.de",
        "mail.com",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "wanadoo.fr",
        "hotmail.co.uk",
        "yahoo.co.uk",
        "hotmail.fr",
        "hotmail.es",
        "yahoo.es",
        "outlook.de",
        "luukku.com",
        "suomi24.fi",
        "telia.com",
        "wp.pl",
        "o2.pl",
        "onet.pl",
        "interia.pl",
        "live.dk",
        "hotmail.dk",
        "yahoo.dk",
        "hotmail.se",
        "live.se",
        "yahoo.se",
    }
)


def counted_address(address: str) -> str:
    """anna+orders@x.example counts as anna@x.example: a +tag makes no new person."""
    local, _, domain = normalise(address).rpartition("@")
    base = local.split("+", 1)[0]
    return f"{base or local}@{domain}"


def is_exempt(domain: str, exempt: Iterable[str]) -> bool:
    """The domain or one of its parents is listed (mail.yahoo.com under yahoo.com)."""
    return any(domain == d or domain.endswith(f".{d}") for d in exempt)


def acknowledgement_limit(
    address: str,
    *,
    per_hour: int,
    per_day: int,
    domain_per_hour: int,
    domain_per_day: int,
    exempt_domains: Iterable[str],
    proven: bool = True,
) -> RateLimit:
    """One quota for the address; a second for its domain unless that domain is exempt.

    Mail whose sender is not authenticated counts apart (`unverified:` keys): anyone can write
    From: a customer's address, and must not use up the acknowledgements the customer gets.
    """
    sender = counted_address(address)
    tier = "" if proven else UNVERIFIED
    quotas = [Quota(f"{tier}{sender}", per_hour, per_day)]
    domain = sender.rpartition("@")[2]
    if domain and not is_exempt(domain, exempt_domains):
        quotas.append(Quota(f"{tier}@{domain}", domain_per_hour, domain_per_day))
    return RateLimit(sender, tuple(quotas))
