"""What a person sees of the HTML or Markdown a page writes: its text, and the elements
it would create (so a test can tell a name shown as typed from one turned into markup)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import markdown_it


class _Text(HTMLParser):
    """The text a browser shows for an HTML fragment, and the elements it would create."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def shown(fragment: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.text), parser.tags


_MARKDOWN = markdown_it.MarkdownIt("commonmark")


def markdown_shown(source: str) -> tuple[str, list[str]]:
    """The text CommonMark shows for `source`, and the elements it creates beyond the
    paragraph around it."""
    text, tags = shown(_MARKDOWN.render(source))
    return html.unescape(text).strip(), [t for t in tags if t != "p"]
