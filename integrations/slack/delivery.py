"""How a reply reaches the user: the request's response_url first, a direct message from the app if not.

A response_url takes at most 5 posts within 30 minutes of the request; beyond that, or when it
does not answer, the reply goes to the user as a direct message. When Slack refuses the blocks
themselves, the plain-text version is sent instead. Log lines are one line each and never
carry a token or a response_url (which is a credential for 30 minutes).
"""
from __future__ import annotations

import enum
import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Optional

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from whichrole.render import cut

from .messages import Reply

log = logging.getLogger("whichrole.slack")
# The logger of every slack_sdk client the app makes. The clients log each request and its answer
# whole at DEBUG: a response_url (a credential for 30 minutes), the reply, the user's words. Only
# their warnings and errors are kept, whatever level an embedding sets.
SDK_LOG = logging.getLogger("whichrole.slack.sdk")
SDK_LOG.addFilter(lambda record: record.levelno >= logging.INFO)

RESPONSE_URL_POSTS = 5
RESPONSE_URL_LIFETIME = 30 * 60
# A post to a response_url waits this many times as long as a Web API call: the direct message
# sent when it does not answer would be a second answer if it took the reply after all. A slow
# response_url holds a posting thread, never a worker.
RESPONSE_URL_PATIENCE = 3
# What Slack says when the content, not the route, is the problem: the plain version may pass.
CONTENT_ERRORS = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "too_many_blocks", "no_text"}
_ERROR_CODE = re.compile(r"[a-z0-9_]{1,100}")


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    REFUSED = "refused"          # the content was refused; the plain version may go the same way
    UNREACHABLE = "unreachable"  # this route cannot deliver anything; try the next one


@dataclass(frozen=True)
class ReplyTo:
    """Who gets the answer, and the response_url of the request that asked (when there is one)."""

    user: str
    response_url: Optional[str] = None
    issued: float = 0.0   # when Slack issued the response_url (time.time())

    def metadata(self) -> dict:
        """What a form carries until it is submitted, so that its answer goes where the request came from."""
        return {"response_url": self.response_url, "issued": self.issued} if self.response_url else {}

    @classmethod
    def from_metadata(cls, user: str, metadata: dict) -> "ReplyTo":
        url, issued = metadata.get("response_url"), metadata.get("issued")
        if isinstance(url, str) and isinstance(issued, (int, float)):
            return cls(user, url, float(issued))
        return cls(user)


class ResponseUrlBudget:
    """Counts posts per response_url, so the app never asks more of one than Slack allows."""

    def __init__(self, posts: int = RESPONSE_URL_POSTS, lifetime: float = RESPONSE_URL_LIFETIME):
        self.posts = posts
        self.lifetime = lifetime
        self._used: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def take(self, url: str, issued: float, now: Optional[float] = None) -> bool:
        """True, and one post counted, if ``url`` may take another post now."""
        now = time.time() if now is None else now
        with self._lock:
            self._forget_expired(now)
            if now - issued > self.lifetime:
                return False
            issued, count = self._used.get(url, (issued, 0))
            if count >= self.posts:
                return False
            self._used[url] = (issued, count + 1)
            return True

    def _forget_expired(self, now: float) -> None:
        for url in [u for u, (issued, _) in self._used.items() if now - issued > self.lifetime]:
            del self._used[url]


class Delivery:
    def __init__(self, client: WebClient, timeout: float, budget: Optional[ResponseUrlBudget] = None):
        self.client = client
        self.timeout = timeout
        self.budget = budget or ResponseUrlBudget()

    def send(self, to: ReplyTo, reply: Reply) -> bool:
        routes = ([self._to_response_url] if to.response_url else []) + [self._to_direct_message]
        for route in routes:
            for plain in ((False, True) if reply.blocks else (False,)):
                outcome = route(to, reply.payload(plain))
                if outcome is Outcome.DELIVERED:
                    return True
                if outcome is Outcome.UNREACHABLE:
                    break
        log.warning("reply to %s not delivered: Slack took it by no route", to.user)
        return False

    def _to_response_url(self, to: ReplyTo, payload: dict) -> Outcome:
        if not self.budget.take(to.response_url, to.issued):
            log.info("response_url of a request by %s is used up or expired; replying directly", to.user)
            return Outcome.UNREACHABLE
        try:
            webhook = WebhookClient(to.response_url, timeout=self.timeout * RESPONSE_URL_PATIENCE, logger=SDK_LOG)
            response = webhook.send_dict(payload)
        except Exception as error:  # timeouts and connection errors alike: this route is out
            log.warning("response_url did not answer (%s)", describe(error))
            return Outcome.UNREACHABLE
        if response.status_code == 200:
            return Outcome.DELIVERED
        body = one_line(response.body or "", 100)
        log.warning("response_url refused the reply: HTTP %s %s", response.status_code, body)
        return Outcome.REFUSED if body in CONTENT_ERRORS else Outcome.UNREACHABLE

    def _to_direct_message(self, to: ReplyTo, payload: dict) -> Outcome:
        try:
            self.client.chat_postMessage(channel=to.user, text=payload["text"], blocks=payload.get("blocks"))
            return Outcome.DELIVERED
        except SlackApiError as error:
            code = api_error(error)
            log.warning("chat.postMessage failed: %s", code)
            return Outcome.REFUSED if code in CONTENT_ERRORS else Outcome.UNREACHABLE
        except Exception as error:
            log.warning("chat.postMessage did not answer (%s)", describe(error))
            return Outcome.UNREACHABLE


def api_error(error: SlackApiError) -> str:
    """Slack's error code ('invalid_auth'), or the HTTP status when the answer was not Slack's JSON
    (slack_sdk then puts a sentence quoting the body, an HTML error page, where the code would be)."""
    response = error.response
    data = getattr(response, "data", None)
    code = data.get("error") if isinstance(data, dict) else None
    if isinstance(code, str) and _ERROR_CODE.fullmatch(code):
        return code
    return f"HTTP {getattr(response, 'status_code', '?')}"


def describe(error: BaseException) -> str:
    """An exception as one short line, without arguments that might hold a URL or a token."""
    reason = getattr(error, "reason", None)   # URLError wraps the socket error
    if isinstance(reason, BaseException):
        error = reason
    name = type(error).__name__
    return "timed out" if isinstance(error, TimeoutError) or name == "timeout" else name


def one_line(text: str, limit: int) -> str:
    return cut(" ".join(str(text).split()), limit)
