"""A requisition's fields, each declared once: what a person is shown and asked, and what a sheet may
call it.

The model (``model.Requisition``), the Excel columns and template, and the Slack command and form
all read this table, so a field added here is known to each of them; the model declares each
field's Python type, and a test holds it to this table's names, order and kinds.
"""
from __future__ import annotations

from dataclasses import dataclass

MIX_PARTS = ("research", "modeling", "engineering", "product")

# What a field holds, which says how it is typed in, shown and read back.
TEXT = "text"
LONG_TEXT = "long text"   # a posting: a multi-line box in a form
DATE = "date"
MIX = "mix"               # the activity mix, "20/40/20/20"
LIST = "list"             # several short texts, separated by ';'


@dataclass(frozen=True)
class RequisitionField:
    name: str
    # The column header the template writes, and the field's name wherever a person reads it.
    label: str
    kind: str
    # One sentence on what to put in it: the template's instructions and its cells' prompt.
    help: str
    # Other headers a sheet may give it, compared as columns.normalise() spells them.
    headers: tuple[str, ...] = ()
    # The values to pick from are the rulebook lexicon's ``fields`` table for it (Lexicon.choices).
    from_lexicon: bool = False
    # Or a fixed list of values to pick from.
    values: tuple[str, ...] = ()
    # Asked for in Slack (the /whichrole command's fields and the form). The fields that only
    # keep a requisition's record (its id, its status) are not: they say nothing of the work.
    asked: bool = True
    # The form's label when it asks more plainly than the label does.
    question: str = ""
    # An example shown in the form's empty box.
    example: str = ""
    # The shorter name the /whichrole command also takes (output=insight); the name always works.
    short: str = ""
    # Given alone, it is enough to classify: a requisition needs one of these.
    suffices: bool = False
    # The template column's width, in characters.
    width: int = 18

    @property
    def asked_as(self) -> str:
        return self.question or self.label

    @property
    def key(self) -> str:
        """What the /whichrole command's usage calls it."""
        return self.short or self.name


FIELDS = (
    RequisitionField(
        "id", "Req ID", TEXT, "Your requisition number, as in the ATS.",
        headers=("Requisition ID", "Req", "Req No", "Requisition", "Requisition Number", "Job ID", "Job Req ID",
                 "ID"),
        asked=False, width=10),
    RequisitionField(
        "title", "Title", TEXT, "The title as posted. The verdict checks it against the work described.",
        headers=("Job Title", "Position", "Position Title", "Role", "Role Title", "Job"),
        example="e.g. Senior Data Scientist", suffices=True, width=30),
    RequisitionField(
        "description", "Description", LONG_TEXT,
        "The posting, or what the hiring manager says the person will do. The more concrete, the better.",
        headers=("Job Description", "JD", "Posting", "Job Posting", "Role Description", "Details"),
        question="What the person will do", example="Paste the posting, or describe the work", suffices=True, width=70),
    RequisitionField(
        "team", "Team", TEXT, "The hiring team.", headers=("Department", "Dept", "Group"), asked=False),
    RequisitionField(
        "level", "Level", TEXT, "Seniority.", headers=("Seniority", "Grade", "Job Level"), from_lexicon=True, width=10),
    RequisitionField(
        "status", "Status", TEXT, "Where the requisition stands.", headers=("Req Status", "Requisition Status"),
        values=("Open", "On hold", "Draft", "Filled", "Cancelled"), asked=False, width=11),
    RequisitionField(
        "opened", "Opened", DATE, "The date it opened.",
        headers=("Open Date", "Date Opened", "Opened On", "Created", "Created On"), asked=False, width=12),
    RequisitionField(
        "org_archetype", "Org archetype", TEXT, "What kind of organisation hires: it shifts which roles are likely.",
        headers=("Organisation archetype", "Organization archetype", "Org type", "Company type"),
        from_lexicon=True, question="Organisation", short="org"),
    RequisitionField(
        "primary_output", "Primary output", TEXT,
        "What the work produces: analysis and decisions, models, AI features, data platforms...",
        headers=("Output",), from_lexicon=True, short="output", suffices=True),
    RequisitionField(
        "work_location", "Where the work lives", TEXT,
        "Where the work lives: notebooks, training and serving, LLM APIs, pipelines...",
        headers=("Work location", "Where the work happens"), from_lexicon=True, short="where", suffices=True, width=20),
    RequisitionField(
        "failure_mode", "Failure mode", TEXT,
        "What failure would look like: a misleading analysis, a degrading model, an unreliable LLM feature...",
        headers=("What failure looks like", "Failure"), from_lexicon=True, question="What failure looks like",
        short="failure", suffices=True, width=20),
    RequisitionField(
        "mix", "Activity mix", MIX, f"Share of time on {'/'.join(MIX_PARTS)} in percent, e.g. 20/40/20/20.",
        headers=("Mix", "Time split"),
        question=f"Time split: {' / '.join(MIX_PARTS)} (%)", example="e.g. 20/40/20/20", suffices=True, width=14),
    RequisitionField(
        "outcomes", "Outcomes", LIST,
        "Three specific things the person will own in six months, separated by semicolons.",
        headers=("Outcomes in six months", "Six month outcomes", "First six months", "Three outcomes"),
        question="Owned in the first six months", suffices=True, width=40),
)

FIELD = {field.name: field for field in FIELDS}
