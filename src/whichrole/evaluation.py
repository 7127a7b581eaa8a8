"""How well the rules read real postings: accuracy, confusion matrix, precision and recall.

Against a ``role`` field where the file has one (careful readers' labels), else agreement with
``title_families`` (a guess from the title, not ground truth). Disagreements are written out
by id, title and verdict only: the postings' text belongs to their employers.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Iterable, Optional

from pydantic import BaseModel

from .classify import Classifier
from .files import write_text
from .model import RequisitionError
from .signals import compiled

# title_families in the postings use their own names for two roles and one DS flavour.
FAMILY_TO_ROLE = {
    "data_analyst": "data_scientist",
    "ai_llm_engineer": "ai_engineer",
    "ml_adjacent_swe": "ml_software_engineer",
}


class RoleStats(BaseModel):
    role: str
    support: int
    predicted: int
    precision: Optional[float]
    recall: Optional[float]


class Report(BaseModel):
    file: str
    target: str
    total: int
    scored: int
    skipped: int
    correct: int
    accuracy: float
    title_only_accuracy: Optional[float]
    flavour_accuracy: Optional[float]
    conflated: Optional[dict[str, float]]
    per_role: list[RoleStats]
    confusion: dict[str, dict[str, int]]
    disagreements_file: Optional[str]

    def text(self) -> str:
        lines = [f"{self.file}: {self.scored} postings scored against {self.target} ({self.skipped} skipped)",
                 f"accuracy          {self.accuracy:.1%} ({self.correct}/{self.scored})"]
        if self.title_only_accuracy is not None:
            lines.append(f"title alone       {self.title_only_accuracy:.1%}")
        if self.flavour_accuracy is not None:
            lines.append(f"DS flavour        {self.flavour_accuracy:.1%} (where both say data scientist)")
        if self.conflated:
            c = self.conflated
            lines.append(f"conflated flagged {c['flagged_of_marked']:.0f} of {c['marked']:.0f} marked; "
                         f"{c['flagged_total']:.0f} flagged in all")
        lines.append("")
        lines.append(f"{'role':<22}{'n':>5}{'pred':>6}{'prec':>7}{'recall':>8}")
        for s in self.per_role:
            prec = f"{s.precision:.0%}" if s.precision is not None else "-"
            rec = f"{s.recall:.0%}" if s.recall is not None else "-"
            lines.append(f"{s.role:<22}{s.support:>5}{s.predicted:>6}{prec:>7}{rec:>8}")
        roles = [s.role for s in self.per_role]
        short = {r: r[:6] for r in roles}
        lines.append("")
        lines.append("confusion (rows: target, columns: predicted)")
        lines.append(" " * 22 + "".join(f"{short[r]:>8}" for r in roles))
        for r in roles:
            row = self.confusion.get(r, {})
            lines.append(f"{r:<22}" + "".join(f"{row.get(c, 0) or '.':>8}" for c in roles))
        if self.disagreements_file:
            lines.append("")
            lines.append(f"disagreements written to {self.disagreements_file}")
        return "\n".join(lines)


def read_postings(path: Path) -> Iterable[tuple[int, dict]]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: not a JSON object ({error.msg})") from None


def targets(posting: dict) -> tuple[str, set[str]]:
    if posting.get("role"):
        return "role", {posting["role"]}
    families = posting.get("title_families") or []
    return "title_families", {FAMILY_TO_ROLE.get(f, f) for f in families} or {"out_of_scope"}


def evaluate(path: Path, classifier: Classifier, disagreements: Optional[Path] = None,
             progress: Callable[[int], None] = lambda n: None) -> Report:
    lexicon = compiled(classifier.rulebook)
    roles = list(classifier.rulebook.roles)
    confusion: dict[str, Counter] = defaultdict(Counter)
    total = scored = skipped = correct = title_correct = 0
    flavour_total = flavour_correct = 0
    marked = flagged_marked = flagged_total = 0
    target_kind = "role"
    rows = []
    for number, posting in read_postings(path):
        total += 1
        progress(total)
        kind, wanted = targets(posting)
        target_kind = kind
        try:
            verdict = classifier.classify({"title": posting.get("title"), "description": posting.get("description")})
        except RequisitionError:
            skipped += 1
            continue
        scored += 1
        predicted = verdict.role or "out_of_scope"
        hit = predicted in wanted
        correct += hit
        title_guess = [r for r in roles if f"title:{r}" in lexicon.title_roles(posting.get("title") or "")]
        title_correct += (title_guess[0] if title_guess else "out_of_scope") in wanted
        label = sorted(wanted)[0] if len(wanted) == 1 else next(iter(wanted & {predicted}), sorted(wanted)[0])
        confusion[label][predicted] += 1
        if posting.get("ds_flavour") and predicted == "data_scientist":
            flavour_total += 1
            flavour_correct += verdict.flavour == posting["ds_flavour"]
        is_flagged = any(w.id.startswith("conflated") for w in verdict.warnings)
        flagged_total += is_flagged
        if posting.get("conflated"):
            marked += 1
            flagged_marked += is_flagged
        if not hit:
            rows.append({"line": number, "id": posting.get("id"), "title": posting.get("title"),
                         "target": sorted(wanted), "predicted": predicted, "confidence": verdict.confidence,
                         "runner_up": verdict.runner_up, "scores": {k: v for k, v in verdict.scores.items() if v},
                         "reasons": [r.rule for r in verdict.rationale[:6]],
                         "why_target": posting.get("why")})
    if disagreements:
        write_text(disagreements, "".join(json.dumps(row) + "\n" for row in rows))
    per_role = []
    for role in roles:
        support = sum(confusion[role].values())
        predicted_n = sum(confusion[t][role] for t in confusion)
        tp = confusion[role][role]
        per_role.append(RoleStats(role=role, support=support, predicted=predicted_n,
                                  precision=tp / predicted_n if predicted_n else None,
                                  recall=tp / support if support else None))
    return Report(
        file=str(path), target=target_kind, total=total, scored=scored, skipped=skipped, correct=correct,
        accuracy=correct / scored if scored else 0.0,
        title_only_accuracy=title_correct / scored if scored else None,
        flavour_accuracy=flavour_correct / flavour_total if flavour_total else None,
        conflated={"marked": marked, "flagged_of_marked": flagged_marked, "flagged_total": flagged_total}
        if marked else None,
        per_role=per_role,
        confusion={t: dict(c) for t, c in confusion.items()},
        disagreements_file=str(disagreements) if disagreements else None,
    )
