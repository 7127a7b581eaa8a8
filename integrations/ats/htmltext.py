"""A posting's HTML as the text a person would paste: headings, paragraphs and lists on lines of their own.

The classifier reads sections by their headings ("What you'll do", "Requirements"), so a
heading must stay a line of its own and a list item a line starting with "- ", indented by
its depth; the HTML is parsed by lexbor (through selectolax), which decodes entities as a
browser does. Scripts, styles and anything else a reader never sees are left out.
"""
from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

UNSEEN = frozenset({"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "button",
                    "form", "input", "select", "textarea"})
BLOCKS = frozenset({"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote",
                    "pre", "table", "tr", "dl", "dt", "dd", "figure", "figcaption", "address", "details",
                    "summary", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li"})
LISTS = frozenset({"ul", "ol"})
CELLS = frozenset({"td", "th"})
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")


def html_to_text(html: str) -> str:
    """The text of an HTML fragment or page, its structure kept as lines; '' for none."""
    if not html or not html.strip():
        return ""
    root = LexborHTMLParser(html).body
    if root is None:
        return ""
    writer = _Writer()
    writer.children(root, depth=0)
    return writer.text()


class _Writer:
    """Lines built while walking the tree: a block ends the line under way, a paragraph leaves a blank one."""

    def __init__(self):
        self.lines: list[str] = []
        self.line: list[str] = []
        self.prefix = ""
        self.items = 0      # list items open around the node being written: no blank lines inside one

    def children(self, node: LexborNode, depth: int) -> None:
        child = node.child
        while child is not None:
            self.node(child, depth)
            child = child.next

    def node(self, node: LexborNode, depth: int) -> None:
        tag = node.tag
        if tag == "-text":
            self.line.append(node.text_content or "")
        elif tag == "br":
            self.end_line()
        elif tag in UNSEEN or tag in ("-comment", "!doctype"):
            return
        elif tag == "li":
            self.end_line()
            self.prefix = "  " * max(depth - 1, 0) + "- "
            self.items += 1
            self.children(node, depth)
            self.items -= 1
            self.end_line()
            self.prefix = ""    # an empty item leaves nothing for the next line
        elif tag in LISTS:
            self.end_line()
            self.children(node, depth + 1)
            self.end_line(blank=depth == 0)
        elif tag in CELLS:
            self.line.append(" ")
            self.children(node, depth)
            self.line.append(" ")
        elif tag in BLOCKS:
            self.end_line()
            self.children(node, depth)
            self.end_line(blank=tag not in ("div", "tr", "dt", "dd", "summary"))
        else:  # inline: b, i, span, a, strong, em, ...
            self.children(node, depth)

    def end_line(self, blank: bool = False) -> None:
        if self.line:  # most blocks end a line that their first child already ended
            text = _SPACES.sub(" ", "".join(self.line)).strip()
            self.line = []
            if text:
                self.lines.append(self.prefix + text)
                self.prefix = ""
        if blank and not self.items and self.lines and self.lines[-1]:
            self.lines.append("")

    def text(self) -> str:
        self.end_line()
        return "\n".join(self.lines).strip()
