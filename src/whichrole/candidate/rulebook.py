"""The candidate rulebook (rules/candidate/): the same format, loader and checks as the
requisition rulebook, with a catalogue whose roles also carry an interview loop and a pay note."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, model_validator

from ..rulebook import Catalogue, Role, Rulebook, RulebookKind, SourceRef, load_rulebook
from .profile import TABLE_FIELDS


class Cited(BaseModel):
    """A piece of advice and the place in a source document it comes from."""

    model_config = ConfigDict(extra="forbid")

    text: str
    source: SourceRef


class CandidateRole(Role):
    interview_loop: list[Cited]
    pay: Optional[Cited] = None  # relative pay, where a source gives it


class CandidateCatalogue(Catalogue):
    roles: dict[str, CandidateRole]

    @model_validator(mode="after")
    def _cited_sources_exist(self) -> "CandidateCatalogue":
        for role_id, role in self.roles.items():
            for cited in (*role.interview_loop, *([role.pay] if role.pay else [])):
                if cited.source.doc not in self.sources:
                    raise ValueError(f"role {role_id}: unknown source {cited.source.doc!r} "
                                     f"(known: {', '.join(self.sources)})")
        return self


CANDIDATES = RulebookKind("candidate", "candidate", CandidateCatalogue, TABLE_FIELDS)


def load_candidate_rulebook(directory: Optional[Path] = None) -> Rulebook:
    return load_rulebook(Path(directory) if directory else None, CANDIDATES)
