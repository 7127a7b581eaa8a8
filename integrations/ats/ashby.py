"""Ashby: the public Job Posting API (GET /posting-api/job-board/{board}), every listed job in one response."""
from __future__ import annotations

from functools import partial
from typing import Iterator
from urllib.parse import quote

from .htmltext import html_to_text
from .http import Client
from .pages import items, text
from .posting import Page, Posting, day, joined

NAME = "ashby"
URL_ENV = "WHICHROLE_ASHBY_URL"
KEY_ENV = None      # the posting API is public, and Ashby's keyed API is another one
DEFAULT_URL = "https://api.ashbyhq.com"


def default_url(keyed: bool) -> str:
    return DEFAULT_URL


def note(keyed: bool) -> str:
    return "Job Posting API: published jobs"


def pages(client: Client, board: str, keyed: bool) -> Iterator[Page]:
    data, _ = client.get_json(f"/posting-api/job-board/{quote(board, safe='')}", {"includeCompensation": "false"})
    yield [partial(_posting, number, job) for number, job in enumerate(items(client, data, "jobs"), start=1)]


def _posting(number: int, job: dict) -> Posting:
    return Posting(number=number, id=text(job.get("id")), title=text(job.get("title")),
                   description=html_to_text(job.get("descriptionHtml") or "") or (text(job.get("descriptionPlain")) or ""),
                   team=joined(text(job.get("department")), text(job.get("team"))),
                   opened=day(job.get("publishedAt")), location=text(job.get("location")),
                   employment=text(job.get("employmentType")), url=text(job.get("jobUrl")))
