"""The HTTP client every ATS source shares: timeouts, retries that honour Retry-After, a bound on the total.

A vendor's API answering 429 or 5xx is asked again after a wait that doubles each time, or
after the wait its Retry-After asks for; no wait runs past the bound on the whole source, so
a scheduled audit always ends. Every failure becomes a FetchError whose message is one line
naming the source; the API key travels only in the Authorization header and is never part of
a message.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Mapping, Optional

import httpx

RETRIED = frozenset({429, 500, 502, 503, 504})
STATUS_MEANING = {
    401: "the API key was refused (HTTP 401)",
    403: "the API key may not read this (HTTP 403)",
    404: "no such board (HTTP 404)",
}


class FetchError(OSError):
    """A source that could not be read; the message is one line and names the source."""


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0       # seconds to connect, and between bytes of an answer
    retries: int = 4            # asked again this many times after a 429, a 5xx or a timeout
    backoff: float = 1.0        # the first wait; each one after is twice the last
    total: float = 600.0        # the bound on reading one source, waits included


class Client:
    """GET requests to one vendor's API on behalf of one source (``name``, as the user wrote it)."""

    def __init__(self, name: str, base_url: str, limits: Limits, key: Optional[str] = None):
        self.name = name
        self.limits = limits
        self.deadline = time.monotonic() + limits.total
        self.http = httpx.Client(base_url=base_url.rstrip("/"), follow_redirects=True,
                                 auth=httpx.BasicAuth(key, "") if key else None,
                                 headers={"Accept": "application/json", "User-Agent": "whichrole"})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def fail(self, what: str) -> FetchError:
        return FetchError(f"{self.name}: {what}")

    def get(self, path: str, params: Optional[Mapping[str, object]] = None) -> httpx.Response:
        """The answer to GET ``path`` (a path under the base URL, or a full URL a Link header gave)."""
        limits = self.limits
        wait = limits.backoff
        for attempt in range(limits.retries + 1):
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                response = self.http.get(path, params=params, timeout=min(limits.timeout, remaining))
            except httpx.TimeoutException:
                problem, asked = f"no answer within {min(limits.timeout, remaining):g} s", None
            except httpx.TransportError as error:
                problem, asked = f"cannot connect ({_reason(error)})", None
            else:
                if response.status_code < 400:
                    return response
                if response.status_code not in RETRIED:
                    raise self.fail(STATUS_MEANING.get(response.status_code, f"HTTP {response.status_code}"))
                problem, asked = f"HTTP {response.status_code}", retry_after(response)
            if attempt == limits.retries:
                raise self.fail(f"{problem}, {attempt + 1} attempts")
            pause = wait if asked is None else asked
            if pause >= self.deadline - time.monotonic():
                raise self.fail(f"{problem}; the next attempt would end past the bound of {limits.total:g} s "
                                "on reading one source")
            time.sleep(pause)
            wait *= 2
        raise self.fail(f"gave up after {limits.total:g} s (the bound on reading one source)")

    def get_json(self, path: str, params: Optional[Mapping[str, object]] = None) -> tuple[object, httpx.Response]:
        response = self.get(path, params)
        try:
            return json.loads(response.content), response
        except (ValueError, UnicodeDecodeError) as error:
            raise self.fail(f"the answer to {response.url.path} is not JSON ({str(error).splitlines()[0]})") from None


def retry_after(response: httpx.Response) -> Optional[float]:
    """The wait a 429 or 503 asks for: seconds, or an HTTP date (RFC 9110); None if it asks for none."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reason(error: httpx.TransportError) -> str:
    # httpx's messages name the URL at times; the reason alone is what a person needs here.
    return type(error).__name__ if not str(error) else str(error).splitlines()[0]
