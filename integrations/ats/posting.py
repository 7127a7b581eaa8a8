"""One job posting as an ATS gives it, read into the fields of a requisition."""
from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timezone
from typing import Callable, Collection, Optional

from whichrole.model import Requisition
from whichrole.rulebook import field_key

from whichrole.integrations.audit.store import digest


@dataclass(frozen=True)
class Posting:
    number: int                     # its place in the board's listing, from 1
    id: Optional[str]               # the vendor's stable id: a retitled posting keeps it
    title: Optional[str]
    description: str                # the posting's text, its HTML's structure kept as lines
    team: Optional[str] = None      # department and team, "Data / Platform"
    level: Optional[str] = None
    opened: Optional[date] = None
    location: Optional[str] = None
    employment: Optional[str] = None   # full-time, contract, ...
    url: Optional[str] = None

    sheet = None                    # an audit row's sheet: a posting has none

    def fingerprint(self) -> str:
        """The same posting, unchanged in every field, whatever its place in the listing."""
        fields = [getattr(self, name.name) for name in FIELDS if name.name != "number"]
        return digest(b"posting\x1f" + json.dumps(fields, default=str).encode())

    def with_level_from(self, known: Collection[str]) -> "Posting":
        """The posting with its level only if it is one of ``known`` (spelt as the lexicon's field table)."""
        if self.level is None or field_key(self.level) in known:
            return self
        return replace(self, level=None)

    def requisition(self) -> Optional[Requisition]:
        if not (self.title or self.description):
            return None
        return Requisition.build({"id": self.id, "title": self.title, "description": self.description or None,
                                  "team": self.team, "level": self.level, "opened": self.opened})


FIELDS = fields(Posting)
# A page of an API's answer: its postings, each read (its HTML turned to text) when it is wanted,
# so that the thread fetching pages asks for the next one at once.
Page = list[Callable[[], Posting]]


def joined(*parts: Optional[str]) -> Optional[str]:
    """'Data / Platform' from a department and a team; one of them alone; None for neither."""
    kept = list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))
    return " / ".join(kept) or None


def day(value: object) -> Optional[date]:
    """A date from an ISO 8601 timestamp or from milliseconds since 1970 (Lever); None if neither."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value / 1000, tz=timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
