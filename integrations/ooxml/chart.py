"""A horizontal bar chart of a two-column table, and the drawing that places it on a sheet."""
from __future__ import annotations

from .references import column_letter
from .xmltext import REL_NS, escape

CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
REL_DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
REL_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def bar_chart(title: str, sheet_ref: str, first_row: int, categories: list[str], values: list[float],
              colour: str, label_column: int = 0, value_column: int = 1) -> str:
    """Chart part XML: one series, categories top to bottom in table order, values labelled.

    ``sheet_ref`` is the quoted sheet name; ``colour`` the bars', ARGB. The cached points let a
    reader draw the chart without recalculating.
    """
    last_row = first_row + len(categories) - 1
    label_col, value_col = column_letter(label_column), column_letter(value_column)
    cat_points = "".join(f'<c:pt idx="{i}"><c:v>{escape(c)}</c:v></c:pt>' for i, c in enumerate(categories))
    val_points = "".join(f'<c:pt idx="{i}"><c:v>{v:g}</c:v></c:pt>' for i, v in enumerate(values))
    count = len(categories)
    return (
        f'{_DECLARATION}<c:chartSpace xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{REL_NS}">'
        '<c:roundedCorners val="0"/><c:chart>'
        f'<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr sz="1200" b="1"/></a:pPr><a:r>'
        f'<a:rPr lang="en-US" sz="1200" b="1"/><a:t>{escape(title)}</a:t></a:r></a:p></c:rich></c:tx>'
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>'
        '<c:plotArea><c:layout/><c:barChart><c:barDir val="bar"/><c:grouping val="clustered"/>'
        '<c:varyColors val="0"/><c:ser><c:idx val="0"/><c:order val="0"/>'
        f'<c:spPr><a:solidFill><a:srgbClr val="{colour[2:]}"/></a:solidFill></c:spPr><c:invertIfNegative val="0"/>'
        '<c:dLbls><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/><c:showSerName val="0"/>'
        '<c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>'
        f'<c:cat><c:strRef><c:f>{escape(sheet_ref)}!${label_col}${first_row}:${label_col}${last_row}</c:f>'
        f'<c:strCache><c:ptCount val="{count}"/>{cat_points}</c:strCache></c:strRef></c:cat>'
        f'<c:val><c:numRef><c:f>{escape(sheet_ref)}!${value_col}${first_row}:${value_col}${last_row}</c:f>'
        f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{count}"/>{val_points}</c:numCache>'
        '</c:numRef></c:val></c:ser><c:gapWidth val="60"/><c:axId val="500100"/><c:axId val="500200"/></c:barChart>'
        '<c:catAx><c:axId val="500100"/><c:scaling><c:orientation val="maxMin"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="l"/><c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="none"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="500200"/><c:crosses val="autoZero"/>'
        '<c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="500200"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="t"/><c:majorGridlines/><c:numFmt formatCode="0" sourceLinked="0"/>'
        '<c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        '<c:crossAx val="500100"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>'
        '</c:plotArea><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>')


def drawing(chart_rel_id: str, first_column: int, first_row: int, last_column: int, last_row: int,
            name: str) -> str:
    """Drawing part XML anchoring one chart, called ``name``, between two cells (0-based column and row)."""
    return (
        f'{_DECLARATION}<xdr:wsDr xmlns:xdr="{_XDR}" xmlns:a="{_A}">'
        '<xdr:twoCellAnchor editAs="oneCell">'
        f'<xdr:from><xdr:col>{first_column}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{first_row}</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:from>'
        f'<xdr:to><xdr:col>{last_column}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{last_row}</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:to>'
        f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="{escape(name)}"/>'
        '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
        f'<a:graphic><a:graphicData uri="{_C}"><c:chart xmlns:c="{_C}" xmlns:r="{REL_NS}" r:id="{chart_rel_id}"/>'
        '</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>')


def relationships_xml(*entries: tuple[str, str, str]) -> str:
    """A relationships part: (id, type, target) per relationship."""
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{escape(target)}"/>' for i, t, target in entries)
    return (f'{_DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{body}</Relationships>")
