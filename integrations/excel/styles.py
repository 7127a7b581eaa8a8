"""The look of the verdict columns and of the sheets the tool adds, appended to a styles part.

Cell formats live in the workbook's one styles part, referred to by index. The tool appends
the fonts, fills, borders and formats it needs (reusing any identical one already there, so
running it again does not grow the part) and leaves every existing entry, and so every existing
index, as it was.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import xmltext

ACCENT = "FF1F4E79"      # dark blue: header of the verdict columns, the bar chart
TINT = "FFEEF3F9"        # pale blue behind the verdict cells: set apart from the user's own
LINK = "FF0563C1"

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
    left_rule: bool = False     # a medium rule on the left: where the verdict columns begin
    number_format: int = 0      # built-in format id: 9 is 0%
    wrap: bool = False
    vertical: str = "top"
    horizontal: str = ""


LOOKS: dict[str, Look] = {
    "header": Look(bold=True, colour="FFFFFFFF", fill=ACCENT, wrap=True, vertical="center"),
    "header_first": Look(bold=True, colour="FFFFFFFF", fill=ACCENT, wrap=True, vertical="center", left_rule=True),
    # One line per requisition: the sheet stays a table to sort and filter; the text is whole in
    # the cell and in full on the Rationale sheet.
    "verdict": Look(fill=TINT),
    "verdict_first": Look(bold=True, fill=TINT, left_rule=True),
    "verdict_percent": Look(fill=TINT, number_format=9, horizontal="center"),
    "verdict_link": Look(fill=TINT, colour=LINK, underline=True),
    "title": Look(bold=True, size_up=3),
    "heading": Look(bold=True, size_up=1),
    "table_header": Look(bold=True, colour="FFFFFFFF", fill=ACCENT, vertical="center"),
    "text": Look(),
    "wrapped": Look(wrap=True),
    "percent": Look(number_format=9, horizontal="center"),
    "link": Look(colour=LINK, underline=True),
    "note": Look(colour="FF595959"),
}

# Conditional formats (differential formats): Excel's own good / neutral / bad palette.
HIGHLIGHTS: dict[str, tuple[str, str]] = {  # name -> (font colour, fill)
    "bad": ("FF9C0006", "FFFFC7CE"),
    "neutral": ("FF9C5700", "FFFFEB9C"),
    "good": ("FF006100", "FFC6EFCE"),
}


def add_styles(xml: str) -> tuple[str, dict[str, int], dict[str, int]]:
    """The styles part with ours added; the cell format index of each look, the dxf index of each highlight."""
    name, size = _default_font(xml)
    fonts, fills, borders, formats = {}, {}, {}, {}
    for key, look in LOOKS.items():
        xml, fonts[key] = _ensure(xml, "fonts", _font_xml(look, name, size))
        xml, fills[key] = _ensure(xml, "fills", _fill_xml(look.fill))
        xml, borders[key] = _ensure(xml, "borders", _border_xml(look.left_rule))
    style_xf = "" if _section(xml, "cellStyleXfs") is None else ' xfId="0"'
    for key, look in LOOKS.items():
        horizontal = f' horizontal="{look.horizontal}"' if look.horizontal else ""
        wrap = ' wrapText="1"' if look.wrap else ""
        alignment = f'<alignment{horizontal} vertical="{look.vertical}"{wrap}/>'
        xf = (f'<xf numFmtId="{look.number_format}" fontId="{fonts[key]}" fillId="{fills[key]}" '
              f'borderId="{borders[key]}"{style_xf} applyNumberFormat="1" applyFont="1" applyFill="1" '
              f'applyBorder="1" applyAlignment="1">{alignment}</xf>')
        xml, formats[key] = _ensure(xml, "cellXfs", xf)
    highlights = {}
    for key, (colour, fill) in HIGHLIGHTS.items():
        dxf = (f'<dxf><font><color rgb="{colour}"/></font>'
               f'<fill><patternFill><bgColor rgb="{fill}"/></patternFill></fill></dxf>')
        xml, highlights[key] = _ensure(xml, "dxfs", dxf)
    return xml, formats, highlights


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


def _border_xml(left_rule: bool) -> str:
    left = f'<left style="medium"><color rgb="{ACCENT}"/></left>' if left_rule else "<left/>"
    return f"<border>{left}<right/><top/><bottom/><diagonal/></border>"


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
