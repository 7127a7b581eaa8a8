"""How well the rules read real postings: accuracy, calibration, precision and recall, in sample
or out of fold.

Against a ``role`` field where the file has one (careful readers' labels, optionally with
``ds_flavour`` and ``conflated``), else agreement with ``title_families`` (a guess from the title,
not ground truth). Out of fold (``folds``), the weights are trained on all folds but one and the
postings of that one are classified with them, for each fold in turn: the figure to quote, since
a rulebook is used on postings it was not trained on. Disagreements are written out by id, title,
verdict and the labels (the readers' own note among them), never the description: the postings'
text belongs to their employers.
"""
from __future__ import annotations

import json
import random
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, NamedTuple, Optional, Sequence

from pydantic import BaseModel, Field

from .classifier import Classifier
from .files import sha256_and_size, write_text
from .training import TrainingError, train_weights, read_labelled_file, settings_with, stratified_folds
from .facts import TITLE
from .labelled import UNDETERMINED, read_labelled, requisition_of, targets
from .model import RequisitionError
from .peer import BagOfWords, PeerUnavailable, peer_text
from .signals import compiled
from .verdict import Verdict
from .weights import CrossValidated, Weights

CONFLATION_WARNING_PREFIX = "conflated"
BANDS = 10
# The shares of each training fold the learning curve is drawn at (all of it is the main figure).
CURVE_SHARES = (0.25, 0.5, 0.75)


class RoleStats(BaseModel):
    role: str
    support: int
    predicted: int
    precision: Optional[float]
    recall: Optional[float]


class Band(BaseModel):
    """Verdicts whose confidence lies in [low, high): how many, how sure, how often right."""

    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


class CurvePoint(BaseModel):
    """Out-of-fold accuracy when only a share of each training fold is used."""

    share: float
    training_postings: int = Field(description="training postings per fold, on average")
    accuracy: float
    peer_accuracy: Optional[float] = None


class Report(BaseModel):
    file: str
    target: str
    out_of_fold: bool
    weights: str = "the shipped weights"
    folds: Optional[int] = None
    repeats: int = 1
    fold_accuracies: list[float] = []
    repeat_accuracies: list[float] = []
    total: int
    scored: int
    skipped: int
    correct: int
    undetermined: int
    accuracy: float
    accuracy_spread: Optional[float] = None
    peer_accuracy: Optional[float] = Field(default=None, description="the bag-of-words peer on the same folds")
    peer_accuracy_spread: Optional[float] = None
    peer_repeat_accuracies: list[float] = []
    peer_note: Optional[str] = None
    learning_curve: list[CurvePoint] = []
    title_only_accuracy: Optional[float]
    flavour_accuracy: Optional[float]
    flavour_recall: dict[str, str] = {}
    conflation: Optional[dict[str, Optional[float]]]
    expected_calibration_error: float
    reliability: list[Band]
    per_role: list[RoleStats]
    confusion: dict[str, dict[str, int]]
    disagreements_file: Optional[str]

    def text(self) -> str:
        splits = f", {self.repeats} splits (each posting scored once per split)" if self.repeats > 1 else ""
        how = f"out of fold, {self.folds} folds{splits}" if self.out_of_fold else f"in sample ({self.weights})"
        lines = [f"{self.file}: {self.scored} postings scored against {self.target}, {how} ({self.skipped} skipped)"]
        spread = f" ± {self.accuracy_spread:.1%} across folds" if self.accuracy_spread is not None else ""
        lines.append(f"accuracy          {self.accuracy:.1%} ({self.correct}/{self.scored}){spread}")
        if len(self.repeat_accuracies) > 1:
            lines.append(f"  per split       {', '.join(f'{a:.1%}' for a in self.repeat_accuracies)}")
        elif self.fold_accuracies:
            lines.append(f"  per fold        {', '.join(f'{a:.1%}' for a in self.fold_accuracies)}")
        if self.peer_accuracy is not None:
            peer_spread = f" ± {self.peer_accuracy_spread:.1%} across folds" if self.peer_accuracy_spread is not None else ""
            lines.append(f"bag-of-words peer {self.peer_accuracy:.1%} on the same folds{peer_spread} "
                         f"(TF-IDF + logistic regression; whichrole {self.accuracy - self.peer_accuracy:+.1%})")
            if len(self.peer_repeat_accuracies) > 1:
                lines.append(f"  per split       {', '.join(f'{a:.1%}' for a in self.peer_repeat_accuracies)}")
        elif self.peer_note:
            lines.append(f"bag-of-words peer not run: {self.peer_note}")
        for point in self.learning_curve:
            peer = f", peer {point.peer_accuracy:.1%}" if point.peer_accuracy is not None else ""
            lines.append(f"  trained on {point.share:>4.0%} ({point.training_postings} postings): "
                         f"whichrole {point.accuracy:.1%}{peer}")
        if self.undetermined:
            lines.append(f"undetermined      {self.undetermined} (counted as wrong)")
        if self.title_only_accuracy is not None:
            lines.append(f"title alone       {self.title_only_accuracy:.1%}")
        if self.flavour_accuracy is not None:
            per = ", ".join(f"{f} {r}" for f, r in self.flavour_recall.items())
            lines.append(f"DS flavour        {self.flavour_accuracy:.1%} where both say data scientist ({per})")
        if self.conflation:
            c = self.conflation
            prec = f"{c['precision']:.0%}" if c["precision"] is not None else "-"
            rec = f"{c['recall']:.0%}" if c["recall"] is not None else "-"
            lines.append(f"conflated         precision {prec}, recall {rec} "
                         f"({c['flagged_of_marked']:.0f} of {c['marked']:.0f} marked flagged; {c['flagged']:.0f} flagged in all)")
        lines.append(f"calibration       expected calibration error {self.expected_calibration_error:.3f}")
        lines.append("")
        lines.append(f"{'confidence':<14}{'n':>5}{'mean conf':>11}{'accuracy':>10}")
        for band in self.reliability:
            if band.count:
                lines.append(f"{band.low:.1f}–{band.high:.1f}{'':<7}{band.count:>5}{band.mean_confidence:>11.0%}"
                             f"{band.accuracy:>10.0%}")
        lines.append("")
        lines.append(f"{'role':<22}{'n':>5}{'pred':>6}{'prec':>7}{'recall':>8}")
        for s in self.per_role:
            prec = f"{s.precision:.0%}" if s.precision is not None else "-"
            rec = f"{s.recall:.0%}" if s.recall is not None else "-"
            lines.append(f"{s.role:<22}{s.support:>5}{s.predicted:>6}{prec:>7}{rec:>8}")
        columns = [s.role for s in self.per_role] + ([UNDETERMINED] if self.undetermined else [])
        lines.append("")
        lines.append("confusion (rows: target, columns: predicted)")
        short = abbreviations(columns)
        lines.append(" " * 22 + "".join(f"{short[c]:>8}" for c in columns))
        for r in (s.role for s in self.per_role):
            row = self.confusion.get(r, {})
            lines.append(f"{r:<22}" + "".join(f"{row.get(c, 0) or '.':>8}" for c in columns))
        if self.disagreements_file:
            lines.append("")
            lines.append(f"disagreements written to {self.disagreements_file}")
        return "\n".join(lines)


# ---------------------------------------------------------------- scoring

def evaluate(path: Path, classifier: Classifier, disagreements: Optional[Path] = None,
             progress: Callable[[int, Optional[int]], None] = lambda n, total=None: None) -> Report:
    """The classifier as it is (its shipped weights) on every posting: the in-sample figure when
    the weights were trained on these postings."""
    postings = read_labelled(path, classifier.rulebook)
    outcomes = []
    for done, (number, posting) in enumerate(postings, 1):
        progress(done, len(postings))
        try:
            outcomes.append((number, posting, classifier.classify(requisition_of(posting)), None))
        except RequisitionError:
            outcomes.append((number, posting, None, None))
    if all(verdict is None for _, _, verdict, _ in outcomes):
        raise ValueError(f"{path}: no posting could be read (each needs a title or a description)")
    book = classifier.rulebook
    used = ("the declared weights" if book.weights is None else
            "the shipped weights" if classifier.rules_dir is None else f"the weights in {book.directory}")
    return _report(path, classifier, outcomes, disagreements).model_copy(update={"weights": used})


def evaluate_folds(path: Path, classifier: Classifier, folds: int, settings: Optional[dict] = None,
                   disagreements: Optional[Path] = None,
                   progress: Callable[[int, Optional[int]], None] = lambda n, total=None: None,
                   repeats: int = 1) -> Report:
    """Train on all folds but one, classify the one left out, for each fold: the out-of-fold figure.
    With ``repeats``, again for each of as many other splits into folds (seeds following the
    settings' own), every posting scored once per split: one split's figure depends on the split."""
    settings = settings_with(settings)
    return cross_validate(read_labelled_file(path, classifier), classifier, folds, settings, disagreements,
                          progress, repeats)


def cross_validate(labelled, classifier: Classifier, folds: int, settings: dict,
                   disagreements: Optional[Path] = None,
                   progress: Callable[[int, Optional[int]], None] = lambda n, total=None: None,
                   repeats: int = 1, curve: Sequence[float] = CURVE_SHARES) -> Report:
    """The out-of-fold report of ``settings`` on postings already read (see evaluate_folds), with
    the bag-of-words peer trained and scored on the same folds, and a learning curve on the first
    split: the same folds, each training fold cut to a share of its postings (every role kept)."""
    postings, examples = labelled.postings, labelled.examples
    if not 2 <= folds <= len(postings):
        raise TrainingError(f"--folds {folds}: needs between 2 and {len(postings)} folds for {len(postings)} postings")
    if repeats < 1:
        raise TrainingError(f"--repeats {repeats}: needs at least 1")
    try:
        BagOfWords()
        peer_note = None
    except PeerUnavailable as missing:
        peer_note = str(missing)
    peer = peer_note is None
    outcomes = [(number, posting, None, None) for number, posting in labelled.skipped]
    per_fold, per_repeat, peer_fold, peer_repeat = [], [], [], []
    steps = (repeats + len(curve)) * folds
    for repeat in range(repeats):
        assignment = stratified_folds([ex.role for ex in examples], folds, settings["seed"] + repeat)
        right = peer_right = 0
        for k in range(folds):
            progress(repeat * folds + k, steps)
            train = [i for i, f in enumerate(assignment) if f != k]
            fold = _score_fold(labelled, classifier, settings, train, k, assignment, peer)
            for i, verdict in fold.verdicts:
                outcomes.append((postings[i][0], postings[i][1], verdict, repeat + 1))
            per_fold.append(fold.right / fold.held)
            right += fold.right
            if fold.peer_right is not None:
                peer_fold.append(fold.peer_right / fold.held)
                peer_right += fold.peer_right
        per_repeat.append(right / len(postings))
        peer_repeat.append(peer_right / len(postings))
    points = []
    assignment = stratified_folds([ex.role for ex in examples], folds, settings["seed"])
    for n, share in enumerate(curve):
        right = peer_right = trained = 0
        for k in range(folds):
            progress(repeats * folds + n * folds + k, steps)
            train = _share_of([i for i, f in enumerate(assignment) if f != k], share, examples, settings["seed"])
            trained += len(train)
            fold = _score_fold(labelled, classifier, settings, train, k, assignment, peer)
            right += fold.right
            peer_right += fold.peer_right or 0
        points.append(CurvePoint(share=share, training_postings=round(trained / folds), accuracy=round(right / len(postings), 4),
                                 peer_accuracy=round(peer_right / len(postings), 4) if peer else None))
    if curve:  # and the whole of each training fold: the first split's own figures
        points.append(CurvePoint(share=1.0, training_postings=round(len(postings) * (folds - 1) / folds),
                                 accuracy=round(per_repeat[0], 4), peer_accuracy=round(peer_repeat[0], 4) if peer else None))
    outcomes.sort(key=lambda item: (item[0], item[3] or 0))
    report = _report(labelled.path, classifier, outcomes, disagreements)
    return report.model_copy(update={"out_of_fold": True, "folds": folds, "repeats": repeats,
                                     "fold_accuracies": [round(a, 4) for a in per_fold],
                                     "repeat_accuracies": [round(a, 4) for a in per_repeat],
                                     "accuracy_spread": statistics.pstdev(per_fold),
                                     "peer_accuracy": statistics.fmean(peer_repeat) if peer else None,
                                     "peer_accuracy_spread": statistics.pstdev(peer_fold) if peer else None,
                                     "peer_repeat_accuracies": [round(a, 4) for a in peer_repeat] if peer else [],
                                     "peer_note": peer_note,
                                     "learning_curve": points})


class _Fold(NamedTuple):
    verdicts: list[tuple[int, Verdict]]
    held: int
    right: int
    peer_right: Optional[int]


def _score_fold(labelled, classifier: Classifier, settings: dict, train: list[int], k: int,
                assignment: list[int], with_peer: bool) -> _Fold:
    """Train on the postings ``train``, score fold ``k``: the rules' weights, and the peer."""
    postings, examples = labelled.postings, labelled.examples
    held_out = classifier.with_weights(train_weights([examples[i] for i in train], classifier.rulebook, settings))
    held = [i for i, f in enumerate(assignment) if f == k]
    verdicts = [(i, held_out.classify(postings[i][2])) for i in held]
    right = sum(verdict.role == postings[i][1]["role"] for i, verdict in verdicts)
    peer_right = None
    if with_peer:
        peer = BagOfWords().train([peer_text(postings[i][1]) for i in train], [examples[i].role for i in train])
        predicted = peer.predict([peer_text(postings[i][1]) for i in held])
        peer_right = sum(p == postings[i][1]["role"] for p, i in zip(predicted, held))
    return _Fold(verdicts, len(held), right, peer_right)


def _share_of(train: list[int], share: float, examples, seed: int) -> list[int]:
    """A share of ``train``, the same share of each role (at least one posting of each), reproducibly."""
    rng = random.Random(seed)
    by_role: dict[str, list[int]] = defaultdict(list)
    for i in train:
        by_role[examples[i].role].append(i)
    kept = []
    for role in sorted(by_role):
        items = by_role[role]
        rng.shuffle(items)
        kept.extend(items[:max(1, round(share * len(items)))])
    return sorted(kept)


def _report(path: Path, classifier: Classifier,
            outcomes: list[tuple[int, dict, Optional[Verdict], Optional[int]]], disagreements: Optional[Path]) -> Report:
    """The report on (line, posting, verdict or None where unreadable, split or None) outcomes."""
    lexicon = compiled(classifier.rulebook)
    roles = list(classifier.rulebook.roles)
    confusion: dict[str, Counter] = defaultdict(Counter)
    scored = skipped = correct = title_correct = undetermined = 0
    flavours: dict[str, Counter] = defaultdict(Counter)
    marked = flagged_marked = flagged_total = 0
    target_kind = "role"
    calibration: list[tuple[float, bool]] = []
    rows = []
    for number, posting, verdict, split in outcomes:
        if verdict is None:
            skipped += 1
            continue
        target_kind, wanted = targets(posting)
        scored += 1
        predicted = verdict.role or UNDETERMINED
        undetermined += verdict.role is None
        hit = predicted in wanted
        correct += hit
        calibration.append((verdict.confidence, hit))
        title_guess = [r for r in roles if TITLE.stem + r in lexicon.title_roles(posting.get("title") or "")]
        title_correct += (title_guess[0] if title_guess else "out_of_scope") in wanted
        label = sorted(wanted)[0] if len(wanted) == 1 else next(iter(wanted & {predicted}), sorted(wanted)[0])
        confusion[label][predicted] += 1
        if posting.get("ds_flavour") and predicted == posting.get("role"):
            flavours[posting["ds_flavour"]][verdict.flavour == posting["ds_flavour"]] += 1
        is_flagged = any(w.id.startswith(CONFLATION_WARNING_PREFIX) for w in verdict.warnings)
        flagged_total += is_flagged
        if posting.get("conflated"):
            marked += 1
            flagged_marked += is_flagged
        if not hit:
            rows.append({"line": number, **({"split": split} if split else {}), "id": posting.get("id"),
                         "title": posting.get("title"),
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
    flavour_n = sum(sum(c.values()) for c in flavours.values())
    has_conflation_labels = any("conflated" in posting for _, posting, _, _ in outcomes)
    bands = reliability(calibration)
    return Report(
        file=str(path), target=target_kind, out_of_fold=False, total=len(outcomes), scored=scored,
        skipped=skipped, correct=correct, undetermined=undetermined,
        accuracy=correct / scored if scored else 0.0,
        title_only_accuracy=title_correct / scored if scored else None,
        flavour_accuracy=sum(c[True] for c in flavours.values()) / flavour_n if flavour_n else None,
        flavour_recall={f: f"{c[True]}/{sum(c.values())}" for f, c in sorted(flavours.items())},
        conflation={"marked": marked, "flagged": flagged_total, "flagged_of_marked": flagged_marked,
                    "precision": flagged_marked / flagged_total if flagged_total else None,
                    "recall": flagged_marked / marked if marked else None} if has_conflation_labels else None,
        expected_calibration_error=round(sum(b.count * abs(b.accuracy - b.mean_confidence) for b in bands)
                                         / scored, 4) if scored else 0.0,
        reliability=bands,
        per_role=per_role,
        confusion={t: dict(c) for t, c in confusion.items()},
        disagreements_file=str(disagreements) if disagreements else None,
    )


def abbreviations(names: list[str], width: int = 7) -> dict[str, str]:
    """Column headings no wider than ``width``: each name's words' initials and as much of its
    last word as fits, so that no two headings read the same (research_scientist -> r_scien)."""
    short = {}
    for name in names:
        words = name.split("_")
        head = "".join(w[0] + "_" for w in words[:-1])
        short[name] = (head + words[-1])[:width] if len(name) > width else name
    return short


def reliability(calibration: list[tuple[float, bool]], bands: int = BANDS) -> list[Band]:
    """Verdicts grouped by confidence into equal-width bands (1.0 falls in the last one)."""
    groups: list[list[tuple[float, bool]]] = [[] for _ in range(bands)]
    for confidence, hit in calibration:
        groups[min(int(confidence * bands), bands - 1)].append((confidence, hit))
    return [Band(low=i / bands, high=(i + 1) / bands, count=len(g),
                 mean_confidence=round(statistics.fmean(c for c, _ in g), 4) if g else 0.0,
                 accuracy=round(sum(h for _, h in g) / len(g), 4) if g else 0.0)
            for i, g in enumerate(groups)]


# ---------------------------------------------------------------- the training, with its out-of-fold figures

def train_file(path: Path, classifier, settings: Optional[dict] = None, folds: int = 5,
             progress: Callable[[int, Optional[int]], None] = lambda n, total=None: None,
             repeats: int = 1) -> Weights:
    """Weights trained on every labelled posting of ``path``, with their provenance and the
    out-of-fold figures of the same settings over ``folds`` folds (and ``repeats`` splits)."""
    settings = settings_with(settings)
    labelled = read_labelled_file(path, classifier)
    weights = train_weights(labelled.examples, classifier.rulebook, settings)
    report = cross_validate(labelled, classifier, folds, settings, progress=progress, repeats=repeats, curve=())
    conflation = report.conflation or {}
    cross_validated = CrossValidated(
        folds=folds, repeats=repeats, accuracy=round(report.accuracy, 4),
        accuracy_spread=round(report.accuracy_spread or 0.0, 4), peer_accuracy=_rounded(report.peer_accuracy),
        expected_calibration_error=report.expected_calibration_error,
        flavour_accuracy=_rounded(report.flavour_accuracy),
        conflation_precision=_rounded(conflation.get("precision")), conflation_recall=_rounded(conflation.get("recall")))
    provenance = weights.provenance.model_copy(update={
        "labelled_file": path.name, "sha256": sha256_and_size(path)[0], "cross_validated": cross_validated,
        "skipped": len(labelled.skipped)})
    return weights.model_copy(update={"provenance": provenance})


def _rounded(value: Optional[float]) -> Optional[float]:
    return round(value, 4) if value is not None else None
