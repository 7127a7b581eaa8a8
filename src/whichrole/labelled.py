"""Labelled postings: one JSON object a line, read and checked against the catalogue.

Each posting has a ``role`` (careful readers' label, optionally with ``ds_flavour`` and
``conflated``) or, failing that, ``title_families`` (a guess from the title, not ground truth).
Both the training and the evaluation read them through this module.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from .model import Requisition
from .rulebook import Rulebook

UNDETERMINED = "undetermined"  # a verdict that names no role: its own outcome, never right

# title_families in the postings use their own names for two roles and one DS flavour.
FAMILY_TO_ROLE = {
    "data_analyst": "data_scientist",
    "ai_llm_engineer": "ai_engineer",
    "ml_adjacent_swe": "ml_software_engineer",
}


def read_postings(path: Path) -> Iterable[tuple[int, dict]]:
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(f"{path}:{number}: not UTF-8 text") from None
            if line.strip():
                try:
                    posting = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: not a JSON object ({error.msg})") from None
                if not isinstance(posting, dict):
                    raise ValueError(f"{path}:{number}: not a JSON object")
                yield number, posting


def read_labelled(path: Path, rulebook: Rulebook) -> list[tuple[int, dict]]:
    """Every posting of the file, its labels checked against the catalogue."""
    roles = rulebook.roles
    postings = list(read_postings(path))
    if not postings:
        raise ValueError(f"{path}: no postings (one JSON object a line)")
    labelled = any(posting.get("role") is not None for _, posting in postings)
    for number, posting in postings:
        role = posting.get("role")
        if labelled and role is None:
            raise ValueError(f"{path}:{number}: no 'role', though other postings of the file have one")
        if role is None and "title_families" not in posting:
            raise ValueError(f"{path}:{number}: neither a 'role' nor 'title_families' to score against")
        if role is not None and role not in roles:
            raise ValueError(f"{path}:{number}: role {role!r} is not a role of the catalogue "
                             f"(known: {', '.join(roles)})")
        flavour = posting.get("ds_flavour")
        if flavour is not None and role is None:
            raise ValueError(f"{path}:{number}: ds_flavour needs a role")
        if flavour is not None and flavour not in roles[role].flavours:
            known = ", ".join(roles[role].flavours) if role in roles and roles[role].flavours else "none"
            raise ValueError(f"{path}:{number}: ds_flavour {flavour!r} is not a flavour of {role} (known: {known})")
        if "conflated" in posting and not isinstance(posting["conflated"], bool):
            raise ValueError(f"{path}:{number}: conflated must be true or false, not {posting['conflated']!r}")
        if role is None and not isinstance(posting.get("title_families", []), list):
            raise ValueError(f"{path}:{number}: title_families must be a list")
    return postings


def targets(posting: dict) -> tuple[str, set[str]]:
    if posting.get("role"):
        return "role", {posting["role"]}
    families = posting.get("title_families") or []
    return "title_families", {FAMILY_TO_ROLE.get(f, f) for f in families} or {"out_of_scope"}


def requisition_of(posting: dict) -> Requisition:
    return Requisition.build({"title": posting.get("title"), "description": posting.get("description")})
