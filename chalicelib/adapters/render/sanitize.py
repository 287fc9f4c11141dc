"""HTML from mail made safe to show agents (nh3): no script, no remote loads until asked for.

Three passes. nh3 first cleans the hostile input into well-formed HTML with an allow-list of
tags and attributes (no script, style, form, iframe, event handlers, `javascript:`; inline CSS
only from a short list of properties and never with `url(`). A small rewriter then turns remote
images into placeholders that keep the address in `data-remote-src` (the UI may restore it when
the agent asks) and `cid:` images into the presigned links of their inline attachments. nh3
runs once more over the result with the final allow-list, so a rewriter mistake cannot let
anything unsafe through.
"""

from __future__ import annotations

import html as htmlib
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from urllib.parse import unquote

import nh3

_DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "title", "svg",
     "math", "textarea", "select", "button", "head", "frameset", "noembed", "applet"}
)  # fmt: skip
_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"area", "map"}
_COMMON = {"dir", "lang", "title", "align", "style"}
_STYLE_PROPERTIES = frozenset(
    {"color", "background-color", "font-weight", "font-style", "font-size", "font-family",
     "text-align", "text-decoration", "line-height", "white-space", "direction", "margin",
     "margin-left", "margin-right", "margin-top", "margin-bottom", "padding", "padding-left",
     "padding-right", "padding-top", "padding-bottom", "border", "border-left", "border-right",
     "border-top", "border-bottom", "border-collapse", "width", "max-width", "height",
     "vertical-align", "list-style-type"}
)  # fmt: skip
_LINK_SCHEMES = ("http:", "https:", "mailto:")
_INLINE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
_UNSAFE_CSS = re.compile(r"url\s*\(|expression|@import|\\|javascript:", re.IGNORECASE)
REMOTE_ATTRIBUTE = "data-remote-src"
LINK_REL = "noopener noreferrer nofollow"


def _attributes(*img_extra: str) -> dict[str, set[str]]:
    attributes = {tag: set(attrs) | _COMMON for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["img"] = attributes.get("img", set()) | {"src", "alt", "width", "height", *img_extra}
    attributes["*"] = set(_COMMON)
    return attributes


def _allowed_value(
    tag: str, attribute: str, value: str, images: frozenset[str] | None
) -> str | None:
    """`images` is None on the first pass; on the last, the only remote sources allowed."""
    if attribute == "style":
        return None if _UNSAFE_CSS.search(value) else value
    if tag == "a" and attribute == "href":
        return value if value.strip().lower().startswith(_LINK_SCHEMES) else None
    if tag == "img" and attribute == "src":
        if _INLINE_DATA_IMAGE.match(value):
            return value
        if images is None:
            return value if value.strip().lower().startswith(("http:", "https:", "cid:")) else None
        return value if value in images else None
    if attribute == REMOTE_ATTRIBUTE:
        return value if value.strip().lower().startswith(("http:", "https:")) else None
    return value


def _clean(html: str, images: frozenset[str] | None, *img_extra: str) -> str:
    return nh3.clean(
        html,
        tags=set(_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes=_attributes(*img_extra),
        attribute_filter=lambda tag, attr, value: _allowed_value(tag, attr, value, images),
        url_schemes={"http", "https", "mailto", "cid", "data"},
        url_relative="deny",
        link_rel=LINK_REL,
        set_tag_attribute_values={"a": {"target": "_blank"}},
        filter_style_properties=set(_STYLE_PROPERTIES),
        strip_comments=True,
    )


class _ImageRewriter(HTMLParser):
    """Re-serialises nh3's (well-formed) output, changing only the `src` of images."""

    def __init__(self, inline_images: Mapping[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self._inline = inline_images
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, " /"))

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(htmlib.escape(data, quote=False))

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], end: str) -> str:
        pairs = [(k, v or "") for k, v in attrs]
        if tag == "img":
            pairs = self._image(pairs)
        rendered = "".join(f' {k}="{htmlib.escape(v, quote=True)}"' for k, v in pairs)
        return f"<{tag}{rendered}{end}>"

    def _image(self, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        kept = [(k, v) for k, v in pairs if k not in ("src", REMOTE_ATTRIBUTE)]
        src = dict(pairs).get("src", "").strip()
        lowered = src.lower()
        if lowered.startswith("cid:"):
            url = self._inline.get(_content_id(src[4:]))
            return [*kept, ("src", url)] if url else kept
        if lowered.startswith(("http:", "https:")):
            return [*kept, (REMOTE_ATTRIBUTE, src)]
        return [*kept, ("src", src)] if src else kept


def _content_id(value: str) -> str:
    return unquote(value).strip().strip("<>")


def sanitize_html(html: str, inline_images: Mapping[str, str] | None = None) -> str:
    """Safe HTML of a mail; `cid:` images resolve through `inline_images` (content id → URL)."""
    inline = dict(inline_images or {})
    first = _clean(html, None)
    rewriter = _ImageRewriter(inline)
    rewriter.feed(first)
    rewriter.close()
    return _clean("".join(rewriter.out), frozenset(inline.values()), REMOTE_ATTRIBUTE)


class NhSanitizer:
    """The HtmlSanitizer port."""

    def __call__(self, html: str, inline_images: Mapping[str, str]) -> str:
        return sanitize_html(html, inline_images)
