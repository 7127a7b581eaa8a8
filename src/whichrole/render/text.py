"""A Verdict as plain text: what `whichrole classify` prints."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import answer_line, percent, quoted, rulebook_of, shown_warnings, title_and_continuum

if TYPE_CHECKING:
    from ..verdict import Verdict


def as_text(v: "Verdict") -> str:
    lines = [f"{v.label} — confidence {percent(v.confidence)}"]
    if v.runner_up_name:
        lines.append(f"Runner-up: {v.runner_up_name}")
    lines.extend(title_and_continuum(v))
    for heading, reasons in (("Why:", v.top_reasons), ("Against it:", v.reasons_against)):
        if reasons:
            lines.append("")
            lines.append(heading)
            for reason in reasons:
                lines.append(f"  • {reason.because}{quoted(reason.quote)}")
                lines.append(f"    — {reason.source}")
    if v.answers:
        lines.append("")
        lines.append("The three questions:")
        lines.extend(f"  {answer_line(a)}" for a in v.answers)
    if v.why_not and v.why_not.rules:
        lines.append("")
        lines.append(f"What would make it {v.why_not.role_name}:")
        for missed in v.why_not.rules:
            need = ", and ".join(missed.missing) or "its conditions"
            lines.append(f"  • {need}")
    warnings = shown_warnings(v, rulebook_of(v))
    if warnings:
        lines.append("")
        lines.append("Warnings:")
        lines.extend(f"  ! {w.text}" for w in warnings)
    if v.questions:
        lines.append("")
        lines.append("Ask the hiring manager:")
        lines.extend(f"  ? {q.text}" for q in v.questions)
    if v.interview_focus:
        lines.append("")
        lines.append("Interview focus:")
        lines.extend(f"  - {item}" for item in v.interview_focus)
    lines.append("")
    lines.append(f"rulebook {v.rulebook_version}")
    return "\n".join(lines)
