"""Public holidays from the `holidays` package for the countries the helpdesk serves."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.adapters.public_holidays import public_holidays


def test_finland_has_independence_day_midsummer_and_christmas() -> None:
    found = public_holidays("FI", [2025])
    assert {date(2025, 12, 6), date(2025, 12, 24), date(2025, 12, 25), date(2025, 12, 26)} <= found
    assert date(2025, 6, 20) in found  # Midsummer Eve, a Friday
    assert date(2025, 12, 5) not in found


def test_sweden_has_national_day_and_midsummer_day_but_not_every_sunday() -> None:
    found = public_holidays("SE", [2025])
    assert {date(2025, 6, 6), date(2025, 6, 21), date(2025, 12, 25)} <= found
    assert date(2025, 11, 23) not in found  # an ordinary Sunday


def test_denmark_has_maundy_thursday_and_easter_monday() -> None:
    found = public_holidays("DK", [2025])
    assert {date(2025, 4, 17), date(2025, 4, 21), date(2025, 12, 25)} <= found
    assert date(2025, 6, 5) not in found  # Constitution Day is not a public holiday


def test_poland_has_independence_day_and_christmas_eve() -> None:
    found = public_holidays("PL", [2025])
    assert {date(2025, 11, 11), date(2025, 5, 3), date(2025, 12, 24)} <= found


def test_several_years_are_joined() -> None:
    found = public_holidays("FI", range(2024, 2027))
    assert {date(2024, 12, 6), date(2025, 12, 6), date(2026, 12, 6)} <= found
    assert {d.year for d in found} == {2024, 2025, 2026}


def test_country_codes_are_read_case_insensitively() -> None:
    assert public_holidays(" fi ", [2025]) == public_holidays("FI", [2025])


def test_a_subdivision_narrows_or_widens_the_holidays() -> None:
    aland = public_holidays("FI", [2025], subdivision="01")  # Åland: Autonomy Day 9 June
    assert date(2025, 6, 9) in aland
    assert date(2025, 6, 9) not in public_holidays("FI", [2025])


def test_no_years_give_no_holidays() -> None:
    assert public_holidays("FI", []) == frozenset()


def test_results_are_cached_per_country_subdivision_and_years() -> None:
    first = public_holidays("DK", [2026, 2025])
    assert public_holidays("dk", (2025, 2026, 2025)) is first
    assert public_holidays("DK", [2025]) is not first


@pytest.mark.parametrize("code", ["XX", "", "PUBLIC", "Finland"])
def test_an_unknown_country_code_raises_naming_it(code: str) -> None:
    with pytest.raises(ValueError, match=repr(code.strip().upper())):
        public_holidays(code, [2025])


def test_an_unknown_subdivision_raises_naming_it() -> None:
    with pytest.raises(ValueError, match="'ZZ'"):
        public_holidays("FI", [2025], subdivision="ZZ")
