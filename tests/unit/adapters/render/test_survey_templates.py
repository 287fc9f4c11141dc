"""The survey mail and pages render in all six languages; Persian right to left; text escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from chalicelib.adapters.render.mail_templates import JinjaRenderer
from chalicelib.api.survey import page_context
from chalicelib.config import TEMPLATES_DIR
from chalicelib.domain.survey.model import Stage, Survey
from chalicelib.domain.survey.tokens import Answer
from chalicelib.domain.tickets.model import Status, Ticket
from chalicelib.services.survey.answers import PageKind, SurveyPage
from tests.helpers import a_ticket

LANGUAGES = ("en", "fi", "sv", "pl", "fa", "da")
QUESTION = {
    "en": "Did we solve your problem?",
    "fi": "Saimmeko ongelmasi ratkaistua?",
    "sv": "Löste vi ditt problem?",
    "pl": "Czy rozwiązaliśmy Twój problem?",
    "fa": "آیا مشکل شما حل شد؟",
    "da": "Løste vi dit problem?",
}
AT = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)
renderer = JinjaRenderer(TEMPLATES_DIR)


def mail_context(language: str, subject: str = "Invoice 4711") -> dict[str, object]:
    return {
        "customer_name": "Anna",
        "ticket_tag": "[#1001]",
        "ticket_number": 1001,
        "subject": subject,
        "agent_name": "Mikko Mäkelä",
        "yes_url": "https://help.example/survey/YES.TOKEN",
        "no_url": "https://help.example/survey/NO.TOKEN",
        "opt_out_url": "https://help.example/survey/NO.TOKEN/opt-out",
        "helpdesk_name": "Example Support",
        "direction": "rtl" if language == "fa" else "ltr",
        "language": language,
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_survey_mail_asks_in_the_customers_language(language: str) -> None:
    mail = renderer.render_mail("survey", language, mail_context(language))
    for part in (mail.text, mail.html):
        assert QUESTION[language] in part
        assert "https://help.example/survey/YES.TOKEN" in part
        assert "https://help.example/survey/NO.TOKEN" in part
        assert "NO.TOKEN/opt-out" in part
        assert "[#1001]" in part and "Invoice 4711" in part and "Mikko Mäkelä" in part
    assert f'lang="{language}"' in mail.html
    assert ('dir="rtl"' in mail.html) == (language == "fa")
    assert len(mail.text.split()) < 120, "short: people read it on phones"


def test_the_mail_escapes_what_customers_wrote() -> None:
    mail = renderer.render_mail("survey", "en", mail_context("en", subject="<b>hi</b>"))
    assert "<b>hi</b>" not in mail.html and "&lt;b&gt;hi&lt;/b&gt;" in mail.html


def test_the_agents_notice_renders() -> None:
    context = {
        "ticket_tag": "[#1001]",
        "ticket_number": 1001,
        "subject": "Invoice",
        "requester": "anna@customer.example",
        "requester_name": "Anna",
        "queue": "Support",
        "priority": "high",
        "assignee": "mikko@example.com",
        "comment": "It <still> says 120 EUR",
        "answered_at": "2026-11-26T08:00+00:00",
        "helpdesk_name": "Example Support",
        "language": "en",
        "direction": "ltr",
    }
    notice = renderer.render_mail("survey_notice", "en", context)
    assert "It <still> says 120 EUR" in notice.text
    assert "It &lt;still&gt; says 120 EUR" in notice.html
    assert "assigned to mikko@example.com" in notice.text


def strings(language: str) -> list[str]:
    text = (TEMPLATES_DIR / "survey" / f"strings.{language}.html").read_text(encoding="utf-8")
    return re.findall(r"{% set (\w+) %}", text)


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_language_has_every_phrase(language: str) -> None:
    assert strings(language) == strings("en")


def ticket(language: str) -> Ticket:
    return a_ticket(
        AT, subject="<script>alert(1)</script>", status=Status.SOLVED, language=language
    )


def page(kind: PageKind, language: str, answer: Answer | None = Answer.NO) -> str:
    survey = Survey("20261123T080000", Stage.SENT, AT, solver_name="Mikko", answer=Answer.YES)
    shown = SurveyPage(kind, language, ticket(language), survey, answer, address="an***@x.example")
    html: str = renderer.env.get_template("survey/page.html").render(
        **page_context(shown, "TOKEN.SIG", language, "Example Support")
    )
    return html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(PageKind))
def test_every_page_renders_in_every_language(kind: PageKind, language: str) -> None:
    html = page(kind, language)
    assert f'<html lang="{language}" dir="{"rtl" if language == "fa" else "ltr"}">' in html
    assert "<script" not in html
    assert "<title></title>" not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_form_preselects_the_links_answer_and_posts_to_itself(language: str) -> None:
    html = page(PageKind.FORM, language)
    assert QUESTION[language] in html
    assert '<form method="post">' in html and "action=" not in html
    assert 'value="no" checked' in html and 'value="yes" checked' not in html
    assert 'maxlength="2000"' in html and 'href="TOKEN.SIG/opt-out"' in html


def test_the_form_says_what_was_answered_before() -> None:
    assert "You answered “Yes” earlier" in page(PageKind.FORM, "en")
    assert "You answered" not in page(PageKind.RECORDED, "en")
