"""Open requisitions read straight from an applicant-tracking system: greenhouse:BOARD, lever:SITE, ashby:BOARD.

Each vendor has a module of its own (greenhouse, lever, ashby) that turns its API's pages into
Postings; they share the HTTP client (http), the reading of pages (pages), the HTML to text
(htmltext) and the key lookup (keys). A source is fetched on a thread of its own from the moment
the audit starts, so that its pages arrive while earlier sources, or its own first pages, are
being classified.
"""
from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Iterator, Mapping, Optional

from . import ashby, greenhouse, lever
from .http import Client, FetchError, Limits
from .keys import api_key
from .posting import Posting

VENDORS: dict[str, ModuleType] = {module.NAME: module for module in (greenhouse, lever, ashby)}

__all__ = ["AtsSource", "FetchError", "Fetch", "Limits", "Posting", "VENDORS", "parse_source"]


@dataclass(frozen=True)
class AtsSource:
    """A board of an ATS, named as on the command line: 'greenhouse:acme'. It stands where a
    workbook's path stands in an audit, so it answers to the same few questions a Path does."""

    vendor: str
    board: str

    @property
    def name(self) -> str:
        return f"{self.vendor}:{self.board}"

    def __str__(self) -> str:
        return self.name


def parse_source(text: str) -> Optional[AtsSource]:
    """'greenhouse:acme' -> AtsSource; None for anything that does not start with a vendor's name."""
    vendor, colon, board = str(text).partition(":")
    if not colon or vendor.lower() not in VENDORS:
        return None
    board = board.strip().strip("/")
    if not board or "/" in board:
        raise ValueError(f"{text}: expected {vendor.lower()}:BOARD, the board's name as in its job site's address")
    return AtsSource(vendor.lower(), board)


class Fetch:
    """The postings of one source, fetched on a thread of its own; iterate to read them as they arrive.

    The iteration raises FetchError (one line, naming the source) when the source cannot be read
    to the end; a source is read whole or not at all.
    """

    def __init__(self, source: AtsSource, limits: Limits, env: Optional[Mapping[str, str]] = None):
        env = os.environ if env is None else env
        self.source = source
        module = VENDORS[source.vendor]
        key = api_key(module.KEY_ENV, env) if module.KEY_ENV else None
        self.note = module.note(key is not None)
        self._pages: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        base_url = (env.get(module.URL_ENV) or "").strip() or module.default_url(key is not None)
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"{module.URL_ENV} is not an http(s) URL: {base_url!r}")
        client = Client(source.name, base_url, limits, key)
        self._thread = threading.Thread(target=self._run, args=(client, module, key is not None),
                                        name=f"fetch {source.name}", daemon=True)
        self._thread.start()

    def _run(self, client: Client, module: ModuleType, keyed: bool) -> None:
        try:
            with client:
                for page in module.pages(client, self.source.board, keyed):
                    if self._stop.is_set():
                        return
                    self._pages.put(page)
            self._pages.put(None)
        except FetchError as error:
            self._pages.put(error)
        except Exception as error:
            self._pages.put(self._unexpected(error))

    def _unexpected(self, error: Exception) -> FetchError:
        """A shape no answer should have: the source fails, the audit goes on."""
        detail = str(error).splitlines()[0] if str(error) else "no detail"
        return FetchError(f"{self.source.name}: unexpected answer ({type(error).__name__}: {detail})")

    def __iter__(self) -> Iterator[Posting]:
        while True:
            page = self._pages.get()
            if page is None:
                return
            if isinstance(page, FetchError):
                raise page
            for read in page:
                try:
                    posting = read()
                except Exception as error:
                    raise self._unexpected(error) from None
                yield posting

    def cancel(self) -> None:
        """Stop fetching after the page under way (the audit ended without reading this source)."""
        self._stop.set()
