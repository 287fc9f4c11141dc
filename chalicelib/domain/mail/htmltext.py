"""Email HTML to readable plain text, with blockquotes kept as "> " lines for quote detection."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from html.parser import HTMLParser

_Attrs = list[tuple[str, str | None]]

_WS = re.compile(r"[ \t\n\r\f]+")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_TAG_NAME = re.compile(r"</?([a-zA-Z][^\t\n\r\f />]*)")
_QUOTED_TAG = re.compile(r"""</?[a-zA-Z][^\t\n\r\f />"'<]*(?:[^<>"']|"[^"]*"|'[^']*')*>""")
_QUOTED_TAG_WINDOW = 512
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_MAX_NESTING_SHOWN = 10
_MAX_LIST_START = 10**6

_HIDDEN = ("script", "style", "title", "head", "template")
# A browser never shows these, so an unclosed one hides everything after it.
_HIDDEN_TO_END = frozenset({"script", "style"})
_CLOSERS = {name: re.compile(rf"</{name}[\t\n\r\f />]", re.IGNORECASE) for name in _HIDDEN}

_PARAGRAPHS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "body", "caption", "center", "dd", "details", "dialog",
        "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header",
        "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "section", "summary",
        "table", "tbody", "tfoot", "thead", "tr",
    }
)  # fmt: skip


def html_to_text(html: str) -> str:
    """Readable plain text of an email's HTML; never raises, linear in the input size."""
    renderer = _Renderer()
    # Why: some Python versions' html.parser still report odd markup by AssertionError;
    # keep the text rendered so far rather than lose the message.
    with contextlib.suppress(AssertionError):
        renderer.feed(_defuse(html))
        renderer.close()
    return renderer.text()


def _defuse(html: str) -> str:
    return _Defuser(html).run()


class _Defuser:
    """Drops comments, declarations and hidden elements; escapes '<' that opens no tag.

    Why: html.parser rescans to the end of the input for every unterminated construct
    ("<a<a<a…", "<!--<!--…"), which is quadratic; here every '<' costs one forward scan.
    """

    def __init__(self, html: str) -> None:
        self._html = html
        self._out: list[str] = []
        self._gt = -1
        self._unclosed: set[str] = set()

    def run(self) -> str:
        html, pos = self._html, 0
        while (lt := html.find("<", pos)) >= 0:
            self._out.append(html[pos:lt])
            pos = self._markup(lt)
        self._out.append(html[pos:])
        return "".join(self._out)

    def _markup(self, lt: int) -> int:
        html = self._html
        if html.startswith("<!--", lt):
            end = html.find("-->", lt + 2)
            return len(html) if end < 0 else end + 3
        gt = self._next_gt(lt)
        if gt >= 0 and html.find("<", lt + 1, gt) >= 0:
            gt = self._quoted_tag_end(lt)
        if gt < 0 or lt + 1 == gt:
            return self._escape(lt)
        match = _TAG_NAME.match(html, lt)
        if match is None:
            return gt + 1 if html[lt + 1] in "!?/" else self._escape(lt)
        name = match.group(1).lower()
        if name in _CLOSERS and html[lt + 1] != "/":
            return self._hidden(name, gt)
        self._out.append(html[lt : gt + 1])
        return gt + 1

    def _quoted_tag_end(self, lt: int) -> int:
        # Why: a quoted attribute may hold '<' (alt="<3"); the window keeps this linear.
        match = _QUOTED_TAG.match(self._html, lt, lt + _QUOTED_TAG_WINDOW)
        return match.end() - 1 if match else -1

    def _escape(self, lt: int) -> int:
        self._out.append("&lt;")
        return lt + 1

    def _hidden(self, name: str, gt: int) -> int:
        closer = None if name in self._unclosed else _CLOSERS[name].search(self._html, gt + 1)
        if closer is None:
            self._unclosed.add(name)
            return len(self._html) if name in _HIDDEN_TO_END else gt + 1
        end = self._html.find(">", closer.end() - 1)
        return len(self._html) if end < 0 else end + 1

    def _next_gt(self, after: int) -> int:
        if self._gt <= after:
            found = self._html.find(">", after + 1)
            self._gt = found if found >= 0 else len(self._html) + 1
        return self._gt if self._gt < len(self._html) else -1


class _Lines:
    """Plain-text lines being assembled; each line is prefixed by its blockquote depth."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self.depth = 0
        self.marker = ""
        self._cur: list[str] = []
        self._cur_depth = 0
        self._last_depth = 0
        self._breaks = 2
        self._pending = 0
        self._space = False
        self._cell = False

    def inline(self, data: str) -> None:
        text = _WS.sub(" ", data)
        body = text.strip(" ").replace("\xa0", " ")
        if body:
            self._put(body, "\t" if self._cell else " " if self._space or text[0] == " " else "")
        self._space = text.endswith(" ") or (self._space and not body)

    def preformatted(self, data: str) -> None:
        segments = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for index, segment in enumerate(segments):
            if index:
                self.hard_break()
            if segment:
                self._put(segment.replace("\xa0", " "), "")

    def soft_break(self, count: int) -> None:
        self._pending = max(self._pending, count)

    def hard_break(self) -> None:
        self._flush_pending()
        self._newline()

    def cell(self) -> None:
        self._cell = bool(self._cur)

    def text(self) -> str:
        if self._cur:
            self._newline()
        kept: list[str] = []
        previous_blank: str | None = None
        for line in self._lines:
            line = line.rstrip()
            blank = line if _is_blank(line) else None
            if blank is None or blank != previous_blank:
                kept.append(line)
            previous_blank = blank
        while kept and _is_blank(kept[-1]):
            kept.pop()
        first = next((i for i, line in enumerate(kept) if not _is_blank(line)), len(kept))
        return "\n".join(kept[first:]).strip()

    def _put(self, body: str, separator: str) -> None:
        self._flush_pending()
        if self._cur:
            self._cur.append(separator)
        else:
            self._cur_depth = min(self.depth, _MAX_NESTING_SHOWN)
            self._cur.append(self.marker)
            self.marker = ""
        self._cur.append(body)
        self._breaks = 0
        self._cell = False

    def _flush_pending(self) -> None:
        while self._breaks < self._pending:
            self._newline()
        self._pending = 0

    def _newline(self) -> None:
        depth = self._cur_depth if self._cur else min(self._last_depth, self.depth)
        depth = min(depth, _MAX_NESTING_SHOWN)
        self._lines.append("> " * depth + "".join(self._cur))
        self._last_depth = depth
        self._cur = []
        self._breaks += 1
        self._space = False
        self._cell = False


class _Renderer(HTMLParser):
    """Turns parser events into _Lines: blocks break lines, lists get markers, links show URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out = _Lines()
        self._pre = 0
        self._pre_start = False
        self._lists: list[int | None] = []
        self._paragraph_breaks = 2
        self._link: tuple[str, list[str]] | None = None
        self._starts: dict[str, Callable[[_Attrs], None]] = {
            "a": self._open_link,
            "img": self._image,
            "br": lambda _attrs: self._out.hard_break(),
            "td": lambda _attrs: self._out.cell(),
            "th": lambda _attrs: self._out.cell(),
            "li": lambda _attrs: self._list_item(),
            "ul": lambda _attrs: self._open_list(None),
            "ol": lambda attrs: self._open_list(_list_start(attrs)),
            "blockquote": lambda _attrs: self._open_quote(),
            "pre": lambda _attrs: self._open_pre(),
            "p": self._open_paragraph,
        }
        self._ends: dict[str, Callable[[], None]] = {
            "a": self._close_link,
            "br": self._out.hard_break,
            "ul": self._close_list,
            "ol": self._close_list,
            "blockquote": self._close_quote,
            "pre": self._close_pre,
            "p": lambda: self._out.soft_break(self._paragraph_breaks),
        }

    def text(self) -> str:
        self._close_link()
        return self._out.text()

    def handle_starttag(self, tag: str, attrs: _Attrs) -> None:
        start = self._starts.get(tag)
        if start is not None:
            start(attrs)
        else:
            self._block_edge(tag)

    def handle_startendtag(self, tag: str, attrs: _Attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        end = self._ends.get(tag)
        if end is not None:
            end()
        else:
            self._block_edge(tag)

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link[1].append(data)
        if not self._pre:
            self._out.inline(data)
            return
        if self._pre_start and data.startswith("\n"):
            data = data[1:]
        self._pre_start = False
        self._out.preformatted(data)

    def _block_edge(self, tag: str) -> None:
        if tag in _PARAGRAPHS:
            self._out.soft_break(2)
        elif tag in _BLOCKS:
            self._out.soft_break(1)

    def _open_paragraph(self, attrs: _Attrs) -> None:
        # Why: Outlook writes every typed line as <p class=MsoNormal> with no margin.
        outlook = "msonormal" in (_attr(attrs, "class") or "").lower()
        self._paragraph_breaks = 1 if outlook else 2
        self._out.soft_break(self._paragraph_breaks)

    def _open_quote(self) -> None:
        self._out.soft_break(2)
        self._out.depth += 1

    def _close_quote(self) -> None:
        if self._out.depth:
            self._out.soft_break(2)
            self._out.depth -= 1

    def _open_pre(self) -> None:
        self._out.soft_break(2)
        self._pre += 1
        self._pre_start = True

    def _close_pre(self) -> None:
        if self._pre:
            self._out.soft_break(2)
            self._pre -= 1

    def _open_list(self, counter: int | None) -> None:
        self._out.soft_break(1)
        self._lists.append(counter)

    def _close_list(self) -> None:
        if self._lists:
            self._out.soft_break(1)
            self._lists.pop()

    def _list_item(self) -> None:
        self._out.soft_break(1)
        counter = self._lists[-1] if self._lists else None
        indent = "  " * min(max(len(self._lists) - 1, 0), _MAX_NESTING_SHOWN)
        if counter is None:
            self._out.marker = indent + "- "
            return
        self._out.marker = f"{indent}{counter}. "
        self._lists[-1] = counter + 1

    def _image(self, attrs: _Attrs) -> None:
        alt = _attr(attrs, "alt")
        if alt and alt.strip():
            self.handle_data(alt)

    def _open_link(self, attrs: _Attrs) -> None:
        self._close_link()
        href = _attr(attrs, "href")
        self._link = (href, []) if href is not None else None

    def _close_link(self) -> None:
        if self._link is None:
            return
        href, parts = self._link
        self._link = None
        label = _WS.sub(" ", "".join(parts)).strip()
        url = _safe_url(href)
        if url and label and _bare(label) != _bare(url):
            self._out.inline(f" ({url})")


def _attr(attrs: _Attrs, name: str) -> str | None:
    for key, value in attrs:
        if key == name:
            return value
    return None


def _list_start(attrs: _Attrs) -> int:
    try:
        start = int(_attr(attrs, "start") or "1")
    except ValueError:
        return 1
    return max(-_MAX_LIST_START, min(start, _MAX_LIST_START))


def _is_blank(line: str) -> bool:
    return not line.replace(">", "").strip()


def _safe_url(href: str) -> str | None:
    url = _URL_NOISE.sub("", href)
    return url if url.lower().startswith(_SAFE_SCHEMES) else None


def _bare(link: str) -> str:
    return _SCHEME.sub("", link.strip().lower()).rstrip("/")
