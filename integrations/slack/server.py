"""Serving the app: over HTTP on bolt's usual /slack/events path, one thread per request, or Socket Mode."""
from __future__ import annotations

import errno
import logging
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from .connections import REQUEST_SECONDS, Connections
from .delivery import describe

log = logging.getLogger("whichrole.slack")

EVENTS_PATH = "/slack/events"
# Slack's payloads are a few kilobytes; anything far larger is not from Slack.
MAX_BODY = 1 << 20
# How often serve_socket_mode looks whether the connection is up.
WATCH_INTERVAL = 0.2


class SlackHTTPServer(ThreadingHTTPServer):
    """Listens as soon as it is made, so that a port in use is said before anything else starts, and
    hands each POST to /slack/events to the bolt app given to ``serve``, which verifies its signature
    and dispatches it."""

    daemon_threads = True
    # Bursts of commands arrive together (a whole channel trying the command at once). A connection
    # beyond the accept queue has its SYN dropped and retried a second or more later: at 200 commands
    # at once, a queue of 128 put p99 acknowledgement past a second. Linux caps this at
    # net.core.somaxconn (4096 since kernel 5.4).
    request_queue_size = 1024

    def __init__(self, host: str, port: int, connections: Optional[Connections] = None):
        self.bolt: Optional[App] = None
        self.connections = connections or Connections()
        try:
            super().__init__((host, port), _Handler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise OSError(f"port {port} on {host} is already in use; stop what listens there, "
                              "or choose another with --port") from None
            raise OSError(f"cannot listen on {host}:{port} ({error.strerror or describe(error)})") from None

    def serve(self, bolt: App, poll_interval: float = 0.5) -> None:
        self.bolt = bolt
        self.serve_forever(poll_interval)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{EVENTS_PATH}"

    def process_request(self, request, client_address) -> None:
        if not self.connections.admit(request):
            log.warning("refused a connection from %s: all %d connections held are being answered",
                        client_address[0], self.connections.limit)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        self.connections.closed(request)
        super().shutdown_request(request)

    def service_actions(self) -> None:
        self.connections.shed_slow()

    def handle_error(self, request, client_address) -> None:
        log.warning("connection from %s failed (%s)", client_address[0], describe(sys.exc_info()[1]))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "whichrole"
    timeout = REQUEST_SECONDS   # a client silent this long is gone (Connections bounds the whole request)

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        if path != EVENTS_PATH:
            self._send(404, "not found")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send(411, "Content-Length required", close=True)
            return
        if not 0 <= length <= MAX_BODY:
            self._send(413, "request too large", close=True)
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        self.server.connections.busy(self.connection)
        if not self.headers.get("X-Slack-Request-Timestamp", "0").strip().isdigit():
            # bolt's verifier raises on a timestamp that is not a number; it is refused like a bad signature
            self._send(401, '{"error": "invalid request"}')
            return
        try:
            request = BoltRequest(body=body, query=query, headers=self.headers)
        except (ValueError, AttributeError, TypeError):
            # bolt reads the payload before checking the signature, and takes it for an object
            # (AttributeError on `[]`, `null`, `42`): garbage is refused here, signed or not.
            log.info("refused a malformed request from %s", self.client_address[0])
            self._send(400, "malformed request")
            return
        try:
            response = self.server.bolt.dispatch(request)
        except Exception as error:
            log.error("request not handled (%s)", describe(error))
            self._send(500, "internal error")
            return
        if response.status == 401:
            log.info("refused a request from %s: bad or stale signature", self.client_address[0])
        self._send(response.status, response.body, response.headers)

    def do_GET(self) -> None:
        self._send(404, "not found")

    def _send(self, status: int, body: str, headers: dict | None = None, close: bool = False) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        for name, values in (headers or {}).items():
            if name.lower() != "content-length":
                for value in values:
                    self.send_header(name, value)
        if not headers:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)
        self.server.connections.waiting(self.connection)

    def log_message(self, format: str, *args) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def serve_socket_mode(bolt: App, app_token: str, connect_timeout: float, keep_trying: bool,
                      ping_interval: float) -> None:
    """Connect out to Slack over a WebSocket (no public URL needed) and serve until interrupted.

    slack_sdk tries to connect again and again, forever, logging each attempt as a success. This
    waits for a connection that holds; without one after ``connect_timeout`` seconds it raises
    OSError naming the last failure, or, ``keep_trying``, says so once and waits on, slack_sdk
    trying again every ``ping_interval`` seconds.
    """
    sdk_log = logging.getLogger("whichrole.slack.socket")
    # slack_sdk logs at INFO that "a new session has been established" even when the connection was
    # refused; its warnings and errors are kept, and the lines below say what holds.
    sdk_log.setLevel(logging.WARNING)
    handler = SocketModeHandler(bolt, app_token, logger=sdk_log, ping_interval=ping_interval)
    failures: deque[BaseException] = deque(maxlen=1)   # the last one says why
    handler.client.on_error_listeners.append(failures.append)
    try:
        handler.connect()   # asks apps.connections.open for the URL: SlackApiError if the token is refused
        deadline = time.monotonic() + connect_timeout
        while not handler.client.is_connected():
            if deadline is not None and time.monotonic() > deadline:
                reason = describe(failures[-1]) if failures else "no answer"
                if not keep_trying:
                    raise OSError(f"cannot connect to Slack over Socket Mode ({reason}); gave up after "
                                  f"{connect_timeout:g} s (--keep-trying keeps trying)")
                log.warning("cannot connect to Slack over Socket Mode yet (%s); trying on", reason)
                deadline = None
            time.sleep(WATCH_INTERVAL)
        log.info("connected to Slack over Socket Mode; serving /whichrole")
        threading.Event().wait()
    finally:
        handler.close()
