"""The Python API for candidates: a profile in, the roles that fit out (a Fit)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional, Union

from ..decision import role_scores
from ..engine import Stages
from .profile import Profile, ProfileError
from .result import Fit, OrgOutcome, best_role, build_fit
from .rulebook import load_candidate_rulebook
from .signals import profile_facts, with_only_org

ProfileLike = Union[str, dict, Profile]


class Fitter:
    """The candidate rulebook compiled for one engine; reuse it, compiling costs more than fitting."""

    def __init__(self, rules_dir: Optional[Path] = None, engine: str = "durable"):
        self.rulebook = load_candidate_rulebook(rules_dir)
        self.engine_name = engine
        self.stages = Stages(self.rulebook, engine)
        self.org_types = {name.replace("_", " "): signals for name, signals in
                          self.rulebook.lexicon.choices("orgs").items() if signals}

    def fit(self, value: ProfileLike) -> Fit:
        profile = Profile.build(value)
        facts = profile_facts(profile, self.rulebook)
        return build_fit(profile, facts, self.stages.rules(facts), self.rulebook, self.engine_name,
                         self.by_organisation(facts))

    def by_organisation(self, facts: dict[str, float]) -> list[OrgOutcome]:
        """The best fit for each kind of organisation on its own, grouped by role: one group when
        the organisation does not change the answer."""
        roles = self.rulebook.roles
        groups: dict[Optional[str], OrgOutcome] = {}
        for name, signals in self.org_types.items():
            best = best_role(role_scores(self.stages.rules(with_only_org(facts, signals)), list(roles)))
            group = groups.setdefault(best, OrgOutcome(role=best, role_name=roles[best].name if best else
                                                       "Undetermined", orgs=[]))
            group.orgs.append(name)
            if all(signal in facts for signal in signals):
                group.wanted.append(name)
        return sorted(groups.values(), key=lambda g: (not g.wanted, -len(g.orgs)))


@lru_cache(maxsize=None)
def fitter(rules_dir: Optional[Path] = None, engine: str = "durable") -> Fitter:
    """One shared Fitter per rulebook and engine: compiling costs more than using it."""
    return Fitter(rules_dir, engine)


def fit(profile: ProfileLike, *, rules_dir: Optional[Path] = None, engine: str = "durable") -> Fit:
    """The roles that fit a candidate: a Profile, a mapping of its fields, or a line of text."""
    return fitter(rules_dir, engine).fit(profile)


def fit_text(text: str, *, rules_dir: Optional[Path] = None, engine: str = "durable") -> Fit:
    """The fit for one line such as 'phd=yes papers=3 engineering=strong mix=20/40/20/20 years=6
    org=frontier_lab' (what follows '/whichrole me' in Slack); raises ProfileError, one line."""
    if not isinstance(text, str):
        raise ProfileError(f"expected a line of text, not {type(text).__name__}")
    return fit(text, rules_dir=rules_dir, engine=engine)
