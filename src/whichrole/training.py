"""Training the rules' weights to labelled postings. ``evaluation`` scores a training run out of fold and
records that score with the weights ``whichrole rules train`` writes.

The model is a multinomial logistic regression whose features are rule firings: a fired rule adds
its weight to the logit of the role it speaks for, and to no other, and its weight keeps the sign
its rule declares (a rule only ever counts for what it says). The penalty pulls each weight toward
a share (``prior``) of its declared weight, so that a rule that rarely fires in the labelled postings
keeps roughly what its author gave it instead of whatever a handful of postings suggest. The
temperature is then trained on out-of-fold logits inside the training postings, so that the
probability means what it says on postings the weights have not seen.

The rules' firings are read with the declared weights only (the rulebook without its trained
weights): what a training run learns from must not depend on an earlier one, least of all one that saw the
postings held out to score it.

Needs numpy and scipy (``pip install 'whichrole[train]'``); classifying does not.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Optional, Sequence

from .labelled import read_labelled, requisition_of
from .model import RequisitionError
from .rulebook import Rule, Rulebook
from .weights import Model, Provenance, Weights, fingerprint, flavour_of, role_of

DEFAULT_SETTINGS = {"l2": 1.0, "prior": 0.5, "bias_l2": 1.0, "matrix_l2": 1.0, "calibration_folds": 5, "seed": 0}
INTEGER_SETTINGS = ("calibration_folds", "seed")
# The temperature is looked for between these (a wider range only finds degenerate models).
TEMPERATURES = (0.2, 5.0)


class TrainingError(ValueError):
    """Labelled postings or settings that cannot be trained (a one-line reason)."""


def _numerics():
    try:
        import numpy
        from scipy.optimize import minimize
    except ImportError:
        raise TrainingError("training needs numpy and scipy: pip install 'whichrole[train]'") from None
    return numpy, minimize


@dataclass
class Example:
    """A labelled posting as the training sees it: the rules that fired on it, its signals' values as the
    matrix reads them, and what readers said."""

    fired: list[Rule]
    values: dict[str, float]
    role: str
    flavour: Optional[str] = None


@dataclass
class Labelled:
    """The readable labelled postings of a file, with the rules that fire on each (read once, for
    the training and for its out-of-fold figures), and the lines that could not be read."""

    path: Path
    postings: list[tuple[int, dict, object]]  # line, posting, Requisition
    examples: list[Example]
    skipped: list[tuple[int, dict]]


@dataclass
class Task:
    """One model to train: its classes, and which class each rule's firing counts for."""

    classes: list[str]
    class_of: Callable[[Rule], Optional[str]]
    rules: list[Rule]
    examples: list[tuple[list[Rule], dict[str, float], str]] = field(default_factory=list)
    # The signals whose matrix cells are trained, and their prior cells (signal -> class -> weight).
    signals: list[str] = field(default_factory=list)
    prior: dict[str, dict[str, float]] = field(default_factory=dict)


def read_labelled_file(path: Path, classifier) -> Labelled:
    """Every posting of ``path`` with a role label, and the rules that fire on it by their declared
    weights; a posting without one is refused with its line."""
    declared = classifier.with_weights(None)
    postings, examples, skipped = [], [], []
    for number, posting in read_labelled(path, classifier.rulebook):
        if not posting.get("role"):
            raise TrainingError(f"{path}:{number}: training needs a 'role' label on every posting")
        try:
            requisition = requisition_of(posting)
        except RequisitionError:
            skipped.append((number, posting))
            continue
        postings.append((number, posting, requisition))
        facts, fired = declared.facts_and_rules(requisition)
        examples.append(Example(fired, classifier.rulebook.matrix_values(facts), posting["role"],
                                posting.get("ds_flavour")))
    if not examples:
        raise TrainingError(f"{path}: no labelled posting to train")
    if len({ex.role for ex in examples}) < 2:
        raise TrainingError(f"{path}: every posting has the role {examples[0].role!r}; training needs at least two roles")
    if not any(role_of(rule) for ex in examples for rule in ex.fired):
        raise TrainingError(f"{path}: no rule that speaks for a role fires on any of its postings")
    return Labelled(path, postings, examples, skipped)


def train_model(task: Task, settings: dict) -> Model:
    """Weights and biases by penalised maximum likelihood, then the calibration out of fold."""
    model = _train_weights(task, settings)
    if len(task.examples) >= 2 * settings["calibration_folds"]:
        model = model.model_copy(update=_train_calibration(task, settings))
    return model


def _features(task: Task) -> list[Rule]:
    """Every rule that counts for one of the classes, fired in the examples or not: one that never
    fired keeps the share of its declared weight the penalty pulls it to."""
    return sorted((rule for rule in task.rules if task.class_of(rule) in task.classes), key=lambda r: r.id)


def _design(task: Task, examples, rules: list[Rule]):
    """The rules' firings, the signals' values and the labels, as arrays."""
    np, _ = _numerics()
    index = {rule.id: i for i, rule in enumerate(rules)}
    column = {signal: j for j, signal in enumerate(task.signals)}
    X = np.zeros((len(examples), len(rules)))
    S = np.zeros((len(examples), len(task.signals)))
    for n, (fired, values, _) in enumerate(examples):
        for rule in fired:
            i = index.get(rule.id)
            if i is not None:
                X[n, i] = 1.0
        for signal, value in values.items():
            j = column.get(signal)
            if j is not None:
                S[n, j] = value
    y = np.array([task.classes.index(label) for _, _, label in examples], dtype=int)
    return X, S, y


def _train_weights(task: Task, settings: dict, examples=None) -> Model:
    np, minimize = _numerics()
    examples = task.examples if examples is None else examples
    rules = _features(task)
    X, S, y = _design(task, examples, rules)
    K, F, G = len(task.classes), len(rules), len(task.signals)
    owner = np.zeros((F, K))
    for i, rule in enumerate(rules):
        owner[i, task.classes.index(task.class_of(rule))] = 1.0
    declared = np.array([rule.then.weight for rule in rules])
    target = settings["prior"] * declared
    cells = np.array([[task.prior.get(signal, {}).get(cls, 0.0) for cls in task.classes] for signal in task.signals])
    cell_target = (settings["prior"] * cells).reshape(G * K)
    l2, bias_l2, matrix_l2 = settings["l2"], settings["bias_l2"], settings["matrix_l2"]
    onehot = np.eye(K)[y]

    def loss(theta):
        w, m, b = theta[:F], theta[F:F + G * K], theta[F + G * K:]
        P = _softmax_rows(np, X @ (w[:, None] * owner) + S @ m.reshape(G, K) + b)
        gap, cell_gap = w - target, m - cell_target
        value = (-np.log(P[np.arange(len(y)), y] + 1e-12).sum() + l2 * gap @ gap
                 + matrix_l2 * cell_gap @ cell_gap + bias_l2 * b @ b)
        E = P - onehot
        grad_w = ((X.T @ E) * owner).sum(axis=1) + 2 * l2 * gap
        grad_m = (S.T @ E).reshape(G * K) + 2 * matrix_l2 * cell_gap
        grad_b = E.sum(axis=0) + 2 * bias_l2 * b
        return value, np.concatenate([grad_w, grad_m, grad_b])

    bounds = [(0, None) if d > 0 else (None, 0) for d in declared] + [(None, None)] * (G * K + K)
    start = np.concatenate([target, cell_target, np.zeros(K)])
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 5000})
    w, m, b = result.x[:F], result.x[F:F + G * K].reshape(G, K), result.x[F + G * K:]
    weights: dict[str, dict[str, float]] = {cls: {} for cls in task.classes}
    for rule, value in zip(rules, w):
        weights[task.class_of(rule)][rule.id] = round(float(value), 4)
    matrix = {signal: {cls: round(float(v), 4) for cls, v in zip(task.classes, row) if round(float(v), 4)}
              for signal, row in zip(task.signals, m)}
    return Model(bias={cls: round(float(v), 4) for cls, v in zip(task.classes, b)},
                 weights={cls: dict(sorted(ws.items())) for cls, ws in weights.items()},
                 matrix={signal: cells for signal, cells in matrix.items() if cells})


def _softmax_rows(np, Z):
    """Row-wise softmax; a class at minus infinity gets no probability."""
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z)
    return P / P.sum(axis=1, keepdims=True)


def _train_calibration(task: Task, settings: dict) -> dict:
    """The temperature that makes out-of-fold probabilities within the training postings most likely."""
    np, minimize = _numerics()
    folds = stratified_folds([label for _, _, label in task.examples], settings["calibration_folds"], settings["seed"])
    logits, labels = [], []
    for k in range(settings["calibration_folds"]):
        train = [ex for ex, f in zip(task.examples, folds) if f != k]
        held = [ex for ex, f in zip(task.examples, folds) if f == k]
        model = _train_weights(task, settings, train)
        for fired, values, label in held:
            row = model.logits(fired, task.class_of, values)
            logits.append([row[c] for c in task.classes])
            labels.append(task.classes.index(label))
    Z, y = np.array(logits), np.array(labels, dtype=int)
    low, high = map(math.log, TEMPERATURES)

    def nll(params):
        P = _softmax_rows(np, Z / np.exp(params[0]))
        return -np.log(P[np.arange(len(y)), y] + 1e-12).sum()

    best = minimize(nll, np.array([0.0]), method="Nelder-Mead", bounds=[(low, high)],
                    options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 2000}).x
    return {"temperature": round(float(np.exp(best[0])), 4)}


def stratified_folds(labels: Sequence[str], k: int, seed: int) -> list[int]:
    """A fold number per item, reproducibly: each label spread evenly over the folds, and the
    folds as equal in size as they can be (each label's count goes on where the last one's ended)."""
    rng = random.Random(seed)
    folds = [0] * len(labels)
    offset = 0
    for label in sorted(set(labels)):
        items = [i for i, lab in enumerate(labels) if lab == label]
        rng.shuffle(items)
        for j, i in enumerate(items):
            folds[i] = (offset + j) % k
        offset += len(items)
    return folds


def train_weights(examples: list[Example], rulebook: Rulebook, settings: dict) -> Weights:
    """The role model and each role's flavour model, trained on ``examples``."""
    signals = sorted(rulebook.lexicon.signals)
    prior = {row.signal: row.counts for row in rulebook.matrix.rows}
    role_task = Task(list(rulebook.roles), role_of, rulebook.rules,
                     [(ex.fired, ex.values, ex.role) for ex in examples], signals=signals, prior=prior)
    flavours = {}
    for role_id, role in rulebook.roles.items():
        labelled = [ex for ex in examples if ex.role == role_id and ex.flavour in role.flavours]
        if labelled:
            mine = [rule for rule in rulebook.rules if rule.then.role == role_id]
            task = Task(list(role.flavours), flavour_of, mine,
                        [([r for r in ex.fired if r.then.role == role_id], ex.values, ex.flavour) for ex in labelled],
                        signals=signals)
            flavours[role_id] = train_model(task, settings)
    fired_ids = {rule.id for ex in examples for rule in ex.fired}
    trained = {rule.id: fingerprint(rule) for rule in rulebook.rules if role_of(rule) or flavour_of(rule)}
    provenance = Provenance(labelled_file="", sha256="", postings=len(examples), trained_on=date.today().isoformat(),
                            settings=settings, never_fired=sorted(rid for rid in trained if rid not in fired_ids))
    return Weights(provenance=provenance, roles=train_model(role_task, settings), flavours=flavours,
                   fingerprints=trained, matrix_fingerprint=rulebook.matrix.fingerprint(signals))


def settings_with(overrides: Optional[dict] = None) -> dict:
    """The default settings with ``overrides``, each checked: penalties and prior finite and not
    negative, calibration folds a whole number of at least 2, the seed a whole number."""
    unknown = set(overrides or {}) - set(DEFAULT_SETTINGS)
    if unknown:
        raise TrainingError(f"unknown training setting(s): {', '.join(sorted(unknown))} (known: {', '.join(DEFAULT_SETTINGS)})")
    merged = {**DEFAULT_SETTINGS, **(overrides or {})}
    for name, value in merged.items():
        if not math.isfinite(value) or value < 0:
            raise TrainingError(f"training setting {name}={value:g}: must be a finite number, not negative")
        if name in INTEGER_SETTINGS:
            if value != int(value):
                raise TrainingError(f"training setting {name}={value:g}: must be a whole number")
            merged[name] = int(value)
    if merged["calibration_folds"] < 2:
        raise TrainingError(f"training setting calibration_folds={merged['calibration_folds']}: needs at least 2")
    return merged
