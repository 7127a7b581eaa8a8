"""Reading the answers of an ATS API: what a page must hold, and the pages that follow a Link header."""
from __future__ import annotations

from typing import Iterator, Mapping, Optional

import httpx

from .http import Client


def items(client: Client, data: object, key: Optional[str] = None) -> list[dict]:
    """The list of jobs in an answer (``data[key]``, or ``data`` itself); a FetchError for anything else."""
    found = data.get(key) if key and isinstance(data, dict) else data
    if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
        where = f"a {key!r} list of objects" if key else "a list of objects"
        raise client.fail(f"unexpected answer: expected {where}")
    return found


def linked_pages(client: Client, path: str, params: Mapping[str, object]) -> Iterator[list[dict]]:
    """The pages of a list that gives the next page's URL in a Link header (rel="next", RFC 8288)."""
    url: Optional[str] = path
    seen = set()
    while url:
        data, response = client.get_json(url, params if url == path else None)
        yield items(client, data)
        seen.add(str(response.url))
        url = response.links.get("next", {}).get("url")
        if url and httpx.URL(url).is_absolute_url and not _same_origin(httpx.URL(url), client.http.base_url):
            # The key goes with every request: never to a host other than the API's.
            raise client.fail(f"the next page is on another host ({httpx.URL(url).host}); not followed")
        if url and str(response.url.join(url)) in seen:
            raise client.fail("the next page is one already read; the listing does not end")


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def field(value: object, name: str) -> object:
    """``value[name]`` when value is an object, else None: optional fields are often null or missing."""
    return value.get(name) if isinstance(value, dict) else None


def text(value: object) -> Optional[str]:
    """A field's text, an id given as a number too; None for none."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    value = str(value).strip()
    return value or None
