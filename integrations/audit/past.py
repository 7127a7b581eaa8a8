"""Past runs read back from the history: a run's report again, and what changed between two runs.

A run keeps every requisition it audited with its assessment and its own findings (dates,
identity), and every source with what reading it gave; that is all a report is made of, so a
past run's report reads as it did, less two things the history does not keep: which source was
taken over unchanged from an earlier run, and the rows that could not be read (it keeps their
count).
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from .changes import Changes
from .findings import own_finding
from .run import AuditedRequisition, AuditResult, changes_since, open_days_limit
from .sources import Reading
from .store import AuditStore, RunInfo


def run_of(store: AuditStore, run_id: int) -> RunInfo:
    run = store.run(run_id)
    if run is None:
        raise ValueError(f"{store.path}: no run {run_id} (whichrole audit history lists the runs)")
    return run


def past_result(store: AuditStore, run_id: int) -> AuditResult:
    """Run ``run_id`` as its report showed it, compared with the run over the same sources before it."""
    run = run_of(store, run_id)
    since = store.latest(run.scope, before=run.id)
    own = store.own_findings(run.id)
    assessments: dict = {}
    requisitions = []
    for row in store.rows(run.id):
        if row.assessment not in assessments:
            assessments[row.assessment] = store.assessment(row.assessment)
        assessment = assessments[row.assessment]
        requisitions.append(AuditedRequisition(
            key=row.key, req_id=row.req_id, fingerprint=row.fingerprint or "", source=Path(row.source),
            sheet=row.sheet, row=row.row, title=row.title, team=row.team,
            opened=date.fromisoformat(row.opened) if row.opened else None, assessment=assessment,
            findings=assessment.findings + tuple(own_finding(*found) for found in own.get(row.key, ()))))
    readings = [Reading(path=Path(s.path), sha256=s.sha256, bytes=s.bytes, rows=s.rows, audited=s.audited,
                        problem_count=s.problems, note=s.note, error=s.error) for s in run.sources]
    return AuditResult(run_id=run.id, database=store.path, started=_moment(run.started),
                       finished=_moment(run.finished or run.started), rulebook=run.rulebook, readings=readings,
                       requisitions=requisitions, changes=changes_between(store, since, run) if since else Changes(),
                       classified=0)


def changes_between(store: AuditStore, before: RunInfo, after: RunInfo) -> Changes:
    """What changed from run ``before`` to run ``after``, as the later run's report says it."""
    now = {row.key: row for row in store.rows(after.id)}
    return changes_since(store, after.scope, before, store.rows(before.id), now,
                         [s.path for s in after.sources if s.error], open_days_limit(after))


def _moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)
