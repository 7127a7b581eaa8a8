"""What changed since the last audit of the same sources.

Requisitions are matched by key (the Req ID, or the place in the source when there is none).
A requisition missing from a source that could not be read this time is "not seen", not
closed: a broken file must not read as fifty positions filled.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping, Optional, Protocol, Sequence

from .findings import kind_name
from .store import PastRow, RunInfo


class Seen(Protocol):
    """A requisition as a run saw it (a PastRow, or an AuditedRequisition of this run)."""

    key: str
    title: Optional[str]
    label: str
    kinds: frozenset[str]


@dataclass(frozen=True)
class Change:
    key: str
    title: Optional[str]
    before: Optional[str] = None
    after: Optional[str] = None


@dataclass
class Changes:
    since: Optional[RunInfo] = None    # None: the first audit of these sources
    new: list[Change] = field(default_factory=list)
    closed: list[Change] = field(default_factory=list)
    unseen: list[Change] = field(default_factory=list)
    reclassified: list[Change] = field(default_factory=list)
    retitled: list[Change] = field(default_factory=list)
    findings_new: list[Change] = field(default_factory=list)
    findings_fixed: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # what a reader of the changes should know of them

    # (attribute, heading) in the order reports show them
    KINDS = (("new", "New"), ("closed", "Closed or no longer open"), ("unseen", "Not seen (source unreadable)"),
             ("reclassified", "Re-classified"), ("retitled", "Title changed"), ("findings_new", "New findings"),
             ("findings_fixed", "Findings fixed"))

    @property
    def total(self) -> int:
        return sum(len(getattr(self, name)) for name, _ in self.KINDS)

    def counts(self) -> dict[str, int]:
        return {heading: len(getattr(self, name)) for name, heading in self.KINDS}


def compare(since: Optional[RunInfo], before: Mapping[str, PastRow], after: Mapping[str, Seen],
            failed_sources: Sequence[str], uncompared: frozenset[str] = frozenset()) -> Changes:
    """``failed_sources``: files and folders that could not be read this time; ``uncompared``: kinds
    of finding whose coming and going says nothing of the requisitions (the audit's limits changed)."""
    if since is None:
        return Changes()
    changes = Changes(since=since)
    for key, now in after.items():
        then = before.get(key)
        if then is None:
            changes.new.append(Change(key, now.title, after=now.label))
            continue
        if then.label != now.label:
            changes.reclassified.append(Change(key, now.title, then.label, now.label))
        if (then.title or "") != (now.title or ""):
            changes.retitled.append(Change(key, now.title, then.title, now.title))
        if then.kinds != now.kinds:
            came, went = now.kinds - then.kinds - uncompared, then.kinds - now.kinds - uncompared
            changes.findings_new.extend(Change(key, now.title, after=kind_name(k)) for k in sorted(came))
            changes.findings_fixed.extend(Change(key, now.title, before=kind_name(k)) for k in sorted(went))
    for key, then in before.items():
        if key not in after:
            gone = Change(key, then.title, before=then.label)
            (changes.unseen if _within(then.source, failed_sources) else changes.closed).append(gone)
    return changes


def _within(source: str, places: Sequence[str]) -> bool:
    return any(source == place or source.startswith(place.rstrip(os.sep) + os.sep) for place in places)
