"""Audits on a cron schedule inside one long-running process (APScheduler 3).

`whichrole schedule` blocks and runs the audit at each time; `start_audit_schedule` runs the
same schedule on a background thread, for a process that serves something else (serve-slack).
Never two runs at once: the scheduler keeps one instance of the job, and the audit's own lock
on its history file keeps out a cron job or a second process too. A run missed while the
machine slept still happens if it is less than the misfire grace late; several missed runs
become one.
"""
from __future__ import annotations

import logging
import signal
from datetime import datetime
from typing import Callable, Optional, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.job import Job
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from tzlocal import get_localzone

DEFAULT_MISFIRE_GRACE = 3600
JOB_ID = "whichrole-audit"
# Day-of-week as crontab counts it: 0 (and 7) is Sunday. APScheduler counts from Monday = 0,
# so numbers are turned into names before they reach it.
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")

log = logging.getLogger("whichrole.schedule")


def time_zone(name: Optional[str]):
    if not name:
        return get_localzone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"--timezone {name!r}: unknown time zone (an IANA name such as Europe/Berlin)") from None


def cron_trigger(expression: str, timezone: Optional[str] = None) -> CronTrigger:
    """A crontab line's five time fields, with crontab's meaning, in ``timezone`` (default: local)."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"--cron {expression!r}: expected five fields (minute hour day month weekday), "
                         "e.g. '0 9 * * MON'")
    minute, hour, day, month, weekday = fields
    if day != "*" and weekday != "*":
        # crontab runs when either matches, APScheduler only when both do: refuse rather than differ.
        raise ValueError(f"--cron {expression!r}: give a day of the month or a day of the week, not both")
    try:
        return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=_weekdays(weekday),
                           timezone=time_zone(timezone))
    except ValueError as error:
        if str(error).startswith("--"):
            raise
        raise ValueError(f"--cron {expression!r}: {error}") from None


def _weekdays(field: str) -> str:
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first, last = (_weekday(x) for x in span.split("-", 1))
        else:
            first = _weekday(span)
            last = 6 if step else first
        if last < first:
            raise ValueError(f"day-of-week range {span!r} runs backwards")
        days.update(day % 7 for day in range(first, last + 1, int(step) if step.isdigit() and int(step) else 1))
    return ",".join(WEEKDAYS[day] for day in sorted(days))


def _weekday(token: str) -> int:
    """'1', 'MON', 'Monday' -> 1 (crontab's numbering)."""
    name = token.strip().lower()
    if name.isdigit() and 0 <= int(name) <= 7:
        return int(name)
    for number, day in enumerate(WEEKDAYS):
        if name == day or (len(name) > 3 and DAY_NAMES[number].startswith(name)):
            return number
    raise ValueError(f"day of the week {token!r}: use 0-7 (0 and 7 are Sunday) or MON..SUN")


def check_command(argv: Sequence[str]) -> list[str]:
    if not argv or argv[0] != "audit" or argv[1:2] == ["history"]:
        raise ValueError("schedule runs audits: put the audit after '--', "
                         "e.g. whichrole schedule --cron '0 9 * * MON' -- audit requisitions/")
    return list(argv)


def run_command(argv: Sequence[str]) -> int:
    """Run one whichrole command in this process, as the command line would; returns its exit code."""
    from whichrole.cli import main

    log.info("starting: whichrole %s", " ".join(argv))
    try:
        main(list(argv))
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
    meaning = {0: "clean", 1: "findings at or above --fail-on", 2: "error",
               3: "the history cannot be used"}.get(code, "exit code")
    log.info("finished with exit code %d (%s)", code, meaning)
    return code


def add_audit_job(scheduler: BaseScheduler, trigger: CronTrigger, argv: Sequence[str],
                  misfire_grace: int = DEFAULT_MISFIRE_GRACE,
                  run: Callable[[Sequence[str]], int] = run_command) -> Job:
    """The audit ``argv`` (whichrole's arguments, from 'audit') as a job of ``scheduler``."""
    return scheduler.add_job(run, trigger, args=[check_command(argv)], id=JOB_ID, name="whichrole " + " ".join(argv),
                             max_instances=1, coalesce=True, misfire_grace_time=misfire_grace,
                             replace_existing=True)


def start_audit_schedule(cron: str, argv: Sequence[str], timezone: Optional[str] = None,
                         misfire_grace: int = DEFAULT_MISFIRE_GRACE) -> BackgroundScheduler:
    """The schedule on a background thread; the caller stops it with ``.shutdown()``."""
    trigger = cron_trigger(cron, timezone)
    scheduler = BackgroundScheduler(timezone=trigger.timezone)
    job = add_audit_job(scheduler, trigger, argv, misfire_grace)
    scheduler.start()
    log.info("audit scheduled (%s, %s); next run %s", cron, trigger.timezone, job.next_run_time)
    return scheduler


def serve_schedule(cron: str, argv: Sequence[str], timezone: Optional[str] = None,
                   misfire_grace: int = DEFAULT_MISFIRE_GRACE, run_now: bool = False) -> None:
    """Block, running the audit at each time of the schedule, until interrupted or terminated."""
    trigger = cron_trigger(cron, timezone)
    scheduler = BlockingScheduler(timezone=trigger.timezone)
    job = add_audit_job(scheduler, trigger, argv, misfire_grace)
    if run_now:
        job.modify(next_run_time=datetime.now(trigger.timezone))
    log.info("audit scheduled (%s, %s); next run %s", cron, trigger.timezone,
             "now" if run_now else trigger.get_next_fire_time(None, datetime.now(trigger.timezone)))
    # A service manager stops the process with SIGTERM: end it like Ctrl-C, after the run under way.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        log.info("stopping; waiting for a run under way to finish")
        scheduler.shutdown(wait=True)
