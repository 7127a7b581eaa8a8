"""A verdict in brief says what the full Verdict says, and annotate and audit read only the brief."""
from __future__ import annotations

import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from samples import CLEAR, GERMAN, UNICORN
from whichrole import Classifier, load_rulebook
from whichrole.integrations.audit import run as audit_run
from whichrole.integrations.audit.findings import Assessment, assess
from whichrole.integrations.audit.run import AuditOptions, run_audit
from whichrole.integrations.excel.annotate import annotate
from whichrole.integrations.excel.verdictrow import VerdictRow
from whichrole.model import MAX_TEXT_CHARS, Requisition
from whichrole.verdict import BRIEF_FIELDS, Brief

BOOK = load_rulebook()
SAMPLES = [*CLEAR.values(), UNICORN, GERMAN]
SENTENCES = sorted({s.strip() for _, text in SAMPLES for s in text.split(".") if s.strip()})
TITLES = sorted({title for title, _ in SAMPLES} | {"Data Scientist", "ML Engineer", "Datenwissenschaftlerin"})
# Words that change how a sentence reads: negated, given to another team, a nice-to-have.
READINGS = ["", "You will not ", "Our platform team will ", "Exposure to this is a plus: ", "No need to "]

HAND_WRITTEN = [
    *({"title": title, "description": text} for title, text in SAMPLES),
    *({"description": text} for _, text in SAMPLES),
    {"title": "Data Scientist"},
    {"title": "Data Scientist", "description": "We need someone great for our data team."},
    {"primary_output": "insight", "failure_mode": "misleading_analysis", "level": "principal"},
    {"title": "Research Scientist", "mix": "60/30/5/5", "org_archetype": "frontier_lab"},
    {"title": "ML Engineer", "description": CLEAR["ml_engineer"][1] + " " + "x " * MAX_TEXT_CHARS},  # read in part
    {"title": "Ingénieur(e) données", "description": "Nous cherchons une personne pour construire nos pipelines "
     "de données et notre entrepôt de données avec dbt et Airflow, et pour garantir la qualité des données."},
]


@st.composite
def requisitions(draw) -> dict:
    sentences = draw(st.lists(st.tuples(st.sampled_from(READINGS), st.sampled_from(SENTENCES)), max_size=8))
    value = {"title": draw(st.none() | st.sampled_from(TITLES)),
             "description": ". ".join(reading + sentence for reading, sentence in sentences) or None}
    for field, table in BOOK.lexicon.fields.items():
        if draw(st.integers(0, 5)) == 0:
            value[field] = draw(st.sampled_from(sorted(table)))
    if draw(st.integers(0, 5)) == 0:
        value["mix"] = draw(st.sampled_from(["60/30/5/5", "20/40/20/20", "5/30/50/15", "25/25/25/25"]))
    if not (value["title"] or value["description"] or value.get("mix") or any(
            value.get(field) for field in ("primary_output", "work_location", "failure_mode"))):
        value["title"] = TITLES[0]  # a requisition says something
    return value


def same_reading(requisition: Requisition, durable: Classifier, reference: Classifier) -> None:
    """The brief one engine makes reads as the whole verdict the other makes: each field the brief
    gives, and what annotate, audit and a reader take from it."""
    brief, verdict = durable.brief(requisition), reference.classify(requisition)
    for name in BRIEF_FIELDS:
        if name != "engine":
            assert getattr(brief, name) == getattr(verdict, name), name
    assert (brief.label, brief.top_reasons, brief.cells()) == (verdict.label, verdict.top_reasons, verdict.cells())
    assert VerdictRow.of(requisition, brief) == VerdictRow.of(requisition, verdict)
    assert Assessment.of(brief) == Assessment.of(verdict)


@pytest.mark.parametrize("value", HAND_WRITTEN)
def test_a_brief_says_what_its_verdict_says(durable, reference, value):
    same_reading(Requisition.build(value), durable, reference)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=requisitions())
def test_generated_briefs_say_what_their_verdicts_say(durable, reference, value):
    same_reading(Requisition.build(value), durable, reference)


def test_what_only_a_rendered_verdict_shows_is_added_by_it(durable):
    brief = durable.brief(Requisition(title="Research Engineer", description=CLEAR["research_engineer"][1]))
    verdict = brief.verdict()
    assert verdict.why_not is not None and verdict.why_not.rules and verdict.continuum is not None
    assert list(verdict.signals) == sorted(brief.facts) and verdict.rulebook_version == BOOK.version
    assert not {"why_not", "continuum", "signals"} & set(Brief.__dataclass_fields__)


def workbook(path, rows: list[dict]):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Reqs"
    sheet.append(["Req ID", "Status", "Title", "Description", "Primary output", "Activity mix"])
    for i, row in enumerate(rows):
        sheet.append([f"R{i}", "Open", row.get("title"), row.get("description"), row.get("primary_output"),
                      row.get("mix")])
    book.save(path)
    return path


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows_to_read() -> list[dict]:
    values = [v for v in HAND_WRITTEN if len(v.get("description") or "") < MAX_TEXT_CHARS]
    return [*values, *({**v, "title": t} for v in values for t in ("Data Scientist", "AI Engineer"))]


@pytest.fixture
def full_verdicts_only(monkeypatch):
    """Brief.verdict() counted; and the integrations handed the full Verdict instead of the brief."""
    built = []
    make = Brief.verdict

    def counted(brief):
        built.append(brief)
        return make(brief)

    def handed_the_verdict(keep):
        return lambda requisition, brief: keep(requisition, brief.verdict())

    monkeypatch.setattr(Brief, "verdict", counted)
    yield built, handed_the_verdict


def test_annotate_reads_only_briefs_and_writes_what_full_verdicts_write(tmp_path, monkeypatch, full_verdicts_only):
    built, handed_the_verdict = full_verdicts_only
    book = workbook(tmp_path / "reqs.xlsx", rows_to_read())
    light = annotate(book, out=tmp_path / "light.xlsx", workers=0)
    assert light.tally.annotated == len(rows_to_read()) and built == []
    monkeypatch.setattr(VerdictRow, "of", handed_the_verdict(VerdictRow.of))
    full = annotate(book, out=tmp_path / "full.xlsx", workers=0)
    assert len(built) == full.tally.annotated
    light_parts, full_parts = parts(light.output), parts(full.output)
    summary = "xl/worksheets/sheet2.xml"  # it records the run time
    assert summary in light_parts and light_parts.keys() == full_parts.keys()
    assert {k: v for k, v in light_parts.items() if k != summary} == \
        {k: v for k, v in full_parts.items() if k != summary}


def test_audit_reads_only_briefs_and_assesses_as_full_verdicts_do(tmp_path, monkeypatch, full_verdicts_only):
    built, handed_the_verdict = full_verdicts_only
    book = workbook(tmp_path / "reqs.xlsx", rows_to_read())

    def audited(name: str) -> list:
        result = run_audit(AuditOptions(sources=[book], database=tmp_path / f"{name}.sqlite3"))
        return [(req.key, req.assessment, req.findings) for req in result.requisitions]

    light = audited("light")
    assert len(light) == len(rows_to_read()) and built == []
    monkeypatch.setattr(audit_run, "assess", handed_the_verdict(assess))
    full = audited("full")
    assert built  # once for each text
    assert full == light


def test_a_verdict_owns_its_fields(durable):
    """Decisions and the catalogue's lists are shared between briefs; a Verdict's reader may change its own."""
    value = {"title": "Data Engineer", "description": CLEAR["data_engineer"][1]}
    first = durable.classify(value)
    first.scores.clear()
    first.interview_focus.append("changed by its reader")
    again = durable.classify(value)
    assert again.scores["data_engineer"] > 0 and "changed by its reader" not in again.interview_focus
