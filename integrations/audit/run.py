"""One audit: read the sources, assess every open requisition, record the run, compare it with the last.

A source that cannot be read is recorded as failed with its reason, and the others are
audited. Each source's rows are written once the source has been read to the end, inside
the run's single transaction; nothing is committed until the whole run is.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional, Sequence

from python_calamine import CalamineError

from whichrole.classify import Classifier
from whichrole.model import Requisition, RequisitionError

from .changes import Changes, compare
from .findings import SEVERITIES, Assessment, AuditFinding, duplicate_id, open_too_long, severity_rank
from .lock import AuditLock
from .sources import Reading, Row, SourceError, expand, place, read_rows
from .store import AuditStore, RunWriter, Snapshot, SourceRecord

DEFAULT_OPEN_VALUES = frozenset({"open"})

# What the classification does not read: two rows differing only in these get the same assessment.
_NOT_CLASSIFIED = {"id", "status", "opened"}


@dataclass(frozen=True)
class AuditedRequisition:
    key: str                    # the Req ID, or the row's place when it has none
    content: str                # content_key() of the requisition: which assessment it shares
    source: Path
    sheet: Optional[str]
    row: int
    title: Optional[str]
    team: Optional[str]
    opened: Optional[date]
    assessment: Assessment
    findings: tuple[AuditFinding, ...]

    @property
    def worst(self) -> Optional[str]:
        return max((f.severity for f in self.findings), key=severity_rank, default=None)

    @property
    def place(self) -> str:
        return place(self.source, self.sheet, self.row)

    def snapshot(self) -> Snapshot:
        return Snapshot(self.key, str(self.source), self.title, self.assessment.label,
                        frozenset(f.kind for f in self.findings))


@dataclass
class AuditOptions:
    sources: Sequence[Path]
    database: Path
    open_values: frozenset[str] = DEFAULT_OPEN_VALUES
    overrides: Mapping[str, str] = field(default_factory=dict)
    sheet: Optional[str] = None
    max_open_days: Optional[int] = 90
    lock_timeout: float = 600.0
    today: Optional[date] = None


@dataclass
class AuditResult:
    run_id: int
    database: Path
    started: datetime
    finished: datetime
    rulebook: str
    readings: list[Reading]
    requisitions: list[AuditedRequisition]
    changes: Changes
    classified: int             # requisitions the rules engine read (the others were known already)

    @property
    def failed(self) -> list[Reading]:
        return [r for r in self.readings if r.error]

    def findings(self) -> list[tuple[AuditedRequisition, AuditFinding]]:
        """Every finding, most severe first, in source order within a severity."""
        pairs = [(req, f) for req in self.requisitions for f in req.findings]
        pairs.sort(key=lambda pair: -severity_rank(pair[1].severity))
        return pairs

    def severity_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(reversed(SEVERITIES), 0)
        for req in self.requisitions:
            for finding in req.findings:
                counts[finding.severity] += 1
        return counts

    def kind_counts(self) -> dict[tuple[str, str], int]:
        """(kind, severity) -> how many requisitions have it, most frequent first."""
        counts: dict[tuple[str, str], int] = {}
        for req in self.requisitions:
            for finding in req.findings:
                counts[(finding.kind, finding.severity)] = counts.get((finding.kind, finding.severity), 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-severity_rank(item[0][1]), -item[1])))

    def worst(self) -> Optional[str]:
        present = [s for s, n in self.severity_counts().items() if n]
        return present[0] if present else None


def whichrole_version() -> str:
    try:
        return version("whichrole")
    except PackageNotFoundError:
        return "unknown"


def content_key(requisition: Requisition) -> str:
    text = requisition.model_dump_json(exclude=_NOT_CLASSIFIED)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def run_audit(options: AuditOptions, classifier: Classifier,
              on_source: Optional[Callable[[Reading], None]] = None,
              on_wait: Optional[Callable[[str], None]] = None) -> AuditResult:
    files, failed_arguments = expand(options.sources)
    scope = sorted(str(Path(p).resolve()) for p in options.sources)
    rulebook = classifier.rulebook.version
    today = options.today or date.today()
    started = datetime.now(timezone.utc)
    with AuditLock(options.database, options.lock_timeout, on_wait), AuditStore(options.database) as store:
        since = store.latest(scope)
        before = store.snapshots(since.id) if since else {}
        with store.recording(scope, rulebook, whichrole_version(), _stamp(started)) as writer:
            assessor = _Assessor(classifier, store, writer)
            first_seen: dict[str, str] = {}
            readings: list[Reading] = []
            audited: list[AuditedRequisition] = []
            for path in files:
                reading = Reading(path)
                try:
                    rows = _unique_keys(list(_audit_rows(reading, options, assessor, today)), first_seen)
                except (SourceError, CalamineError, OSError, UnicodeError) as error:
                    reading.error = _one_line(error, path)
                    rows = []
                assessor.commit(rows)
                audited.extend(rows)
                readings.append(reading)
                writer.add_source(_record(reading))
                if on_source:
                    on_source(reading)
            for reading in failed_arguments:
                readings.append(reading)
                writer.add_source(_record(reading))
                if on_source:
                    on_source(reading)
            after = {req.key: req.snapshot() for req in audited}
            changes = compare(since, before, after, [str(r.path.resolve()) for r in readings if r.error])
            finished = datetime.now(timezone.utc)
            writer.finish(_stamp(finished), len(audited), sum(len(r.findings) for r in audited),
                          sum(1 for r in readings if r.error))
            run_id = writer.run_id
    return AuditResult(run_id=run_id, database=options.database, started=started, finished=finished,
                       rulebook=rulebook, readings=readings, requisitions=audited, changes=changes,
                       classified=assessor.classified)


class _Assessor:
    """Assessments by requisition content: from this run, from the history, or from the rules engine."""

    def __init__(self, classifier: Classifier, store: AuditStore, writer: RunWriter):
        self.classifier = classifier
        self.store = store
        self.writer = writer
        self.rulebook = classifier.rulebook.version
        self.known: dict[str, Assessment] = {}
        self.ids: dict[str, int] = {}          # assessments already in the database
        self.classified = 0

    def assess(self, requisition: Requisition) -> tuple[str, Assessment]:
        content = content_key(requisition)
        assessment = self.known.get(content)
        if assessment is None:
            stored = self.store.assessment(content, self.rulebook)
            if stored:
                self.ids[content], assessment = stored
            else:
                assessment = Assessment.of(self.classifier.classify(requisition))
                self.classified += 1
            self.known[content] = assessment
        return content, assessment

    def commit(self, rows: list["AuditedRequisition"]) -> None:
        """Write a source's rows (and the assessments new to the database) once it has been read whole."""
        for req in rows:
            if req.content not in self.ids:
                self.ids[req.content] = self.writer.add_assessment(req.content, req.assessment)
            self.writer.add_requisition(req.key, str(req.source), req.sheet, req.row, req.title, req.team,
                                        req.opened.isoformat() if req.opened else None, self.ids[req.content],
                                        req.findings)


def _audit_rows(reading: Reading, options: AuditOptions, assessor: _Assessor,
                today: date) -> Iterator[AuditedRequisition]:
    for row in read_rows(reading, options.open_values, options.overrides, options.sheet):
        req = row.requisition
        try:
            content, assessment = assessor.assess(req)
        except RequisitionError as error:  # a value the rules cannot read, e.g. an unknown primary output
            reading.problem(f"{place(reading.path, row.sheet, row.number)}: {error}")
            reading.audited -= 1
            continue
        stale = open_too_long(req.opened, today, options.max_open_days)
        yield AuditedRequisition(key=_key(reading, row), content=content, source=reading.path, sheet=row.sheet,
                                 row=row.number, title=req.title, team=req.team, opened=req.opened,
                                 assessment=assessment,
                                 findings=assessment.findings + ((stale,) if stale else ()))


def _unique_keys(rows: list[AuditedRequisition], first_seen: dict[str, str]) -> list[AuditedRequisition]:
    """A Req ID seen before in this run keeps its first row; later ones get their place added, and a finding."""
    unique = []
    for req in rows:
        if req.key in first_seen:
            req = replace(req, key=f"{req.key} ({req.place})",
                          findings=req.findings + (duplicate_id(req.key, first_seen[req.key]),))
        else:
            first_seen[req.key] = req.place
        unique.append(req)
    return unique


def _key(reading: Reading, row: Row) -> str:
    return row.requisition.id or place(reading.path, row.sheet, row.number)


def _record(reading: Reading) -> SourceRecord:
    return SourceRecord(path=str(reading.path.resolve()), sha256=reading.sha256, bytes=reading.bytes,
                        rows=reading.rows, audited=reading.audited, error=reading.error)


def _one_line(error: Exception, path: Path) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if str(path.name) in text else f"{path}: {text}"


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
