"""Editing SpreadsheetML as text: find elements, read and set attributes, escape values.

An annotated workbook must keep every byte the tool does not mean to change, including
namespace prefixes that `mc:Ignorable` refers to, which a parse-and-reserialise round trip
renames. So the few edits made to an XML part are splices into its text, located with a
small scanner that understands nesting, self-closing tags, comments and CDATA.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"

_TAG = re.compile(r"<(/?)([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>")
_SKIP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
_ATTR = re.compile(r"([\w:.\-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
# Characters XML 1.0 cannot carry at all; Excel would refuse the file.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    """Text content or attribute value, with the characters XML cannot hold removed."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if "&" in text or "<" in text or ">" in text or '"' in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return text


def unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


@dataclass
class Element:
    """One element of a text: where it starts and ends, its qualified name and attributes text."""

    name: str
    start: int
    end: int           # just after the end tag (or the self-closing tag)
    attrs: str
    inner_start: int   # after the start tag; == end for a self-closing element
    inner_end: int

    @property
    def local(self) -> str:
        return local(self.name)

    def attr(self, name: str) -> Optional[str]:
        return attribute(self.attrs, name)

    def text(self, xml: str) -> str:
        return xml[self.start:self.end]

    def inner(self, xml: str) -> str:
        return xml[self.inner_start:self.inner_end]


def attribute(attrs: str, name: str) -> Optional[str]:
    for key, value in _ATTR.findall(attrs):
        if key == name:
            return unescape(value[1:-1])
    return None


def attributes(attrs: str) -> dict[str, str]:
    return {key: unescape(value[1:-1]) for key, value in _ATTR.findall(attrs)}


@lru_cache(maxsize=64)
def _attribute_pattern(name: str) -> re.Pattern:
    return re.compile(r"\s" + re.escape(name) + r"\s*=\s*(\"[^\"]*\"|'[^']*')")


def set_attribute(tag: str, name: str, value: Optional[str]) -> str:
    """A start tag (`<x a="1">` or `<x/>`) with one attribute set, added or (value None) removed."""
    pattern = _attribute_pattern(name)
    if pattern.search(tag):
        return pattern.sub("" if value is None else f' {name}="{escape(value)}"', tag, count=1)
    if value is None:
        return tag
    close = "/>" if tag.endswith("/>") else ">"
    return f'{tag[:-len(close)].rstrip()} {name}="{escape(value)}"{close}'


def children(xml: str, start: int = 0, end: Optional[int] = None) -> Iterator[Element]:
    """The elements at the top level of xml[start:end], in order."""
    end = len(xml) if end is None else end
    stack: list[tuple[str, int, str, int]] = []
    position = start
    while position < end:
        lt = xml.find("<", position, end)
        if lt < 0:
            return
        skipped = _SKIP.match(xml, lt)
        if skipped:
            position = skipped.end()
            continue
        tag = _TAG.match(xml, lt)
        if not tag:
            position = lt + 1
            continue
        closing, name, attrs, empty = tag.groups()
        position = tag.end()
        if closing:
            if not stack:
                return  # the end tag of the element whose children these are
            open_name, open_start, open_attrs, inner_start = stack.pop()
            if not stack:
                yield Element(open_name, open_start, position, open_attrs, inner_start, lt)
        elif empty:
            if not stack:
                yield Element(name, lt, position, attrs, position, position)
        else:
            stack.append((name, lt, attrs, position))


def find(xml: str, local_name: str, start: int = 0, end: Optional[int] = None) -> Optional[Element]:
    return next((e for e in children(xml, start, end) if e.local == local_name), None)


def root(xml: str) -> Element:
    element = next(children(xml), None)
    if element is None:
        raise ValueError("no root element")
    return element


def prefix_of(name: str) -> str:
    """'x:worksheet' -> 'x:', 'worksheet' -> ''."""
    return name[: name.index(":") + 1] if ":" in name else ""


def namespace_prefix(root_attrs: str, uri: str) -> Optional[str]:
    """The prefix ('r:' or '' for the default namespace) a root element binds to ``uri``."""
    for key, value in attributes(root_attrs).items():
        if value == uri and key.startswith("xmlns"):
            return key[6:] + ":" if ":" in key else ""
    return None


def insert_in_order(xml: str, parent: Element, new: str, order: tuple[str, ...], name: str) -> str:
    """Insert ``new`` among parent's children before the first that the schema puts after ``name``."""
    later = set(order[order.index(name) + 1:])
    for child in children(xml, parent.inner_start, parent.inner_end):
        if child.local in later:
            return xml[:child.start] + new + xml[child.start:]
    return xml[:parent.inner_end] + new + xml[parent.inner_end:]


def open_element(xml: str, element: Element) -> tuple[str, Element]:
    """Turn a self-closing `<x/>` into `<x></x>` so that children can be added to it."""
    if element.inner_start != element.end:
        return xml, element
    tag = xml[element.start:element.end]
    opened = tag[:-2].rstrip() + ">"
    closing = f"</{element.name}>"
    xml = xml[:element.start] + opened + closing + xml[element.end:]
    inner = element.start + len(opened)
    return xml, Element(element.name, element.start, inner + len(closing), element.attrs, inner, inner)
