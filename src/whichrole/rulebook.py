"""The rulebook: role catalogue, lexicon and rules, loaded from YAML and checked.

Every heuristic lives in the YAML files of a rules directory; this module only reads them,
validates them with pydantic and reports each mistake as ``file:line: what``.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import operator
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .facts import MIX, REQUISITION_FACTS, SECOND_STAGE_STEMS, TITLE, Fact
from .model import MIX_PARTS, STRUCTURED_FIELDS, one_line_error
from .weights import WEIGHTS_FILE, Weights

CATALOGUE_FILE = "catalogue.yaml"
LEXICON_FILE = "lexicon.yaml"
MATRIX_FILE = "matrix.yaml"
# The three questions of What You're Actually Hiring, in the order it asks them; the matrix marks the
# signals that answer each.
QUESTIONS = ("primary_output", "work_location", "failure_mode")
LINE_KEY = "__line__"
MAX_SIGNAL_LEVEL = 3
LEVEL_WORDS = {2: "more than in passing", 3: "as a main theme"}

COMPARATORS = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt,
    "<": operator.lt, "==": operator.eq, "!=": operator.ne,
}
_CONDITION = re.compile(r"^\s*([a-z_]+:[a-z0-9_]+)\s*(?:(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?))?\s*$")
# durable_rules refuses (error code 113) a rule with more alternatives than this: each 'none'
# condition is one ("absent, or below"), and so is 'any' when it lists several conditions.
MAX_ALTERNATIVES = 14


class RulebookError(Exception):
    def __init__(self, problems: list["Problem"]):
        self.problems = problems
        head = problems[0] if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more; run 'whichrole rules check')" if len(problems) > 1 else ""
        super().__init__(f"{head}{more}")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:  # line 0: the file (or folder) as a whole
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


# ---------------------------------------------------------------- conditions

@dataclass(frozen=True)
class Condition:
    """``name`` (present, i.e. >= 1) or ``name OP number``."""

    name: str
    op: str = ">="
    value: float = 1.0

    @classmethod
    def parse(cls, text: str) -> "Condition":
        match = _CONDITION.match(str(text))
        if not match:
            raise ValueError(f"condition {text!r} is not 'namespace:name' or 'namespace:name OP number'")
        name, op, value = match.groups()
        return cls(name, op, float(value)) if op else cls(name)

    def holds(self, facts: dict) -> bool:
        value = facts.get(self.name)
        return value is not None and COMPARATORS[self.op](value, self.value)

    @property
    def is_presence(self) -> bool:
        return self.op == ">=" and self.value == 1.0

    def __str__(self) -> str:
        return self.name if self.is_presence else f"{self.name} {self.op} {self.value:g}"


class When(BaseModel):
    model_config = ConfigDict(extra="forbid")

    all: list[str] = Field(default_factory=list)
    any: list[str] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)

    def parsed(self) -> tuple[tuple[Condition, ...], tuple[Condition, ...], tuple[Condition, ...]]:
        return (tuple(map(Condition.parse, self.all)), tuple(map(Condition.parse, self.any)),
                tuple(map(Condition.parse, self.none)))


class Then(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Optional[str] = None
    weight: float = 0.0
    flavour: Optional[str] = None
    warning: Optional[str] = None
    question: Optional[str] = None


class SourceRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc: str
    section: str = Field(min_length=1)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    when: When
    then: Then
    because: str = Field(min_length=10)
    source: SourceRef
    file: str = ""
    line: int = 0

    def model_post_init(self, _context) -> None:
        self._all, self._any, self._none = self.when.parsed()
        self._said = self._all + self._any
        names = [c.name for group in self.conditions for c in group]
        self._stage = 2 if any(n.startswith(SECOND_STAGE_STEMS) for n in names) else 1
        self._reads_title = any(n.startswith(TITLE.stem) for n in names)

    @property
    def conditions(self) -> tuple[tuple[Condition, ...], tuple[Condition, ...], tuple[Condition, ...]]:
        return self._all, self._any, self._none

    @property
    def said(self) -> tuple[Condition, ...]:
        """The conditions that hold when the rule fires, 'all' before 'any': what a reason can quote."""
        return self._said

    @property
    def reads_title(self) -> bool:
        """Evidence from the title alone is not evidence about the work (conflation ignores it)."""
        return self._reads_title

    @property
    def stage(self) -> int:
        """Second-stage rules read the first stage's evidence (scores, lead role, totals)."""
        return self._stage

    def holds(self, facts: dict) -> bool:
        """The reference meaning of a rule; the durable_rules ruleset must agree with it."""
        return (all(c.holds(facts) for c in self._all)
                and (not self._any or any(c.holds(facts) for c in self._any))
                and not any(c.holds(facts) for c in self._none))

    def unmet(self, facts: dict) -> tuple[tuple[Condition, ...], tuple[Condition, ...]]:
        """What is missing for this rule to fire (for 'why not'): each unmet 'all' condition,
        and the 'any' alternatives when none of them holds."""
        missing = tuple(c for c in self._all if not c.holds(facts))
        alternatives = self._any if self._any and not any(c.holds(facts) for c in self._any) else ()
        return missing, alternatives


# ---------------------------------------------------------------- the skill × role matrix
# rules/matrix.yaml: one row a signal, saying what the documents count it for (Table 1 of The AI
# Roles Continuum, the mix of Pick the Team, the three questions, the organisation archetypes),
# with the section it comes from. Its cells are the prior of the training: every cell, named there or
# not, may be trained for or against its role (weights.Model.matrix). The rules add what a linear
# read of the signals cannot: combinations, flavours, conflation, title checks, questions.

class MatrixRow(BaseModel):
    """One signal's row: its prior weight per role (0 where not named), and the source that says so."""

    model_config = ConfigDict(extra="forbid")

    signal: str
    counts: dict[str, float] = Field(default_factory=dict, description="role -> prior weight")
    question: Optional[str] = Field(default=None, description="the one of the three questions it answers")
    source: SourceRef
    line: int = 0


class Matrix(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[MatrixRow] = Field(default_factory=list)

    def model_post_init(self, _context) -> None:
        self._by_signal = {row.signal: row for row in self.rows}
        self._answering: dict[str, list[str]] = defaultdict(list)
        for row in self.rows:
            if row.question:
                self._answering[row.question].append(row.signal)

    def row(self, signal: str) -> Optional[MatrixRow]:
        return self._by_signal.get(signal)

    def fingerprint(self, signals: list[str]) -> str:
        """What the trained matrix depends on: the signals it is trained over and the prior cells."""
        said = {"signals": sorted(signals), "prior": {row.signal: row.counts for row in self.rows}}
        return hashlib.sha256(json.dumps(said, sort_keys=True).encode()).hexdigest()[:12]

    def answering(self, question: str) -> list[str]:
        """The signals that answer one of the three questions."""
        return self._answering.get(question, [])


# ---------------------------------------------------------------- catalogue

class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    author: str

    def cite(self, section: str) -> str:
        return f"{self.author}, {self.title} ({section})"


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    aliases: list[str] = Field(default_factory=list)
    flavours: dict[str, str] = Field(default_factory=dict)
    continuum: Optional[float] = Field(default=None, ge=0, le=1)
    mix: Optional[dict[str, float]] = None
    interview_focus: list[str] = Field(default_factory=list)
    summary: str
    sources: list[str] = Field(min_length=1)


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    severity: Literal["info", "low", "medium", "high"] = "medium"
    # A warning that means the work was not fully read caps how sure the verdict may say it is.
    confidence_cap: Optional[float] = Field(default=None, ge=0, le=1)


class Thresholds(BaseModel):
    """The numbers the verdict is decided by; a name not listed here is a mistake, not a new setting."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(gt=0, description="softmax temperature over role scores")
    full_evidence: float = Field(gt=0, description="total evidence at which confidence is no longer damped")
    substantial: float = Field(description="a role score at which a role counts as substantially present")
    mix_close_points: float = Field(ge=0, description="profiles this close to the nearest one also count as close")
    low_confidence: float = Field(ge=0, le=1, description="below this the verdict says so and asks the questions")
    # A rulebook without these two names every role something speaks for, and says what would make
    # every runner-up the answer, as rulebooks did before they existed.
    speaks_from: float = Field(default=0.0, ge=0, description="a role with less trained evidence for it than "
                                                              "this is not named, however likely its prior")
    why_not_from: float = Field(default=0.0, ge=0, description="a runner-up with less declared evidence is too "
                                                               "far off to say what would make it the answer")


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    sources: dict[str, Source]
    roles: dict[str, Role]
    warnings: dict[str, Message]
    questions: dict[str, Message]
    thresholds: Thresholds


@dataclass(frozen=True)
class RulebookKind:
    """What sets one rulebook apart from another: its folder in the rules package, the model its
    catalogue is checked with, the input fields its lexicon's ``fields`` table may map, and the
    facts worked out for its rules beside the lexicon's signals."""

    name: str
    subdir: str
    catalogue: type[Catalogue]
    fields: tuple[str, ...]
    facts: tuple[Fact, ...]


REQUISITIONS = RulebookKind("requisition", "", Catalogue, STRUCTURED_FIELDS, REQUISITION_FACTS)


# ---------------------------------------------------------------- lexicon

class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weight: float = Field(ge=0)
    headings: list[str]


class SignalEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    means: str
    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)


class Languages(BaseModel):
    """Common function words per language, to tell which language a text is written in."""

    model_config = ConfigDict(extra="forbid")

    words: dict[str, list[str]]
    read: str                                   # the language the lexicon's phrases are written in
    # The languages the rules have a fact of their own for (lang:<code>), and the one read, by name;
    # a text in any other is lang:other.
    names: dict[str, str] = Field(default_factory=dict)
    min_words: int = Field(ge=1)                # fewer hits than this decide nothing
    ahead: float = Field(ge=1)                  # more hits than this per hit of the read language
    other_script: float = Field(gt=0, le=1)     # this share of letters outside Latin script: lang:other
    # A text this long whose function words of every language listed are fewer than this share of
    # its words is no prose whichrole can read (a pasted file, mojibake): lang:other.
    prose_min_words: int = Field(default=40, ge=1)
    prose_share: float = Field(default=0.02, ge=0, le=1)

    @field_validator("words")
    @classmethod
    def _single_words(cls, words: dict[str, list[str]]) -> dict[str, list[str]]:
        for language, listed in words.items():
            for word in listed:
                if not (word.isalpha() and word == word.lower()):  # a text is split into runs of letters
                    # a custom error reads as the message alone, without pydantic's "Value error," prefix
                    raise PydanticCustomError("not_a_word", "{language}: '{word}' is not one lower-case word of letters",
                                              {"language": language, "word": word})
        return words

    @field_validator("read", "names")
    @classmethod
    def _listed(cls, given: "str | dict[str, str]", info: ValidationInfo) -> "str | dict[str, str]":
        for code in [given] if isinstance(given, str) else given:
            if "words" in info.data and code not in info.data["words"]:
                raise PydanticCustomError("unknown_language", "'{code}' is not one of the languages listed under words",
                                          {"code": code})
        return given


class Attribution(BaseModel):
    """Work a sentence gives to someone else: from a cue until the sentence ends (or the hire is
    the subject again), phrases count ``weight`` times."""
    model_config = ConfigDict(extra="forbid")

    weight: float = Field(default=1.0, ge=0, le=1)
    cues: list[str] = Field(default_factory=list)
    until: list[str] = Field(default_factory=list)


class Secondary(BaseModel):
    """Nice-to-have and exposure: phrases after a ``before`` cue, or before an ``after`` cue, in
    the same sentence count ``weight`` times."""
    model_config = ConfigDict(extra="forbid")

    weight: float = Field(default=1.0, ge=0, le=1)
    before: list[str] = Field(default_factory=list)
    after: list[str] = Field(default_factory=list)


def field_key(value: str) -> str:
    """A structured field's value as the lexicon's ``fields`` table spells it ('Big tech' -> 'big_tech')."""
    return value.strip().lower().replace(" ", "_").replace("-", "_")


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: list[float] = Field(min_length=MAX_SIGNAL_LEVEL, max_length=MAX_SIGNAL_LEVEL)
    negators: list[str]
    negation_window: int = Field(default=3, ge=0, le=8)
    negation_ends: list[str] = Field(default_factory=list)
    list_joins: list[str] = Field(default_factory=list)
    not_needed: list[str] = Field(default_factory=list)
    not_needed_gap: int = Field(default=1, ge=0, le=8)
    not_negations: list[str] = Field(default_factory=list)
    sentence_ends: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    others: Attribution = Field(default_factory=Attribution)
    secondary: Secondary = Field(default_factory=Secondary)
    opening_weight: float = Field(ge=0)
    title_weight: float = Field(ge=0)
    sections: dict[str, Section]
    signals: dict[str, SignalEntry]
    fields: dict[str, dict[str, list[str]]]
    languages: Optional[Languages] = None

    def choices(self, field: str) -> dict[str, list[str]]:
        """The values of a field's table one per meaning (the table also lists aliases: 'analysis'
        means what 'insight' does), each the first the table gives it, in table order."""
        names: dict[tuple[str, ...], str] = {}
        for name, signals in self.fields.get(field, {}).items():
            names.setdefault(tuple(sorted(signals)), name)
        return {name: self.fields[field][name] for name in names.values()}


# ---------------------------------------------------------------- the rulebook

@dataclass(eq=False)  # identity: a loaded rulebook is a cache key
class Rulebook:
    directory: Path
    catalogue: Catalogue
    lexicon: Lexicon
    rules: list[Rule]
    version: str
    weights: Optional[Weights] = None
    matrix: Matrix = field(default_factory=Matrix)
    derived: tuple[Fact, ...] = REQUISITION_FACTS

    @property
    def roles(self) -> dict[str, Role]:
        return self.catalogue.roles

    def stage(self, number: int) -> list[Rule]:
        return self._stages[number]

    def rule(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]

    def __post_init__(self) -> None:
        self._by_id = {rule.id: rule for rule in self.rules}
        self._stages = {n: [rule for rule in self.rules if rule.stage == n] for n in (1, 2)}
        self._names = {name: entry.means for name, entry in self.lexicon.signals.items()}
        self._derived: dict[str, Fact] = {}
        for fact in self.derived:
            for name, means in fact.names(self).items():
                self._names[name], self._derived[name] = means, fact

    def known_names(self) -> dict[str, str]:
        """Every name a condition may use, with what it means in plain words."""
        return self._names

    def derived_facts(self) -> dict[str, Fact]:
        """The names worked out beside the lexicon's signals (see ``facts``), with their declarations."""
        return self._derived

    def matrix_values(self, facts: dict[str, float]) -> dict[str, float]:
        """The signals among ``facts`` as the matrix reads them: each level as a share of the highest."""
        signals = self.lexicon.signals
        return {name: min(level, MAX_SIGNAL_LEVEL) / MAX_SIGNAL_LEVEL
                for name, level in facts.items() if name in signals}

    def describe(self, condition: Condition) -> str:
        """A condition in plain words, as 'why not' shows it to a hiring manager."""
        means = self._names.get(condition.name, condition.name)
        if condition.is_presence:
            return means
        if condition.name in self.lexicon.signals and condition.op == ">=":
            return f"{means}, {LEVEL_WORDS.get(int(condition.value), 'strongly')}"
        return f"{means} {condition.op} {condition.value:g}"

    def source_text(self, rule: Rule) -> str:
        return self.catalogue.sources[rule.source.doc].cite(rule.source.section)


def default_rules_dir(kind: RulebookKind = REQUISITIONS) -> Path:
    return Path(str(resources.files("whichrole.rules"))) / kind.subdir


@lru_cache(maxsize=8)
def load_rulebook(directory: Optional[Path] = None, kind: RulebookKind = REQUISITIONS,
                  trained: bool = True) -> Rulebook:
    """The rulebook in ``directory`` (default: the shipped one); raises RulebookError if not clean.
    Without ``trained``, its trained weights are left unread (every rule counts its declared weight),
    as a training run needs them, stale or not."""
    rulebook, problems = _read(Path(directory) if directory else default_rules_dir(kind), kind, trained)
    if problems:
        raise RulebookError(problems)
    return rulebook


def check_rulebook(directory: Optional[Path] = None,
                   kind: RulebookKind = REQUISITIONS) -> tuple[Optional[Rulebook], list[Problem]]:
    return _read(Path(directory) if directory else default_rules_dir(kind), kind)


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: 5x faster
    """Records the line of every mapping so that problems can say where they are."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


def _strip_lines(value):
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def read_yaml(path: Path, problems: list[Problem]):
    """A YAML file of the rulebook, each mapping marked with its line; a problem, and None, if unreadable."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problems.append(Problem(path.name, line, f"not valid YAML: {getattr(error, 'problem', error)}"))
    except OSError as error:
        problems.append(Problem(path.name, 0, f"cannot read: {error.strerror}"))
    return None


def checked_model(cls, data, path: Path, problems: list[Problem]):
    """``data`` as the pydantic model ``cls``; each error a problem at its line, and None."""
    if not isinstance(data, dict):
        problems.append(Problem(path.name, 1, "expected a mapping at the top of the file"))
        return None
    try:
        return cls.model_validate(_strip_lines(data))
    except ValidationError as error:
        errors = error.errors()
        misspelt = _misspellings(cls, errors)
        for item in errors:
            if tuple(item["loc"]) in misspelt.values():
                continue  # said with the name it was misspelt as
            node, line, found = data, data.get(LINE_KEY, 1), True
            for key in item["loc"]:
                try:
                    node = node[key]
                except (KeyError, IndexError, TypeError):
                    found = False
                    break
                if isinstance(node, dict):
                    line = node.get(LINE_KEY, line)
            if found and not isinstance(node, (dict, list)):  # the loader marks mappings, not their keys
                line = _key_line(path, item["loc"]) or line
            where = ".".join(map(str, item["loc"]))
            message, model = item["msg"], _nested_model(cls, item["loc"][:-1])
            if tuple(item["loc"]) in misspelt:
                message = f"unknown name; did you mean {misspelt[tuple(item['loc'])][-1]!r}?"
            elif model and item["type"] == "extra_forbidden":
                message = f"unknown name (known: {', '.join(model.model_fields)})"
            elif model and item["type"] == "missing" and model.model_fields[item["loc"][-1]].description:
                message = f"missing ({model.model_fields[item['loc'][-1]].description})"
            problems.append(Problem(path.name, line, f"{where}: {message}"))
        return None


def _key_line(path: Path, loc: tuple) -> Optional[int]:
    """The line of the key at ``loc`` in a YAML file, read again only when it has a problem to place."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return None
    line = None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if pair is None:
                return line
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _misspellings(cls: type[BaseModel], errors: list) -> dict[tuple, tuple]:
    """Each unknown name beside a missing one it is close to (``temprature`` for ``temperature``):
    one mistake, said once."""
    missing = {tuple(item["loc"]) for item in errors if item["type"] == "missing"}
    misspelt = {}
    for item in errors:
        *parent, name = item["loc"]
        if item["type"] == "extra_forbidden" and _nested_model(cls, tuple(parent)):
            wanted = [str(loc[-1]) for loc in missing if list(loc[:-1]) == parent]
            close = difflib.get_close_matches(str(name), wanted, n=1)
            if close and (*parent, close[0]) not in misspelt.values():
                misspelt[tuple(item["loc"])] = (*parent, close[0])
    return misspelt


def _nested_model(cls: type[BaseModel], loc: tuple) -> Optional[type[BaseModel]]:
    """The model nested at ``loc`` (none where a mapping or list of models lies between)."""
    for key in loc:
        field_info = cls.model_fields.get(key) if isinstance(key, str) else None
        inner = field_info.annotation if field_info else None
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        cls = inner
    return cls


def _read(directory: Path, kind: RulebookKind, trained: bool = True) -> tuple[Optional[Rulebook], list[Problem]]:
    problems: list[Problem] = []
    if not directory.is_dir():
        return None, [Problem(str(directory), 0, "is not a rules directory")]
    if not (directory / CATALOGUE_FILE).is_file():  # a folder, but no rulebook: one line, not a problem per field
        return None, [Problem(str(directory), 0, f"is not a rules directory (it has no {CATALOGUE_FILE})")]
    catalogue = checked_model(kind.catalogue, read_yaml(directory / CATALOGUE_FILE, problems) or {},
                       directory / CATALOGUE_FILE, problems)
    lexicon = checked_model(Lexicon, read_yaml(directory / LEXICON_FILE, problems) or {},
                     directory / LEXICON_FILE, problems)
    rules: list[Rule] = []
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yaml")):
        if path.name == WEIGHTS_FILE and not trained:
            continue
        digest.update(path.read_bytes())
        if path.name in (CATALOGUE_FILE, LEXICON_FILE, WEIGHTS_FILE, MATRIX_FILE):
            continue
        rules.extend(_read_rules(path, problems))
    weights = None
    if trained and (directory / WEIGHTS_FILE).exists():
        data = read_yaml(directory / WEIGHTS_FILE, problems)
        if data is not None:  # a file that is no YAML has said so once
            weights = checked_model(Weights, data, directory / WEIGHTS_FILE, problems)
    matrix = Matrix()
    if (directory / MATRIX_FILE).exists():
        data = read_yaml(directory / MATRIX_FILE, problems)
        if data is not None:
            matrix = checked_model(Matrix, _with_lines(data), directory / MATRIX_FILE, problems) or Matrix()
    if catalogue is None or lexicon is None:
        return None, problems
    rulebook = Rulebook(directory, catalogue, lexicon, rules, version=f"{catalogue.version}+{digest.hexdigest()[:8]}",
                        weights=weights, matrix=matrix, derived=kind.facts)
    problems.extend(_validate(rulebook, kind))
    return rulebook, problems


def _with_lines(data):
    """The matrix file with each row's line kept as its ``line`` (the loader marks every mapping)."""
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        rows = [{**row, "line": row.get(LINE_KEY, 0)} if isinstance(row, dict) else row for row in data["rows"]]
        return {**data, "rows": rows}
    return data


def _matrix_problems(book: Rulebook) -> list[Problem]:
    """Each row of the matrix names a signal of the lexicon once, roles of the catalogue, a known
    source and one of the three questions."""
    problems, seen = [], set()
    cat, signals = book.catalogue, book.lexicon.signals
    for row in book.matrix.rows:
        def add(message: str) -> None:
            problems.append(Problem(MATRIX_FILE, row.line, f"{row.signal}: {message}"))
        if row.signal not in signals:
            add("not a signal of the lexicon")
        if row.signal in seen:
            add("has a row already")
        seen.add(row.signal)
        for role in row.counts:
            if role not in cat.roles:
                add(f"unknown role {role!r}")
        if row.source.doc not in cat.sources:
            add(f"unknown source {row.source.doc!r} (known: {', '.join(cat.sources)})")
        if row.question is not None and row.question not in QUESTIONS:
            add(f"unknown question {row.question!r} (known: {', '.join(QUESTIONS)})")
    return problems


def _read_rules(path: Path, problems: list[Problem]) -> list[Rule]:
    data = read_yaml(path, problems)
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        problems.append(Problem(path.name, 1, "a rules file holds one key, 'rules', with a list of rules"))
        return []
    rules = []
    for item in data["rules"]:
        line = item.get(LINE_KEY, 0) if isinstance(item, dict) else 0
        if not isinstance(item, dict):
            problems.append(Problem(path.name, line, "each rule is a mapping with id, when, then, because, source"))
            continue
        try:
            rules.append(Rule.model_validate({**_strip_lines(item), "file": path.name, "line": line}))
        except (ValidationError, ValueError) as error:
            label = item.get("id", "rule")
            problems.append(Problem(path.name, line, f"{label}: {one_line_error(error, Rule)}"))
    return rules


def _validate(book: Rulebook, kind: RulebookKind) -> list[Problem]:
    problems: list[Problem] = []
    cat, lex = book.catalogue, book.lexicon
    known = book.known_names()
    seen: dict[str, Rule] = {}

    def add(rule: Rule, message: str) -> None:
        problems.append(Problem(rule.file, rule.line, f"{rule.id}: {message}"))

    for name, role in cat.roles.items():
        for source in role.sources:
            if source not in cat.sources:
                problems.append(Problem(CATALOGUE_FILE, 1, f"role {name}: unknown source {source!r}"))
    for name, values in lex.fields.items():
        if name not in kind.fields:
            problems.append(Problem(LEXICON_FILE, 1, f"fields: {name!r} is not a {kind.name} field"))
        for value, signals in values.items():
            for signal in signals:
                if signal not in known:
                    problems.append(Problem(LEXICON_FILE, 1, f"fields.{name}.{value}: unknown signal {signal!r}"))
    for signal, entry in lex.signals.items():
        seen_phrases: set[str] = set()
        for phrase in entry.phrases:
            spelled = " ".join(phrase.lower().split())
            if spelled in seen_phrases:
                problems.append(Problem(LEXICON_FILE, 1, f"signals.{signal}: phrase {phrase!r} is listed twice"))
            seen_phrases.add(spelled)
    for part in (cat.roles[r].mix for r in cat.roles if cat.roles[r].mix):
        if set(part) != set(MIX_PARTS):
            problems.append(Problem(CATALOGUE_FILE, 1, f"a role mix must give {', '.join(MIX_PARTS)}"))

    for rule in book.rules:
        if rule.id in seen:
            first = seen[rule.id]
            add(rule, f"duplicate id (first at {first.file}:{first.line})")
        seen[rule.id] = rule
        then = rule.then
        if rule.source.doc not in cat.sources:
            add(rule, f"unknown source {rule.source.doc!r} (known: {', '.join(cat.sources)})")
        if then.role is not None and then.role not in cat.roles:
            add(rule, f"unknown role {then.role!r}")
        if then.role is None and (then.weight or then.flavour):
            add(rule, "a weight or flavour needs a role")
        if then.flavour and then.role in cat.roles and then.flavour not in cat.roles[then.role].flavours:
            add(rule, f"role {then.role} has no flavour {then.flavour!r}")
        if then.warning and then.warning not in cat.warnings:
            add(rule, f"unknown warning {then.warning!r}")
        if then.question and then.question not in cat.questions:
            add(rule, f"unknown question {then.question!r}")
        if not (then.role or then.warning or then.question):
            add(rule, "then gives nothing: no role, warning or question")
        all_, any_, none_ = rule.conditions
        if not (all_ or any_):
            add(rule, "when needs 'all' or 'any': a rule on 'none' alone would fire on everything")
        alternatives = len(none_) + (len(any_) > 1)
        if alternatives > MAX_ALTERNATIVES:
            add(rule, f"too many alternatives for the rules engine: {len(none_)} 'none' conditions"
                      f"{' and an any' if len(any_) > 1 else ''} make {alternatives}, at most {MAX_ALTERNATIVES}; "
                      "split the rule")
        for condition in (*all_, *any_, *none_):
            if condition.name not in known:
                add(rule, f"unknown signal {condition.name!r}")
        problems.extend(Problem(rule.file, rule.line, f"{rule.id}: can never fire: {why}")
                        for why in _never_fires(rule, lex))

    problems.extend(_weights_problems(book))
    problems.extend(_matrix_problems(book))
    reachable = {r.then.role for r in book.rules if r.then.role and r.then.weight > 0}
    reachable |= {role for row in book.matrix.rows for role, weight in row.counts.items() if weight > 0}
    for role in cat.roles:
        if role not in reachable:
            problems.append(Problem(CATALOGUE_FILE, 1, f"role {role}: no rule or matrix cell gives it evidence, it can never be chosen"))
    return problems


def _weights_problems(book: Rulebook) -> list[Problem]:
    """Trained models must speak of the catalogue's own roles and flavours."""
    weights, roles = book.weights, book.roles
    if weights is None:
        return []
    problems = []
    if set(weights.roles.bias) != set(roles):
        problems.append(Problem(WEIGHTS_FILE, 1, f"roles: the model's roles ({', '.join(weights.roles.bias)}) "
                                                 f"are not the catalogue's ({', '.join(roles)}); run 'whichrole rules train'"))
    for role, model in weights.flavours.items():
        if role not in roles or set(model.bias) != set(roles[role].flavours):
            problems.append(Problem(WEIGHTS_FILE, 1, f"flavours.{role}: not the catalogue's flavours of that role; "
                                                     "run 'whichrole rules train'"))
    return problems


def weights_notes(book: Rulebook) -> list[Problem]:
    """What a reader of the trained weights should know, none of it an error: rules changed or added
    since the training, trained rules that are gone, rules that never fired on the labelled postings."""
    weights = book.weights
    if weights is None:
        return [Problem(WEIGHTS_FILE, 0, "no trained weights: every rule counts its declared weight; "
                                         "run 'whichrole rules train LABELLED.jsonl'")]
    by_id = {rule.id: rule for rule in book.rules}
    changed, missing, gone = weights.stale(book.rules)
    retrain = "; run 'whichrole rules train' again"
    notes = [Problem(by_id[r].file, by_id[r].line, f"{r}: changed since its weight was trained{retrain}") for r in changed]
    notes += [Problem(by_id[r].file, by_id[r].line, f"{r}: no trained weight, counts its declared weight{retrain}")
              for r in missing]
    notes += [Problem(WEIGHTS_FILE, 1, f"{r}: trained, but the rulebook has no such rule{retrain}") for r in gone]
    if weights.matrix_fingerprint != book.matrix.fingerprint(list(book.lexicon.signals)):
        notes.append(Problem(MATRIX_FILE, 1, f"the matrix or the lexicon's signals changed since the weights were trained{retrain}"))
    # One line for them all: they say how the weights were trained, not what is wrong with the rules.
    labelled = weights.provenance
    idle = [r for r in labelled.never_fired if r in by_id]
    if idle:
        notes.append(Problem(WEIGHTS_FILE, 0, f"{len(idle)} rules fired on none of the {labelled.postings} labelled "
                                              f"postings the weights were trained on ({labelled.labelled_file}): "
                                              f"{', '.join(sorted(idle))}"))
    return notes


def _never_fires(rule: Rule, lex: Lexicon) -> list[str]:
    """Conditions that contradict themselves or ask for values no fact can have."""
    reasons = []
    all_, any_, none_ = rule.conditions
    for condition in (*all_, *any_):
        if condition.name in lex.signals and not any(
                COMPARATORS[condition.op](level, condition.value) for level in range(1, MAX_SIGNAL_LEVEL + 1)):
            reasons.append(f"{condition} (a text signal's level is 1 to {MAX_SIGNAL_LEVEL})")
        if condition.name.startswith(MIX.stem) and not any(
                COMPARATORS[condition.op](v, condition.value) for v in (0, 0.5, 50, 99.5, 100)):
            reasons.append(f"{condition} (a mix share is 0 to 100)")
    for required in all_:
        for forbidden in none_:
            if required.name == forbidden.name and _implies(required, forbidden):
                reasons.append(f"requires {required} and forbids {forbidden}")
    for i, a in enumerate(all_):
        for b in all_[i + 1:]:
            if a.name == b.name and not _compatible(a, b):
                reasons.append(f"{a} and {b} cannot both hold")
    return reasons


def _probe_values(*conditions: Condition) -> list[float]:
    points = {c.value + d for c in conditions for d in (-0.5, 0, 0.5)}
    return sorted(points | {0.0, 1.0, 2.0, 3.0, 100.0})


def _implies(a: Condition, b: Condition) -> bool:
    return all(b.holds({a.name: v}) for v in _probe_values(a, b) if a.holds({a.name: v}))


def _compatible(a: Condition, b: Condition) -> bool:
    return any(a.holds({a.name: v}) and b.holds({b.name: v}) for v in _probe_values(a, b))
