"""Replies split into the customer's new words and the quoted history, losing nothing."""

from __future__ import annotations

import pytest

from chalicelib.domain.mail.quotes import split_reply
from tests.unit.domain.mail.corpus import expectations, first_part, names, read_mail

TALON = "mailgun-talon"
CORPUS_FOLDERS = ("mailgun-talon", "chatwoot-fixtures", "gitlab-fixtures")


def squeezed(text: str) -> str:
    return "".join(text.split())


def assert_nothing_lost(text: str, new: str, history: str) -> None:
    assert squeezed(new) + squeezed(history) == squeezed(text)


def test_text_without_quote_is_all_new() -> None:
    text = "\n  Hei,\n\nlaskussa 4711 on väärä summa.\n\nTerveisin Anna\n\n"
    assert split_reply(text) == (text.strip(), "")


def test_empty_text_gives_two_empty_parts() -> None:
    assert split_reply("") == ("", "")
    assert split_reply(" \n\t\n") == ("", "")


def test_gmail_on_wrote_attribution_starts_history() -> None:
    text = (
        "Thanks, that fixed it.\n\n"
        "On Mon, Apr 2, 2012 at 6:26 PM, Megan One <megan@example.com> wrote:\n\n"
        "> Please restart the router.\n"
    )
    assert split_reply(text) == (
        "Thanks, that fixed it.",
        "On Mon, Apr 2, 2012 at 6:26 PM, Megan One <megan@example.com> wrote:\n\n"
        "> Please restart the router.",
    )


def test_attribution_wrapped_over_two_lines_starts_on_its_first_line() -> None:
    text = (
        "Thanks.\n\nOn Sun, Jun 9, 2013 at 1:39 PM, Support via Helpdesk\n"
        "<reply+59d8df@example.com> wrote:\n>\n> Hello\n"
    )
    new, history = split_reply(text)
    assert new == "Thanks."
    assert history.startswith("On Sun, Jun 9, 2013 at 1:39 PM, Support via Helpdesk\n<reply+")


def test_attribution_wrapped_inside_the_address_starts_on_its_first_line() -> None:
    text = (
        'Привет\n02.04.2012 14:20 пользователь "bob@example.com" <\n'
        "bob@example.com> написал:\n\n> Hi\n>\n"
    )
    new, history = split_reply(text)
    assert new == "Привет"
    assert history.startswith("02.04.2012 14:20")


ATTRIBUTIONS = {
    "english": ("Works now.", "On Mon, Apr 2, 2012 at 6:26 PM, Megan One <m@example.com> wrote:"),
    "german": (
        "Vielen Dank, die Rechnung ist bezahlt.",
        "Am 02.04.2012 um 18:26 schrieb Megan One <m@example.com>:",
    ),
    "german gmail": (
        "Danke!",
        "Am Mo., 2. Apr. 2012 um 18:26 Uhr schrieb Megan One <m@example.com>:",
    ),
    "french": (
        "Merci pour votre aide, la facture est payée.",
        "Le lun. 2 avr. 2012 à 18:26, Megan One <m@example.com> a écrit :",
    ),
    "spanish": (
        "Gracias por la ayuda, la factura está pagada.",
        "El lun., 2 abr. 2012 a las 18:26, Megan One (<m@example.com>) escribió:",
    ),
    "dutch": (
        "Bedankt, de factuur is betaald.",
        "Op ma 2 apr. 2012 om 18:26 schreef Megan One <m@example.com>:",
    ),
    "dutch apple": (
        "Bedankt!",
        "Op 2 apr. 2012 om 18:26 heeft Megan One <m@example.com> het volgende geschreven:",
    ),
    "swedish": (
        "Tack för hjälpen, fakturan är nu betald.",
        "Den mån 2 apr. 2012 kl 18:26 skrev Megan One <m@example.com>:",
    ),
    "danish": (
        "Tak for hjælpen, fakturaen er nu betalt.",
        "Den man. 2. apr. 2012 kl. 18.26 skrev Megan One <m@example.com>:",
    ),
    "norwegian": (
        "Takk for hjelpen, fakturaen er betalt.",
        "man. 2. apr. 2012 kl. 18:26 skrev Megan One <m@example.com>:",
    ),
    "swedish short": ("Tack!", "Megan One <m@example.com> skrev:"),
    "finnish": (
        "Kiitos nopeasta vastauksesta! Lasku on nyt maksettu.",
        "ma 2.4.2012 klo 18.26 Megan One (m@example.com) kirjoitti:",
    ),
    "polish": (
        "Dziękuję za szybką odpowiedź. Faktura została opłacona.",
        "W dniu 2 kwietnia 2012 18:26 użytkownik Megan One <m@example.com> napisał(a):",
    ),
    "polish short": ("Dziękuję.", "Megan One <m@example.com> napisał:"),
    "persian": (
        "با تشکر از پاسخ سریع شما. فاکتور پرداخت شد.",
        "در تاریخ دوشنبه ۲ آوریل ۲۰۱۲، ساعت ۱۸:۲۶ Megan One <m@example.com> نوشت:",
    ),
    "russian": ("Спасибо!", "2 апреля 2012 г., 18:26 пользователь Megan <m@example.com> написал:"),
    "italian": ("Grazie!", "Il giorno lun 2 apr 2012 alle ore 18:26 Megan One ha scritto:"),
    "portuguese": ("Obrigado!", "Em seg., 2 de abr. de 2012 às 18:26, Megan One escreveu:"),
}


@pytest.mark.parametrize(("new", "attribution"), ATTRIBUTIONS.values(), ids=ATTRIBUTIONS.keys())
def test_localised_attribution_before_a_quote_starts_history(new: str, attribution: str) -> None:
    text = f"{new}\n\n{attribution}\n\n> Original question\n> second line\n"
    assert split_reply(text) == (new, f"{attribution}\n\n> Original question\n> second line")


def test_attribution_with_a_time_starts_history_without_quote_marks() -> None:
    text = (
        "Dit is een antwoord in het Nederlands.\n\n"
        "Op 18 juli 2013 10:23 schreef Sander Datema het volgende:\n\n"
        "Dit is de originele post.\n"
    )
    new, history = split_reply(text)
    assert new == "Dit is een antwoord in het Nederlands."
    assert history.startswith("Op 18 juli 2013 10:23 schreef")


def test_yahoo_attribution_with_an_address_starts_history_without_quote_marks() -> None:
    text = (
        "Sounds great.\n\nJoe\n\n--- On Wed, 4/4/12, host@example.com <host@example.com> wrote:"
        "\n\n\nFrom: host@example.com\nSubject: Booking\n\nNew Booking Inquiry\n"
    )
    new, history = split_reply(text)
    assert new == "Sounds great.\n\nJoe"
    assert history.startswith("--- On Wed, 4/4/12")


def test_a_sentence_ending_in_wrote_is_not_history() -> None:
    text = "Hei,\n\nesimieheni kirjoitti:\nLasku pitää hyvittää.\n\nAnna"
    assert split_reply(text) == (text, "")


def test_quoted_block_without_attribution_starts_history() -> None:
    text = "Tak for svaret.\n\n> Hvornår kommer pakken?\n> Mvh Bo\n"
    assert split_reply(text) == ("Tak for svaret.", "> Hvornår kommer pakken?\n> Mvh Bo")


def test_nested_and_indented_quote_marks_belong_to_the_block() -> None:
    text = "Kiitos.\n\n  > Vastaus\n>> Kysymys\n> > Toinen\n"
    assert split_reply(text) == ("Kiitos.", "> Vastaus\n>> Kysymys\n> > Toinen")


def test_quote_block_may_contain_blank_lines() -> None:
    text = "Tack.\n> ett\n\n> två\n\n"
    assert split_reply(text) == ("Tack.", "> ett\n\n> två")


@pytest.mark.parametrize(
    "separator",
    [
        "-----Original Message-----",
        "----- Original Message -----",
        "-----Ursprüngliche Nachricht-----",
        "-----Alkuperäinen viesti-----",
        "-----Originalmeddelande-----",
        "-----Oprindelig meddelelse-----",
        "-----Oryginalna wiadomość-----",
        "-----Message d'origine-----",
    ],
)
def test_outlook_original_message_separator_starts_history(separator: str) -> None:
    text = f"Kiitos!\n\n{separator}\nHi\n"
    assert split_reply(text) == ("Kiitos!", f"{separator}\nHi")


def test_outlook_underscore_rule_before_from_starts_history() -> None:
    text = (
        "Tack!\n\n________________________________\n"
        "Från: Support <support@example.com>\nSkickat: den 2 april 2012 18:26\nHej\n"
    )
    new, history = split_reply(text)
    assert new == "Tack!"
    assert history.startswith("________________________________\nFrån: Support")


def test_underscore_rule_without_from_is_not_history() -> None:
    text = "Otsikko\n\n________________________________\nTämä on oma tekstini.\n"
    assert split_reply(text) == (text.strip(), "")


OUTLOOK_BLOCKS = {
    "english": "From: Support <s@example.com>\nSent: Monday, April 2, 2012 6:26 PM\n"
    "To: Anna\nSubject: RE: Invoice",
    "german": "Von: Support <s@example.com>\nGesendet: Montag, 2. April 2012 18:26\n"
    "An: Anna\nBetreff: AW: Rechnung",
    "finnish": "Lähettäjä: Tuki <s@example.com>\nLähetetty: maanantai 2. huhtikuuta 2012 18.26\n"
    "Vastaanottaja: Anna\nAihe: VS: Lasku",
    "swedish": "Från: Support <s@example.com>\nSkickat: den 2 april 2012 18:26\n"
    "Till: Anna\nÄmne: SV: Faktura",
    "polish": "Od: Pomoc <s@example.com>\nWysłano: poniedziałek, 2 kwietnia 2012 18:26\n"
    "Do: Anna\nTemat: RE: Faktura",
    "danish": "Fra: Support <s@example.com>\nSendt: 2. april 2012 18:26\n"
    "Til: Anna\nEmne: SV: Faktura",
    "french": "De : Support <s@example.com>\nEnvoyé : lundi 2 avril 2012 18:26\n"
    "À : Anna\nObjet : RE: Facture",
    "persian": "از: پشتیبانی <s@example.com>\nارسال شده: دوشنبه ۲ آوریل ۲۰۱۲\n"
    "به: Anna\nموضوع: فاکتور",
    "bold from gmail": "*From:* Support <s@example.com>\n*Sent:* Monday, April 2, 2012\n"
    "*To:* Anna\n*Subject:* RE: Invoice",
    "without subject": "From: Arpit Jalan\n"
    "Sent: \u200eFriday\u200e, \u200eNovember\u200e 28, 2014\nTo: jeff atwood",
}


@pytest.mark.parametrize("block", OUTLOOK_BLOCKS.values(), ids=OUTLOOK_BLOCKS.keys())
def test_outlook_header_block_starts_history(block: str) -> None:
    text = f"Kiitos, lasku on maksettu.\n\n{block}\n\nOriginal body\n"
    assert split_reply(text) == ("Kiitos, lasku on maksettu.", f"{block}\n\nOriginal body")


def test_header_like_lines_without_subject_or_sent_are_not_history() -> None:
    text = "Varaus:\nFrom: Helsinki\nTo: Stockholm\nDate: 2 May 2026\n\nKiitos!"
    assert split_reply(text) == (text, "")


@pytest.mark.parametrize(
    "marker",
    [
        "Begin forwarded message:",
        "---------- Forwarded message ---------",
        "-------- Forwarded Message --------",
        "Anfang der weitergeleiteten Nachricht:",
        "---------- Välitetty viesti ----------",
    ],
)
def test_forward_markers_are_never_a_quote_start(marker: str) -> None:
    text = (
        f"Katso alla oleva viesti.\n\n{marker}\n\nFrom: Bob <bob@example.com>\n"
        "Date: Mon, 2 Apr 2012 18:26\nSubject: Order\nTo: Anna <anna@example.com>\n\n"
        "The order is late.\n"
    )
    assert split_reply(text) == (text.strip(), "")


def test_forwarded_message_on_top_is_new_text() -> None:
    text = (
        "Begin forwarded message:\n\nFrom: Bob <bob@example.com>\nSubject: Order\n"
        "Date: 2 April 2012 at 18:26:00\nTo: Anna\n\nThe order is late.\n"
    )
    assert split_reply(text) == (text.strip(), "")


def test_quote_inside_a_forwarded_message_still_starts_history() -> None:
    text = (
        "FYI\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\n"
        "Date: Mon, 2 Apr 2012\nSubject: Crash\nTo: Anna\n\nThe app crashes.\n\n"
        "On Mon, Apr 2, 2012 at 6:26 PM, Support <s@example.com> wrote:\n> Which version?\n"
    )
    new, history = split_reply(text)
    assert new.endswith("The app crashes.")
    assert history.startswith("On Mon, Apr 2, 2012 at 6:26 PM")


def test_signature_delimiter_is_not_a_quote() -> None:
    text = "This is the reply.\n\n-- \nAnna Virtanen\nAcme Oy\n"
    assert split_reply(text) == (text.strip(), "")


def test_signature_stays_with_the_new_text_above_the_history() -> None:
    text = "Hello \n\n-- \nAnna\n\nOn Tuesday, April 3, 2012 at 4:55 PM, Bob wrote:\n\n> Hi\n"
    assert split_reply(text) == (
        "Hello \n\n-- \nAnna",
        "On Tuesday, April 3, 2012 at 4:55 PM, Bob wrote:\n\n> Hi",
    )


def test_signature_below_the_quote_goes_with_the_history() -> None:
    text = (
        "Yes.\n\nOn Thu, Aug 19, 2021 at 2:07 PM Bob <b@example.com> wrote:\n"
        "> Any news?\n\n--\nAnna"
    )
    assert split_reply(text) == (
        "Yes.",
        "On Thu, Aug 19, 2021 at 2:07 PM Bob <b@example.com> wrote:\n> Any news?\n\n--\nAnna",
    )


def test_leading_quote_followed_by_new_text_keeps_everything() -> None:
    text = "On 04/02/2012 06:26 PM, Megan One wrote:\n> Hi\nHello, here is my answer."
    assert split_reply(text) == (text, "")


def test_inline_answers_between_quotes_keep_everything() -> None:
    text = "Hei,\n\n> Mikä on tilausnumero?\n4711\n\n> Milloin tilasit?\nEilen.\n"
    assert split_reply(text) == (text.strip(), "")


def test_history_below_inline_answers_is_still_found() -> None:
    text = (
        "> Mikä on tilausnumero?\n4711\n\n"
        "On Mon, Apr 2, 2012 at 6:26 PM, Tuki <tuki@example.com> wrote:\n> Mikä on tilausnumero?\n"
    )
    new, history = split_reply(text)
    assert new == "> Mikä on tilausnumero?\n4711"
    assert history.startswith("On Mon, Apr 2, 2012")


def test_message_that_is_only_a_quote_is_kept_whole() -> None:
    assert split_reply("> 5 users cannot log in\n> since Monday\n") == (
        "> 5 users cannot log in\n> since Monday",
        "",
    )


def test_crlf_line_endings_are_handled() -> None:
    text = "Tack!\r\n\r\nDen mån 2 apr. 2012 kl 18:26 skrev Bo <bo@example.com>:\r\n> Hej\r\n"
    assert split_reply(text) == (
        "Tack!",
        "Den mån 2 apr. 2012 kl 18:26 skrev Bo <bo@example.com>:\n> Hej",
    )


def test_bare_carriage_returns_are_line_breaks() -> None:
    assert split_reply("Kiitos!\r\r> Kysymys\r") == ("Kiitos!", "> Kysymys")


SAMPLES = [
    "a\n> b\nc\n> d",
    "> a\n\nb\n-----Original Message-----\nc",
    "x\nOn Mon, 2 Apr 2012 18:26, a@b.c wrote:\ny\n> z\n\n--\nsig",
    "From: a\nSent: b\nTo: c\nSubject: d\n\ne",
    "q\r\nW dniu 2.04.2012 18:26 Ala <a@b.pl> napisał(a):\r\n>\r\n> x",
    ">\n>\n>",
    "wrote:\n>",
    "\n\n\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_nothing_is_lost_between_the_two_parts(text: str) -> None:
    new, history = split_reply(text)
    assert_nothing_lost(text, new, history)


@pytest.mark.parametrize(
    "text",
    [
        ">",
        "wrote:",
        "On wrote:",
        ":",
        "\x00\x0b\x0c\u2028",
        "From:",
        "From: a\nSent:",
        "_" * 40,
        "-" * 10_000,
        "x" * 5_000_000,
        "a\n" + "> quoted\n" * 200_000,
        "hello\n" + "On Mon, Apr 2, 2012 at 6:26 PM, A <a@b.c> wrote:\n> q\nanswer\n" * 50_000,
        "x\n" + "From: a\nTo: b\n" * 100_000,
    ],
)
def test_odd_or_huge_input_never_raises(text: str) -> None:
    new, history = split_reply(text)
    assert_nothing_lost(text, new, history)


TALON_EXPECTED = {
    name: entry["expected_visible_text"]
    for name, entry in expectations(TALON).items()
    if isinstance(entry, dict) and "expected_visible_text" in entry
}
BOTTOM_POSTED = pytest.mark.xfail(
    strict=True, reason="a quote on top followed by new text is kept whole, by design"
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param(name, text, marks=BOTTOM_POSTED if name == "thunderbird.eml" else ())
        for name, text in sorted(TALON_EXPECTED.items())
    ],
)
def test_talon_reply_reduces_to_the_expected_visible_text(name: str, expected: str) -> None:
    text = first_part(read_mail(TALON, name), "plain")
    assert text is not None
    assert split_reply(text)[0] == expected


def test_thunderbird_bottom_post_keeps_the_new_text() -> None:
    text = first_part(read_mail(TALON, "thunderbird.eml"), "plain")
    assert text is not None
    new, history = split_reply(text)
    assert new.endswith("Hello")
    assert history == ""


def test_yahoo_share_block_attribution_starts_history() -> None:
    text = first_part(read_mail(TALON, "reply-quotations-share-block.eml"), "plain")
    assert text is not None
    new, history = split_reply(text)
    assert new.endswith("Joe XXX")
    assert history.startswith("--- On Wed, 4/4/12, xxx@example.com <xxx@example.com> wrote:")


@pytest.mark.parametrize(
    ("folder", "name", "expected_new"),
    [
        (
            "chatwoot-fixtures",
            "mail_with_quote.eml",
            "Yes, I am providing you step how to reproduce this issue",
        ),
        ("chatwoot-fixtures", "reply.eml", "Let's talk about these images:"),
        (
            "gitlab-fixtures",
            "on_wrote.eml",
            "Sure, all you need to do is frobnicate the foobar and you'll be all set!",
        ),
        (
            "gitlab-fixtures",
            "valid_reply.eml",
            "I could not disagree more. I am obviously biased but adventure time is the\n"
            "greatest show ever created. Everyone should watch it.\n\n- Jake out",
        ),
        (
            "gitlab-fixtures",
            "signature_delimiter_reply.eml",
            "This is the actual reply body.\n\n--\nJake the Dog\nLand of Ooo",
        ),
        ("gitlab-fixtures", "dutch.eml", "Dit is een antwoord in het Nederlands."),
    ],
)
def test_corpus_reply_reduces_to_the_new_text(folder: str, name: str, expected_new: str) -> None:
    text = first_part(read_mail(folder, name), "plain")
    assert text is not None
    assert split_reply(text)[0] == expected_new


def test_paragraphs_reply_keeps_all_its_paragraphs() -> None:
    text = first_part(read_mail("gitlab-fixtures", "paragraphs.eml"), "plain")
    assert text is not None
    new, history = split_reply(text)
    assert new.startswith("Is there any reason the *old* candy")
    assert "The thing about candy is it stays delicious" in new
    assert new.endswith("Thanks for listening.")
    assert history.startswith("On Sun, Jun 9, 2013 at 1:39 PM, eviltrout via Discourse Meta\n")


def test_ios_reply_history_starts_at_the_quoted_attribution() -> None:
    text = first_part(read_mail("gitlab-fixtures", "ios_default.eml"), "plain")
    assert text is not None
    new, history = split_reply(text)
    assert new.startswith("### this is a reply from iOS default mail")
    assert new.endswith("Here's a link http://example.com")
    assert history.startswith("> On Nov 28, 2014, at 12:35 PM, Arpit Jalan <info@discourse.org>")


def test_windows_mail_header_block_without_subject_starts_history() -> None:
    text = first_part(read_mail("gitlab-fixtures", "plaintext_only.eml"), "plain")
    assert text is not None
    new, history = split_reply(text)
    assert new.endswith("This is a link http://example.com")
    assert history.startswith("From: Arpit Jalan\nSent: ")


@pytest.mark.parametrize(
    ("folder", "name"),
    [(folder, name) for folder in CORPUS_FOLDERS for name in names(folder)],
)
def test_corpus_mail_splits_without_losing_text(folder: str, name: str) -> None:
    text = first_part(read_mail(folder, name), "plain")
    if text is None:
        pytest.skip("no text/plain part")
    new, history = split_reply(text)
    assert_nothing_lost(text, new, history)
