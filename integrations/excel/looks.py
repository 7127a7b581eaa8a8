"""The look of the verdict columns and of the sheets whichrole adds to a workbook.

The verdict columns take the look of the sheet they annotate (its header's and its body's font,
fill, borders and alignment), varied as a verdict needs; the tool's own sheets have a house look.
"""
from __future__ import annotations

from typing import Optional

from whichrole.integrations.ooxml.styles import Look, add_styles

ACCENT = "FF1F4E79"      # dark blue: headers of the tool's own sheets, the bar chart
LINK = "FF0563C1"

# The verdict columns' looks, each taken from a cell of the annotated sheet ("header" or "body")
# and varied as a verdict needs: its text wrapped, the role in bold, the confidence a percentage.
TAKEN: dict[str, tuple[str, Look]] = {
    "header": ("header", Look(wrap=True, vertical="")),
    "verdict": ("body", Look(wrap=True)),
    "verdict_first": ("body", Look(bold=True, wrap=True)),
    "verdict_percent": ("body", Look(number_format=9, horizontal="center")),
    "verdict_link": ("body", Look(colour=LINK, underline=True)),
}

LOOKS: dict[str, Look] = {
    "title": Look(bold=True, size_up=3),
    "heading": Look(bold=True, size_up=1),
    "table_header": Look(bold=True, colour="FFFFFFFF", fill=ACCENT, vertical="center"),
    "text": Look(),
    "wrapped": Look(wrap=True),
    "percent": Look(number_format=9, horizontal="center"),
    "date": Look(number_format="yyyy-mm-dd", horizontal="left"),
    "number": Look(number_format=3),   # #,##0: a count
    "link": Look(colour=LINK, underline=True),
    "note": Look(colour="FF595959"),
}

# Conditional formats (differential formats): Excel's own good / neutral / bad palette.
HIGHLIGHTS: dict[str, tuple[str, str]] = {  # name -> (font colour, fill)
    "bad": ("FF9C0006", "FFFFC7CE"),
    "neutral": ("FF9C5700", "FFFFEB9C"),
    "good": ("FF006100", "FFC6EFCE"),
}


def house_styles(xml: str, taken_from: Optional[dict[str, int]] = None) -> tuple[str, dict[str, int], dict[str, int]]:
    """add_styles with whichrole's looks: ``taken_from`` gives the cell format index of the
    annotated sheet's "header" and "body" cells, whose look the verdict columns take."""
    return add_styles(xml, LOOKS, HIGHLIGHTS, TAKEN, taken_from)
