"""When an answer will come, as a phrase in the customer's language, in the time's own zone."""

from __future__ import annotations

from datetime import datetime, timedelta

# Names are separated by "|" (a Polish weekday comes with its preposition).
_WEEKDAYS = {
    "en": "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday",
    # Finnish answers "when?" with the essive: maanantaina, "on Monday"
    "fi": "maanantaina|tiistaina|keskiviikkona|torstaina|perjantaina|lauantaina|sunnuntaina",
    "sv": "måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag",
    # Polish: "w" + accusative, "we" before the w- of wtorek
    "pl": "w poniedziałek|we wtorek|w środę|w czwartek|w piątek|w sobotę|w niedzielę",
    "da": "mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag",
    "fa": "دوشنبه|سه‌شنبه|چهارشنبه|پنجشنبه|جمعه|شنبه|یکشنبه",
}
_MONTHS = {
    "en": "January|February|March|April|May|June|July|August|September|October|November|December",
    "sv": "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december",
    # Polish dates take the genitive: 24 listopada
    "pl": "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|"
    "listopada|grudnia",
    "da": "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december",
    "fa": "ژانویه|فوریه|مارس|آوریل|مه|ژوئن|ژوئیه|اوت|سپتامبر|اکتبر|نوامبر|دسامبر",
}
_TODAY_TOMORROW = {
    "en": ("today", "tomorrow"),
    "fi": ("tänään", "huomenna"),
    "sv": ("idag", "i morgon"),
    "pl": ("dzisiaj", "jutro"),
    "da": ("i dag", "i morgen"),
    "fa": ("امروز", "فردا"),
}
# {weekday} {day} {month} {month_number}; {year} is " 2026" or "", {year_number} "2026" or ""
_DATES = {
    "en": "{weekday} {day} {month}{year}",
    "fi": "{weekday} {day}.{month_number}.{year_number}",
    "sv": "{weekday} {day} {month}{year}",
    "pl": "{weekday} {day} {month}{year}",
    "da": "{weekday} den {day}. {month}{year}",
    "fa": "{weekday} {day} {month}{year}،",
}
_TIMES = {
    "en": "{day} at {hour:02d}:{minute:02d}",
    "fi": "{day} klo {hour}.{minute:02d}",
    "sv": "{day} kl. {hour}.{minute:02d}",
    "pl": "{day} o {hour}:{minute:02d}",
    "da": "{day} kl. {hour}.{minute:02d}",
    "fa": "{day} ساعت {hour}:{minute:02d}",
}
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
SHOW_YEAR_AFTER_DAYS = 180  # a date further than this from now also gets its year


def format_due(when: datetime, lang: str, now: datetime) -> str:
    """E.g. "tomorrow at 09:30", "maanantaina 24.11. klo 12.30"; unknown languages get English."""
    if when.utcoffset() is None or now.utcoffset() is None:
        raise ValueError("format_due needs timezone-aware datetimes")
    lang = _language(lang)
    days_ahead = (when.date() - now.astimezone(when.tzinfo).date()).days
    if days_ahead in (0, 1):
        day = _TODAY_TOMORROW[lang][days_ahead]
    else:
        day = _date(lang, when, show_year=abs(days_ahead) > SHOW_YEAR_AFTER_DAYS)
    phrase = _TIMES[lang].format(day=day, hour=when.hour, minute=when.minute)
    return phrase.translate(_PERSIAN_DIGITS) if lang == "fa" else phrase


def format_zone(when: datetime) -> str:
    """The zone label to print beside a time: "EET", or "UTC+03:30" where the name is a number."""
    name, offset = when.tzname(), when.utcoffset()
    if offset is None:
        raise ValueError("format_zone needs a timezone-aware datetime")
    if name and not name.lstrip("+-").isdigit():
        return name
    sign, size = ("-", -offset) if offset < timedelta(0) else ("+", offset)
    hours, minutes = divmod(int(size.total_seconds()) // 60, 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _language(lang: str) -> str:
    base = lang.strip().lower().replace("_", "-").split("-")[0]
    return base if base in _DATES else "en"


def _date(lang: str, when: datetime, *, show_year: bool) -> str:
    return _DATES[lang].format(
        weekday=_WEEKDAYS[lang].split("|")[when.weekday()],
        day=when.day,
        month=_MONTHS[lang].split("|")[when.month - 1] if lang in _MONTHS else "",
        month_number=when.month,
        year=f" {when.year}" if show_year else "",
        year_number=when.year if show_year else "",
    )
