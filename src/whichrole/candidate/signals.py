"""From a profile to signals: the facts the candidate rules are written against.

Structured answers go through the candidate lexicon's ``fields`` table, free words through its
phrases (the same reader as a requisition's text), the wanted mix through the distance to each
role's published mix. Counts (papers, years, organisation types) stay numbers.
"""
from __future__ import annotations

from ..facts import FROM_EVIDENCE, MIX_FIT, Fact
from ..rulebook import MAX_SIGNAL_LEVEL, Rulebook, field_key
from ..signals import compiled, mix_signals
from .profile import TABLE_FIELDS, Profile, ProfileError

ORG_PREFIX = "org:"
# The facts a profile gives beside its lexicon's signals (see whichrole.facts).
WANTED_MIX = Fact("mix:{part}", "the share of {part} work you want (%)")
PAPERS = Fact("record:papers", "the number of your publications")
YEARS = Fact("exp:years", "your years of professional experience")
ORG_COUNT = Fact("org:wanted", "the number of organisation types you aim at")
GIVEN = Fact("info:given", "the number of profile answers given")
CANDIDATE_FACTS = (WANTED_MIX, MIX_FIT, PAPERS, YEARS, ORG_COUNT, GIVEN, *FROM_EVIDENCE)


def profile_facts(profile: Profile, rulebook: Rulebook) -> dict[str, float]:
    """The first-stage facts of a profile: signal name -> level or number."""
    facts: dict[str, float] = {}
    lexicon = compiled(rulebook)
    if profile.about:
        for signal, amount in lexicon.read(profile.about).items():
            level = lexicon.level(amount)
            if level:
                facts[signal] = min(level, MAX_SIGNAL_LEVEL)
    tables = rulebook.lexicon.fields
    for field in TABLE_FIELDS:
        value = getattr(profile, field)
        values = value if isinstance(value, list) else [value] if value else []
        if field == "research" and profile.papers is not None and (profile.papers or not values):
            values = [*values, research_record(profile.papers, rulebook)]  # the stronger of the two counts
        for item in values:
            key = field_key(item)
            table = tables.get(field, {})
            if key not in table:
                raise ProfileError(f"{field}: unknown value {item!r} (known: {', '.join(table)})")
            facts.update(dict.fromkeys(table[key], MAX_SIGNAL_LEVEL))
    if profile.papers is not None:
        facts[PAPERS.name] = profile.papers
    if profile.years is not None:
        facts[YEARS.name] = profile.years
    if profile.mix:
        facts.update(mix_signals(profile.mix, rulebook))
    facts[ORG_COUNT.name] = sum(1 for name in facts if name.startswith(ORG_PREFIX) and name != ORG_COUNT.name)
    facts[GIVEN.name] = len(profile.given())
    return facts


def research_record(papers: int, rulebook: Rulebook) -> str:
    """The research record a publication count stands for, by the catalogue's thresholds."""
    thresholds = rulebook.catalogue.thresholds
    if papers >= thresholds.papers_strong_record:
        return "strong"
    if papers >= thresholds.papers_some_record:
        return "some"
    return "none"


def with_only_org(facts: dict[str, float], org_signals: list[str]) -> dict[str, float]:
    """The same facts for someone aiming at one kind of organisation only."""
    kept = {name: value for name, value in facts.items() if not name.startswith(ORG_PREFIX)}
    kept.update(dict.fromkeys(org_signals, MAX_SIGNAL_LEVEL))
    kept[ORG_COUNT.name] = len(org_signals)
    return kept

