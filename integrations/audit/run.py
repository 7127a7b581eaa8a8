"""One audit: read the sources, assess every open requisition, record the run, compare it with the last.

A source that cannot be read is recorded as failed with its reason, and the others are
audited. Each source's rows are written once the source has been read to the end, inside
the run's single transaction; nothing is committed until the whole run is.

Most requisitions do not change from one week to the next, and an audit does not redo what
the last one did under the same rulebook: a source file identical to the one the last run
read is taken over whole without being opened; a row whose cells are those of a row of the
last run (same fingerprint) takes over its assessment without being read; any other row is
read, and its requisition assessed by text: once per distinct text in a run, and never
again for a text the history knows.
"""
from __future__ import annotations

import itertools
import json
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Optional, Sequence, Union

from python_calamine import CalamineError

from whichrole.classifier import Classifier, shared_classifier
from whichrole.integrations.ats import AtsSource, Fetch, FetchError, Limits, Posting
from whichrole.model import Requisition, RequisitionError, one_line_error
from whichrole.rulebook import load_rulebook

from .changes import Changes, compare
from .findings import (OPEN_TOO_LONG, SEVERITIES, Assessment, AuditFinding, assess, duplicate_id, open_too_long,
                       severity_rank)
from .lock import AuditLock
from .sources import Reading, Row, SourceError, expand, place, read_rows, sha256_of, source_name, where
from .store import AuditStore, PastRow, RunInfo, RunWriter, SourceRecord, digest

DEFAULT_OPEN_VALUES = frozenset({"open"})

# What the classification does not read: two rows differing only in these get the same assessment
# (tests/test_audit.py checks that the verdict does not change with them).
NOT_CLASSIFIED = {"id", "status", "opened", "team"}


class AuditedRequisition(NamedTuple):   # a tuple: a run holds a hundred thousand of them
    key: str                    # the Req ID, or the row's place when it has none
    req_id: Optional[str]
    fingerprint: str            # of the row's cells: an unchanged row is recognised next time
    source: Path
    sheet: Optional[str]
    row: int
    title: Optional[str]
    team: Optional[str]
    opened: Optional[date]
    assessment: Assessment
    findings: tuple[AuditFinding, ...]   # the assessment's, then this row's own (dates, identity)

    @property
    def own(self) -> tuple[AuditFinding, ...]:
        return self.findings[len(self.assessment.findings):]

    @property
    def label(self) -> str:
        return self.assessment.label

    @property
    def kinds(self) -> frozenset[str]:
        own = self.own
        return self.assessment.kinds | {f.kind for f in own} if own else self.assessment.kinds

    @property
    def worst(self) -> Optional[str]:
        return max((f.severity for f in self.findings), key=severity_rank, default=None)

    @property
    def place(self) -> str:
        return place(self.source, self.sheet, self.row)

    @property
    def where(self) -> str:
        return where(self.source, self.sheet, self.row)


class NothingRead(SourceError):
    """No source of the audit could be read: the run is not recorded, and nothing is reported."""


@dataclass
class AuditOptions:
    sources: Sequence[Union[Path, AtsSource]]
    database: Path
    open_values: frozenset[str] = DEFAULT_OPEN_VALUES
    overrides: Mapping[str, str] = field(default_factory=dict)
    sheet: Optional[str] = None
    max_open_days: Optional[int] = 90
    lock_timeout: float = 600.0
    today: Optional[date] = None
    rules_dir: Optional[Path] = None
    engine: str = "durable"
    workers: Optional[int] = 0      # processes classifying, as for Classifier.verdicts
    fetch_limits: Limits = field(default_factory=Limits)    # timeouts, retries and bound, per ATS source
    env: Optional[Mapping[str, str]] = None     # where ATS keys and base URLs are read (default: os.environ)


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
        by_severity: dict[str, list] = {severity: [] for severity in reversed(SEVERITIES)}
        for req in self.requisitions:
            for finding in req.findings:
                by_severity[finding.severity].append((req, finding))
        return [pair for pairs in by_severity.values() for pair in pairs]

    def to_look_at(self, limit: int) -> list[AuditedRequisition]:
        """The requisitions with findings, the most severe and most numerous first."""
        flagged = [req for req in self.requisitions if req.findings]
        flagged.sort(key=lambda req: (-severity_rank(req.worst), -len(req.findings)))
        return flagged[:limit]

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
    return digest(requisition.model_dump_json(exclude=NOT_CLASSIFIED).encode())


def run_audit(options: AuditOptions,
              on_source: Optional[Callable[[Reading], None]] = None,
              on_wait: Optional[Callable[[str], None]] = None,
              progress: Optional[Callable[[int], None]] = None,
              report: Optional[Callable[["AuditResult"], None]] = None) -> AuditResult:
    """Audit the sources; ``on_source`` hears of each source once it is done, ``on_wait`` of waiting
    for another audit's lock, ``progress`` the number of open requisitions assessed so far.

    ``report`` writes the run's reports before the run is committed: a run that fails or is killed
    before its reports are all written is not recorded, and the next run reports its changes again
    (compared with the last run whose reports were written) rather than finding none.

    Raises NothingRead, recording and reporting nothing, when not one source could be read."""
    boards = list(dict.fromkeys(s for s in options.sources if isinstance(s, AtsSource)))
    files, failed_arguments = expand([s for s in options.sources if not isinstance(s, AtsSource)])
    scope = sorted(source_name(p) for p in options.sources)
    book = load_rulebook(options.rules_dir)
    rulebook = book.version
    levels = frozenset(book.lexicon.fields.get("level", {}))
    with AuditLock(options.database, options.lock_timeout, on_wait), _history(options.database) as store:
        started = datetime.now(timezone.utc)    # once another audit's lock, if any, is let go
        fetches: list[Fetch] = []
        try:
            # Every board is fetched from now on, while the workbooks (then the boards before it) are read.
            fetches.extend(Fetch(board, options.fetch_limits, options.env) for board in boards)
            since = store.latest(scope)
            past = store.rows(since.id) if since else []
            with store.recording(scope, rulebook, whichrole_version(), _stamp(started)) as writer:
                run = _Run(options, rulebook, store, writer, since, past, progress)
                readings = itertools.chain((run.source(path) for path in files),
                                           (run.board(fetch, levels) for fetch in fetches),
                                           (run.record(reading, []) for reading in failed_arguments))
                for reading in readings:
                    if on_source:
                        on_source(reading)
                failed = [source_name(r.path) for r in run.readings if r.error]
                if run.readings and len(failed) == len(run.readings):
                    # An empty run would read as every requisition closed, and replace the last good report.
                    raise NothingRead("no source could be read: " + "; ".join(r.error for r in run.readings))
                changes = changes_since(store, scope, since, past, {req.key: req for req in run.audited}, failed,
                                        options.max_open_days)
                finished = datetime.now(timezone.utc)
                writer.finish(_stamp(finished), len(run.audited), sum(len(r.findings) for r in run.audited),
                              len(failed))
                result = AuditResult(run_id=writer.run_id, database=options.database, started=started,
                                     finished=finished, rulebook=rulebook, readings=run.readings,
                                     requisitions=run.audited, changes=changes, classified=run.assessor.classified)
                if report:
                    report(result)
        finally:
            for fetch in fetches:
                fetch.cancel()
    return result


def changes_since(store: AuditStore, scope: list[str], since: Optional[RunInfo], before: list[PastRow],
                  now: Mapping, failed: list[str], limit: "Optional[int] | str") -> Changes:
    """What changed since run ``since`` (whose rows are ``before``) to the requisitions ``now``, by key;
    a source that run could not read is compared with the last run that could."""
    compared = before + [row for record in (since.sources if since else []) if record.error
                         for row in store.last_read(scope, record.path, since.id)]
    uncompared, notes = set_aside(since, limit)
    changes = compare(since, {row.key: row for row in compared}, now, failed, uncompared)
    changes.notes.extend(notes)
    return changes


@contextmanager
def _history(database: Path) -> Iterator[AuditStore]:
    """The history, opened under its lock; one this run created is removed again when no source
    could be read, so that a first run that read nothing leaves nothing behind (but its lock file,
    as lock files stay)."""
    created = not database.exists()
    try:
        with AuditStore(database) as store:
            yield store
    except NothingRead:
        if created:
            for suffix in ("", "-wal", "-shm", "-journal"):
                database.with_name(database.name + suffix).unlink(missing_ok=True)
        raise


class _Run:
    """The sources of one run, read (or taken over from the last run) one after the other."""

    def __init__(self, options: AuditOptions, rulebook: str, store: AuditStore, writer: RunWriter,
                 since: Optional[RunInfo], past: list[PastRow], progress: Optional[Callable[[int], None]]):
        self.options = options
        self.progress = progress
        self.assessed = 0  # open requisitions, over every source so far
        self.writer = writer
        self.today = options.today or date.today()
        self.assessor = _Assessor(options, rulebook, store, writer)
        self.reading_options = json.dumps([sorted(options.open_values), sorted(options.overrides.items()),
                                           options.sheet, options.max_open_days])
        self.since = since
        self.unchanged_rows: dict[str, PastRow] = {}
        self.earlier_sources: dict[str, SourceRecord] = {}
        self.earlier_rows: dict[str, list[PastRow]] = {}
        if since and since.rulebook == rulebook:     # the last run's work holds only under the same rules
            self.assessor.take_over(store.assessments_of_run(since.id, rulebook))
            self.unchanged_rows = {row.fingerprint: row for row in past if row.fingerprint}
            self.earlier_sources = {record.path: record for record in since.sources}
            for row in past:
                self.earlier_rows.setdefault(row.source, []).append(row)
        self.first_seen: dict[str, str] = {}
        self.readings: list[Reading] = []
        self.audited: list[AuditedRequisition] = []

    def source(self, path: Path) -> Reading:
        reading = Reading(path)
        try:
            reading.sha256, reading.bytes = sha256_of(path)
            earlier = self._same_file(reading)
            rows = self._take_over(reading, earlier) if earlier else list(self._read(reading, read_rows(
                reading, self.options.open_values, self.options.overrides, self.options.sheet), self.options.workers))
        except (SourceError, CalamineError, OSError, UnicodeError) as error:
            reading.error = _one_line(error, path)
            rows = []
        return self.record(reading, rows)

    def board(self, fetch: Fetch, levels: frozenset[str]) -> Reading:
        """A board's postings as they arrive, every one of them open; a board that fails has none.
        ``levels``: those the rulebook knows; a level it does not (an ATS's "IC4") is left out."""
        reading = Reading(fetch.source, note=fetch.note)

        def postings():
            for posting in fetch:
                reading.rows += 1
                yield posting.with_level_from(levels)

        try:
            # Pages arrive no faster than this process classifies them, and choosing workers (None)
            # would hold back the first posting until a thousand had arrived.
            rows = list(self._read(reading, postings(), self.options.workers or 0))
        except FetchError as error:
            reading.error = str(error)
            reading.rows, rows = 0, []
        return self.record(reading, rows)

    def record(self, reading: Reading, rows: list[AuditedRequisition]) -> Reading:
        rows = _unique_keys(rows, self.first_seen)
        reading.audited = len(rows)
        self.assessor.commit(rows)
        self.audited.extend(rows)
        self.readings.append(reading)
        self.writer.add_source(SourceRecord(
            path=source_name(reading.path), sha256=reading.sha256, bytes=reading.bytes, rows=reading.rows,
            audited=reading.audited, error=reading.error, reading=self.reading_options, note=reading.note,
            problems=reading.problem_count))
        return reading

    def _same_file(self, reading: Reading) -> Optional[SourceRecord]:
        """The last run's record of this very file, read the same way without trouble, if there is one."""
        record = self.earlier_sources.get(source_name(reading.path))
        if (record and record.sha256 == reading.sha256 and record.reading == self.reading_options
                and not record.error and not record.problems):
            return record
        return None

    def _take_over(self, reading: Reading, record: SourceRecord) -> list[AuditedRequisition]:
        reading.rows, reading.note, reading.unchanged_since = record.rows, record.note, self.since.id
        return [self._audited(row.req_id, row.fingerprint, reading, row.sheet, row.row, row.title, row.team,
                              date.fromisoformat(row.opened) if row.opened else None,
                              self.assessor.stored(row.assessment))
                for row in self.earlier_rows.get(record.path, [])]

    def _read(self, reading: Reading, rows: Iterable[Union[Row, Posting]],
              workers: Optional[int]) -> Iterator[AuditedRequisition]:
        """The source's open rows (or a board's postings), assessed. An unchanged row takes over its assessment, a known text
        takes over its text's; the other requisitions go to the rules engine (worker processes, when
        there are many), whose assessments come back in the order the rows went out (``sent``)."""
        sent: deque = deque()

        def to_classify() -> Iterator[Optional[Requisition]]:
            for row in rows:
                fingerprint = row.fingerprint()
                known = self.unchanged_rows.get(fingerprint)
                if known:
                    sent.append((row.sheet, row.number, fingerprint, known, None))
                    yield None
                    continue
                try:
                    req = row.requisition()
                except RequisitionError as error:  # a cell that cannot be read
                    sent.append((row.sheet, row.number, fingerprint, error, None))
                    yield None
                    continue
                if req is None:
                    continue
                content, new = self.assessor.content(req)
                sent.append((row.sheet, row.number, fingerprint, req, content))
                yield req if new else None

        for outcome in self.assessor.classifier.verdicts(to_classify(), workers, keep=assess):
            sheet, number, fingerprint, found, content = sent.popleft()
            if isinstance(found, PastRow):
                yield self._audited(found.req_id, fingerprint, reading, sheet, number, found.title, found.team,
                                    date.fromisoformat(found.opened) if found.opened else None,
                                    self.assessor.stored(found.assessment))
                continue
            assessment = found if isinstance(found, RequisitionError) else self.assessor.assessed(content, outcome)
            if isinstance(assessment, RequisitionError):  # or a value the rules do not know
                reading.problem(f"{place(reading.path, sheet, number)}: {assessment}")
                continue
            yield self._audited(found.id, fingerprint, reading, sheet, number, found.title, found.team,
                                found.opened, assessment)

    def _audited(self, req_id: Optional[str], fingerprint: str, reading: Reading, sheet: Optional[str], row: int,
                 title: Optional[str], team: Optional[str], opened: Optional[date],
                 assessment: Assessment) -> AuditedRequisition:
        self.assessed += 1
        if self.progress:
            self.progress(self.assessed)
        stale = open_too_long(opened, self.today, self.options.max_open_days)
        return AuditedRequisition(
            key=req_id or place(reading.path, sheet, row), req_id=req_id, fingerprint=fingerprint,
            source=reading.path, sheet=sheet, row=row, title=title, team=team, opened=opened,
            assessment=assessment, findings=assessment.findings + (stale,) if stale else assessment.findings)


class _Assessor:
    """Assessments by requisition text: from this run, from the history, or from the rules engine."""

    def __init__(self, options: AuditOptions, rulebook: str, store: AuditStore, writer: RunWriter):
        self.options = options
        self.store = store
        self.writer = writer
        self.rulebook = rulebook
        # text (content key) -> its assessment, met in this run (a RequisitionError: the rules could not read it)
        self.known: dict[str, Union[Assessment, RequisitionError, None]] = {}
        self.by_id: dict[int, Assessment] = {}
        self.ids: dict[Assessment, int] = {}           # assessments already in the database
        self.unrecorded: dict[str, Assessment] = {}    # texts the database does not map yet
        self.classified = 0

    def take_over(self, assessments: dict[int, Assessment]) -> None:
        """The last run's assessments, made by this rulebook."""
        self.by_id.update(assessments)
        self.ids.update((assessment, assessment_id) for assessment_id, assessment in assessments.items())

    @cached_property
    def classifier(self) -> Classifier:
        # Compiled on the first source that is read: a run over unchanged sources never needs it.
        return shared_classifier(self.options.rules_dir, self.options.engine)

    def content(self, requisition: Requisition) -> tuple[str, bool]:
        """The requisition's text (its content key), and whether the rules engine has to read it:
        neither this run nor the history knows it, and it is not on its way to the engine."""
        content = content_key(requisition)
        if content in self.known:
            return content, False
        assessment_id = self.store.assessment_of(content, self.rulebook)
        if assessment_id is not None:
            self.known[content] = self.stored(assessment_id)
            return content, False
        self.known[content] = None  # on its way: a later row with this text waits for its assessment
        return content, True

    def assessed(self, content: str, outcome: Union[Assessment, RequisitionError, None]
                 ) -> Union[Assessment, RequisitionError]:
        """What the engine made of a text, or (None) what was known of it already."""
        if outcome is None:
            return self.known[content]
        self.known[content] = outcome
        if isinstance(outcome, Assessment):
            self.classified += 1
            self.unrecorded[content] = outcome
        return outcome

    def stored(self, assessment_id: int) -> Assessment:
        assessment = self.by_id.get(assessment_id)
        if assessment is None:
            assessment = self.by_id[assessment_id] = self.store.assessment(assessment_id)
            self.ids.setdefault(assessment, assessment_id)
        return assessment

    def _id(self, assessment: Assessment) -> int:
        assessment_id = self.ids.get(assessment)
        if assessment_id is None:
            assessment_id = self.ids[assessment] = self.writer.assessment_id(assessment)
        return assessment_id

    def commit(self, rows: list[AuditedRequisition]) -> None:
        """Write a source's rows (and what the database does not know yet) once it has been read whole."""
        for content, assessment in self.unrecorded.items():
            self.writer.add_content(content, self._id(assessment))
        self.unrecorded.clear()
        for req in rows:
            self.writer.add_requisition(req.key, req.req_id, req.fingerprint, str(req.source), req.sheet, req.row,
                                        req.title, req.team, req.opened.isoformat() if req.opened else None,
                                        self._id(req.assessment), req.own)


def _unique_keys(rows: list[AuditedRequisition], first_seen: dict[str, str]) -> list[AuditedRequisition]:
    """A Req ID seen before in this run keeps its first row; later ones get their place added, and a finding."""
    unique = []
    for req in rows:
        if req.key in first_seen:
            req = req._replace(key=f"{req.key} ({req.place})",
                               findings=req.findings + (duplicate_id(req.key, first_seen[req.key]),))
        else:
            first_seen[req.key] = req.place
        unique.append(req)
    return unique


def _one_line(error: Exception, path: Path) -> str:
    text = one_line_error(error)
    return text if str(path.name) in text else f"{path}: {text}"


UNKNOWN = "unknown"


def open_days_limit(run: Optional[RunInfo]) -> "Optional[int] | str":
    """The --max-open-days a run audited with (None: none), as its sources' reading records it;
    UNKNOWN for a run recorded before the reading held it."""
    for source in (run.sources if run else ()):
        reading = json.loads(source.reading) if source.reading else []
        if len(reading) > 3:
            return reading[3]
    return UNKNOWN


def set_aside(before: Optional[RunInfo], limit_now: "Optional[int] | str") -> tuple[frozenset[str], list[str]]:
    """The kinds of finding a comparison with run ``before`` leaves out, and the note that says so:
    with another limit on days open, 'open too long' comes and goes for every old requisition."""
    limit = open_days_limit(before)
    if before is None or UNKNOWN in (limit, limit_now) or limit == limit_now:
        return frozenset(), []
    return frozenset({OPEN_TOO_LONG}), [f"the limit on days open changed ({limit or 'none'} → {limit_now or 'none'}), "
                                        "so open too long findings new or fixed are not listed;"]


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
