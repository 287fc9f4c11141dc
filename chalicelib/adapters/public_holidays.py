"""Public holidays from the `holidays` package, as local dates for a BusinessCalendar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

import holidays


def public_holidays(
    country: str, years: Iterable[int], subdivision: str | None = None
) -> frozenset[date]:
    """Public holidays of an ISO 3166 country (e.g. "FI"), cached per country and years."""
    area = (subdivision or "").strip() or None
    return _public_holidays(country.strip().upper(), area, tuple(sorted(set(years))))


@cache
def _public_holidays(
    country: str, subdivision: str | None, years: tuple[int, ...]
) -> frozenset[date]:
    if country not in holidays.list_supported_countries():
        raise ValueError(f"no public holidays known for country code {country!r}")
    try:
        found = holidays.country_holidays(country, subdiv=subdivision, years=years)
    except NotImplementedError as e:  # how the package says "no such subdivision"
        raise ValueError(f"country {country!r} has no subdivision {subdivision!r}") from e
    return frozenset(found)
