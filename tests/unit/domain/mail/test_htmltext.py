"""Email HTML becomes readable plain text; hostile or broken markup never breaks it."""

from __future__ import annotations

import pytest

from chalicelib.domain.mail.htmltext import html_to_text
from chalicelib.domain.mail.quotes import split_reply
from tests.unit.domain.mail.corpus import first_part, read_mail


def test_script_and_style_content_is_dropped() -> None:
    html = "<style>p {color: red}</style><p>Hei</p><script>alert('x')</script><p>Anna</p>"
    assert html_to_text(html) == "Hei\n\nAnna"


def test_head_and_title_are_not_shown() -> None:
    html = "<html><head><title>Lasku</title><meta charset=utf-8></head><body>Hei</body></html>"
    assert html_to_text(html) == "Hei"


def test_comments_are_dropped() -> None:
    assert html_to_text("Tack <!-- secret --> för <!---->hjälpen") == "Tack för hjälpen"


def test_outlook_conditional_comments_are_dropped() -> None:
    html = "<!--[if mso]><table><tr><td>Only Outlook</td></tr></table><![endif]-->Dzień dobry"
    assert html_to_text(html) == "Dzień dobry"


def test_content_revealed_to_other_clients_is_shown() -> None:
    html = "<!--[if !mso]><!-->Näkyy kaikille<!--<![endif]--><![if !mso]> ja muille<![endif]>"
    assert html_to_text(html) == "Näkyy kaikille ja muille"


def test_paragraphs_are_separated_by_a_blank_line() -> None:
    assert html_to_text("<p>Hej!</p><p>Tack för hjälpen.</p>") == "Hej!\n\nTack för hjälpen."


def test_outlook_msonormal_paragraphs_are_single_lines() -> None:
    html = '<p class="MsoNormal">Hei,</p><p class=MsoNormal>kiitos.</p><p class=MsoNormal>Anna</p>'
    assert html_to_text(html) == "Hei,\nkiitos.\nAnna"


def test_outlook_empty_paragraph_leaves_one_blank_line() -> None:
    html = (
        "<p class=MsoNormal>Hei</p><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
        "<p class=MsoNormal>Anna</p>"
    )
    assert html_to_text(html) == "Hei\n\nAnna"


def test_divs_break_lines_without_blank_lines() -> None:
    assert html_to_text("<div>Hej</div><div>Tak</div>") == "Hej\nTak"


def test_gmail_empty_div_with_br_is_one_blank_line() -> None:
    assert html_to_text("<div>Hej</div><div><br></div><div>Tak</div>") == "Hej\n\nTak"


def test_br_breaks_a_line_and_two_leave_one_blank_line() -> None:
    assert html_to_text("a<br>b<br/><br>c") == "a\nb\n\nc"


@pytest.mark.parametrize(
    "tag",
    ["div", "section", "article", "header", "footer", "h1", "h3", "h6", "tr", "table", "li"],
)
def test_block_elements_break_lines(tag: str) -> None:
    lines = html_to_text(f"before<{tag}>inside</{tag}>after").splitlines()
    assert [line.lstrip("- ") for line in lines if line] == ["before", "inside", "after"]


def test_hr_breaks_a_line() -> None:
    assert html_to_text("Hej<hr>Tak") == "Hej\nTak"


def test_unordered_list_items_start_with_a_dash() -> None:
    assert html_to_text("<ul><li>maito</li><li>leipä</li></ul>") == "- maito\n- leipä"


def test_ordered_list_items_are_numbered() -> None:
    assert html_to_text("<ol><li>jeden</li><li>dwa</li></ol>") == "1. jeden\n2. dwa"


def test_ordered_list_respects_its_start() -> None:
    assert html_to_text('<ol start="3"><li>trzy</li><li>cztery</li></ol>') == "3. trzy\n4. cztery"


def test_nested_lists_are_indented() -> None:
    html = "<ul><li>ett<ol><li>två</li></ol></li><li>tre</li></ul>"
    assert html_to_text(html) == "- ett\n  1. två\n- tre"


def test_table_cells_are_separated_and_rows_break_lines() -> None:
    html = "<table><tr><td>Tilaus</td><td>4711</td></tr><tr><th>Summa</th><td>100 €</td></tr>"
    assert html_to_text(html) == "Tilaus\t4711\nSumma\t100 €"


def test_empty_table_cells_leave_no_trailing_gap() -> None:
    assert html_to_text("<table><tr><td>a</td><td></td><td> </td></tr></table>") == "a"


def test_blockquote_lines_are_prefixed() -> None:
    html = "Tak!<blockquote>Hvornår kommer pakken?<br>Mvh Bo</blockquote>"
    assert html_to_text(html) == "Tak!\n\n> Hvornår kommer pakken?\n> Mvh Bo"


def test_nested_blockquotes_get_a_double_prefix() -> None:
    html = "Ok<blockquote>Svar<blockquote>Fråga</blockquote>Mer</blockquote>Slut"
    assert html_to_text(html) == "Ok\n\n> Svar\n>\n> > Fråga\n>\n> Mer\n\nSlut"


def test_blank_lines_inside_a_quote_stay_quoted() -> None:
    assert html_to_text("<blockquote><p>yksi</p><p>kaksi</p></blockquote>") == (
        "> yksi\n>\n> kaksi"
    )


def test_blank_quote_lines_at_either_end_are_dropped() -> None:
    assert html_to_text("Hej<blockquote>Tak<br><br><p></p></blockquote>") == "Hej\n\n> Tak"
    assert html_to_text("<blockquote><br><p></p>Tak</blockquote>") == "> Tak"


def test_gmail_quote_reads_as_attribution_then_quoted_lines() -> None:
    html = (
        '<div dir="ltr">Kiitos!</div><br><div class="gmail_quote"><div class="gmail_attr">'
        'ma 2.4.2012 klo 18.26 Anna &lt;<a href="mailto:anna@example.fi">anna@example.fi</a>'
        '&gt; kirjoitti:<br></div><blockquote class="gmail_quote">Milloin?</blockquote></div>'
    )
    text = html_to_text(html)
    assert text == (
        "Kiitos!\n\nma 2.4.2012 klo 18.26 Anna <anna@example.fi> kirjoitti:\n\n> Milloin?"
    )
    assert split_reply(text) == ("Kiitos!", text.split("\n\n", 1)[1])


def test_link_shows_its_url_after_the_text() -> None:
    html = 'Katso <a href="https://example.com/lasku/4711">lasku</a>.'
    assert html_to_text(html) == "Katso lasku (https://example.com/lasku/4711)."


@pytest.mark.parametrize(
    ("href", "label"),
    [
        ("https://example.com/", "https://example.com"),
        ("http://example.com", "example.com"),
        ("mailto:anna@example.com", "anna@example.com"),
    ],
)
def test_link_whose_text_is_its_url_shows_it_once(href: str, label: str) -> None:
    assert html_to_text(f'<a href="{href}">{label}</a>') == label


def test_mailto_link_with_a_name_shows_the_address() -> None:
    html = '<a href="mailto:tuki@example.com">Asiakastuki</a>'
    assert html_to_text(html) == "Asiakastuki (mailto:tuki@example.com)"


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java&#x09;script:alert(1)",
        "&#106;avascript:alert(1)",
        "jav\nascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
    ],
)
def test_links_with_unsafe_schemes_show_only_their_text(href: str) -> None:
    text = html_to_text(f'<a href="{href}">Klikkaa</a>')
    assert text == "Klikkaa"


def test_link_without_text_shows_nothing() -> None:
    assert html_to_text('a<a href="https://track.example/p.gif"><img src="x"></a>b') == "ab"


def test_image_renders_its_alt_text() -> None:
    assert html_to_text('Logo: <img src="logo.png" alt="Acme Oy">') == "Logo: Acme Oy"


def test_image_without_alt_renders_nothing() -> None:
    assert html_to_text('Hei<img src="https://track.example/p.gif" width=1>') == "Hei"


def test_entities_are_decoded() -> None:
    html = "K&auml;ytt&auml;j&auml; &amp; &lt;tuki&gt; &eacute;t&eacute; &#x1F600; &#8364;"
    assert html_to_text(html) == "Käyttäjä & <tuki> été 😀 €"


def test_nbsp_becomes_a_plain_space() -> None:
    assert html_to_text("100&nbsp;€ ja&nbsp;&nbsp;ALV") == "100 € ja  ALV"


def test_whitespace_is_collapsed_like_a_browser() -> None:
    html = "<p>\n   Dzień\t\tdobry,\n  <b> Pani </b>Anno\n</p>"
    assert html_to_text(html) == "Dzień dobry, Pani Anno"


def test_inline_tags_do_not_add_spaces() -> None:
    assert html_to_text("<b>Fak</b><i>tura</i> <span>nr</span>&nbsp;7") == "Faktura nr 7"


def test_pre_keeps_its_whitespace() -> None:
    html = "Loki:<pre>\nrivi  1\n\trivi 2\n   rivi 3</pre>Loppu"
    assert html_to_text(html) == "Loki:\n\nrivi  1\n\trivi 2\n   rivi 3\n\nLoppu"


def test_pre_inside_a_quote_keeps_the_prefix() -> None:
    assert html_to_text("<blockquote><pre>a\n  b</pre></blockquote>") == "> a\n>   b"


def test_at_most_one_blank_line_in_a_row() -> None:
    html = "<p>a</p><br><br><br><p></p><div><br></div><p>&nbsp;</p><h1>b</h1>"
    assert html_to_text(html) == "a\n\nb"


def test_result_is_stripped() -> None:
    assert html_to_text("<br><br><p>  Hei  </p><br><br>") == "Hei"


def test_empty_input_gives_empty_text() -> None:
    assert html_to_text("") == ""


@pytest.mark.parametrize(
    "html",
    [
        '<img src=x onerror="alert(1)">',
        "<svg onload=alert(1)></svg>",
        '<iframe src="javascript:alert(1)"></iframe>',
        '<a href="javascript:alert(1)"></a>',
        "<script>alert(1)</script>",
        "<script>alert(1)",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        '<body onload="alert(1)">',
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<scr<script>ipt>alert(1)</script>",
        '<div style="x:expression(alert(1))"></div>',
        "<!--<script>alert(1)</script>-->",
        "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    ],
)
def test_hostile_markup_leaves_no_script_in_the_text(html: str) -> None:
    text = html_to_text(f"Hei {html} Anna")
    assert "alert" not in text
    assert "javascript" not in text.lower()
    assert text.startswith("Hei")


def test_unclosed_tags_keep_their_text() -> None:
    assert html_to_text("<div><p>Hej <b>Bo <i>tak") == "Hej Bo tak"


def test_stray_closing_tags_are_ignored() -> None:
    assert html_to_text("</div>Hei</blockquote></a></ol> Anna</td></pre>") == "Hei Anna"


def test_unclosed_script_hides_the_rest_like_a_browser() -> None:
    assert html_to_text("Hei<script>alert(1)<p>more") == "Hei"


def test_unclosed_comment_hides_the_rest_like_a_browser() -> None:
    assert html_to_text("Hei<!-- never closed <p>more") == "Hei"


def test_unclosed_title_does_not_hide_the_message() -> None:
    assert html_to_text("<title>Lasku<p>Hei Anna") == "Lasku\n\nHei Anna"


def test_lone_angle_brackets_are_text() -> None:
    assert html_to_text("1 < 2 > 0 <3 a<b <> </ x> c") == "1 < 2 > 0 <3 a<b <> c"


@pytest.mark.parametrize(
    "html",
    [
        "<![",
        "<![<![<![",
        "<!",
        "<!DOCTYPE",
        "</",
        "<?",
        "<?xml version='1.0'?>",
        "<a href='",
        '<a href="x',
        "<![CDATA[ x ]]>",
        "&#xffffffff; &#0; &#; &",
        '<ol start="99999999999999999999999999"><li>x</li></ol>',
        "<ol start=x><li>y",
        "<a><a><a>",
        "<table><td>x<tr>y</table></td>",
        "\x00<p\x00>\x00",
        "<p/><br/><div/>x",
        "<blockquote>" * 50 + "x" + "</blockquote>" * 60,
    ],
)
def test_malformed_markup_never_raises(html: str) -> None:
    assert isinstance(html_to_text(html), str)


def test_ten_thousand_nested_divs_do_not_recurse() -> None:
    assert html_to_text("<div>" * 10_000 + "syvällä" + "</div>" * 10_000) == "syvällä"


def test_deep_quote_nesting_caps_the_prefix() -> None:
    text = html_to_text("<blockquote>" * 10_000 + "syvällä")
    assert text == "> " * 10 + "syvällä"


def test_deep_list_nesting_caps_the_indent() -> None:
    text = html_to_text("<p>alku</p>" + "<ul><li>" * 10_000 + "x")
    assert text.splitlines()[-1] == "  " * 10 + "- x"


def test_five_megabytes_of_html_are_converted() -> None:
    chunk = '<p class=MsoNormal>Hei <b>Anna</b>, <a href="https://example.com">linkki</a></p>\n'
    html = chunk * (5_000_000 // len(chunk))
    text = html_to_text(html)
    assert text.count("Hei Anna, linkki (https://example.com)") == 5_000_000 // len(chunk)


@pytest.mark.parametrize(
    "pattern",
    ["<a", "<!--", '<a"', "</a", "<?", "<!", "<![", "<div>", "<a x='>", "&#", "<<>"],
)
def test_pathological_repetition_is_converted_in_one_pass(pattern: str) -> None:
    assert isinstance(html_to_text(pattern * 200_000), str)


@pytest.mark.parametrize(
    ("folder", "name", "expected_new"),
    [
        ("chatwoot-fixtures", "only_html.eml", "This is html only mail"),
        ("gitlab-fixtures", "outlook_html.eml", "Microsoft Outlook 2010"),
        (
            "chatwoot-fixtures",
            "mail_with_quote.eml",
            "Yes, I am providing you step how to reproduce this issue",
        ),
        (
            "gitlab-fixtures",
            "on_wrote.eml",
            "Sure, all you need to do is frobnicate the foobar and you'll be all set!",
        ),
        ("mailgun-talon", "gmail.eml", "Hello"),
        ("mailgun-talon", "android.eml", "Hello"),
        ("mailgun-talon", "aol.eml", "Hello"),
        ("mailgun-talon", "comcast.eml", "Hello"),
        ("mailgun-talon", "hotmail.eml", "Hello"),
        ("mailgun-talon", "outlook.eml", "Allo! Follow up MIME!"),
        (
            "mailgun-talon",
            "sparrow.eml",
            "Hello\n\n--\nxxx\nSent with Sparrow (http://www.sparrowmailapp.com/?sig)",
        ),
    ],
)
def test_html_corpus_mail_reduces_to_the_reply(folder: str, name: str, expected_new: str) -> None:
    html = first_part(read_mail(folder, name), "html")
    assert html is not None
    assert split_reply(html_to_text(html))[0] == expected_new


def test_gmail_html_only_reply_is_all_new_text() -> None:
    html = first_part(read_mail("gitlab-fixtures", "html_only.eml"), "html")
    assert html is not None
    new, history = split_reply(html_to_text(html))
    assert new.startswith("### This is a reply from standard GMail in Google Chrome.\n\n")
    assert "Here's some **bold** text, strong text and italic in Markdown." in new
    assert "Here's a link http://example.com" in new
    assert new.endswith("Test reply.\n\nFirst paragraph.\n\nSecond paragraph.")
    assert history == ""


def test_outlook_html_history_keeps_the_header_block() -> None:
    html = first_part(read_mail("gitlab-fixtures", "outlook_html.eml"), "html")
    assert html is not None
    history = split_reply(html_to_text(html))[1]
    assert history.startswith(
        "From: michael [mailto:talk@openmrs.org]\nSent: Monday, October 13, 2014 9:38 AM\n"
        "To: Power, Chris\nSubject: [PM] Your post in "
    )
    assert "Looks like your reply-by-email wasn't processed correctly" in history


def test_yahoo_html_quote_block_is_history() -> None:
    html = first_part(read_mail("mailgun-talon", "reply-quotations-share-block.eml"), "html")
    assert html is not None
    new, history = split_reply(html_to_text(html))
    assert new.endswith("Jhon Doe")
    assert history.startswith("--- On Wed, 4/4/12, xxx@example.com <xxx@example.com> wrote:")
    assert "> New Booking Inquiry" in history


def test_ios_html_reply_keeps_the_quote_as_history() -> None:
    html = first_part(read_mail("gitlab-fixtures", "ios_default.eml"), "html")
    assert html is not None
    new, history = split_reply(html_to_text(html))
    assert new.endswith("Here's a link http://example.com")
    assert history.startswith("On Nov 28, 2014, at 12:35 PM, Arpit Jalan")
