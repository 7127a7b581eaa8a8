"""The derived facts: the names rules read beside the lexicon's signals, worked out rather than found
in the text.

Each is declared here once: its name (or its pattern, one name per role, mix part or language),
what it means, and its stage — 1 for what is computed from the requisition itself (its title, its
stated mix, its language, how much it says), 2 for what is computed from the first stage's
evidence. The code that computes a fact writes it by its declaration (``LEAD.stem + role``); rule
checking knows a name by it, 'why not' says it in the words given here, the trained weights keep
apart the facts that repeat the first stage's verdict, and a test computes every declared fact
from sample requisitions and finds no other.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import MIX_PARTS

if TYPE_CHECKING:
    from .rulebook import Rulebook

ROLE, PART, LANGUAGE = "{role}", "{part}", "{language}"


@dataclass(frozen=True)
class Fact:
    """A derived fact, or a family of them: ``name`` may end in ``{role}`` (one a role of the
    catalogue: its ``means`` says ``{role}`` for the role's name), ``{part}`` (one a part of the
    activity mix) or ``{language}`` (one a language the lexicon names, see ``Languages.names``)."""

    name: str
    means: str
    stage: int = 1
    reads_verdict: bool = False  # the first stage's verdict itself: no evidence for it (weights.reads_verdict)
    mix_roles_only: bool = False  # one for each role with a published mix profile only

    @property
    def stem(self) -> str:
        """The name up to its pattern: the whole name of a single fact."""
        return self.name.split("{", 1)[0]

    def names(self, rulebook: "Rulebook") -> dict[str, str]:
        """Each name this declaration gives in ``rulebook``, with its meaning."""
        if self.name.endswith(ROLE):
            return {self.stem + role_id: self.means.format(role=role.name) for role_id, role in rulebook.roles.items()
                    if role.mix or not self.mix_roles_only}
        if self.name.endswith(PART):
            return {self.stem + part: self.means.format(part=part) for part in MIX_PARTS}
        if self.name.endswith(LANGUAGE):
            return language_names(rulebook, self)
        return {self.name: self.means}


OTHER_LANGUAGE = "other"  # lang:other: a language, or script, the rules have no fact of their own for


def language_names(rulebook: "Rulebook", fact: "Fact") -> dict[str, str]:
    """``lang:<code>`` for each language the lexicon names besides the one it reads, and
    ``lang:other`` for the rest."""
    languages = rulebook.lexicon.languages
    if languages is None or not languages.names:
        return {}
    own = {code: name for code, name in languages.names.items() if code != languages.read}
    names = {fact.stem + code: fact.means.format(language=name) for code, name in own.items()}
    named = [languages.names[languages.read], *own.values()] if languages.read in languages.names else list(own.values())
    others = ", ".join(named[:-1]) + f" or {named[-1]}" if len(named) > 1 else "".join(named)
    names[fact.stem + OTHER_LANGUAGE] = fact.means.format(language=f"a language other than {others}")
    return names


# ---------------------------------------------------------------- stage 1: from the requisition
TITLE = Fact("title:{role}", "the title reads as {role}")
MIX = Fact("mix:{part}", "the stated share of {part} work (%)")
MIX_FIT = Fact("mixfit:{role}", "the stated activity mix is close to the {role} profile", mix_roles_only=True)
WORDS = Fact("info:words", "the number of words describing the work")
SIGNALS = Fact("info:signals", "the number of distinct signals found")
STRUCTURED = Fact("info:structured", "the number of structured fields given")
HAS_TITLE = Fact("info:has_title", "a title is given")
WRITTEN_IN = Fact("lang:{language}", "the requisition is written in {language}")

# ---------------------------------------------------------------- stage 2: from the first stage's evidence
SCORE = Fact("score:{role}", "the evidence for {role}", stage=2)
WORK = Fact("work:{role}", "the evidence for {role} from the work described (title aside)", stage=2)
LEAD = Fact("lead:{role}", "{role} leads the first-stage evidence", stage=2, reads_verdict=True)
RUNNER = Fact("runner:{role}", "{role} is the runner-up in the first stage", stage=2, reads_verdict=True)
TOTAL = Fact("evidence:total", "the total first-stage evidence", stage=2)
MARGIN = Fact("evidence:margin", "the lead of the first role over the second", stage=2)
CONFIDENCE = Fact("evidence:confidence", "the first-stage confidence (0-1)", stage=2, reads_verdict=True)
SUBSTANTIAL = Fact("evidence:substantial", "the number of roles with substantial evidence from the work "
                                           "described (title aside)", stage=2)
WORK_MARGIN = Fact("evidence:work_margin", "the lead of the first role over the second in the work described "
                                           "(title aside)", stage=2)
TITLE_MATCHES = Fact("check:title_matches", "the title names the role the work points to", stage=2, reads_verdict=True)
TITLE_MISMATCH = Fact("check:title_mismatch", "the title names a role other than the one the work points to",
                      stage=2, reads_verdict=True)

# What any rulebook's second stage reads, and what only one whose input has a title does.
FROM_EVIDENCE = (SCORE, WORK, LEAD, RUNNER, TOTAL, MARGIN, CONFIDENCE, SUBSTANTIAL, WORK_MARGIN)
TITLE_CHECKS = (TITLE_MATCHES, TITLE_MISMATCH)
SECOND_STAGE = (*FROM_EVIDENCE, *TITLE_CHECKS)
REQUISITION_FACTS = (TITLE, MIX, MIX_FIT, WORDS, SIGNALS, STRUCTURED, HAS_TITLE, WRITTEN_IN, *SECOND_STAGE)

# A rule is of the second stage when it reads any of these; one reading the verdict's own facts is
# no evidence for the verdict (it would count it twice).
SECOND_STAGE_STEMS = tuple(fact.stem for fact in SECOND_STAGE)
VERDICT_STEMS = tuple(fact.stem for fact in SECOND_STAGE if fact.reads_verdict)

