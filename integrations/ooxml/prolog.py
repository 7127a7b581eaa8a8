"""Whether an XML part declares a DTD, from its prolog: what comes before its root element.

A DTD can only stand in the prolog, after the XML declaration and among comments and processing
instructions, however long those are; and a part may be UTF-16 or UTF-32, where the bytes
`<!DOCTYPE` never occur. So the prolog is decoded as a parser would and read up to the root
element, a chunk at a time; a prolog longer than PROLOG_LIMIT is itself refused, as no workbook
writes one.
"""
from __future__ import annotations

import codecs
import re
from typing import IO, Optional

PROLOG_LIMIT = 1 << 20
CHUNK = 4096
# Comments, processing instructions (the XML declaration among them) and blanks, one at a time.
_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.I)
_ROOT = re.compile(r"<[^\W\d]|<[_:]")
# The encoding from the first four bytes, as the XML specification's appendix F tells it.
_ENCODINGS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
              (b"<\0\0\0", "utf-32-le"), (b"\0\0\0<", "utf-32-be"),
              (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
              (b"<\0?\0", "utf-16-le"), (b"\0<\0?", "utf-16-be"))


class PrologTooLong(ValueError):
    pass


def declares_dtd(part: IO[bytes]) -> bool:
    """True if the part's prolog declares a DTD; PrologTooLong past PROLOG_LIMIT bytes of prolog."""
    first = part.read(CHUNK)
    encoding = next((name for mark, name in _ENCODINGS if first.startswith(mark)), "utf-8")
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text, read, chunk = "", 0, first
    while True:
        read += len(chunk)
        text = _past_prolog_items(text + decoder.decode(chunk, final=not chunk))
        verdict = _decided(text)
        if verdict is not None:
            return verdict
        if not chunk:
            return False    # no root element at all: not XML, which its reader will say
        if read >= PROLOG_LIMIT:
            raise PrologTooLong(f"more than {PROLOG_LIMIT // 1024} KiB of comments before its root element")
        chunk = part.read(CHUNK)


def _past_prolog_items(text: str) -> str:
    text = text.lstrip("\ufeff")   # a byte-order mark the decoder kept
    position = 0
    while found := _PROLOG_ITEM.match(text, position):
        position = found.end()
    return text[position:]


def _decided(text: str) -> Optional[bool]:
    """True at a DTD, False at the root element, None while the next item is not whole yet."""
    if _DTD.match(text):
        return True
    if _ROOT.match(text):
        return False
    return None
