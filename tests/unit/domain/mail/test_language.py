"""Language detection on seed articles, customer emails, one-liners, quotes and foreign text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.mail.language import (
    MIN_MODEL_PROBABILITY,
    SUPPORTED,
    ModelGuess,
    detect_language,
    guess_language,
    text_direction,
)
from tests.fakes import ScriptedLanguageModel

SEEDS = Path(__file__).resolve().parents[4].parent / "shared" / "seeds"
SEED_LANGUAGES = [("000", "fi"), ("001", "sv"), ("002", "pl"), ("003", "fa"), ("004", "da")]

EMAILS = {
    "en": [
        "Hello, I was charged twice for my subscription this month. Could you please refund the "
        "second payment? My customer number is 48213.",
        "I ordered shoes last week but the parcel still hasn't arrived. Can you check where it "
        "is? The order number is 1123.",
        "I can't log in to my account since yesterday. The password reset link in your email "
        "does not work. What should I do?",
    ],
    "fi": [
        "Hei, minulta veloitettiin tilauksesta kahdesti tässä kuussa. Voisitteko palauttaa "
        "toisen maksun? Asiakasnumeroni on 48213.",
        "Tilasin kengät viime viikolla, mutta paketti ei ole vieläkään tullut. Voitteko "
        "tarkistaa, missä se on? Tilausnumero on 1123.",
        "En pääse kirjautumaan tililleni eilisestä lähtien. Salasanan palautuslinkki "
        "sähköpostissanne ei toimi. Mitä minun pitäisi tehdä?",
    ],
    "sv": [
        "Hej, jag har blivit debiterad två gånger för mitt abonnemang den här månaden. Kan ni "
        "återbetala den andra betalningen? Mitt kundnummer är 48213.",
        "Jag beställde skor förra veckan men paketet har fortfarande inte kommit. Kan ni kolla "
        "var det är? Ordernumret är 1123.",
        "Jag kan inte logga in på mitt konto sedan i går. Länken för att återställa lösenordet "
        "i ert mejl fungerar inte. Vad ska jag göra?",
    ],
    "pl": [
        "Dzień dobry, w tym miesiącu opłata za abonament została pobrana dwa razy. Czy mogą "
        "Państwo zwrócić drugą płatność? Mój numer klienta to 48213.",
        "Zamówiłem buty w zeszłym tygodniu, ale paczka wciąż nie dotarła. Czy mogą Państwo "
        "sprawdzić, gdzie jest? Numer zamówienia to 1123.",
        "Od wczoraj nie mogę zalogować się na swoje konto. Link do resetowania hasła w Państwa "
        "e-mailu nie działa. Co mam zrobić?",
    ],
    "fa": [
        "سلام، این ماه هزینه اشتراک من دو بار کسر شده است. لطفاً مبلغ دوم را بازگردانید. "
        "شماره مشتری من ۴۸۲۱۳ است.",
        "هفته گذشته کفش سفارش دادم اما بسته هنوز نرسیده است. می‌توانید بررسی کنید کجاست؟ "
        "شماره سفارش ۱۱۲۳ است.",
        "از دیروز نمی‌توانم وارد حساب کاربری‌ام شوم. لینک بازیابی رمز عبور در ایمیل شما کار "
        "نمی‌کند. چه کار باید بکنم؟",
    ],
    "da": [
        "Hej, jeg er blevet trukket to gange for mit abonnement i denne måned. Kan I refundere "
        "den anden betaling? Mit kundenummer er 48213.",
        "Jeg bestilte sko i sidste uge, men pakken er stadig ikke kommet. Kan I undersøge, hvor "
        "den er? Ordrenummeret er 1123.",
        "Jeg kan ikke logge ind på min konto siden i går. Linket til at nulstille adgangskoden i "
        "jeres e-mail virker ikke. Hvad skal jeg gøre?",
    ],
}

FOREIGN = {
    "de": "Hallo, ich wurde diesen Monat zweimal für mein Abonnement belastet. Könnten Sie "
    "bitte die zweite Zahlung erstatten? Meine Kundennummer ist 48213.",
    "de-parcel": "Ich habe letzte Woche Schuhe bestellt, aber das Paket ist immer noch nicht "
    "angekommen. Können Sie bitte nachsehen, wo es ist?",
    "fr": "Bonjour, j'ai été débité deux fois pour mon abonnement ce mois-ci. Pourriez-vous "
    "rembourser le deuxième paiement ? Mon numéro client est 48213.",
    "fr-parcel": "J'ai commandé des chaussures la semaine dernière mais le colis n'est toujours "
    "pas arrivé. Pouvez-vous vérifier où il se trouve ?",
    "es": "Hola, este mes me han cobrado dos veces la suscripción. ¿Podrían devolverme el "
    "segundo pago? Mi número de cliente es 48213.",
    "es-parcel": "Pedí unos zapatos la semana pasada pero el paquete todavía no ha llegado. "
    "¿Pueden comprobar dónde está?",
    "nb": "Hei, jeg har blitt trukket to ganger for abonnementet mitt denne måneden. Kan dere "
    "refundere den andre betalingen? Kundenummeret mitt er 48213.",
    "nb-parcel": "Jeg bestilte sko forrige uke, men pakken har fortsatt ikke kommet. Kan dere "
    "sjekke hvor den er? Ordrenummeret er 1123.",
    "nb-login": "Jeg kan ikke logge inn på kontoen min siden i går. Lenken for å tilbakestille "
    "passordet i e-posten deres virker ikke. Hva skal jeg gjøre?",
    "nl": "Ik heb vorige week schoenen besteld, maar het pakket is nog steeds niet aangekomen. "
    "Kunt u nagaan waar het is?",
    "it": "Ho ordinato delle scarpe la settimana scorsa ma il pacco non è ancora arrivato. "
    "Potete controllare dove si trova?",
    "pt": "Encomendei sapatos na semana passada, mas a encomenda ainda não chegou. Podem "
    "verificar onde está?",
    "ar": "مرحبا، تم خصم رسوم الاشتراك مرتين هذا الشهر. هل يمكنكم إعادة الدفعة الثانية؟ "
    "رقم العميل الخاص بي هو 48213.",
    "ur": "السلام علیکم، اس مہینے میری رکنیت کی فیس دو بار کاٹی گئی ہے۔ براہ کرم دوسری "
    "ادائیگی واپس کر دیں۔",
}

ENGLISH_QUOTE = (
    "Hello,\n\nthank you for contacting us. We have received your message about the invoice "
    "and we will answer within four business hours. You can also find answers to the most "
    "common questions on our help pages.\n\nBest regards,\nExample Support"
)
FINNISH_REPLY = "Kiitos nopeasta vastauksesta! Lasku on nyt maksettu, joten asia on selvä."


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines())


def _seed_text(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"seed article {prefix} not available under {SEEDS}")
    return found[0].read_text(encoding="utf-8")


@pytest.mark.parametrize(("prefix", "lang"), SEED_LANGUAGES)
def test_each_seed_article_is_detected_in_its_language(prefix: str, lang: str) -> None:
    assert detect_language(_seed_text(prefix)) == lang


@pytest.mark.parametrize(("prefix", "lang"), SEED_LANGUAGES)
def test_seed_paragraphs_are_never_taken_for_another_of_our_languages(
    prefix: str, lang: str
) -> None:
    paragraphs = [p for p in _seed_text(prefix).splitlines() if len(p) > 60]
    guesses = [guess_language(p) for p in paragraphs]
    assert set(guesses) <= {lang, "en", None}  # a few headings are in English or too short
    assert guesses.count(lang) >= 0.8 * len(paragraphs)


@pytest.mark.parametrize(
    ("lang", "text"), [(lang, text) for lang, texts in EMAILS.items() for text in texts]
)
def test_short_customer_emails_are_detected_in_all_six_languages(lang: str, text: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Thanks!", "en"),
        ("Thank you very much!", "en"),
        ("Kiitos!", "fi"),
        ("Kiitos paljon!", "fi"),
        ("Tack!", "sv"),
        ("Tack så mycket!", "sv"),
        ("Dziękuję!", "pl"),
        ("Dziękuję bardzo!", "pl"),
        ("Tusind tak!", "da"),
        ("متشکرم", "fa"),
        ("ممنون", "fa"),
    ],
)
def test_one_line_thanks_are_detected(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_a_lone_tak_is_danish_thanks_or_polish_yes_so_it_is_unsure() -> None:
    assert guess_language("Tak!") is None
    assert detect_language("Tak!") == "en"


def test_tak_with_more_words_follows_the_other_words() -> None:
    assert detect_language("Tak, dziękuję bardzo!") == "pl"
    assert detect_language("Tak for hjælpen, det var meget venligt af jer.") == "da"


@pytest.mark.parametrize(
    "text", ["", "   \n\t", "12345 67", "!!! ??? ...", "ok", "Hej!", "Hei", "Tak", "die"]
)
def test_empty_or_too_short_text_is_english(text: str) -> None:
    assert detect_language(text) == "en"
    assert guess_language(text) is None


@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_languages_we_do_not_answer_in_fall_back_to_english(name: str) -> None:
    assert detect_language(FOREIGN[name]) == "en"
    assert guess_language(FOREIGN[name]) is None


def test_norwegian_with_danish_words_is_still_not_guessed_as_danish() -> None:
    mixed = FOREIGN["nb-parcel"] + " Tak."  # one Danish word against several Norwegian ones
    assert detect_language(mixed) == "en"


def test_a_finnish_reply_over_a_quoted_english_mail_is_finnish() -> None:
    text = f"{FINNISH_REPLY}\n\n{_quoted(ENGLISH_QUOTE)}"
    assert detect_language(text) == "fi"


def test_a_finnish_reply_over_a_gmail_attribution_is_finnish() -> None:
    attribution = "On Mon, 24 Nov 2025 at 12:30, Example Support <support@example.com> wrote:"
    assert detect_language(f"{FINNISH_REPLY}\n\n{attribution}\n{ENGLISH_QUOTE}") == "fi"


def test_a_finnish_reply_over_an_outlook_original_message_is_finnish() -> None:
    header = "-----Original Message-----\nFrom: Example Support <support@example.com>"
    assert detect_language(f"{FINNISH_REPLY}\n\n{header}\n\n{ENGLISH_QUOTE}") == "fi"


def test_a_swedish_attribution_with_the_address_before_the_colon_starts_the_quote() -> None:
    attribution = "Den mån 24 nov. 2025 kl 12:30 skrev Example Support <support@example.com>:"
    text = f"Tack, fakturan är betald nu.\n\n{attribution}\n{ENGLISH_QUOTE}"
    assert detect_language(text) == "sv"


def test_a_line_ending_in_wrote_without_an_address_does_not_cut_the_text() -> None:
    text = f"As I wrote:\n{EMAILS['fi'][0]}"
    assert detect_language(text) == "fi"  # the Finnish after the colon is still read


def test_a_long_paragraph_ending_in_wrote_is_text_not_an_attribution() -> None:
    paragraph = f"{EMAILS['fi'][1]} {EMAILS['fi'][2]} {EMAILS['fi'][0]} (x@example.com wrote:"
    assert len(paragraph) > 300
    assert detect_language(f"Thank you, hello!\n{paragraph}") == "fi"  # cut here, it'd be "en"


def test_a_mail_that_is_all_quote_is_detected_on_the_quote() -> None:
    assert detect_language(_quoted(EMAILS["sv"][0])) == "sv"


def test_only_the_first_four_thousand_characters_are_read() -> None:
    english = (EMAILS["en"][0] + " ") * 40
    assert len(english) > 4000
    assert detect_language(english + EMAILS["fi"][0] * 100) == "en"


@pytest.mark.parametrize(("lang", "direction"), [("fa", "rtl"), ("en", "ltr"), ("fi", "ltr")])
def test_text_direction_is_rtl_only_for_persian(lang: str, direction: str) -> None:
    assert text_direction(lang) == direction


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_any_text_gives_a_supported_language(text: str) -> None:
    assert detect_language(text) in SUPPORTED


_MIXED_WORDS = [w for texts in EMAILS.values() for t in texts for w in t.split()]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*_MIXED_WORDS, "\n> ", "wrote:", "@", "\n"]), max_size=80))
def test_any_mixture_of_our_languages_gives_a_supported_language(words: list[str]) -> None:
    assert detect_language(" ".join(words)) in SUPPORTED


# -- with a statistical model behind the word lists ------------------------------------------

DANISH_OR_NORWEGIAN = "Hej, min faktura er forkert. Mvh Lars"  # as many nb words as da ones


def test_short_danish_the_word_lists_cannot_place_is_settled_by_a_confident_model() -> None:
    model = ScriptedLanguageModel(ModelGuess("da", 0.95))
    assert guess_language(DANISH_OR_NORWEGIAN) is None
    assert detect_language(DANISH_OR_NORWEGIAN, model.identify) == "da"
    assert model.asked == [DANISH_OR_NORWEGIAN]


def test_the_model_is_not_asked_when_the_word_lists_are_sure() -> None:
    model = ScriptedLanguageModel(ModelGuess("da", 0.99))
    assert detect_language(EMAILS["sv"][0], model.identify) == "sv"
    assert detect_language(FOREIGN["de"], model.identify) == "en"  # sure it is German
    assert model.asked == []


def test_an_unsure_model_leaves_the_mail_in_english() -> None:
    model = ScriptedLanguageModel(ModelGuess("da", MIN_MODEL_PROBABILITY - 0.01))
    assert detect_language(DANISH_OR_NORWEGIAN, model.identify) == "en"


@pytest.mark.parametrize("language", ["no", "nb", "de", "und", "zz"])
def test_a_model_naming_a_language_we_do_not_answer_in_leaves_english(language: str) -> None:
    model = ScriptedLanguageModel(ModelGuess(language, 0.99))
    assert detect_language(DANISH_OR_NORWEGIAN, model.identify) == "en"


def test_a_model_without_a_guess_leaves_english() -> None:
    assert detect_language(DANISH_OR_NORWEGIAN, ScriptedLanguageModel(None).identify) == "en"


def test_norwegian_words_overrule_a_model_that_says_swedish() -> None:
    norwegian = "Når kommer bestillingen min?"  # "når" is Danish or Norwegian, never Swedish
    model = ScriptedLanguageModel(ModelGuess("sv", 0.94))
    assert detect_language(norwegian, model.identify) == "en"


@pytest.mark.parametrize("text", ["Tak!", "Tak", "OK", "Hej"])
def test_a_single_word_is_not_given_to_the_model(text: str) -> None:
    model = ScriptedLanguageModel(ModelGuess("pl", 0.94))  # CLD3's guess for "Tak"
    assert detect_language(text, model.identify) == "en"
    assert model.asked == []


def test_the_model_reads_the_customers_words_without_the_quoted_history() -> None:
    model = ScriptedLanguageModel(ModelGuess("da", 0.95))
    text = f"{DANISH_OR_NORWEGIAN}\n\n{_quoted(ENGLISH_QUOTE)}"
    assert detect_language(text, model.identify) == "da"
    assert model.asked == [DANISH_OR_NORWEGIAN]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.sampled_from([*SUPPORTED, "no", "und"]), st.floats(0, 1))
def test_any_text_and_any_model_answer_give_a_supported_language(
    text: str, language: str, probability: float
) -> None:
    model = ScriptedLanguageModel(ModelGuess(language, probability))
    assert detect_language(text, model.identify) in SUPPORTED
