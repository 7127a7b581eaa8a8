"""Audits reading Greenhouse, Lever and Ashby boards, against stand-ins on 127.0.0.1 that answer as the APIs do."""
from __future__ import annotations

import html
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from ats_standin import Job, Standin
from samples import CLEAR
from slack_fake import FakeSlack
from terminal import run_on_a_terminal
from test_audit import cli, sample_rows, write_xlsx
from whichrole.integrations.ats import AtsSource, Fetch, Limits, parse_source
from whichrole.integrations.ats import lever
from whichrole.integrations.ats.htmltext import html_to_text
from whichrole.integrations.ats.http import Client, FetchError
from whichrole.integrations.audit.run import AuditOptions, NothingRead, run_audit

QUICK = Limits(timeout=2.0, retries=2, backoff=0.05, total=20.0)
KEY = "hvst-7f3c9a1e5b2d4c68a0e1f2b3c4d5e6f7"


def posting_html(role: str) -> str:
    return (f"<h2>About the role</h2><p>{html.escape(CLEAR[role][1])}</p>"
            "<h3>What you&#39;ll need</h3><ul><li>SQL &amp; Python</li><li>Curiosity</li></ul>"
            "<script>track('view')</script>")


def jobs(*roles: str, start: int = 101) -> list[Job]:
    return [Job(number, CLEAR[role][0], posting_html(role)) for number, role in enumerate(roles, start=start)]


ROLES = ("data_engineer", "ml_engineer", "ai_engineer", "research_scientist")


def audit(tmp_path: Path, standins: dict[str, Standin], *sources, limits: Limits = QUICK, env: dict = None):
    urls = {f"WHICHROLE_{vendor.upper()}_URL": standin.url for vendor, standin in standins.items()}
    return run_audit(AuditOptions(sources=[parse_source(s) or s for s in sources], database=tmp_path / "h.sqlite3",
                                  fetch_limits=limits, env={**urls, **(env or {})}))


def by_key(result) -> dict:
    return {r.key: r for r in result.requisitions}


# ---------------------------------------------------------------- text


def test_posting_html_becomes_text_with_its_structure():
    page = ("<div><h2>What you&rsquo;ll do</h2><p>Build &amp; ship <b>models</b>&nbsp;that&nbsp;matter.</p>"
            "<ul><li><p>Skills</p><ul><li>SQL</li><li>Python &lt;3.12</li></ul></li><li>Kafka</li></ul>"
            "<script>var x = '<p>never</p>';</script><style>p { color: red }</style>"
            "<ol><li>First</li><li>Second<br>line two</li></ol><p>Questions? Ask&#33;</p></div>")
    assert html_to_text(page) == ("What you’ll do\n\nBuild & ship models that matter.\n\n- Skills\n  - SQL\n"
                                  "  - Python <3.12\n- Kafka\n\n- First\n- Second\nline two\n\nQuestions? Ask!")
    assert html_to_text("") == html_to_text("   ") == html_to_text("<script>x()</script>") == ""


def test_greenhouse_content_is_escaped_html_and_read_as_such():
    with Standin("greenhouse", {"acme": jobs("data_engineer")}) as gh:
        [posting] = Fetch(AtsSource("greenhouse", "acme"), QUICK, {"WHICHROLE_GREENHOUSE_URL": gh.url})
    assert (posting.id, posting.title, posting.team, str(posting.opened)) == ("101", "Data Engineer", "Data",
                                                                            "2026-11-02")
    assert posting.description == (f"About the role\n\n{CLEAR['data_engineer'][1]}\n\nWhat you'll need\n\n"
                                   "- SQL & Python\n- Curiosity")
    assert (posting.location, posting.url) == ("Berlin", "https://boards.greenhouse.io/acme/jobs/101")


# ---------------------------------------------------------------- each vendor, two runs


def test_greenhouse_board_retitled_and_removed_between_two_runs(tmp_path):
    board = jobs(*ROLES)
    with Standin("greenhouse", {"acme": board}) as gh:
        first = audit(tmp_path, {"greenhouse": gh}, "greenhouse:acme")
        assert sorted(by_key(first)) == ["101", "102", "103", "104"]   # the job's id, not the post's
        assert first.readings[0].note == "Job Board API: published jobs"
        board[1].title = "Senior Machine Learning Engineer"
        del board[3]
        second = audit(tmp_path, {"greenhouse": gh}, "greenhouse:acme")
        assert gh.requests[0][0] == "/v1/boards/acme/jobs?content=true"
    changes = second.changes
    assert [(c.key, c.before, c.after) for c in changes.retitled] == [
        ("102", "Machine Learning Engineer", "Senior Machine Learning Engineer")]
    assert [c.key for c in changes.closed] == ["104"] and not changes.new and not changes.unseen
    assert second.classified == 1          # only the retitled posting is read again


def test_greenhouse_harvest_with_a_key_reads_every_open_job_page_by_page(tmp_path):
    board = jobs(*ROLES, "data_engineer")
    board[2].state = "unpublished"        # a requisition without a job post: Harvest only
    with Standin("greenhouse", {"acme": board}, key=KEY, page_size=2) as gh:
        result = audit(tmp_path, {"greenhouse": gh}, "greenhouse:acme", env={"WHICHROLE_GREENHOUSE_KEY": KEY})
        paths = [path for path, _ in gh.requests]
        assert {auth for _, auth in gh.requests} == {gh._basic()}
    assert sorted(by_key(result)) == ["101", "102", "103", "104", "105"]
    assert sum(p.startswith("/v1/jobs") for p in paths) == 3 and sum(p.startswith("/v1/job_posts") for p in paths) == 2
    assert by_key(result)["103"].title == "AI Engineer"
    assert result.readings[0].note == "Harvest API: open jobs, published or not"


def test_lever_pages_with_skip_and_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(lever, "LIMIT", 3)
    board = jobs(*ROLES, *ROLES[:3])
    board[0].team = "Platform"
    with Standin("lever", {"acme": board}) as lv:
        first = audit(tmp_path, {"lever": lv}, "lever:acme")
        assert [p for p, _ in lv.requests] == [f"/v0/postings/acme?mode=json&skip={n}&limit=3" for n in (0, 3, 6)]
        board[0].title = "Analytics Engineer"
        del board[-1]
        second = audit(tmp_path, {"lever": lv}, "lever:acme")
    assert len(first.requisitions) == 7
    req = by_key(first)["5ac21346-8e0c-4494-8e7a-000000000101"]
    assert (req.team, str(req.opened)) == ("Data / Platform", "2026-11-02")
    assert [c.key for c in second.changes.retitled] == ["5ac21346-8e0c-4494-8e7a-000000000101"]
    assert [c.key for c in second.changes.closed] == ["5ac21346-8e0c-4494-8e7a-000000000107"]


def test_lever_v1_with_a_key_reads_internal_postings_and_known_levels(tmp_path, monkeypatch):
    monkeypatch.setattr(lever, "LIMIT", 2)
    board = jobs(*ROLES[:3])
    board[0].state, board[0].level, board[1].level = "internal", "Senior", "IC4"
    with Standin("lever", {"acme": board}, key=KEY, page_size=2) as lv:
        result = audit(tmp_path, {"lever": lv}, "lever:acme", env={"WHICHROLE_LEVER_KEY": KEY})
        assert [p.split("?")[0] for p, _ in lv.requests] == ["/v1/postings", "/v1/postings"]
        assert "offset=2" in lv.requests[1][0]
    assert len(result.requisitions) == 3 and not result.readings[0].problems
    assert result.readings[0].note == "v1 API: published and internal postings"


def test_ashby_board(tmp_path):
    board = jobs(*ROLES)
    board[0].team = "Data Platform"
    with Standin("ashby", {"acme": board}) as ab:
        result = audit(tmp_path, {"ashby": ab}, "ashby:acme")
        assert ab.requests[0][0] == "/posting-api/job-board/acme?includeCompensation=false"
    req = by_key(result)["7458d4e9-da2e-47bd-98cb-000000000101"]
    assert (req.title, req.team, str(req.opened)) == ("Data Engineer", "Data / Data Platform", "2026-11-02")
    assert req.place == "ashby:acme posting 1"


# ---------------------------------------------------------------- failures


def fetch_error(standin: Standin, source: str, limits: Limits = QUICK, env: dict = None) -> tuple[str, float]:
    """The one line a source that cannot be read fails with, and how long it took."""
    module = {"greenhouse": "WHICHROLE_GREENHOUSE_URL", "lever": "WHICHROLE_LEVER_URL",
              "ashby": "WHICHROLE_ASHBY_URL"}
    started = time.monotonic()
    with pytest.raises(FetchError) as failed:
        list(Fetch(parse_source(source), limits, {module[standin.vendor]: standin.url, **(env or {})}))
    message = str(failed.value)
    assert "\n" not in message and message.startswith(source + ": ")
    return message, time.monotonic() - started


def test_an_unknown_board_a_bad_key_and_malformed_json_fail_in_one_line(tmp_path):
    with Standin("ashby", {"acme": jobs("data_engineer")}) as ab:
        assert fetch_error(ab, "ashby:nope")[0] == "ashby:nope: no such board (HTTP 404)"
        ab.trouble = [("malformed",)]
        assert "ashby:acme: the answer to /posting-api/job-board/acme is not JSON" in fetch_error(ab, "ashby:acme")[0]
    with Standin("greenhouse", {"acme": jobs("data_engineer")}, key=KEY) as gh:
        message, _ = fetch_error(gh, "greenhouse:acme", env={"WHICHROLE_GREENHOUSE_KEY": "wrong-" + KEY})
        assert message == "greenhouse:acme: the API key was refused (HTTP 401)"


def test_429_waits_as_retry_after_asks_and_a_500_is_asked_again(tmp_path):
    with Standin("lever", {"acme": jobs("data_engineer")}) as lv:
        lv.trouble = [("status", 429, "1"), ("status", 500)]
        started = time.monotonic()
        result = audit(tmp_path, {"lever": lv}, "lever:acme")
        assert time.monotonic() - started >= 1.0          # Retry-After: 1, not the 0.05 s backoff
        assert len(lv.requests) == 3 and len(result.requisitions) == 1 and not result.failed


def test_retries_end_and_every_wait_stays_within_the_bound():
    with Standin("greenhouse", {"acme": jobs("data_engineer")}) as gh:
        gh.trouble = [("status", 503)] * 3
        message, _ = fetch_error(gh, "greenhouse:acme")
        assert message == "greenhouse:acme: HTTP 503, 3 attempts"
        gh.trouble = [("slow", 1.0)] * 3
        message, took = fetch_error(gh, "greenhouse:acme", Limits(timeout=0.2, retries=1, backoff=0.01, total=10))
        assert message == "greenhouse:acme: no answer within 0.2 s, 2 attempts" and took < 1.5
        gh.trouble = [("status", 429, "30")]
        message, took = fetch_error(gh, "greenhouse:acme", Limits(timeout=1, retries=3, backoff=0.01, total=3))
        assert "HTTP 429; the next attempt would end past the bound of 3 s" in message and took < 1


def test_a_next_page_on_another_host_is_not_followed_with_the_key():
    with Standin("greenhouse", {}, key=KEY) as gh, Client("greenhouse:acme", gh.url, QUICK, KEY) as client:
        gh.harvest_jobs = lambda request, path, query: gh.send(
            request, 200, [], {"Link": '<http://elsewhere.invalid/v1/jobs?page=2>; rel="next"'})
        from whichrole.integrations.ats.pages import linked_pages

        with pytest.raises(FetchError, match="next page is on another host"):
            list(linked_pages(client, "/v1/jobs", {}))


def test_a_redirect_to_another_host_does_not_carry_the_key():
    with Standin("greenhouse", {"acme": jobs("data_engineer")}, key=KEY) as gh, \
            Standin("greenhouse", {"acme": jobs("data_engineer")}) as elsewhere:
        gh.trouble = [("redirect", elsewhere.url)]
        env = {"WHICHROLE_GREENHOUSE_URL": gh.url, "WHICHROLE_GREENHOUSE_KEY": KEY}
        list(Fetch(AtsSource("greenhouse", "acme"), QUICK, env))
    assert gh.requests[0][1] == gh._basic()
    assert elsewhere.requests and {auth for _, auth in elsewhere.requests} == {None}


def test_a_failed_board_is_not_seen_rather_than_closed_and_is_compared_later_with_the_last_good_run(tmp_path):
    with Standin("greenhouse", {"acme": jobs(*ROLES)}) as gh, Standin("ashby", {"acme": jobs("ml_engineer")}) as ab:
        standins = {"greenhouse": gh, "ashby": ab}
        audit(tmp_path, standins, "greenhouse:acme", "ashby:acme")
        gh.trouble = [("status", 500)] * 3
        failed = audit(tmp_path, standins, "greenhouse:acme", "ashby:acme")
        assert [r.error for r in failed.failed] == ["greenhouse:acme: HTTP 500, 3 attempts"]
        assert len(failed.changes.unseen) == 4 and not failed.changes.closed
        again = audit(tmp_path, standins, "greenhouse:acme", "ashby:acme")
    assert again.changes.total == 0, again.changes.counts()


def test_a_key_file_others_may_read_is_refused(tmp_path):
    key_file = tmp_path / "greenhouse.key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o644)
    with Standin("greenhouse", {"acme": jobs("data_engineer")}, key=KEY) as gh:
        with pytest.raises(ValueError, match="others may read it .* chmod 600"):
            audit(tmp_path, {"greenhouse": gh}, "greenhouse:acme", env={"WHICHROLE_GREENHOUSE_KEY_FILE": str(key_file)})
        key_file.chmod(0o600)
        result = audit(tmp_path, {"greenhouse": gh}, "greenhouse:acme",
                       env={"WHICHROLE_GREENHOUSE_KEY_FILE": str(key_file)})
        assert gh.requests and gh.requests[-1][1] == gh._basic()
    assert len(result.requisitions) == 1


def test_sources_by_name():
    assert parse_source("greenhouse:acme") == AtsSource("greenhouse", "acme")
    assert parse_source("Lever:acme/") == AtsSource("lever", "acme")
    assert parse_source("reqs.xlsx") is None and parse_source("C:/reqs.xlsx") is None
    with pytest.raises(ValueError, match="expected ashby:BOARD"):
        parse_source("ashby:")


# ---------------------------------------------------------------- the command line


@pytest.fixture
def standins(monkeypatch):
    with Standin("greenhouse", {"acme": jobs(*ROLES)}, key=KEY, page_size=2) as gh, \
            Standin("lever", {"acme": jobs("data_engineer", "ml_engineer")}) as lv, \
            Standin("ashby", {"acme": jobs("ai_engineer")}) as ab:
        for vendor, standin in (("GREENHOUSE", gh), ("LEVER", lv), ("ASHBY", ab)):
            monkeypatch.setenv(f"WHICHROLE_{vendor}_URL", standin.url)
        yield gh, lv, ab


def test_the_keys_appear_in_no_output_report_workbook_history_or_slack_post(tmp_path, standins, monkeypatch, capsys):
    gh, lv, ab = standins
    lever_key = "lvr-" + KEY[::-1]
    lv.key = lever_key
    slack = FakeSlack()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("WHICHROLE_GREENHOUSE_KEY", KEY)
    monkeypatch.setenv("WHICHROLE_LEVER_KEY", lever_key)
    db, report, book = tmp_path / "h.sqlite3", tmp_path / "audit.md", tmp_path / "audit.xlsx"
    reqs = write_xlsx(tmp_path / "reqs.xlsx", sample_rows())
    args = ("audit", "greenhouse:acme", "lever:acme", "ashby:acme", reqs, "--db", db, "--fail-on", "never",
            "--markdown", report, "--out", book, "--slack-channel", "C0AUDIT01")
    try:
        assert cli(*args) == 0
        first = capsys.readouterr()
        gh.key = lv.key = "rotated"                      # now the keys are refused: the failures are told too
        assert cli(*args) == 2
        second = capsys.readouterr()
        posted = b"".join(call.raw + repr(call.body).encode() for call in slack.calls)
    finally:
        slack.close()
    assert "audit: greenhouse:acme: 4 open postings (Harvest API: open jobs, published or not)" in first.err
    assert "audit: lever:acme: 2 open postings (v1 API: published and internal postings)" in first.err
    assert "FAILED greenhouse:acme: the API key was refused (HTTP 401)" in second.err
    assert "FAILED lever:acme: the API key was refused (HTTP 401)" in second.err
    assert len(slack.to("/api/chat.postMessage")) == 2
    with sqlite3.connect(db) as history:
        assert history.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
    written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    shown = first.out + first.err + second.out + second.err
    for key in (KEY, lever_key):
        assert key not in shown and key.encode() not in written and key.encode() not in posted
    assert "greenhouse:acme" in report.read_text()


def test_when_no_source_can_be_read_nothing_is_written_recorded_or_posted(tmp_path, standins, monkeypatch, capsys):
    slack = FakeSlack()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    db, report, book = tmp_path / "h.sqlite3", tmp_path / "audit.md", tmp_path / "audit.xlsx"
    reqs = write_xlsx(tmp_path / "reqs.xlsx", sample_rows())
    options = ("--db", db, "--fail-on", "never", "--markdown", report, "--out", book)
    try:
        assert cli("audit", reqs, "ashby:acme", *options) == 0
        capsys.readouterr()
        posts = len(slack.to("/api/chat.postMessage"))
        before = report.read_bytes(), book.read_bytes()
        reqs.write_bytes(b"PK\x03\x04 truncated by a sync client")
        code = cli("audit", reqs, "ashby:gone", *options, "--slack-channel", "C0AUDIT01")
        posted = len(slack.to("/api/chat.postMessage"))
    finally:
        slack.close()
    out = capsys.readouterr()
    assert code == 2 and out.out == ""
    assert out.err.count("\n") == 1 and out.err.startswith("whichrole: error: no source could be read: ")
    assert "reqs.xlsx: not a readable workbook" in out.err and "ashby:gone: no such board (HTTP 404)" in out.err
    assert (report.read_bytes(), book.read_bytes()) == before
    assert posted == posts == 0
    with sqlite3.connect(db) as history:
        assert history.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_a_board_run_is_recorded_only_once_its_reports_are_written(tmp_path, standins, capsys):
    db = tmp_path / "h.sqlite3"
    args = ("audit", "lever:acme", "ashby:gone", "--db", db, "--fail-on", "never")
    assert cli(*args, "--out", tmp_path / "gone" / "audit.xlsx") == 2
    err = capsys.readouterr().err
    assert "FAILED ashby:gone: no such board (HTTP 404)" in err and "gone/audit.xlsx" in err
    with sqlite3.connect(db) as history:
        assert history.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
    assert cli(*args, "--out", tmp_path / "audit.xlsx") == 2
    assert "run 1 recorded" in capsys.readouterr().err


def test_nothing_read_is_not_recorded_in_the_python_api_either(tmp_path):
    with Standin("ashby", {}) as ab:
        with pytest.raises(NothingRead, match="ashby:acme: no such board"):
            audit(tmp_path, {"ashby": ab}, "ashby:acme")
    assert not (tmp_path / "h.sqlite3").exists()  # a first run: the history it created is gone again


def test_base_urls_must_be_http(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WHICHROLE_ASHBY_URL", "ftp://example.invalid")
    assert cli("audit", "ashby:acme", "--db", tmp_path / "h.sqlite3") == 2
    assert "WHICHROLE_ASHBY_URL is not an http(s) URL" in capsys.readouterr().err


def test_a_workbook_of_postings_opens(tmp_path, standins, capsys):
    book = tmp_path / "audit.xlsx"
    assert cli("audit", "lever:acme", "--db", tmp_path / "h.sqlite3", "--fail-on", "never", "--out", book) == 0
    sheet = openpyxl.load_workbook(book)["Requisitions"]
    places = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert places == ["lever:acme, posting 1", "lever:acme, posting 2"]
    assert os.environ["WHICHROLE_LEVER_URL"].startswith("http://127.0.0.1:")


def test_annotate_a_board_writes_a_new_workbook_of_its_postings(tmp_path, standins, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli("annotate", "ashby:acme") == 0
    said = capsys.readouterr().out
    assert said.startswith("ashby:acme, sheet 'ashby-acme': 1 requisition annotated") and "ashby-acme-annotated" in said
    sheet = openpyxl.load_workbook(tmp_path / "ashby-acme-annotated.xlsx")["ashby-acme"]
    header, row = [[c.value for c in r] for r in sheet.iter_rows(max_row=2)]
    values = dict(zip(header, row))
    assert values["Req ID"] == "7458d4e9-da2e-47bd-98cb-000000000101" and values["Title"] == "AI Engineer"
    assert values["Description"].startswith("About the role\n\n") and "<" not in values["Description"]
    assert values["Recommended role"]
    assert cli("annotate", "ashby:gone") == 2
    assert capsys.readouterr().err == "whichrole: error: ashby:gone: no such board (HTTP 404)\n"
    assert cli("annotate", "ashby:acme", "--in-place") == 2
    assert "is a job board, not a workbook" in capsys.readouterr().err


def test_annotate_a_board_leaves_out_the_levels_the_rulebook_does_not_know(tmp_path, monkeypatch, capsys):
    board = jobs(*ROLES[:2])
    board[0].level, board[1].level = "Senior", "IC4"
    monkeypatch.chdir(tmp_path)
    with Standin("lever", {"acme": board}, key=KEY) as lv:
        monkeypatch.setenv("WHICHROLE_LEVER_URL", lv.url)
        monkeypatch.setenv("WHICHROLE_LEVER_KEY", KEY)
        assert cli("annotate", "lever:acme") == 0
    said = capsys.readouterr().out
    assert "2 requisitions annotated" in said and "Rows that could not be read: 0" in said
    sheet = openpyxl.load_workbook(tmp_path / "lever-acme-annotated.xlsx")["lever-acme"]
    header, *rows = [[c.value for c in r] for r in sheet.iter_rows(max_row=3)]
    assert sorted(str(dict(zip(header, row))["Level"]) for row in rows) == ["None", "Senior"]


def test_progress_on_a_terminal_and_nothing_but_the_report_elsewhere(tmp_path, monkeypatch):
    roles = list(CLEAR)
    board = [Job(n, CLEAR[roles[n % len(roles)]][0], f"<p>Posting {n}.</p>{posting_html(roles[n % len(roles)])}")
             for n in range(1, 61)]
    with Standin("greenhouse", {"big": board}) as gh:
        monkeypatch.setenv("WHICHROLE_GREENHOUSE_URL", gh.url)
        quiet = subprocess.run([sys.executable, "-m", "whichrole", "audit", "greenhouse:big", "--db",
                                str(tmp_path / "q.sqlite3"), "--fail-on", "never"], capture_output=True, text=True)
        process, shown = run_on_a_terminal("audit", "greenhouse:big", "--db", tmp_path / "t.sqlite3",
                                           "--fail-on", "never")
    assert quiet.returncode == 0 and "\r" not in quiet.stderr and "auditing" not in quiet.stderr
    assert quiet.stderr.splitlines()[0] == "audit: greenhouse:big: 60 open postings (Job Board API: published jobs)"
    assert quiet.stdout.startswith("# Requisition audit")
    assert process.returncode == 0, shown
    assert b"\rauditing: 25" in shown and b"\rauditing: 50" in shown
    assert b"\r\x1b[Kaudit: greenhouse:big: 60 open postings" in shown


def test_a_lever_listing_that_ignores_skip_fails_rather_than_never_ending(monkeypatch):
    monkeypatch.setattr(lever, "LIMIT", 2)
    with Standin("lever", {"acme": jobs(*ROLES)}) as lv:
        lv.lever = lambda request, path, query: lv.send(request, 200, [
            lv._lever_posting("acme", job, False) for job in lv.boards["acme"][:2]])
        message, _ = fetch_error(lv, "lever:acme")
    assert message == "lever:acme: the page after 2 postings repeats earlier ones; the listing does not end"
