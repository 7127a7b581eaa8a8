"""The workbook-level parts a change to a workbook touches: the sheet list, defined names,
relationships and content types, edited as text so that everything not touched stays as it was."""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Optional

from . import xmltext
from .package import REL_STYLES, REL_WORKSHEET, Package, Sheet, relationships, rels_part_of, resolve

FILTER_NAME = "_xlnm._FilterDatabase"
PRINT_AREA = "_xlnm.Print_Area"

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
REL_NS_TYPES = "http://schemas.openxmlformats.org/package/2006/relationships"
# Schema order of a workbook's children.
WORKBOOK_ORDER = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                  "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
                  "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                  "fileRecoveryPr", "webPublishObjects", "extLst")
# Characters Excel does not allow in a sheet name.
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class DefinedName:
    name: str
    local_sheet: Optional[int]
    value: str


def safe_sheet_name(name: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, not empty."""
    name = _BAD_SHEET_CHARS.sub(" ", name).strip().strip("'") or "Sheet1"
    return name[:31]


class WorkbookEdit:
    """workbook.xml, its relationships and the content types, changed and then written out."""

    def __init__(self, package: Package):
        self.package = package
        self.workbook = package.workbook_xml
        self.rels = package.workbook_rels
        self.content_types = package.read_text("[Content_Types].xml")
        self.dropped: set[str] = set()
        self.added: set[str] = set()
        top = xmltext.root(self.workbook)
        self.r_prefix = xmltext.namespace_prefix(top.attrs, xmltext.REL_NS) or "r:"
        if xmltext.namespace_prefix(top.attrs, xmltext.REL_NS) is None:
            self._set_root_attribute("xmlns:r", xmltext.REL_NS)
        self.prefix = xmltext.prefix_of(top.name)

    # ---- reading --------------------------------------------------------------------------

    def defined_names(self) -> list[DefinedName]:
        names = self._names_element()
        if names is None:
            return []
        found = []
        for element in xmltext.children(self.workbook, names.inner_start, names.inner_end):
            local = element.attr("localSheetId")
            found.append(DefinedName(element.attr("name") or "", int(local) if local is not None else None,
                                     xmltext.unescape(element.inner(self.workbook))))
        return found

    def sheet_index(self, name: str) -> int:
        return [s.name for s in self.package.sheets].index(name)

    def styles_part(self) -> Optional[str]:
        for rel in relationships(self.rels).values():
            if rel.type == REL_STYLES:
                return resolve(posixpath.dirname(self.package.workbook_part), rel.target)
        return None

    # ---- changing -------------------------------------------------------------------------

    def free_sheet_name(self, wanted: str) -> str:
        taken = {s.name.lower() for s in self.package.sheets}
        candidate, number = wanted, 1
        while candidate.lower() in taken:
            number += 1
            candidate = f"{wanted} ({number})"
        return candidate

    def free_part(self, pattern: str) -> str:
        """An unused part name such as xl/worksheets/sheet7.xml for pattern xl/worksheets/sheet{}.xml."""
        taken = (set(self.package.names) - self.dropped) | self.added
        number = 1
        while pattern.format(number) in taken:
            number += 1
        part = pattern.format(number)
        self.added.add(part)
        return part

    def reuse_sheet(self, sheet: Sheet) -> None:
        """Keep a sheet's place in the workbook (so sheet positions, and the defined names that refer
        to them by position, do not move) while its part is written afresh: what hung from it (its
        drawing and chart) is dropped, to be written again."""
        self._drop_dependants(sheet.part)
        self.added.add(sheet.part)

    def add_sheet(self, wanted: str) -> tuple[str, str, str]:
        """(sheet name, part, relationship id) of a new worksheet, last in the sheet list, its name
        made unique; the caller writes its part."""
        name = self.free_sheet_name(wanted)
        part = self.free_part("xl/worksheets/sheet{}.xml")
        rel_id = self.add_relationship(REL_WORKSHEET, posixpath.relpath(part, posixpath.dirname(self.package.workbook_part)))
        self.add_content_type(part, CT_WORKSHEET)
        sheet_ids = [int(v) for v in re.findall(r'\ssheetId="(\d+)"', self.workbook)]
        sheets = xmltext.find(self.workbook, "sheets", xmltext.root(self.workbook).inner_start)
        entry = (f'<{self.prefix}sheet name="{xmltext.escape(name)}" sheetId="{max(sheet_ids, default=0) + 1}" '
                 f'{self.r_prefix}id="{rel_id}"/>')
        self.workbook, sheets = xmltext.open_element(self.workbook, sheets)
        self.workbook = self.workbook[:sheets.inner_end] + entry + self.workbook[sheets.inner_end:]
        self.package.sheets.append(Sheet(name, rel_id, part, "worksheet", "visible"))
        return name, part, rel_id

    def _drop_dependants(self, part: str) -> None:
        """Drop a part's relationships part and the drawings and charts it refers to (with theirs)."""
        rels_part = rels_part_of(part)
        if rels_part not in self.package.names:
            return
        self.dropped.add(rels_part)
        folder = posixpath.dirname(part)
        for rel in relationships(self.package.read_text(rels_part)).values():
            kind = rel.type.rsplit("/", 1)[-1]
            target = resolve(folder, rel.target)
            if not rel.external and kind in ("drawing", "chart") and target in self.package.names:
                self.dropped.add(target)
                self._drop_dependants(target)
        self.content_types = self._without_override(self.content_types, self.dropped)

    def add_relationship(self, rel_type: str, target: str) -> str:
        ids = set(relationships(self.rels))
        number = len(ids) + 1
        while f"rId{number}" in ids:
            number += 1
        rel_id = f"rId{number}"
        entry = f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{xmltext.escape(target)}"/>'
        if not self.rels.strip():
            self.rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         f'<Relationships xmlns="{REL_NS_TYPES}"></Relationships>')
        top = xmltext.root(self.rels)
        self.rels, top = xmltext.open_element(self.rels, top)
        self.rels = self.rels[:top.inner_end] + entry + self.rels[top.inner_end:]
        return rel_id

    def add_content_type(self, part: str, content_type: str) -> None:
        top = xmltext.root(self.content_types)
        self.content_types, top = xmltext.open_element(self.content_types, top)
        entry = f'<Override PartName="/{xmltext.escape(part)}" ContentType="{content_type}"/>'
        self.content_types = self.content_types[:top.inner_end] + entry + self.content_types[top.inner_end:]

    @staticmethod
    def _without_override(xml: str, parts: set[str]) -> str:
        top = xmltext.root(xml)
        cuts = [e for e in xmltext.children(xml, top.inner_start, top.inner_end)
                if e.local == "Override" and (e.attr("PartName") or "").lstrip("/") in parts]
        for element in reversed(cuts):
            xml = xml[:element.start] + xml[element.end:]
        return xml

    def set_defined_name(self, name: str, value: str, local_sheet: Optional[int] = None, hidden: bool = True) -> None:
        """Add or replace a defined name, hidden unless said (workbook-wide, or local to one sheet by position)."""
        names = self._names_element()
        if names is None:
            top = xmltext.root(self.workbook)
            self.workbook = xmltext.insert_in_order(self.workbook, top, f"<{self.prefix}definedNames></{self.prefix}definedNames>",
                                                    WORKBOOK_ORDER, "definedNames")
            names = self._names_element()
        self.workbook, names = xmltext.open_element(self.workbook, names)
        local = f' localSheetId="{local_sheet}"' if local_sheet is not None else ""
        shown = ' hidden="1"' if hidden else ""
        entry = (f'<{self.prefix}definedName name="{name}"{local}{shown}>'
                 f'{xmltext.escape(value)}</{self.prefix}definedName>')
        for element in xmltext.children(self.workbook, names.inner_start, names.inner_end):
            same_scope = (element.attr("localSheetId") or None) == (str(local_sheet) if local_sheet is not None else None)
            if element.attr("name") == name and same_scope:
                self.workbook = self.workbook[:element.start] + entry + self.workbook[element.end:]
                return
        # Kept in the order Excel itself writes them: sorted by name, case-insensitively.
        for element in xmltext.children(self.workbook, names.inner_start, names.inner_end):
            if (element.attr("name") or "").lower() > name.lower():
                self.workbook = self.workbook[:element.start] + entry + self.workbook[element.start:]
                return
        self.workbook = self.workbook[:names.inner_end] + entry + self.workbook[names.inner_end:]

    def ensure_styles_part(self, minimal: str) -> tuple[str, str]:
        """(part name, text) of the styles part, creating one for a workbook that has none."""
        part = self.styles_part()
        if part is not None and part in self.package.names:
            return part, self.package.read_text(part)
        part = self.free_part("xl/styles{}.xml")
        self.add_relationship(REL_STYLES, posixpath.relpath(part, posixpath.dirname(self.package.workbook_part)))
        self.add_content_type(part, CT_STYLES)
        return part, minimal

    def _names_element(self):
        top = xmltext.root(self.workbook)
        return xmltext.find(self.workbook, "definedNames", top.inner_start, top.inner_end)

    def _set_root_attribute(self, name: str, value: str) -> None:
        top = xmltext.root(self.workbook)
        tag_end = self.workbook.index(">", top.start) + 1
        tag = xmltext.set_attribute(self.workbook[top.start:tag_end], name, value)
        self.workbook = self.workbook[:top.start] + tag + self.workbook[tag_end:]
