"""The audit history: an SQLite file holding every run, its sources, and what it found.

One run is one transaction: a run that is killed or fails leaves the file as it was before
it started. The schema's version is SQLite's ``user_version``; MIGRATIONS[n] (SQL statements, or
functions of the connection) takes a file from version n to n + 1, so an older file is brought
up to date when it is opened, and a file written by a newer whichrole is refused rather than
misread.

Assessments (the verdict in short) are stored once per distinct value and rulebook, and
each requisition text is mapped to its assessment, so that a text met before is never
classified again under the same rules.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple, Optional

import platformdirs

from .findings import Assessment, AuditFinding


def _name_roles_alone(db: sqlite3.Connection) -> None:
    """Schema 2 labelled a role with a flavour by both, 'Data Scientist (analytical)'; a label is now the
    role's one name, as the annotated workbook gives it (the flavour is no other role). Renamed in place, an
    old history does not report every such requisition as re-classified, nor show the old label again when
    its assessments are reused. An assessment's digest stays that of its old label, so an equal one made
    now is stored beside it rather than found."""
    from whichrole.rulebook import load_rulebook

    db.executemany("UPDATE assessments SET label = ? WHERE role = ? AND label = ?",
                   [(role.name, role_id, f"{role.name} ({flavour})")
                    for role_id, role in load_rulebook().roles.items() for flavour in role.flavours.values()])


MIGRATIONS: list[list["str | Callable[[sqlite3.Connection], None]"]] = [
    [
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started TEXT NOT NULL,
            finished TEXT,
            scope TEXT NOT NULL,          -- JSON list of the sources asked for, resolved
            rulebook TEXT NOT NULL,
            whichrole TEXT NOT NULL,
            requisitions INTEGER NOT NULL DEFAULT 0,
            findings INTEGER NOT NULL DEFAULT 0,
            failed_sources INTEGER NOT NULL DEFAULT 0)""",
        "CREATE INDEX runs_by_scope ON runs (scope, id)",
        """CREATE TABLE run_sources (
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            sha256 TEXT,
            bytes INTEGER,
            rows INTEGER NOT NULL DEFAULT 0,
            audited INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            PRIMARY KEY (run_id, path))""",
        """CREATE TABLE assessments (
            id INTEGER PRIMARY KEY,
            content TEXT NOT NULL,        -- hash of what the classification reads
            rulebook TEXT NOT NULL,
            role TEXT,
            label TEXT NOT NULL,
            confidence REAL NOT NULL,
            title_check TEXT NOT NULL,
            detail TEXT NOT NULL,         -- JSON: runner-up, reasons, questions, findings
            UNIQUE (content, rulebook))""",
        """CREATE TABLE requisitions (
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            source TEXT NOT NULL,
            sheet TEXT,
            row INTEGER NOT NULL,
            title TEXT,
            team TEXT,
            opened TEXT,
            assessment INTEGER NOT NULL REFERENCES assessments (id),
            PRIMARY KEY (run_id, key))""",
        """CREATE TABLE findings (     -- since schema 2: only those a requisition has besides its assessment's
            run_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            kind TEXT NOT NULL,
            severity TEXT NOT NULL,
            text TEXT NOT NULL,
            FOREIGN KEY (run_id, key) REFERENCES requisitions (run_id, key) ON DELETE CASCADE)""",
        "CREATE INDEX findings_by_run ON findings (run_id, key)",
    ],
    [
        # Equal assessments are stored once (many texts read alike), reached from each text
        # through `contents`; unchanged rows are recognised by the fingerprint of their cells;
        # `findings` keeps only what a requisition has besides its assessment's findings.
        """CREATE TABLE assessments_2 (
            id INTEGER PRIMARY KEY,
            rulebook TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE,  -- of all the columns below
            role TEXT,
            label TEXT NOT NULL,
            confidence REAL NOT NULL,
            title_check TEXT NOT NULL,
            detail TEXT NOT NULL)         -- JSON: runner-up, reasons, questions, findings""",
        "INSERT INTO assessments_2 SELECT id, rulebook, 'schema-1:' || id, role, label, confidence, title_check, "
        "detail FROM assessments",
        """CREATE TABLE contents (
            content TEXT NOT NULL,        -- hash of what the classification reads
            rulebook TEXT NOT NULL,
            assessment INTEGER NOT NULL REFERENCES assessments (id),
            PRIMARY KEY (content, rulebook)) WITHOUT ROWID""",
        "INSERT INTO contents SELECT content, rulebook, id FROM assessments",
        "DROP TABLE assessments",
        "ALTER TABLE assessments_2 RENAME TO assessments",
        "ALTER TABLE requisitions ADD COLUMN req_id TEXT",
        "ALTER TABLE requisitions ADD COLUMN fingerprint TEXT",
        "ALTER TABLE run_sources ADD COLUMN reading TEXT",   # JSON: open values, --map, --sheet
        "ALTER TABLE run_sources ADD COLUMN note TEXT",
        "ALTER TABLE run_sources ADD COLUMN problems INTEGER NOT NULL DEFAULT 0",
    ],
    [
        _name_roles_alone,
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)

# Rows are written in batches; the transaction still spans the whole run.
BATCH = 2000


class StoreError(ValueError):
    """The history file cannot be used; the message is one line and names the file."""

    exit_code = 3   # neither 1 (findings) nor 2 (a source or an option): the history needs a person


def damaged(path: Path, error: sqlite3.DatabaseError) -> StoreError:
    return StoreError(f"{path}: the audit history is damaged ({error}); restore it from a backup, or move it "
                      "aside and audit again to start a new history")


def is_damage(error: BaseException) -> bool:
    """SQLite's 'malformed' and 'not a database' errors, not a locked or full disk (OperationalError)
    nor a constraint (IntegrityError), which say nothing of the file."""
    return type(error) is sqlite3.DatabaseError


def digest(data: bytes) -> str:
    """A short, stable name for stored content (SHA-256 runs in hardware on most machines)."""
    return hashlib.sha256(data).hexdigest()[:32]


def default_database() -> Path:
    return platformdirs.user_data_path("whichrole") / "audit.sqlite3"


@dataclass(frozen=True)
class SourceRecord:
    path: str
    sha256: Optional[str]
    bytes: Optional[int]
    rows: int
    audited: int
    error: Optional[str]
    reading: Optional[str] = None     # how it was read: open values, --map, --sheet
    note: Optional[str] = None
    problems: int = 0                 # rows that could not be read


@dataclass(frozen=True)
class RunInfo:
    id: int
    started: str
    finished: str
    scope: list[str]
    rulebook: str
    whichrole: str
    requisitions: int
    findings: int
    failed_sources: int
    sources: list[SourceRecord]


class PastRow(NamedTuple):   # a tuple: a run holds a hundred thousand of them
    """A requisition recorded by a past run: what change detection compares, and enough to take it
    over when its row has not changed."""

    key: str
    req_id: Optional[str]
    fingerprint: Optional[str]
    source: str
    sheet: Optional[str]
    row: int
    title: Optional[str]
    team: Optional[str]
    opened: Optional[str]
    assessment: int
    label: str
    kinds: frozenset[str]


class AuditStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder; --db takes a file")
        if self.path.exists() and self.path.stat().st_size == 0:   # SQLite would take it for a new database
            raise StoreError(f"{self.path}: an empty file, not an audit history; delete it to start a new "
                             "history, or give --db another file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: cannot open the audit history ({error})") from None
        try:
            # Whose file it is is asked before anything in it is changed (the journal mode is).
            self._check_version()
            self.db.execute("PRAGMA journal_mode = WAL")  # `audit history` can read while an audit writes
            self._migrate()
        except BaseException as error:
            self.db.close()
            if not isinstance(error, sqlite3.DatabaseError):
                raise
            if is_damage(error) and "not a database" not in str(error):
                raise damaged(self.path, error) from None
            raise StoreError(f"{self.path}: not a usable audit history ({error})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "AuditStore":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.close()
        if is_damage(error):    # met while reading or writing: the pages it read are damaged
            raise damaged(self.path, error) from None

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        if self._check_version() == SCHEMA_VERSION:
            self.db.execute("PRAGMA foreign_keys = ON")
            return
        # Some migrations rebuild tables: foreign keys are checked once, at the end.
        self.db.execute("PRAGMA foreign_keys = OFF")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for number in range(self._check_version(), SCHEMA_VERSION):   # again: another process may have
                for statement in MIGRATIONS[number]:                         # migrated it in the meantime
                    statement(self.db) if callable(statement) else self.db.execute(statement)
            if self.db.execute("PRAGMA foreign_key_check").fetchone():
                raise StoreError(f"{self.path}: inconsistent after migrating to schema {SCHEMA_VERSION}; "
                                 "left as it was")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        finally:
            self.db.execute("PRAGMA foreign_keys = ON")

    def _check_version(self) -> int:
        version = self.version
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: written by a newer whichrole (schema {version}; "
                             f"this one knows up to {SCHEMA_VERSION})")
        if version == 0 and self.db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]:
            raise StoreError(f"{self.path}: an SQLite file, but not a whichrole audit history")
        return version

    # ---------------------------------------------------------------- reading

    def history(self, limit: Optional[int] = None) -> list[RunInfo]:
        """Runs, newest first."""
        rows = self.db.execute("SELECT id, started, finished, scope, rulebook, whichrole, requisitions, findings, "
                               "failed_sources FROM runs ORDER BY id DESC LIMIT ?", (limit or -1,)).fetchall()
        return [self._run_info(row) for row in rows]

    def run(self, run_id: int) -> Optional[RunInfo]:
        row = self.db.execute("SELECT id, started, finished, scope, rulebook, whichrole, requisitions, findings, "
                              "failed_sources FROM runs WHERE id = ?", (run_id,)).fetchone()
        return self._run_info(row) if row else None

    def _run_info(self, row: tuple) -> RunInfo:
        sources = [SourceRecord(*s) for s in self.db.execute(
            "SELECT path, sha256, bytes, rows, audited, error, reading, note, problems FROM run_sources "
            "WHERE run_id = ? ORDER BY rowid", (row[0],))]
        return RunInfo(id=row[0], started=row[1], finished=row[2], scope=json.loads(row[3]), rulebook=row[4],
                       whichrole=row[5], requisitions=row[6], findings=row[7], failed_sources=row[8], sources=sources)

    def latest(self, scope: list[str], before: Optional[int] = None) -> Optional[RunInfo]:
        """The last run over the same sources (before run ``before``): the one a new run is compared with."""
        row = self.db.execute("SELECT id FROM runs WHERE scope = ? AND id < ? ORDER BY id DESC LIMIT 1",
                              (json.dumps(scope), before if before is not None else 2 ** 62)).fetchone()
        return self.run(row[0]) if row else None

    def own_findings(self, run_id: int) -> dict[str, list[tuple[str, str, str]]]:
        """Key -> (kind, severity, text) of each finding a run's requisition had besides its assessment's."""
        found: dict[str, list[tuple[str, str, str]]] = {}
        for key, kind, severity, text in self.db.execute(
                "SELECT key, kind, severity, text FROM findings WHERE run_id = ? ORDER BY rowid", (run_id,)):
            found.setdefault(key, []).append((kind, severity, text))
        return found

    def last_read(self, scope: list[str], path: str, before: int) -> list[PastRow]:
        """The requisitions of the source ``path`` as the last run over ``scope`` before run
        ``before`` that could read it recorded them (none, if no run could)."""
        row = self.db.execute(
            "SELECT runs.id FROM runs JOIN run_sources ON run_sources.run_id = runs.id WHERE runs.scope = ? "
            "AND runs.id < ? AND run_sources.path = ? AND run_sources.error IS NULL ORDER BY runs.id DESC LIMIT 1",
            (json.dumps(scope), before, path)).fetchone()
        return [past for past in self.rows(row[0]) if past.source == path] if row else []

    def rows(self, run_id: int) -> list[PastRow]:
        """A run's requisitions, with the kinds of all their findings (their assessment's and their own)."""
        assessments = {}
        for assessment_id, label, detail in self.db.execute(
                "SELECT id, label, detail FROM assessments WHERE id IN "
                "(SELECT DISTINCT assessment FROM requisitions WHERE run_id = ?)", (run_id,)):
            assessments[assessment_id] = (label, frozenset(f["kind"] for f in json.loads(detail)["findings"]))
        own: dict[str, set[str]] = {}
        for key, kind in self.db.execute("SELECT key, kind FROM findings WHERE run_id = ?", (run_id,)):
            own.setdefault(key, set()).add(kind)
        rows = []
        for row in self.db.execute("SELECT key, req_id, fingerprint, source, sheet, row, title, team, opened, "
                                   "assessment FROM requisitions WHERE run_id = ? ORDER BY rowid", (run_id,)):
            label, kinds = assessments[row[9]]
            rows.append(PastRow._make((*row, label, kinds | own[row[0]] if row[0] in own else kinds)))
        return rows

    def assessments_of_run(self, run_id: int, rulebook: str) -> dict[int, Assessment]:
        """Every assessment a run used, if made by ``rulebook``."""
        return {row[0]: Assessment.from_row(*row[1:]) for row in self.db.execute(
            "SELECT id, role, label, confidence, title_check, detail FROM assessments WHERE rulebook = ? AND id IN "
            "(SELECT DISTINCT assessment FROM requisitions WHERE run_id = ?)", (rulebook, run_id))}

    def assessment_of(self, content: str, rulebook: str) -> Optional[int]:
        """The assessment a requisition text was given under ``rulebook``, if it was ever met."""
        row = self.db.execute("SELECT assessment FROM contents WHERE content = ? AND rulebook = ?",
                              (content, rulebook)).fetchone()
        return row[0] if row else None

    def assessment(self, assessment_id: int) -> Assessment:
        row = self.db.execute("SELECT role, label, confidence, title_check, detail FROM assessments WHERE id = ?",
                              (assessment_id,)).fetchone()
        return Assessment.from_row(*row)

    # ---------------------------------------------------------------- pruning

    def prune(self, keep: int) -> list[int]:
        """Delete every run but the last ``keep`` over each set of sources (a run is compared with
        the last one over the same sources, so each keeps at least that); the ids deleted.

        Assessments stay, with the texts they were made for: a text met before is still not
        classified again. The file shrinks to what is left (VACUUM).
        """
        if keep < 1:
            raise ValueError("--keep: at least 1 run of each set of sources (the next audit is compared with it)")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            doomed = [row[0] for row in self.db.execute(
                "SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY scope ORDER BY id DESC) AS newer "
                "FROM runs) WHERE newer > ? ORDER BY id", (keep,))]
            for table in ("findings", "requisitions", "run_sources"):
                self.db.executemany(f"DELETE FROM {table} WHERE run_id = ?", ((run_id,) for run_id in doomed))
            self.db.executemany("DELETE FROM runs WHERE id = ?", ((run_id,) for run_id in doomed))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        if doomed:
            self.db.execute("VACUUM")
        return doomed

    # ---------------------------------------------------------------- writing

    @contextmanager
    def recording(self, scope: list[str], rulebook: str, whichrole: str, started: str) -> Iterator["RunWriter"]:
        """A run being written: committed when the block ends, rolled back if it raises."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            run_id = self.db.execute("INSERT INTO runs (started, scope, rulebook, whichrole) VALUES (?, ?, ?, ?)",
                                     (started, json.dumps(scope), rulebook, whichrole)).lastrowid
            writer = RunWriter(self.db, run_id, rulebook)
            yield writer
            writer.flush()
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise


class RunWriter:
    def __init__(self, db: sqlite3.Connection, run_id: int, rulebook: str):
        self.db = db
        self.run_id = run_id
        self.rulebook = rulebook
        self._requisitions: list[tuple] = []
        self._findings: list[tuple] = []

    def assessment_id(self, assessment: Assessment) -> int:
        """The id of an equal assessment made by this rulebook, stored now if there is none."""
        detail = assessment.detail_json()
        name = digest(json.dumps([self.rulebook, assessment.role, assessment.label, assessment.confidence,
                                  assessment.title_check, detail]).encode())
        row = self.db.execute("SELECT id FROM assessments WHERE digest = ?", (name,)).fetchone()
        if row:
            return row[0]
        return self.db.execute(
            "INSERT INTO assessments (rulebook, digest, role, label, confidence, title_check, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (self.rulebook, name, assessment.role, assessment.label,
                                             assessment.confidence, assessment.title_check, detail)).lastrowid

    def add_content(self, content: str, assessment_id: int) -> None:
        self.db.execute("INSERT OR IGNORE INTO contents (content, rulebook, assessment) VALUES (?, ?, ?)",
                        (content, self.rulebook, assessment_id))

    def add_requisition(self, key: str, req_id: Optional[str], fingerprint: str, source: str,
                        sheet: Optional[str], row: int, title: Optional[str], team: Optional[str],
                        opened: Optional[str], assessment: int, own: Iterable[AuditFinding]) -> None:
        """``own``: the requisition's findings besides its assessment's (those are the assessment's to keep)."""
        self._requisitions.append((self.run_id, key, source, sheet, row, title, team, opened, assessment,
                                   req_id, fingerprint))
        self._findings.extend((self.run_id, key, f.kind, f.severity, f.text) for f in own)
        if len(self._requisitions) >= BATCH:
            self.flush()

    def add_source(self, record: SourceRecord) -> None:
        self.db.execute("INSERT INTO run_sources (run_id, path, sha256, bytes, rows, audited, error, reading, note, "
                        "problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (self.run_id, record.path, record.sha256, record.bytes, record.rows, record.audited,
                         record.error, record.reading, record.note, record.problems))

    def flush(self) -> None:
        self.db.executemany("INSERT INTO requisitions (run_id, key, source, sheet, row, title, team, opened, "
                            "assessment, req_id, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            self._requisitions)
        self.db.executemany("INSERT INTO findings (run_id, key, kind, severity, text) VALUES (?, ?, ?, ?, ?)",
                            self._findings)
        self._requisitions.clear()
        self._findings.clear()

    def finish(self, finished: str, requisitions: int, findings: int, failed_sources: int) -> None:
        self.flush()
        self.db.execute("UPDATE runs SET finished = ?, requisitions = ?, findings = ?, failed_sources = ? "
                        "WHERE id = ?", (finished, requisitions, findings, failed_sources, self.run_id))
