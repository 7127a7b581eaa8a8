"""Slack, played on 127.0.0.1: its Web API and the response_urls, and the signed requests it sends.

The app's WebClient points at ``FakeSlack.api_url``; commands carry ``FakeSlack.response_url(n)``.
Every call the app makes is recorded; a method can be made to fail or to hang.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import queue
import re
import socket
import struct
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
    raw: bytes = b""
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
        self.overrides: dict[str, Callable[[dict], tuple[int, str]]] = {}
        self._changed = threading.Condition()
        self._release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                path = self.path.split("?")[0]
                if path.startswith("/upload/"):  # a file's bytes, as files_upload_v2 sends them
                    body = {}
                elif self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                with fake._changed:
                    fake.calls.append(Call(path, body, dict(self.headers), raw))
                    fake._changed.notify_all()
                override = fake.overrides.get(path) or fake.overrides.get(path.rsplit("/", 1)[0] + "/*")
                status, text = override(body) if override else (200, fake._ok(path, body))
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

    def _ok(self, path: str, body: Optional[dict] = None) -> str:
        body = body or {}
        if path == "/api/auth.test":
            return json.dumps({"ok": True, "url": "https://example.slack.com/", "team": "Example",
                               "user": "whichrole", "team_id": "T0001", "user_id": "U0BOT", "bot_id": "B0001"})
        if path == "/api/chat.postMessage":
            return json.dumps({"ok": True, "channel": body.get("channel"), "ts": "1700000000.000100"})
        if path == "/api/files.getUploadURLExternal":
            return json.dumps({"ok": True, "file_id": "F0UPLOAD", "upload_url": f"{self.base}/upload/F0UPLOAD"})
        if path == "/api/files.completeUploadExternal":
            return json.dumps({"ok": True, "files": [{"id": "F0UPLOAD", "title": body.get("title", "")}]})
        if path.startswith("/api/"):
            return json.dumps({"ok": True})
        return "ok"

    # ---- making Slack misbehave --------------------------------------------------------------

    def fail(self, path: str, status: int = 200, body: str = '{"ok": false, "error": "internal_error"}',
             when: Callable[[dict], bool] = lambda sent: True) -> None:
        """Answer ``path`` with ``status`` and ``body`` (when the request's body satisfies ``when``)."""
        self.overrides[path] = lambda sent: (status, body) if when(sent) else (200, self._ok(path))

    def answer(self, path: str, reply: dict) -> None:
        """Answer ``path`` with ``reply`` (such as apps.connections.open's WebSocket URL)."""
        self.overrides[path] = lambda sent: (200, json.dumps(reply))

    def hang(self, path: str, seconds: float = 5.0) -> None:
        """Answer ``path`` only after ``seconds`` (or when the test ends), like a Slack that times out."""
        def slow(sent):
            self._release.wait(seconds)
            return 200, self._ok(path)
        self.overrides[path] = slow

    def behave(self) -> None:
        self.overrides.clear()
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
         timeout: float = 10.0, headers: Optional[dict] = None) -> Answer:
    """POST ``body`` to the app as Slack does, signed (or with the given signature), and time the answer."""
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": sign if sign is not None else signature(body, timestamp, secret), **(headers or {})}
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


class FakeSocketMode:
    """Slack's Socket Mode endpoint: a WebSocket on 127.0.0.1 that hands the app envelopes and
    collects what the app answers (acknowledgements carry the envelope_id)."""

    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"   # RFC 6455

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.connected = threading.Event()
        self.received: "queue.Queue[dict]" = queue.Queue()
        self.connection: Optional[socket.socket] = None
        self._send_lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.listener.getsockname()[1]}/link/?ticket=test"

    def _serve(self) -> None:
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        request = b""
        while b"\r\n\r\n" not in request:
            request += connection.recv(4096)
        key = re.search(rb"Sec-WebSocket-Key: *(\S+)", request, re.IGNORECASE).group(1)
        accept = base64.b64encode(hashlib.sha1(key + self.GUID.encode()).digest()).decode()
        connection.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        self.connection = connection
        self.connected.set()
        reader = connection.makefile("rb")
        while True:
            try:
                opcode, payload = self._read_frame(reader)
            except (OSError, ValueError):
                return
            if opcode == 0x1:
                self.received.put(json.loads(payload))
            elif opcode == 0x9:
                self._send_frame(0xA, payload)   # pong
            elif opcode == 0x8:
                return

    @staticmethod
    def _read_frame(reader) -> tuple[int, bytes]:
        head = reader.read(2)
        if len(head) < 2:
            raise ValueError("connection closed")
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", reader.read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", reader.read(8))[0]
        mask = reader.read(4) if head[1] & 0x80 else b"\0\0\0\0"
        data = reader.read(length)
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))

    def _send_frame(self, opcode: int, data: bytes) -> None:
        length = len(data)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        with self._send_lock:
            self.connection.sendall(header + data)

    def send(self, envelope: dict, timeout: float = 10.0) -> None:
        if not self.connected.wait(timeout):
            raise AssertionError(f"the app did not connect over Socket Mode within {timeout} s")
        self._send_frame(0x1, json.dumps(envelope).encode())

    def answer_to(self, envelope_id: str, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            message = self.received.get(timeout=max(0.01, deadline - time.monotonic()))
            if message.get("envelope_id") == envelope_id:
                return message

    def close(self) -> None:
        """Hang up on the app, as Slack does when it drops a connection."""
        self.listener.close()
        if self.connection:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)   # close() alone leaves it open: the reader holds it
            except OSError:
                pass
            self.connection.close()


def command_fields(text: str, response_url: str, user: str = "U0USER") -> dict:
    """A slash command's fields as Socket Mode carries them (a JSON object, not a form)."""
    return {k: v[0] for k, v in urllib.parse.parse_qs(command_body(text, response_url, user)).items()}
