"""The skill × role matrix: how much each signal of the work counts for or against each role.

``rules/matrix.yaml`` holds one row a signal: what the documents say it counts for (Table 1 of
*The AI Roles Continuum*, the mix of *Pick the Team*, the three questions of *What You're
Actually Hiring*), with the section it comes from. Those cells are the prior: the fitted weights
(``rules/weights.yaml``) are pulled toward them, and every cell, named in the file or not, may be
fitted for or against its role. The rules add what a linear read of the signals cannot:
combinations, flavours, conflation, title checks, questions.
"""
from __future__ import annotations

import hashlib
import json
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

MATRIX_FILE = "matrix.yaml"
# The three questions, in the order the documents ask them, and the signals that answer each.
QUESTIONS = ("primary_output", "work_location", "failure_mode")


class Cell(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc: str
    section: str = Field(min_length=1)


class Row(BaseModel):
    """One signal's row: its prior weight per role (0 where not named), and the source that says so."""

    model_config = ConfigDict(extra="forbid")

    signal: str
    counts: dict[str, float] = Field(default_factory=dict, description="role -> prior weight")
    question: Optional[str] = Field(default=None, description="the one of the three questions it answers")
    source: Cell
    line: int = 0


class Matrix(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[Row] = Field(default_factory=list)

    def model_post_init(self, _context) -> None:
        self._by_signal = {row.signal: row for row in self.rows}

    def row(self, signal: str) -> Optional[Row]:
        return self._by_signal.get(signal)

    @property
    def signals(self) -> list[str]:
        return [row.signal for row in self.rows]

    def fingerprint(self, signals: list[str]) -> str:
        """What the fitted matrix depends on: the signals it is fitted over and the prior cells."""
        said = {"signals": sorted(signals), "prior": {row.signal: row.counts for row in self.rows}}
        return hashlib.sha256(json.dumps(said, sort_keys=True).encode()).hexdigest()[:12]

    def answering(self, question: str) -> list[str]:
        """The signals that answer one of the three questions."""
        return [row.signal for row in self.rows if row.question == question]
