"""Cell formats appended to a workbook's styles part, which cells refer to by index.

A look (bold, a fill, a number format, wrapped...) becomes a font, fill, border and cell format;
a look may also be taken from an existing cell's format and varied (its font bolded, say). Any
identical entry already there is reused, so adding the same looks again does not grow the part,
and every existing entry, and so every existing index, stays as it was.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from . import xmltext

# Schema order of the children of <styleSheet>, needed to add a missing section in its place.
SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
            "tableStyles", "colors", "extLst")

MINIMAL_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{xmltext.MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


@dataclass(frozen=True)
class Look:
    bold: bool = False
    size_up: float = 0          # points above the workbook's default font size
    colour: str = ""            # font colour, ARGB
    underline: bool = False
    fill: str = ""              # solid fill, ARGB
    number_format: int | str = 0   # a built-in format's id (9 is 0%), or a format's code
    wrap: bool = False
    vertical: str = "top"
    horizontal: str = ""


def add_styles(xml: str, looks: dict[str, Look], highlights: dict[str, tuple[str, str]] = {},
               taken: dict[str, tuple[str, Look]] = {}, taken_from: Optional[dict[str, int]] = None,
               ) -> tuple[str, dict[str, int], dict[str, int]]:
    """The styles part with the looks added; the cell format index of each look, the differential
    format (dxf) index of each highlight, (font colour, fill) by name, for conditional formats.

    ``taken``: looks that vary an existing cell's format, by the name of that cell in ``taken_from``
    (its cell format index); without ``taken_from`` they are not added."""
    name, size = _default_font(xml)
    fonts, fills, borders, alignments = {}, {}, {}, {}
    for key, look in looks.items():
        xml, fonts[key] = _ensure(xml, "fonts", _font_xml(look, name, size))
        xml, fills[key] = _ensure(xml, "fills", _fill_xml(look.fill))
        xml, borders[key] = _ensure(xml, "borders", _border_xml())
        alignments[key] = {"horizontal": look.horizontal, "vertical": look.vertical, "wrapText": "1" if look.wrap else ""}
    for key, (cell, look) in (taken.items() if taken_from is not None else ()):
        user = _cell_format(xml, taken_from.get(cell, 0))
        xml, fonts[key] = _ensure(xml, "fonts", _varied_font(_entry(xml, "fonts", user.get("fontId")), look))
        fills[key], borders[key] = int(user.get("fillId", 0)), int(user.get("borderId", 0))
        alignments[key] = {**user["alignment"], **{k: v for k, v in (("horizontal", look.horizontal),
                                                                        ("vertical", look.vertical)) if v}}
        alignments[key]["vertical"] = alignments[key].get("vertical") or "top"
        alignments[key]["wrapText"] = "1" if look.wrap else alignments[key].get("wrapText", "")
    looks = {**looks, **{key: look for key, (_, look) in taken.items()}}
    style_xf = "" if _section(xml, "cellStyleXfs") is None else ' xfId="0"'
    formats = {}
    for key in fonts:
        alignment = "".join(f' {name}="{value}"' for name, value in alignments[key].items() if value)
        xml, number_format = _number_format_id(xml, looks[key].number_format)
        xf = (f'<xf numFmtId="{number_format}" fontId="{fonts[key]}" fillId="{fills[key]}" '
              f'borderId="{borders[key]}"{style_xf} applyNumberFormat="1" applyFont="1" applyFill="1" '
              f'applyBorder="1" applyAlignment="1"><alignment{alignment}/></xf>')
        xml, formats[key] = _ensure(xml, "cellXfs", xf)
    differential = {}
    for key, (colour, fill) in highlights.items():
        dxf = (f'<dxf><font><color rgb="{colour}"/></font>'
               f'<fill><patternFill><bgColor rgb="{fill}"/></patternFill></fill></dxf>')
        xml, differential[key] = _ensure(xml, "dxfs", dxf)
    return xml, formats, differential


def _default_font(xml: str) -> tuple[str, float]:
    """Name and size of the workbook's default font, so the added cells look like the rest."""
    fonts = _section(xml, "fonts")
    first = next(xmltext.children(xml, fonts.inner_start, fonts.inner_end), None) if fonts else None
    text = first.inner(xml) if first else ""
    size = re.search(r'<(?:\w+:)?sz\s+val="([\d.]+)"', text)
    name = re.search(r'<(?:\w+:)?name\s+val="([^"]+)"', text)
    return (xmltext.unescape(name.group(1)) if name else "Calibri"), (float(size.group(1)) if size else 11.0)


def _font_xml(look: Look, name: str, size: float) -> str:
    parts = ["<b/>" if look.bold else "", "<u/>" if look.underline else "",
             f'<sz val="{size + look.size_up:g}"/>',
             f'<color rgb="{look.colour}"/>' if look.colour else "",
             f'<name val="{xmltext.escape(name)}"/>']
    return f"<font>{''.join(parts)}</font>"


def _fill_xml(colour: str) -> str:
    if not colour:
        return '<fill><patternFill patternType="none"/></fill>'
    return f'<fill><patternFill patternType="solid"><fgColor rgb="{colour}"/><bgColor indexed="64"/></patternFill></fill>'


def _number_format_id(xml: str, number_format: int | str) -> tuple[str, int]:
    """The id of a number format: a built-in's own, or that of a format code (added when absent)."""
    if isinstance(number_format, int):
        return xml, number_format
    section = _section(xml, "numFmts")
    known = {xmltext.attribute(e.attrs, "formatCode"): int(xmltext.attribute(e.attrs, "numFmtId") or 0)
             for e in (xmltext.children(xml, section.inner_start, section.inner_end) if section else ())}
    if number_format in known:
        return xml, known[number_format]
    new_id = max(known.values(), default=163) + 1  # ids from 164 are the workbook's own
    xml, _ = _ensure(xml, "numFmts", f'<numFmt numFmtId="{new_id}" formatCode="{xmltext.escape(number_format)}"/>')
    return xml, new_id


def _border_xml() -> str:
    return "<border><left/><right/><top/><bottom/><diagonal/></border>"


def _cell_format(xml: str, index: int) -> dict:
    """The attributes of cell format ``index`` (the first for one that is not there), its alignment's under "alignment"."""
    section = _section(xml, "cellXfs")
    entries = list(xmltext.children(xml, section.inner_start, section.inner_end)) if section else []
    if not entries:
        return {"alignment": {}}
    entry = entries[index] if 0 <= index < len(entries) else entries[0]
    found = dict(xmltext.attributes(entry.attrs))
    alignment = xmltext.find(xml, "alignment", entry.inner_start, entry.inner_end) if entry.inner_end > entry.inner_start else None
    found["alignment"] = dict(xmltext.attributes(alignment.attrs)) if alignment else {}
    return found


def _entry(xml: str, section_name: str, index: Optional[str]) -> str:
    """Entry ``index`` of a section, without a namespace prefix; "" when there is none."""
    section = _section(xml, section_name)
    entries = list(xmltext.children(xml, section.inner_start, section.inner_end)) if section else []
    position = int(index or 0)
    if not 0 <= position < len(entries):
        return ""
    return re.sub(r"<(/?)[\w.\-]+:", r"<\1", entries[position].text(xml))


def _varied_font(font: str, look: Look) -> str:
    """A font of the sheet's, bolded, coloured or underlined as ``look`` says."""
    inner = re.sub(r"^<font\b[^>]*?(?:/>|>)|</font>$", "", font or "<font/>")
    if look.bold and not re.search(r"<b(?:\s[^>]*)?/>", inner):
        inner = "<b/>" + inner
    if look.underline:
        inner = "<u/>" + re.sub(r"<u(?:\s[^>]*)?/>", "", inner)
    if look.colour:
        inner = re.sub(r"<color\b[^>]*/>", "", inner) + f'<color rgb="{look.colour}"/>'
    return f"<font>{inner}</font>"


def _section(xml: str, name: str):
    top = xmltext.root(xml)
    return xmltext.find(xml, name, top.inner_start, top.inner_end)


def _ensure(xml: str, section_name: str, entry: str) -> tuple[str, int]:
    """The index of ``entry`` in a section, appending it (and creating the section) when absent."""
    section = _section(xml, section_name)
    if section is None:
        top = xmltext.root(xml)
        xml = xmltext.insert_in_order(xml, top, f'<{section_name} count="0"></{section_name}>', SECTIONS, section_name)
        section = _section(xml, section_name)
    xml, section = xmltext.open_element(xml, section)
    entries = [child.text(xml) for child in xmltext.children(xml, section.inner_start, section.inner_end)]
    prefix = xmltext.prefix_of(section.name)
    if prefix:  # a part written with a namespace prefix (x:font) gets entries with the same prefix
        entry = re.sub(r"<(/?)(?=[a-zA-Z])", lambda m: f"<{m.group(1)}{prefix}", entry)
    if entry in entries:
        return xml, entries.index(entry)
    xml = xml[:section.inner_end] + entry + xml[section.inner_end:]
    start_tag_end = xml.index(">", section.start) + 1
    start_tag = xmltext.set_attribute(xml[section.start:start_tag_end], "count", str(len(entries) + 1))
    return xml[:section.start] + start_tag + xml[start_tag_end:], len(entries)
