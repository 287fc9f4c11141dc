"""Split a plain-text reply into the person's new words and the quoted history below them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MAX_ATTRIBUTION = 300
_LOOKAHEAD = 3
_HEADER_WINDOW = 8

_WROTE = re.compile(
    r"(?:\bwrote|\ba écrit|\bescribió|\bescreveu|\bha scritto|\bkirjoitti|\bgeschreven"
    r"|\bnapisał(?:\(a\)|a)?|\bnapsal(?:\(a\)|a)?|\bнаписал(?:\(а\)|а)?|نوشت|كتب|写道"
    r"|\b(?:schrieb|schreef|skrev)\b[^:：]*)\s*[:：]$",
    re.IGNORECASE,
)
_OPENING = re.compile(r"(?:on|am|le|el|op|den|w dniu|il|em|در تاریخ)\s", re.IGNORECASE)
_DATE_OR_ADDRESS = re.compile(r"@|\d{1,2}[:./]\d{1,2}")
_SEPARATOR = re.compile(
    r"-{3,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original"
    r"|alkuperäinen viesti|originalmeddelande|oprindelig meddelelse|opprinnelig melding"
    r"|oryginalna wiadomość|wiadomość oryginalna|oorspronkelijk bericht|messaggio originale"
    r"|mensagem original|исходное сообщение|پیام اصلی)\s*-{3,}",
    re.IGNORECASE,
)
_RULE = re.compile(r"_{10,}")
_FORWARD = re.compile(
    r"(?:-{3,}\s*)?(?:begin forwarded message|forwarded message|anfang der weitergeleiteten"
    r" nachricht|weitergeleitete nachricht|début du message réexpédié|message transféré"
    r"|mensaje reenviado|välitetty viesti|vidarebefordrat meddelande|videresendt meddelelse"
    r"|videresendt melding|przekazana wiadomość|wiadomość przekazana|doorgestuurd bericht"
    r"|messaggio inoltrato|mensagem encaminhada|پیام هدایت شده)\s*:?\s*(?:-{3,})?",
    re.IGNORECASE,
)
_HEADER_KEY = re.compile(r"\s*\**\s*([^\W\d_][^:：*\n]{0,24}?)\s*\**\s*[:：]")
_SIGNATURES = frozenset({"--", "—", "–"})


def _kinds(kind: str, *keys: str) -> dict[str, str]:
    return dict.fromkeys(keys, kind)


_HEADER_KINDS = {
    **_kinds("from", "from", "von", "lähettäjä", "från", "od", "fra", "de", "van", "da"),
    **_kinds("from", "от", "از"),
    **_kinds("sent", "sent", "gesendet", "lähetetty", "skickat", "wysłano", "sendt", "envoyé"),
    **_kinds("sent", "enviado", "enviado el", "enviada em", "verzonden", "inviato"),
    **_kinds("sent", "отправлено", "ارسال شده", "ارسال"),
    **_kinds("date", "date", "datum", "päivämäärä", "data", "dato", "fecha", "дата", "تاریخ"),
    **_kinds("to", "to", "an", "vastaanottaja", "till", "do", "til", "à", "a", "para", "aan"),
    **_kinds("to", "кому", "به"),
    **_kinds("subject", "subject", "betreff", "aihe", "ämne", "temat", "emne", "objet"),
    **_kinds("subject", "asunto", "onderwerp", "oggetto", "assunto", "тема", "موضوع"),
    **_kinds("cc", "cc", "kopio", "kopia", "dw", "kopi", "копия"),
}


@dataclass(frozen=True)
class _Candidate:
    start: int
    accepted: bool
    resume: int


def split_reply(text: str) -> tuple[str, str]:
    """(new_text, quoted_history): what the person wrote now, and the history below it.

    History begins at its first line: an attribution ("On … wrote:", "Am … schrieb …:",
    "… kirjoitti:", "… napisał(a):", "… نوشت:" …) before a "> " block, a "> " block
    itself, an Outlook separator ("-----Original Message-----", a "____" rule before a
    From line) or an Outlook header block (From/Sent/To/Subject, also localised).
    Conservative, so that nothing the customer wrote is hidden:
    - history is only split off below some new text; a message that starts with a quote
      (bottom-posting, inline replies) is all new text;
    - a "> " block followed by more unquoted text (an inline answer) is not history;
      only a signature may follow it;
    - forward markers ("Begin forwarded message:", "---------- Forwarded message ---") are
      never a quote start: the forwarded mail is content the person chose to send;
    - a "-- " signature stays in the new text.
    Line endings come back as "\\n"; both parts are stripped; never raises, linear time.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _history_start(lines)
    if start is None:
        return "\n".join(lines).strip(), ""
    return "\n".join(lines[:start]).strip(), "\n".join(lines[start:]).strip()


def _history_start(lines: list[str]) -> int | None:
    first_text = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    index = 0
    while index < len(lines):
        candidate = _candidate(lines, index)
        if candidate is None:
            index += 1
        elif candidate.accepted and candidate.start > first_text:
            return candidate.start
        else:
            index = max(candidate.resume, index + 1)
    return None


def _candidate(lines: list[str], index: int) -> _Candidate | None:
    line = lines[index]
    if _is_quoted(line):
        return _quote_block(lines, index, index)
    if _is_attribution(line):
        return _attribution(lines, index)
    if _starts_outlook_history(lines, index):
        return _Candidate(index, accepted=True, resume=index + 1)
    return None


def _quote_block(lines: list[str], start: int, first_quoted: int) -> _Candidate:
    end = first_quoted
    while end < len(lines) and (_is_quoted(lines[end]) or not lines[end].strip()):
        end += 1
    accepted = end == len(lines) or lines[end].strip() in _SIGNATURES
    return _Candidate(start, accepted=accepted, resume=end)


def _attribution(lines: list[str], index: int) -> _Candidate | None:
    start = index - 1 if _continues(lines, index) else index
    following = _next_text(lines, index)
    if following is not None and _is_quoted(lines[following]):
        return _quote_block(lines, start, following)
    wording = " ".join(lines[start : index + 1])
    if _DATE_OR_ADDRESS.search(wording):
        return _Candidate(start, accepted=True, resume=index + 1)
    return None


def _continues(lines: list[str], index: int) -> bool:
    """Whether the attribution on this line began on the line before (a wrapped one)."""
    if index == 0 or _OPENING.match(_bare(lines[index])):
        return False
    before = _bare(lines[index - 1])
    if not before or _is_quoted(before) or len(before) > _MAX_ATTRIBUTION:
        return False
    opened = _OPENING.match(before) is not None and any(c.isdigit() for c in before)
    return opened or before.count("<") > before.count(">")


def _starts_outlook_history(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if _SEPARATOR.fullmatch(line):
        return True
    if _RULE.fullmatch(line):
        following = _next_text(lines, index)
        return following is not None and _header_kind(lines[following]) == "from"
    return _is_header_block(lines, index) and not _after_forward_marker(lines, index)


def _is_header_block(lines: list[str], index: int) -> bool:
    if _header_kind(lines[index]) != "from":
        return False
    kinds: set[str] = set()
    for line in lines[index + 1 : index + _HEADER_WINDOW]:
        if not line.strip():
            break
        kinds.add(_header_kind(line) or "")
    named = kinds & {"sent", "date", "to", "subject"}
    return len(named) >= 2 and bool(named & {"sent", "subject"})


def _after_forward_marker(lines: list[str], index: int) -> bool:
    before = _previous_text(lines, index)
    return before is not None and _FORWARD.fullmatch(lines[before].strip()) is not None


def _header_kind(line: str) -> str | None:
    match = _HEADER_KEY.match(line)
    return _HEADER_KINDS.get(match.group(1).casefold()) if match else None


def _is_attribution(line: str) -> bool:
    bare = _bare(line)
    return len(bare) <= _MAX_ATTRIBUTION and _WROTE.search(bare) is not None


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _bare(line: str) -> str:
    return line.strip().strip("*_-").strip()


def _next_text(lines: list[str], index: int) -> int | None:
    for following in range(index + 1, min(index + 1 + _LOOKAHEAD, len(lines))):
        if lines[following].strip():
            return following
    return None


def _previous_text(lines: list[str], index: int) -> int | None:
    for before in range(index - 1, max(index - 1 - _LOOKAHEAD, -1), -1):
        if lines[before].strip():
            return before
    return None
