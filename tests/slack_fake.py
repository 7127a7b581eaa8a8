"""Slack, played on 127.0.0.1: its Web API and the response_urls, and the signed requests it sends.

The app's WebClient points at ``FakeSlack.api_url``; commands carry ``FakeSlack.response_url(n)``.
Every call the app makes is recorded; a method can be made to fail or to hang.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1111111111-2222222222-abcdefghijklmnopqrstuvwx"
APP_TOKEN = "xapp-1-A111-222-abcdefabcdefabcdef"


@dataclass
class Call:
    """One request the app made: to the Web API (``/api/<method>``) or to a response_url (``/response/<n>``)."""

    path: str
    body: dict
    headers: dict
    at: float = field(default_factory=time.perf_counter)

    @property
    def method(self) -> str:
        return self.path.rsplit("/", 1)[-1]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass   # the app hung up on a slow answer, as it should: nothing to report


class FakeSlack:
    def __init__(self):
        self.calls: list[Call] = []
        # path (e.g. "/api/views.open", "/response/7") -> what to do instead of answering ok
        self.failures: dict[str, Callable[[dict], tuple[int, str]]] = {}
        self._changed = threading.Condition()
        self._release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw or "{}")
                else:
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
                path = self.path.split("?")[0]
                with fake._changed:
                    fake.calls.append(Call(path, body, dict(self.headers)))
                    fake._changed.notify_all()
                failure = fake.failures.get(path) or fake.failures.get(path.rsplit("/", 1)[0] + "/*")
                status, text = failure(body) if failure else (200, fake._ok(path))
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if path.startswith("/api/") else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name) -> str:
        return f"{self.base}/response/{name}"

    @staticmethod
    def _ok(path: str) -> str:
        if path == "/api/auth.test":
            return json.dumps({"ok": True, "url": "https://example.slack.com/", "team": "Example",
                               "user": "whichrole", "team_id": "T0001", "user_id": "U0BOT", "bot_id": "B0001"})
        if path.startswith("/api/"):
            return json.dumps({"ok": True})
        return "ok"

    # ---- making Slack misbehave --------------------------------------------------------------

    def fail(self, path: str, status: int = 200, body: str = '{"ok": false, "error": "internal_error"}',
             when: Callable[[dict], bool] = lambda sent: True) -> None:
        """Answer ``path`` with ``status`` and ``body`` (when the request's body satisfies ``when``)."""
        self.failures[path] = lambda sent: (status, body) if when(sent) else (200, self._ok(path))

    def hang(self, path: str, seconds: float = 5.0) -> None:
        """Answer ``path`` only after ``seconds`` (or when the test ends), like a Slack that times out."""
        def slow(sent):
            self._release.wait(seconds)
            return 200, self._ok(path)
        self.failures[path] = slow

    def behave(self) -> None:
        self.failures.clear()
        self._release.set()
        self._release = threading.Event()

    # ---- looking at what the app sent --------------------------------------------------------

    def to(self, path: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.path == path]

    def wait(self, path: str, count: int = 1, timeout: float = 10.0,
             where: Callable[[Call], bool] = lambda call: True) -> list[Call]:
        """The first ``count`` calls to ``path`` (that satisfy ``where``), waiting at most ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.path == path and where(c)]
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(found)} of {count} calls to {path} within {timeout} s")
                self._changed.wait(left)

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()


def signature(body: str, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def command_body(text: str, response_url: str, user: str = "U0USER", trigger_id: str = "13345224609.738474920.8088930838d88f008e0") -> str:
    return urllib.parse.urlencode({
        "token": "deprecated-verification-token", "team_id": "T0001", "team_domain": "example",
        "channel_id": "C0CHANNEL", "channel_name": "hiring", "user_id": user, "user_name": "hiring.manager",
        "command": "/whichrole", "text": text, "api_app_id": "A0001", "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": trigger_id,
    })


def interaction_body(payload: dict) -> str:
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


@dataclass
class Answer:
    status: int
    body: str
    seconds: float


def post(url: str, body: str, *, timestamp: Optional[str] = None, secret: str = SIGNING_SECRET,
         sign: Optional[str] = None, content_type: str = "application/x-www-form-urlencoded",
         timeout: float = 10.0) -> Answer:
    """POST ``body`` to the app as Slack does, signed (or with the given signature), and time the answer."""
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": sign if sign is not None else signature(body, timestamp, secret)}
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        started = time.perf_counter()
        connection.request("POST", parts.path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        return Answer(response.status, text, time.perf_counter() - started)
    finally:
        connection.close()


def filled_in(view: dict, changes: Optional[dict] = None) -> dict:
    """The ``state`` Slack sends on submit: each input as the form showed it, with ``changes`` typed in.

    ``changes`` maps a block_id to a text, or to a select's option value.
    """
    changes = changes or {}
    values = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element, name = block["element"], block["block_id"]
        action = element["action_id"]
        if element["type"] == "static_select":
            option = element.get("initial_option")
            if name in changes:
                option = next(o for o in element["options"] if o["value"] == changes[name])
            values[name] = {action: {"type": "static_select", "selected_option": option}}
        else:
            values[name] = {action: {"type": element["type"], "value": changes.get(name, element.get("initial_value"))}}
    return {"values": values}
