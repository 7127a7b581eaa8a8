"""Greenhouse: the public Job Board API, or the Harvest API when a key is given.

The Job Board API answers a board's published jobs in one response
(GET /v1/boards/{board}/jobs?content=true), each job's content as escaped HTML. The Harvest
API (Basic auth, the key as user name) lists every open job, published or not, with its
opening date, page by page through Link headers; the posting text comes from the job posts.
Both give the job's own id (the board's internal_job_id, Harvest's job id), which stays when
a posting is retitled or posted again.
"""
from __future__ import annotations

import html
from functools import partial
from typing import Iterator
from urllib.parse import quote

from .htmltext import html_to_text
from .http import Client
from .pages import field, items, linked_pages, text
from .posting import Page, Posting, day, joined

NAME = "greenhouse"
URL_ENV = "WHICHROLE_GREENHOUSE_URL"
KEY_ENV = "WHICHROLE_GREENHOUSE_KEY"
BOARD_URL = "https://boards-api.greenhouse.io"
HARVEST_URL = "https://harvest.greenhouse.io"
PER_PAGE = 500      # Harvest's largest page


def default_url(keyed: bool) -> str:
    return HARVEST_URL if keyed else BOARD_URL


def pages(client: Client, board: str, keyed: bool) -> Iterator[Page]:
    if keyed:
        yield from _harvest(client)
        return
    data, _ = client.get_json(f"/v1/boards/{quote(board, safe='')}/jobs", {"content": "true"})
    yield [partial(_board_posting, number, job) for number, job in enumerate(items(client, data, "jobs"), start=1)]


def _board_posting(number: int, job: dict) -> Posting:
    return Posting(number=number, id=text(field(job, "internal_job_id") or field(job, "id")),
                   title=text(job.get("title")), description=html_to_text(html.unescape(job.get("content") or "")),
                   team=joined(*(d.get("name") for d in job.get("departments") or [] if isinstance(d, dict))),
                   opened=day(job.get("first_published") or job.get("created_at")),
                   location=text(field(job.get("location"), "name")), url=text(job.get("absolute_url")))


def _harvest(client: Client) -> Iterator[Page]:
    # The text of a job is on its job posts: read them first, then the jobs page by page.
    contents: dict[str, str] = {}    # job id -> its (live) post's HTML
    for page in linked_pages(client, "/v1/job_posts", {"active": "true", "full_content": "true",
                                                      "per_page": PER_PAGE}):
        for post in page:
            job = text(post.get("job_id"))
            if job and (job not in contents or post.get("live")):
                contents[job] = post.get("content") or ""
    number = 0
    for page in linked_pages(client, "/v1/jobs", {"status": "open", "per_page": PER_PAGE}):
        yield [partial(_harvest_posting, number + i, job, contents) for i, job in enumerate(page, start=1)]
        number += len(page)


def _harvest_posting(number: int, job: dict, contents: dict[str, str]) -> Posting:
    job_id = text(job.get("id"))
    offices = [o.get("name") for o in job.get("offices") or [] if isinstance(o, dict)]
    employment = field(job.get("custom_fields"), "employment_type")
    return Posting(number=number, id=job_id, title=text(job.get("name")), description=html_to_text(contents.get(job_id, "")),
                   team=joined(*(d.get("name") for d in job.get("departments") or [] if isinstance(d, dict))),
                   opened=day(job.get("opened_at")), location=joined(*offices), employment=text(employment))


def note(keyed: bool) -> str:
    return "Harvest API: open jobs, published or not" if keyed else "Job Board API: published jobs"
