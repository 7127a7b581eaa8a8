"""`whichrole schedule`: crontab meaning, time zones, misfire grace, never two runs at once."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from test_audit import sample_rows, write_xlsx
from whichrole.integrations.audit.schedule import (add_audit_job, check_command, cron_trigger,
                                                   start_audit_schedule)
from whichrole.integrations.audit.store import AuditStore

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=BERLIN)


def next_fire(expression: str, after: datetime = WEDNESDAY, zone: str = "Europe/Berlin") -> datetime:
    return cron_trigger(expression, zone).get_next_fire_time(None, after)


def test_cron_fields_mean_what_they_mean_in_crontab():
    monday = next_fire("0 9 * * MON")
    assert (monday.strftime("%a %H:%M"), monday.utcoffset()) == ("Mon 09:00", timedelta(hours=1))
    assert next_fire("0 9 * * 1").strftime("%a") == "Mon"        # crontab's 1 is Monday (APScheduler's is Tuesday)
    assert next_fire("0 9 * * 0").strftime("%a") == next_fire("0 9 * * 7").strftime("%a") == "Sun"
    assert next_fire("30 8 * * 1-5").strftime("%a %H:%M") == "Thu 08:30"
    fires, moment = [], WEDNESDAY
    for _ in range(4):
        moment = next_fire("0 6 * * */2", moment + timedelta(minutes=1))
        fires.append(moment.strftime("%a"))
    assert fires == ["Thu", "Sat", "Sun", "Tue"]                  # */2 from Sunday: Sun, Tue, Thu, Sat
    assert next_fire("0 9 1 * *").day == 1
    assert next_fire("0 9 * * Monday") == next_fire("0 9 * * mon")


def test_the_time_zone_is_the_one_asked_for():
    tokyo = next_fire("0 9 * * MON", zone="Asia/Tokyo")
    assert tokyo.utcoffset() == timedelta(hours=9) and tokyo.hour == 9


@pytest.mark.parametrize("expression, message", [
    ("0 9 * *", "expected five fields"),
    ("0 25 * * MON", "--cron '0 25 \\* \\* MON': .*23"),
    ("0 9 * * FUNDAY", "day of the week 'FUNDAY'"),
    ("0 9 1 * MON", "not both"),
])
def test_bad_cron_lines_are_one_line_errors(expression, message):
    with pytest.raises(ValueError, match=message) as caught:
        cron_trigger(expression, "UTC")
    assert "\n" not in str(caught.value)


def test_bad_time_zone():
    with pytest.raises(ValueError, match="unknown time zone"):
        cron_trigger("0 9 * * MON", "Mars/Olympus")


def test_only_audits_are_scheduled():
    assert check_command(["audit", "reqs/", "--fail-on", "never"]) == ["audit", "reqs/", "--fail-on", "never"]
    for argv in ([], ["classify", "text"], ["audit", "history"], ["schedule", "--cron", "x"]):
        with pytest.raises(ValueError, match="schedule runs audits"):
            check_command(argv)


def test_never_two_runs_at_once():
    running, overlaps, runs = [], [], []
    lock = threading.Lock()

    def slow_audit(argv):
        with lock:
            running.append(1)
            overlaps.append(len(running))
        time.sleep(1.6)
        with lock:
            running.pop()
            runs.append(argv)
        return 0

    scheduler = BackgroundScheduler(timezone="UTC")
    add_audit_job(scheduler, CronTrigger(second="*", timezone="UTC"), ["audit", "reqs/"], run=slow_audit)
    scheduler.start()
    time.sleep(4)
    scheduler.shutdown(wait=True)
    assert len(runs) >= 2
    assert max(overlaps) == 1


@pytest.mark.parametrize("grace, expected_runs", [(2, 0), (60, 1)])
def test_a_run_missed_by_more_than_the_grace_is_skipped(grace, expected_runs):
    runs = []
    scheduler = BackgroundScheduler(timezone="UTC")
    job = add_audit_job(scheduler, CronTrigger(hour="0", minute="0", timezone="UTC"), ["audit", "x"],
                        misfire_grace=grace, run=lambda argv: runs.append(argv))
    job.modify(next_run_time=datetime.now(ZoneInfo("UTC")) - timedelta(seconds=10))   # the machine slept
    scheduler.start()
    time.sleep(0.5)
    scheduler.shutdown(wait=True)
    assert len(runs) == expected_runs


def test_serve_slack_can_carry_the_same_schedule(tmp_path):
    scheduler = start_audit_schedule("0 9 * * MON", ["audit", str(tmp_path)], "Europe/Berlin", misfire_grace=600)
    try:
        job = scheduler.get_job("whichrole-audit")
        assert scheduler.running and job.max_instances == 1 and job.misfire_grace_time == 600
        assert job.next_run_time.strftime("%a %H:%M") == "Mon 09:00"
    finally:
        scheduler.shutdown(wait=False)


def test_the_schedule_command_runs_audits_until_terminated(tmp_path):
    reqs = write_xlsx(tmp_path / "reqs.xlsx", sample_rows())
    db = tmp_path / "h.sqlite3"
    whichrole = str(Path(sys.executable).with_name("whichrole"))
    process = subprocess.Popen([whichrole, "schedule", "--cron", "0 9 * * MON", "--timezone", "Europe/Berlin",
                                "--run-now", "--", "audit", str(reqs), "--db", str(db), "--markdown",
                                str(tmp_path / "audit.md")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "audit.md").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (tmp_path / "audit.md").exists(), "the audit did not run"
        time.sleep(0.3)
        assert process.poll() is None                    # still waiting for Monday 09:00
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "finished with exit code 1 (findings at or above --fail-on)" in err
    with AuditStore(db) as store:
        assert len(store.history()) == 1


def test_the_schedule_command_refuses_what_it_cannot_run(capsys):
    from test_audit import cli
    assert cli("schedule", "--cron", "0 9 * * MON", "--", "classify", "text") == 2
    assert "schedule runs audits" in capsys.readouterr().err
    assert cli("schedule", "--cron", "whenever", "--", "audit", "x") == 2
    assert "expected five fields" in capsys.readouterr().err


def test_the_schedule_command_refuses_a_source_that_is_not_there(tmp_path, capsys):
    from test_audit import cli
    present = write_xlsx(tmp_path / "reqs.xlsx", sample_rows())
    assert cli("schedule", "--cron", "0 9 * * MON", "--", "audit", str(present), "greenhouse:acme",
               str(tmp_path / "gone"), "--db", str(tmp_path / "history.sqlite3")) == 2  # a job board is no file
    error = capsys.readouterr().err.strip()
    assert error == f"whichrole: error: the scheduled audit's source {tmp_path / 'gone'}: no such file or folder"
    assert not (tmp_path / "history.sqlite3").exists()
