"""How an annotation recognises what it wrote before: hidden defined names, which Excel keeps and
moves with a renamed sheet or inserted columns. `whichrole_summary` and `whichrole_rationale` point
at its sheets, `whichrole_verdicts` (local to the annotated sheet) at the header of its columns."""
from __future__ import annotations

from typing import Optional

from whichrole.integrations.ooxml.book import WorkbookEdit
from whichrole.integrations.ooxml.package import Sheet
from whichrole.integrations.ooxml.references import Reference, parse_reference, quote_sheet

SHEET_NAME = {"summary": "Summary", "rationale": "Rationale"}
MARK = {"summary": "whichrole_summary", "rationale": "whichrole_rationale"}
VERDICTS_MARK = "whichrole_verdicts"


class MarkedWorkbook(WorkbookEdit):
    """A workbook being annotated, with the marks of an earlier annotation read and set."""

    def own_sheet(self, key: str) -> Optional[Sheet]:
        """The summary or rationale sheet an earlier run wrote, found by its mark."""
        for name in self.defined_names():
            if name.name == MARK[key] and name.local_sheet is None:
                reference = parse_reference(name.value)
                sheet = next((s for s in self.package.sheets if reference and s.name == reference.sheet), None)
                if sheet is not None and sheet.kind == "worksheet":
                    return sheet
        return None

    def verdicts_mark(self, sheet_name: str) -> Optional[Reference]:
        index = self.sheet_index(sheet_name)
        for name in self.defined_names():
            if name.name == VERDICTS_MARK and name.local_sheet == index:
                reference = parse_reference(name.value)
                if reference and reference.sheet == sheet_name:
                    return reference
        return None

    def own_sheet_part(self, key: str) -> tuple[str, str, str]:
        """(sheet name, part, relationship id) for the tool's sheet: the earlier one, written
        afresh in its place, or a new one."""
        old = self.own_sheet(key)
        if old is not None:
            self.reuse_sheet(old)
            return old.name, old.part, old.rel_id
        return self.add_sheet(SHEET_NAME[key])

    def mark_sheet(self, key: str, sheet_name: str) -> None:
        self.set_defined_name(MARK[key], f"{quote_sheet(sheet_name)}!$A$1")
