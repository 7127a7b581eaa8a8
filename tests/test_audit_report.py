"""The audit's reports: the workbook read back, the Markdown, and the Slack post to a Web API on 127.0.0.1."""
from __future__ import annotations

import json

import openpyxl
import pytest

from slack_fake import Call, FakeSlack
from test_audit import audit, cli, sample_rows, write_xlsx
from whichrole.integrations.audit.markdown import render
from whichrole.integrations.audit.slack import summary_blocks
from whichrole.integrations.audit.workbook import write_workbook

TOKEN = "xoxb-2222222222-3333333333-auditAUDITaudit0000"


@pytest.fixture
def result(tmp_path):
    reqs = write_xlsx(tmp_path / "reqs.xlsx", sample_rows())
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook")
    return audit(tmp_path, reqs, broken)


def test_the_workbook_has_findings_with_filters_and_links_and_a_summary_chart(tmp_path, result):
    path = tmp_path / "audit.xlsx"
    write_workbook(result, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Findings", "Requisitions", "Changes"]

    findings = book["Findings"]
    total = sum(len(r.findings) for r in result.requisitions)
    assert findings.max_row == total + 1
    assert findings.auto_filter.ref == f"A1:L{total + 1}"
    assert findings.freeze_panes == "A2"
    header = [c.value for c in findings[1]]
    assert header[:5] == ["Severity", "Finding", "Req ID", "Title", "Recommended"]
    severities = [findings.cell(row, 1).value for row in range(2, total + 2)]
    order = ["high", "medium", "low", "info"]
    assert severities == sorted(severities, key=order.index)     # most severe first
    mismatch = next(row for row in findings.iter_rows(min_row=2) if row[1].value == "Title mismatch")
    assert mismatch[2].value == "R-101" and mismatch[4].value == "ML Engineer"
    assert mismatch[7].value and mismatch[8].value                # the rationale and the rule's source
    assert mismatch[11].value == "reqs.xlsx, sheet 'Open reqs', row 5"   # where it is in its source, in words

    requisitions = book["Requisitions"]
    assert requisitions.max_row == len(result.requisitions) + 1
    assert requisitions.auto_filter.ref == f"A1:M{len(result.requisitions) + 1}"
    target = mismatch[2].hyperlink.location                        # the Req ID links to its requisition
    row = int(target.rsplit("A", 1)[1])
    assert target.startswith("'Requisitions'!") and requisitions.cell(row, 1).value == "R-101"
    assert requisitions.cell(row, 3).value == "ML Engineer"
    assert "Title mismatch (medium)" in requisitions.cell(row, 8).value
    assert requisitions.cell(row, 10).is_date and requisitions.cell(row, 10).number_format == "yyyy-mm-dd"
    assert mismatch[10].is_date

    summary = book["Summary"]
    assert len(summary._charts) == 1
    cells = {row[0].value: row[1].value for row in summary.iter_rows() if row[0].value}
    assert cells["high"] == result.severity_counts()["high"]
    assert cells["Title mismatch"] == "medium"
    failed = [row for row in summary.iter_rows(values_only=True) if row[0] and str(row[0]).endswith("broken.xlsx")]
    assert failed and failed[0][4].startswith("failed:")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_markdown_summary(result):
    text = render(result)
    assert text.startswith("# Requisition audit, ")
    for heading in ("## Sources", "## What changed", "## Findings by kind", "## To look at first"):
        assert heading in text
    assert "**failed**" in text and "not a readable workbook" in text
    assert "First audit of these sources" in text
    assert "| Title mismatch | medium |" in text
    conflated = next(line for line in text.splitlines() if line.startswith("| R-102 |"))
    assert "Conflated (high)" in conflated
    first = text.split("## To look at first")[1].splitlines()[4]
    assert "(high)" in first                              # the most severe come first
    assert "reqs.xlsx Open reqs!13: mix" in text          # the row that could not be read


def test_slack_blocks_stay_within_limits(tmp_path):
    many = [["R-%d" % n, "Data Scientist", "T", "Open", None, None, "Great team. " * (n % 7 + 1) + "x" * 3000]
            for n in range(200)]
    result = audit(tmp_path, write_xlsx(tmp_path / "many.xlsx", many))
    blocks = summary_blocks(result)
    assert len(blocks) <= 50
    assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) <= 150
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000


@pytest.fixture
def slack(monkeypatch):
    fake = FakeSlack()
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    yield fake
    fake.close()


def sent(fake: FakeSlack, path: str) -> Call:
    calls = fake.to(path)
    assert calls, f"nothing sent to {path}"
    return calls[0]


def test_the_summary_and_the_workbook_are_posted_to_slack(tmp_path, slack, capsys):
    reqs = write_xlsx(tmp_path / "reqs.xlsx", sample_rows())
    code = cli("audit", reqs, "--db", tmp_path / "h.sqlite3", "--slack-channel", "C0AUDIT01", "--fail-on", "never")
    assert code == 0, capsys.readouterr().err
    call = sent(slack, "/api/chat.postMessage")
    posted = call.body
    assert posted["channel"] == "C0AUDIT01"
    assert call.headers["Authorization"] == f"Bearer {TOKEN}"
    blocks = json.loads(posted["blocks"]) if isinstance(posted["blocks"], str) else posted["blocks"]
    text = json.dumps(blocks)
    assert blocks[0]["text"]["text"].startswith("Requisition audit: 7 open")
    assert "To look at first" in text and "R-101" in text and "What changed" in text

    asked = sent(slack, "/api/files.getUploadURLExternal").body
    assert asked["filename"].endswith(".xlsx")
    uploaded = sent(slack, "/upload/F0UPLOAD").raw
    assert uploaded[:2] == b"PK" and int(asked["length"]) == len(uploaded)
    workbook = tmp_path / "uploaded.xlsx"
    workbook.write_bytes(uploaded)
    assert openpyxl.load_workbook(workbook).sheetnames[0] == "Summary"
    completed = sent(slack, "/api/files.completeUploadExternal").body
    assert completed["channel_id"] == "C0AUDIT01"
    assert completed["thread_ts"] == "1700000000.000100"      # the workbook goes in the summary's thread
    assert TOKEN not in capsys.readouterr().out


def test_a_slack_refusal_is_one_line_without_the_token(tmp_path, slack, capsys):
    slack.fail("/api/chat.postMessage", body='{"ok": false, "error": "not_in_channel"}')
    reqs = write_xlsx(tmp_path / "reqs.xlsx", sample_rows())
    code = cli("audit", reqs, "--db", tmp_path / "h.sqlite3", "--slack-channel", "C0AUDIT01")
    out = capsys.readouterr()
    assert code == 2
    assert "whichrole: error: Slack refused the audit for channel C0AUDIT01 (not_in_channel)" in out.err
    assert TOKEN not in out.out + out.err
    assert (tmp_path / "h.sqlite3").exists()          # the run itself was recorded before the post


def test_slack_settings_are_checked_before_the_audit_runs(tmp_path, monkeypatch, capsys):
    reqs = write_xlsx(tmp_path / "reqs.xlsx", sample_rows())
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert cli("audit", reqs, "--db", tmp_path / "h.sqlite3", "--slack-channel", "C0AUDIT01") == 2
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    assert cli("audit", reqs, "--db", tmp_path / "h.sqlite3", "--slack-channel", "#hiring") == 2
    assert "expected a channel ID" in capsys.readouterr().err
    assert not (tmp_path / "h.sqlite3").exists()


def test_one_finding_is_counted_as_one(tmp_path):
    # A data engineer's work under a Data Analyst title: the title mismatch is its one finding.
    row = ["R-100", "Data Analyst", "Data", "Open", sample_rows()[0][4], None, sample_rows()[0][6]]
    single = audit(tmp_path, write_xlsx(tmp_path / "one.xlsx", [row]))
    assert sum(single.severity_counts().values()) == 1
    assert "; 1 finding: 1 " in render(single) and "1 findings" not in render(single)
