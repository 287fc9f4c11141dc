"""The public survey pages behind the links in the survey mail: no sign-in, no script, no cache.

GET shows (never records: mail scanners open every link); POST records. The token in the path
is the only secret a form carries. Status codes: 200 pages, 400 a bad link or bad input, 409 a
closed ticket, 410 an expired link or a survey that is no longer open, 413 a body too large,
403 a POST another site's page made (the form is shown again, to be answered here).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.api.origin import cross_site
from chalicelib.domain.mail.language import SUPPORTED, text_direction
from chalicelib.domain.survey.model import MAX_COMMENT_CHARS
from chalicelib.services.survey.answers import PageKind, SurveyPage

bp = Blueprint(__name__)

FORM = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 16 * 1024  # a 2,000-character comment, percent-encoded, fits easily
STATUS = {
    PageKind.FORM: 200,
    PageKind.RECORDED: 200,
    PageKind.OPT_OUT: 200,
    PageKind.OPTED_OUT: 200,
    PageKind.BAD_INPUT: 400,
    PageKind.INVALID: 400,
    PageKind.CLOSED: 409,
    PageKind.GONE: 410,
    PageKind.EXPIRED: 410,
}
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",  # the token is in the URL: it must not travel on
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}


@bp.route("/survey/{token}", methods=["GET"])
def survey_page(token: str) -> Response:
    return render(bootstrap.container().survey_answers.view(token), token)


@bp.route("/survey/{token}", methods=["POST"], content_types=[FORM])
def survey_answer(token: str) -> Response:
    form, answers = _form(), bootstrap.container().survey_answers
    if _from_another_site():
        return _refused(answers.view(token), token)
    if form is None:
        return render(answers.too_long(token), token, status=413)
    return render(answers.answer(token, form.get("answer", ""), form.get("comment", "")), token)


@bp.route("/survey/{token}/opt-out", methods=["GET"])
def opt_out_page(token: str) -> Response:
    return render(bootstrap.container().survey_answers.opt_out_view(token), token)


@bp.route("/survey/{token}/opt-out", methods=["POST"], content_types=[FORM])
def opt_out(token: str) -> Response:
    if _from_another_site():
        return _refused(bootstrap.container().survey_answers.opt_out_view(token), token)
    return render(bootstrap.container().survey_answers.opt_out(token), token)


def _from_another_site() -> bool:
    return cross_site(dict(bp.current_request.headers))


def _refused(page: SurveyPage, token: str) -> Response:
    """Nothing recorded; the same question again, on our page, saying why."""
    if page.kind not in (PageKind.FORM, PageKind.OPT_OUT):
        return render(page, token)
    return render(replace(page, problem="cross_site"), token, status=403)


def render(page: SurveyPage, token: str, status: int | None = None) -> Response:
    container = bootstrap.container()
    language = page.language if page.language in SUPPORTED else "en"
    template = container.renderer.env.get_template("survey/page.html")
    html = template.render(**page_context(page, token, language, container.settings.helpdesk_name))
    return Response(body=html, status_code=status or STATUS[page.kind], headers=dict(HEADERS))


def page_context(page: SurveyPage, token: str, language: str, helpdesk_name: str) -> dict[str, Any]:
    ticket, survey = page.ticket, page.survey
    asks = page.kind in (PageKind.FORM, PageKind.BAD_INPUT)
    return {
        "kind": page.kind.value,
        "language": language,
        "direction": text_direction(language),
        "ticket_tag": ticket.tag if ticket else "",
        "subject": ticket.subject if ticket else "",
        "agent_name": survey.solver_name if survey else "",
        "answer": page.answer.value if page.answer else "",
        "previous": survey.answer.value if asks and survey and survey.answer else "",
        "comment": page.comment,
        "problem": page.problem,
        "address": page.address,
        "max_comment": MAX_COMMENT_CHARS,
        "opt_out_href": f"{token}/opt-out" if asks else "",
        "helpdesk_name": helpdesk_name,
    }


def _form() -> dict[str, str] | None:
    """The first value of each field; None when the body is too large to be one of our forms."""
    body = bp.current_request.raw_body or b""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > MAX_FORM_BYTES:
        return None
    try:
        fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=9)
    except ValueError:  # more fields than our forms have: answered as a form without an answer
        return {}
    return {name: values[0] for name, values in fields.items() if values}
