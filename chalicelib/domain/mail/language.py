"""Which of our languages a customer wrote in: function words and letters, English when unsure.

When the word lists are unsure (short mails: "Hej, min faktura er forkert. Mvh Lars" has as many
Norwegian words as Danish ones), a statistical model's top guess may settle it, if it is one of
our languages, confident, and among the languages the words point to most.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from chalicelib.domain.mail.quotes import split_reply

SUPPORTED = ("en", "fi", "sv", "pl", "fa", "da")
FALLBACK = "en"
READ_CHARS = 4000
# The winner needs words of its own, not shared with the runner-up: at least one ("Kiitos!"), and
# at least twice what the runner-up has of its own (a Danish text quoting Norwegian stays unsure).
MIN_OWN_EVIDENCE = 1.0
MAX_RUNNER_UP_SHARE = 0.5
# The model is asked only about two words or more (alone, "Tak" is Danish or Polish to it too),
# and heard only when this sure (of 0, 0.5, 0.7 and 0.9, bench/language.py measured 0.5 best).
MIN_MODEL_WORDS = 2
MIN_MODEL_PROBABILITY = 0.5


@dataclass(frozen=True)
class ModelGuess:
    language: str  # an ISO 639-1 code as the model names it: "da", "no", "de"...
    probability: float


type Identify = Callable[[str], ModelGuess | None]

# Frequent words of each language. Languages we do not answer in (de, fr, es, nl, it, pt, nb, ar,
# ur) are scored too, so that their text is recognised as "not ours" instead of being mistaken
# for the nearest supported language (Norwegian for Danish, German for Swedish...). A word in
# several lists counts for each: "tak" is Danish "thanks" and Polish "yes", so "Tak!" is unsure.
_WORDS: Mapping[str, str] = {
    "en": """the and to of a in is it you that i for on with have be this my are was not but can
        please thanks thank your we me at as or if an do so from by will would could should has
        had been there what when how about our us they them their he she his her just also any
        some all no yes hi hello dear regards best kind sincerely which who why where here its
        it's i'm don't can't i've i'd doesn't isn't won't am were one more out up get got need
        since still last sent received""",
    "fi": """ja on ei se että kun mutta tai olen oli ovat olla voi myös kiitos kiitoksia hei moi
        terveisin ystävällisin minä sinä hän me te he tämä tämän tässä tästä tuo sen siitä sitä
        joka jotka mikä mitä miksi miten missä milloin jos niin kuin vain vielä nyt jo sekä eli
        koska kanssa mukaan ole en et emme ette eivät olet olemme olette ollut minun minulla
        minulle minua sinun teidän meidän heidän voisitteko voitteko voisin voinko onko pitää
        pitäisi sain kuitenkin jotta vaan sitten täällä tänään huomenna kaikki paljon hyvä apua
        lasku laskun laskussa tilaus tilauksen asiakas ennen jälkeen aina kuinka saa voit
        voidaan tulee näin esimerkiksi siis ehkä kiitti""",
    "sv": """och att det är som en ett för på med av till den de jag inte har om vi du ni men så
        kan var från vid hur vad när eller också bara sig mig dig min mitt mina din ditt er ert
        era han hon hans hennes vår vårt våra deras detta denna dessa där här skulle kommer
        finns får fått ska vill måste hade blir blev efter över under inom mot utan än alla
        något några mycket tack hej hälsningar vänliga mvh faktura fakturan beställning undrar
        behöver fortfarande kanske alltid inom genom därför viktigt sådan""",
    "da": """og at det er som en et for på med af til den de jeg ikke har om vi du i men så kan
        var fra ved hvordan hvad hvornår når eller også bare sig mig dig min mit mine din dit jeres
        vores deres han hun hans hendes denne dette disse der her skulle kommer findes får fået
        skal vil må havde bliver blev efter over under mod uden end alle noget nogle meget tak
        hej venlig venlige hilsen mvh faktura fakturaen bestilling nu hvis kunne jer os mere
        ville stadig endnu tusind hvor måske altid inden igennem derfor nogen sådan
        hvilken hvilke gøre gør spørgsmål vigtigt vigtig muligt""",
    "pl": """i w z na się nie do to że jest o jak ale po co tak dla czy od za przez jestem mam
        proszę dziękuję dzień dobry pan pani państwo bardzo mój moja moje moim mnie mi ja ty on
        ona my wy oni jego jej ich ten ta te tego tej tym być było była był są będzie można może
        już jeszcze tylko także również gdy jeśli kiedy bo więc oraz lub albo ze we u przy nad
        pod bez aby żeby które który która których faktura fakturę fakturze zamówienie konto
        witam pozdrawiam pozdrowienia uprzejmie serdecznie""",
    "fa": """را است این آن که برای می نمی های ها هم یک من شما ما او با از به در تا اگر یا اما
        ولی چه چرا کی کجا چطور ممنون متشکرم مرسی سپاس لطفا خیلی باشد بود شد کرد کنم کنید دارم
        دارید هست نیست و همه هستند هستیم بسیار باید شود شده کند
        کنند دارد خود وقتی چون پس بعد قبل""",
    "de": """der die das und ist nicht ich sie mit auf für ein eine einen zu den dem von wir haben
        habe bitte danke meine mein ihr ihre es sich auch noch wie aber oder wenn dass sind war
        wird werden kann können möchte hallo sehr geehrte grüße freundlichen rechnung
        bestellung im bei nach aus um hat bin uns unser""",
    "fr": """le la les et est je vous de des du un une pour pas que qui avec merci bonjour mon ma
        mes ne sur dans ce cette nous il elle au aux suis avez ai votre vos notre facture
        commande cordialement madame monsieur mais ou où très bien comment pourquoi quand si
        plus été être avoir fait""",
    "es": """el la los las y es de que en un una por para con no mi su gracias hola está estoy
        tengo pero como muy del al lo se me mis sus usted ustedes factura pedido saludos
        cordiales buenos días estimado qué cómo cuándo porque también hay ser fue ha he esta
        este esto""",
    "nl": """de het een en van ik je niet dat is op te zijn voor met ook maar wij we ons mijn uw u
        hebben heb heeft was er bij naar om wat hoe als dan nog wel geen graag bedankt dank
        groeten vriendelijke factuur bestelling""",
    "it": """il la le e di che un una per non con sono è mi ho grazie ciao buongiorno della del
        gli anche ma come cosa questo questa mio mia suo fattura ordine cordiali saluti""",
    "pt": """o a os as e de que um uma para com não é por mais se eu meu minha obrigado obrigada
        olá bom dia da do em no na ao seu sua fatura pedido atenciosamente também""",
    "nb": """og at det er som en et for på med av til den de jeg ikke har om vi du i men så kan
        var fra ved hvordan hva når eller også bare seg meg deg min mitt mine din ditt deres vår
        vårt våre han hans hun henne hennes denne dette disse der her skulle kommer finnes får
        fått skal vil må hadde blir ble etter over under mot uten enn alle noe noen mye takk hei
        hilsen vennlig mvh faktura fakturaen bestilling nå hvis kunne dere oss mer ville fortsatt
        eg ikkje kva korleis hvor kanskje alltid innen gjennom derfor sånn slik gjøre gjør
        spørsmål viktig viktigt mulig""",
    "ar": "و في من على إلى عن أن هذا هذه التي الذي مع كان لا ما هل شكرا",
    "ur": "ہے ہیں کے کی میں اور کو سے نہیں آپ شکریہ",
}

# Letters that only some languages use; a word's letters together narrow down its language.
_LETTERS: Mapping[str, tuple[str, ...]] = {
    **dict.fromkeys("ąęłśźżćń", ("pl",)),
    "ó": ("pl", "es", "pt"),
    "å": ("sv", "da", "nb"),
    **dict.fromkeys("æø", ("da", "nb")),
    **dict.fromkeys("äö", ("sv", "fi", "de")),
    **dict.fromkeys("üß", ("de",)),
    **dict.fromkeys("èêçùûîôœëïâ", ("fr", "pt")),
    **dict.fromkeys("àé", ("fr", "es", "it", "pt")),
    **dict.fromkeys("ñáíú", ("es", "pt")),
    **dict.fromkeys("ãõ", ("pt",)),
    **dict.fromkeys("ìò", ("it",)),
    **dict.fromkeys("پچژگیک", ("fa", "ur")),
    **dict.fromkeys("ٹڈڑںےھہ", ("ur",)),
    **dict.fromkeys("يكةى", ("ar",)),
}

# Finnish says with case endings what others say with function words.
_FINNISH_ENDING = re.compile(r"^\w{3,}(ssa|ssä|stä|lla|llä|lta|ltä|ksi|nen|ään|yyn|öön|uun|iin)$")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def _word_languages() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = defaultdict(list)
    for lang, words in _WORDS.items():
        for word in words.split():
            if lang not in table[word]:
                table[word].append(lang)
    return {word: tuple(langs) for word, langs in table.items()}


_WORD_LANGS = _word_languages()


def detect_language(text: str, identify: Identify | None = None) -> str:
    """The language of the customer's new text, one of SUPPORTED; English when unsure."""
    return guess_language(text, identify) or FALLBACK


def guess_language(text: str, identify: Identify | None = None) -> str | None:
    """Like detect_language, but None when unsure, so a caller can keep a thread's language."""
    words = customer_words(text)
    tokens = _TOKEN.findall(words.lower())
    evidence = _evidence(tokens)
    decided = _decided(evidence)
    if decided is not None:
        return decided if decided in SUPPORTED else None
    if identify is None or len(tokens) < MIN_MODEL_WORDS:
        return None
    return _settled(identify(words), _scores(evidence))


def customer_words(text: str) -> str:
    """What is read of a mail: the customer's new text, its first READ_CHARS characters."""
    return _new_text(text)[:READ_CHARS]


def text_direction(lang: str) -> str:
    return "rtl" if lang == "fa" else "ltr"


def _new_text(text: str) -> str:
    """The customer's own words: above the quoted history, without inline '>' lines."""
    new, _ = split_reply(text)
    kept = "\n".join(line for line in new.splitlines() if not line.lstrip().startswith(">"))
    return kept if _TOKEN.search(kept) else text


def _evidence(words: list[str]) -> list[tuple[str, ...]]:
    """For each word, the languages its spelling points to (a word may count twice: as a
    function word and by its letters)."""
    found = [_WORD_LANGS.get(word, ()) for word in words]
    found += [_letter_languages(word) for word in words]
    found += [("fi",) for word in words if _FINNISH_ENDING.match(word)]
    return [langs for langs in found if langs]


def _decided(evidence: list[tuple[str, ...]]) -> str | None:
    """The word lists' language (ours or not) when its own words outweigh the runner-up's."""
    scores = _scores(evidence)
    ranked = sorted(scores, key=lambda lang: (-scores[lang], lang))
    if not ranked:
        return None
    best, runner_up = ranked[0], ranked[1] if len(ranked) > 1 else ""
    own, runner_up_own = _own(evidence, best, runner_up), _own(evidence, runner_up, best)
    if own < MIN_OWN_EVIDENCE or runner_up_own > own * MAX_RUNNER_UP_SHARE:
        return None
    return best


def _settled(guess: ModelGuess | None, scores: Mapping[str, float]) -> str | None:
    """The model's guess, if ours and confident, and not against the words: a Norwegian mail
    the model takes for Danish has words that Danish lacks ("Når kommer bestillingen min?")."""
    if guess is None or guess.language not in SUPPORTED:
        return None
    if guess.probability < MIN_MODEL_PROBABILITY:
        return None
    if scores and scores.get(guess.language, 0.0) < max(scores.values()) - 1e-9:
        return None
    return guess.language


def _scores(evidence: list[tuple[str, ...]]) -> dict[str, float]:
    scores: dict[str, float] = defaultdict(float)
    for langs in evidence:
        for lang in langs:
            scores[lang] += 1.0 / len(langs)
    return scores


def _own(evidence: list[tuple[str, ...]], lang: str, other: str) -> float:
    return sum(1.0 / len(langs) for langs in evidence if lang in langs and other not in langs)


def _letter_languages(word: str) -> tuple[str, ...]:
    candidates: set[str] | None = None
    for letter in word:
        langs = _LETTERS.get(letter)
        if langs is not None:
            candidates = set(langs) if candidates is None else candidates & set(langs)
    if not candidates:
        return ()
    return tuple(sorted(candidates))
