"""The OOXML package's text-level pieces: XML text, references, the workbook part, styles, tables, chart."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ooxml_books import build
from whichrole.integrations.ooxml import xmltext
from whichrole.integrations.ooxml.book import PRINT_AREA, WorkbookEdit
from whichrole.integrations.ooxml.chart import bar_chart
from whichrole.integrations.ooxml.package import open_workbook
from whichrole.integrations.ooxml.references import column_index, column_letter, parse_reference
from whichrole.integrations.ooxml.splice import Block
from whichrole.integrations.ooxml.styles import Look, add_styles
from whichrole.integrations.ooxml.tables import sheet_tables, widen_table


def test_xmltext_finds_elements_past_comments_and_cdata_and_sets_attributes():
    xml = '<x:root><!-- <fake/> --><x:a k="1"/><![CDATA[<b>]]><x:b><x:c/></x:b></x:root>'
    top = xmltext.root(xml)
    assert [e.local for e in xmltext.children(xml, top.inner_start, top.inner_end)] == ["a", "b"]
    a = xmltext.find(xml, "a", top.inner_start, top.inner_end)
    assert xmltext.set_attribute(a.text(xml), "k", "2 & 3") == '<x:a k="2 &amp; 3"/>'
    assert xmltext.set_attribute(a.text(xml), "k", None) == "<x:a/>"
    assert xmltext.escape("a\x01<b>") == "a&lt;b&gt;"
    opened, element = xmltext.open_element(xml, a)
    assert element.text(opened) == '<x:a k="1"></x:a>'


def test_references_round_trip():
    for index in (0, 25, 26, 701, 702, 16383):
        assert column_index(column_letter(index)) == index
    assert column_letter(27) == "AB"
    reference = parse_reference("'Q3 ''reqs'''!$B$2:$AB$40")
    assert (reference.sheet, reference.first_column, reference.last_column, reference.last_row) == ("Q3 'reqs'", 1, 27, 40)


def test_a_print_area_is_read_and_a_new_sheet_and_name_added(tmp_path):
    package = open_workbook(build(tmp_path, "print_area"))
    edit = WorkbookEdit(package)
    assert any(n.name == PRINT_AREA and n.local_sheet == 0 for n in edit.defined_names())
    name, part, rel_id = edit.add_sheet("Reqs")
    assert name == "Reqs (2)" and part not in package.names
    edit.set_defined_name("mark", "'Reqs (2)'!$A$1")
    edit.set_defined_name("mark", "'Reqs (2)'!$B$1")          # replaced, not added twice
    assert [n.value for n in edit.defined_names() if n.name == "mark"] == ["'Reqs (2)'!$B$1"]
    assert f'r:id="{rel_id}"' in edit.workbook and part in edit.content_types


def test_styles_keep_existing_indices_and_are_not_added_twice(tmp_path):
    package = open_workbook(build(tmp_path, "date_style"))
    before = package.read_text("xl/styles.xml")
    looks = {"day": Look(number_format="yyyy-mm-dd"), "bold": Look(bold=True)}
    once, formats, _ = add_styles(before, looks, {"bad": ("FF9C0006", "FFFFC7CE")})
    twice, again, _ = add_styles(once, looks, {"bad": ("FF9C0006", "FFFFC7CE")})
    assert twice == once and again == formats
    old = xmltext.find(before, "cellXfs", xmltext.root(before).inner_start)
    new = xmltext.find(once, "cellXfs", xmltext.root(once).inner_start)
    assert once[new.inner_start:new.inner_start + len(old.inner(before))] == old.inner(before)
    assert 'formatCode="yyyy-mm-dd"' in once and min(formats.values()) >= len(list(xmltext.children(before, old.inner_start, old.inner_end)))


def test_a_table_beside_the_block_is_widened_over_it(tmp_path):
    package = open_workbook(build(tmp_path, "table"))
    part, = sheet_tables(package, package.sheet("Reqs"))
    widened = widen_table(package.read_text(part), 1, Block(2, 3), ("Verdict", "Confidence"), None)
    top = ET.fromstring(widened)
    assert top.get("ref") == "A1:D3"
    assert [c.get("name") for c in top.iter() if c.tag.endswith("tableColumn")] == ["Req ID", "Title", "Verdict", "Confidence"]
    assert widen_table(package.read_text(part), 1, Block(4, 5), ("Verdict", "Confidence"), None) is None  # not beside


def test_the_bar_chart_caches_its_points(tmp_path):
    chart = ET.fromstring(bar_chart("Roles", "'Summary'", 4, ["Data Scientist", "ML Engineer"], [3, 1], "FF1F4E79"))
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    assert [v.text for v in chart.findall(".//c:cat//c:v", ns)] == ["Data Scientist", "ML Engineer"]
    assert [v.text for v in chart.findall(".//c:val//c:v", ns)] == ["3", "1"]
    assert chart.find(".//c:val//c:f", ns).text == "'Summary'!$B$4:$B$5"
