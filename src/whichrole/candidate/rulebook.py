"""The candidate rulebook (rules/candidate/): the same format, loader and checks as the
requisition rulebook, with a catalogue whose roles also carry an interview loop and a pay note."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from ..rulebook import Catalogue, Role, Rulebook, RulebookKind, SourceRef, Thresholds, load_rulebook
from .profile import TABLE_FIELDS
from .signals import CANDIDATE_FACTS


class Cited(BaseModel):
    """A piece of advice and the place in a source document it comes from."""

    model_config = ConfigDict(extra="forbid")

    text: str
    source: SourceRef


class CandidateRole(Role):
    interview_loop: list[Cited]
    pay: Optional[Cited] = None  # relative pay, where a source gives it


class CandidateThresholds(Thresholds):
    papers_some_record: int = Field(ge=0, description="publications that make a research record")
    papers_strong_record: int = Field(ge=0, description="publications that make a strong one")


class CandidateCatalogue(Catalogue):
    roles: dict[str, CandidateRole]
    thresholds: CandidateThresholds

    @field_validator("roles")
    @classmethod
    def _cited_sources_exist(cls, roles: dict[str, CandidateRole], info: ValidationInfo):
        known = info.data.get("sources") or {}
        for role_id, role in roles.items():
            for cited in (*role.interview_loop, *([role.pay] if role.pay else [])):
                if cited.source.doc not in known:
                    # a custom error reads as the message alone, without pydantic's "Value error," prefix
                    raise PydanticCustomError("unknown_source", "role {role}: unknown source '{doc}' (known: {known})",
                                              {"role": role_id, "doc": cited.source.doc, "known": ", ".join(known)})
        return roles


CANDIDATES = RulebookKind("candidate", "candidate", CandidateCatalogue, TABLE_FIELDS, CANDIDATE_FACTS)


def load_candidate_rulebook(directory: Optional[Path] = None) -> Rulebook:
    return load_rulebook(Path(directory) if directory else None, CANDIDATES)
