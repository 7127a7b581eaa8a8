"""Reading and changing Excel workbooks (Office Open XML spreadsheets) at the level of their XML.

A workbook is a zip of XML parts. Editing a user's workbook in place must keep everything of
theirs, and a load and save through openpyxl's object model does not: it drops pictures (without
Pillow), shapes and text boxes, sparklines and the other worksheet extensions, slicers, custom
XML, data connections, printer settings and, unless asked, macros. So this package never builds a
model of a workbook: it streams the one sheet it changes, edits a few small parts as text, and
copies every other part byte for byte. Workbooks made from nothing (the audit's, a CSV's) are
streamed by sheetxml's SheetWriter too: openpyxl's write-only mode, measured, writes an audit
workbook twelve times slower.

From the bottom up:

- ``xmltext``: find elements in XML text, read and set attributes, escape values; the edits are
  splices into the text, so prefixes and everything else not edited stay as they were.
- ``prolog``: whether an XML part declares a DTD (the start of entity-expansion attacks), read
  from its prolog in any encoding.
- ``unzipped``: how much a zip may unzip to, checked from its directory before a part is read.
- ``inuse``: whether a workbook is open in Excel, LibreOffice or another program.
- ``package``: a workbook opened as a zip package (checked with the three above; its workbook part,
  sheets and relationships), and ``AtomicZip``, a package written to a temporary file and renamed.
- ``references``: column letters, quoted sheet names, absolute ranges, and reading one back.
- ``sheetxml``: worksheet XML written from nothing: one cell, or a whole sheet row by row.
- ``splice``: a block of columns added to an existing worksheet as it streams by, with the frozen
  header, column widths, filter, conditional formats and links that go with them.
- ``book``: the workbook part, its relationships and the content types: defined names, new and
  rewritten sheets.
- ``styles``: looks added to a styles part as cell formats, reusing identical entries.
- ``tables``: an Excel table widened over added columns.
- ``chart``: a bar chart part and the drawing that places it on a sheet.
"""
