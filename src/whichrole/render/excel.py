"""A Verdict as the cells of an annotated workbook: its columns, by header, and the full rationale
a note or the Rationale sheet shows."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import cut, one_a_line, quoted, rulebook_of, shown_confidence, shown_title_check, shown_warnings

if TYPE_CHECKING:
    from ..verdict import Brief, Verdict

# Excel: at most 32,767 characters a cell.
CELL_LIMIT = 32767


# The columns an annotated workbook gets, by header, and what each shows of a verdict; each list one item a line.
CELLS = (
    ("Recommended role", lambda v: v.role_name),
    ("Flavour", lambda v: v.flavour_name or ""),
    ("Confidence", lambda v: shown_confidence(v.confidence)),
    ("Runner-up", lambda v: v.runner_up_name or ""),
    ("Title check", shown_title_check),
    ("Warnings", lambda v: one_a_line(w.text for w in shown_warnings(v, rulebook_of(v)))),
    ("Rationale", lambda v: cut(one_a_line(r.because for r in v.top_reasons), CELL_LIMIT)),
    ("Interview focus", lambda v: one_a_line(v.interview_focus)),
)
VERDICT_HEADERS = tuple(header for header, _ in CELLS)


def as_cells(v: "Verdict | Brief") -> dict[str, object]:
    return {header: shown(v) for header, shown in CELLS}


def full_rationale(v: "Verdict | Brief") -> str:
    """Every reason with its source and the role it points to, for a cell note or a rationale sheet."""
    roles = rulebook_of(v).roles
    lines = [f"{r.because}{quoted(r.quote)} ({r.source}; {'counts against' if r.weight < 0 else 'points to'} "
             f"{roles[r.role].name})" for r in v.rationale]
    lines.extend(f"Warning: {w.text} ({w.source})" for w in shown_warnings(v, rulebook_of(v)))
    return cut("\n".join(lines), CELL_LIMIT)
