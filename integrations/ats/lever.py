"""Lever: the public Postings API, or the v1 API when a key is given.

The Postings API (GET /v0/postings/{site}?mode=json) pages with skip and limit: a page shorter
than the limit is the last. The v1 API (Basic auth, the key as user name) lists the postings of
the key's account, internal ones too, a page at a time with an `offset` token while `hasNext`.
A posting's id stays when it is retitled or rewritten.
"""
from __future__ import annotations

import html
from functools import partial
from typing import Iterator
from urllib.parse import quote

from .htmltext import html_to_text
from .http import Client
from .pages import field, items, text
from .posting import Page, Posting, day, joined

NAME = "lever"
URL_ENV = "WHICHROLE_LEVER_URL"
KEY_ENV = "WHICHROLE_LEVER_KEY"
DEFAULT_URL = "https://api.lever.co"
LIMIT = 100


def default_url(keyed: bool) -> str:
    return DEFAULT_URL


def note(keyed: bool) -> str:
    return "v1 API: published and internal postings" if keyed else "Postings API: published postings"


def pages(client: Client, site: str, keyed: bool) -> Iterator[Page]:
    return _internal_pages(client) if keyed else _published_pages(client, site)


def _published_pages(client: Client, site: str) -> Iterator[Page]:
    number, seen = 0, set()
    while True:
        data, _ = client.get_json(f"/v0/postings/{quote(site, safe='')}",
                                  {"mode": "json", "skip": number, "limit": LIMIT})
        found = items(client, data)
        ids = {text(p.get("id")) for p in found} - {None}
        if ids and ids <= seen:   # a server that ignores skip would answer the first page for ever
            raise client.fail(f"the page after {number} postings repeats earlier ones; the listing does not end")
        seen |= ids
        yield [partial(_posting, number + i, p, p) for i, p in enumerate(found, 1)]
        number += len(found)
        if len(found) < LIMIT:
            return


def _internal_pages(client: Client) -> Iterator[Page]:
    number, offset, seen = 0, None, set()
    while True:
        params = {"state": ["published", "internal"], "limit": LIMIT, **({"offset": offset} if offset else {})}
        data, _ = client.get_json("/v1/postings", params)
        found = items(client, data, "data")
        yield [partial(_posting, number + i, p, p.get("content")) for i, p in enumerate(found, 1)]
        number += len(found)
        offset = text(data.get("next")) if data.get("hasNext") else None
        if not offset:
            return
        if offset in seen:
            raise client.fail("the next page is one already read; the listing does not end")
        seen.add(offset)


def _posting(number: int, posting: dict, content: object) -> Posting:
    """``content``: where the text is (v0 keeps it on the posting itself, v1 under `content`)."""
    categories = posting.get("categories")
    description = field(content, "descriptionHtml") or field(content, "description") or ""
    lists = field(content, "lists") or []
    closing = field(content, "closingHtml") or field(content, "additional") or ""
    # A list's name is plain text, set inside HTML here.
    body = description + "".join(
        f"<h3>{html.escape(field(part, 'text') or '', quote=False)}</h3><ul>{field(part, 'content') or ''}</ul>"
        for part in lists if isinstance(part, dict)) + closing
    return Posting(number=number, id=text(posting.get("id")), title=text(posting.get("text")),
                   description=html_to_text(body),
                   team=joined(text(field(categories, "department")), text(field(categories, "team"))),
                   level=text(field(categories, "level")), opened=day(posting.get("createdAt")),
                   location=text(field(categories, "location")), employment=text(field(categories, "commitment")),
                   url=text(posting.get("hostedUrl")))

