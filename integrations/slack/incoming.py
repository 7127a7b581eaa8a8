"""What a signed request must be to reach the listeners: new, and shaped as the listeners read it.

Both checks run as bolt global middleware, after bolt has verified the signature and in HTTP and
Socket Mode alike. A request seen before (a replay, or Slack's retry of a request it thinks was
lost, marked X-Slack-Retry-Num) is acknowledged and nothing more, so that each command is answered
once. A payload missing a part bolt or a listener reads (actions, a view's state) is refused with
400 and one log line, where bolt itself would fail with a KeyError and answer 500.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Callable, Optional

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

log = logging.getLogger("whichrole.slack")

# A response_url, and so any reply to a request, lives 30 minutes; Slack retries within minutes.
REMEMBERED_FOR = 30 * 60
REMEMBERED = 100_000

# The interactivity payloads the app handles: each part a listener or bolt reads, and its type.
REQUIRED: dict[str, dict[str, type]] = {
    "block_actions": {"user.id": str, "actions.0.action_id": str},
    "view_submission": {"user.id": str, "view.type": str, "view.callback_id": str, "view.state.values": dict},
    "view_closed": {"user.id": str, "view.type": str, "view.callback_id": str},
}


class AnswerOnce(Middleware):
    """Lets through the first of identical requests within ``window`` seconds (remembering at most
    ``size`` of them), and acknowledges each repeat without handling it."""

    def __init__(self, window: float = REMEMBERED_FOR, size: int = REMEMBERED):
        self.window = window
        self.size = size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable) -> Optional[BoltResponse]:
        if self.first_time(req.body):
            return next()
        retry = (req.headers.get("x-slack-retry-num") or [None])[0]
        log.info("ignored a request already answered (%s)", f"Slack's retry {retry}" if retry else "a replay")
        return BoltResponse(status=200, body="")

    def first_time(self, body: dict, now: Optional[float] = None) -> bool:
        """True the first time ``body`` comes (and it is remembered), False for every repeat of it."""
        now = time.monotonic() if now is None else now
        # The parsed body, so that HTTP (a form) and Socket Mode (JSON) are recognised alike.
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
        with self._lock:
            while self._seen and now - next(iter(self._seen.values())) > self.window:
                self._seen.popitem(last=False)
            if digest in self._seen:
                return False
            if len(self._seen) >= self.size:
                self._seen.popitem(last=False)
            self._seen[digest] = now
            return True


class WellFormed(Middleware):
    """Refuses an interactivity payload without a part that bolt or a listener reads."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable) -> Optional[BoltResponse]:
        kind = req.body.get("type")
        reason = missing(req.body, REQUIRED[kind]) if isinstance(kind, str) and kind in REQUIRED else None
        if reason is None:
            return next()
        log.warning("refused a malformed %s payload: %s", kind, reason)
        return BoltResponse(status=400, body=f"malformed {kind} payload: {reason}")


def missing(body: dict, parts: dict[str, type]) -> Optional[str]:
    """What the first absent or mistyped part is ('no actions.0.action_id'), or None if all are there."""
    for path, kind in parts.items():
        node = body
        for step in path.split("."):
            if isinstance(node, dict):
                node = node.get(step)
            elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            else:
                node = None
        if not isinstance(node, kind):
            return f"no {path}" if node is None else f"{path} is not a {kind.__name__}"
    return None
