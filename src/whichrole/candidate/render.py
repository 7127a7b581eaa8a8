"""A Fit as plain text and as Slack Block Kit (JSON is pydantic's own)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..render.slack import BLOCK_LIMIT, context, header, listed, section

if TYPE_CHECKING:
    from .result import Fit, OrgOutcome, RoleFit

DETAILED = 3        # roles shown with reasons, interview loop and pay; the rest in one line
REASONS_SHOWN = 3


def _sources(items) -> list[str]:
    """Each distinct source once, in order of first use."""
    return list(dict.fromkeys(item.source for item in items))


def _org_line(outcome: "OrgOutcome") -> str:
    orgs = ", ".join(f"{org} (your aim)" if org in outcome.wanted else org for org in outcome.orgs)
    return f"{outcome.role_name}: {orgs}"


def as_text(fit: "Fit") -> str:
    lines = [f"Best fit: {fit.best_name} — confidence {fit.confidence:.0%}",
             f"Profile: {fit.profile.summary()}"]
    for rank, role in enumerate(fit.ranking[:DETAILED], 1):
        lines += ["", f"{rank}. {role.role_name} (score {role.score:g})", f"   {role.summary}", "   Why:"]
        for reason in role.reasons[:REASONS_SHOWN]:
            lines += [f"     • {reason.because}", f"       — {reason.source}"]
        for reason in role.against:
            lines += [f"     − {reason.because}", f"       — {reason.source}"]
        lines.append("   Interview loop to prepare for:")
        lines += [f"     - {item.text}" for item in role.interview_loop]
        lines.append(f"       — {'; '.join(_sources(role.interview_loop))}")
        if role.pay:
            lines += [f"   Pay, relative: {role.pay.text}", f"     — {role.pay.source}"]
        else:
            lines.append("   Pay, relative: not covered by the sources")
    rest = fit.ranking[DETAILED:]
    if rest:
        lines += ["", "Also possible: " + ", ".join(f"{r.role_name} ({r.score:g})" for r in rest)]
    if fit.organisation_matters:
        lines += ["", "Where you aim changes the answer:"]
        lines += [f"  {_org_line(outcome)}" for outcome in fit.by_organisation]
    if fit.notes:
        lines += ["", "Notes:"]
        lines += [f"  ! {note.text}" for note in fit.notes]
    if fit.questions:
        lines += ["", "To sharpen the answer:"]
        lines += [f"  ? {question.text}" for question in fit.questions]
    lines += ["", f"rulebook {fit.rulebook_version}"]
    return "\n".join(lines)


def _role_section(rank: int, role: "RoleFit") -> dict:
    why = "\n".join(f"• {r.because}\n   _{r.source}_" for r in role.reasons[:REASONS_SHOWN])
    against = "".join(f"\n− {r.because}" for r in role.against)
    loop = "\n".join(f"• {item.text}" for item in role.interview_loop)
    loop_sources = "; ".join(_sources(role.interview_loop))
    pay = f"{role.pay.text}\n   _{role.pay.source}_" if role.pay else "not covered by the sources"
    return section(f"*{rank}. {role.role_name}* (score {role.score:g})\n{why}{against}\n"
                    f"*Interview loop*\n{loop}\n   _{loop_sources}_\n*Pay, relative:* {pay}")


def as_blocks(fit: "Fit") -> list[dict]:
    """Block Kit for Slack: the best fits with reasons, loop and pay; organisations; notes; questions."""
    blocks: list[dict] = [
        header(f"Best fit: {fit.best_name} · {fit.confidence:.0%} sure"),
        context(f"Profile: {fit.profile.summary()}"),
    ]
    blocks += [_role_section(rank, role) for rank, role in enumerate(fit.ranking[:DETAILED], 1)]
    rest = fit.ranking[DETAILED:]
    if rest:
        blocks.append(context("Also possible: " + ", ".join(f"{r.role_name} ({r.score:g})" for r in rest)))
    if fit.organisation_matters:
        blocks.append(listed("Where you aim changes the answer", map(_org_line, fit.by_organisation)))
    if fit.notes:
        blocks.append(listed("Notes", (note.text for note in fit.notes)))
    if fit.questions:
        blocks.append(listed("To sharpen the answer", (q.text for q in fit.questions)))
    blocks.append(context(f"rulebook {fit.rulebook_version}"))
    return blocks[:BLOCK_LIMIT]
