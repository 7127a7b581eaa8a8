"""The connections the HTTP server holds: bounded in number, and in how long one may take to send
its request, so that idle or slow clients cannot starve the signed commands Slack sends.

Each connection holds a thread and a file descriptor. Past the process's file limit the server
could accept nothing more, and a command would wait in the listen queue until idle connections
timed out, far beyond the 3 seconds Slack waits for an acknowledgement. So the server holds at
most ``limit`` connections, below that file limit: one more shuts down the connection that has
waited longest for its request (a connection whose request is being answered is never shut
down), and a connection that has not sent its whole request within ``request_seconds`` is shut
down too. Slack sends a request at once, on a connection of its own.
"""
from __future__ import annotations

import resource
import socket
import threading
import time
from typing import Optional

MOST_CONNECTIONS = 512
# Files the process needs besides its connections: its posts to Slack (64 at once), logs, sockets.
OTHER_FILES = 128
REQUEST_SECONDS = 10.0


def default_limit() -> int:
    """MOST_CONNECTIONS, or fewer if the process may not open that many files besides the others."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MOST_CONNECTIONS
    return max(1, min(MOST_CONNECTIONS, soft - OTHER_FILES))


class Connections:
    def __init__(self, limit: Optional[int] = None, request_seconds: float = REQUEST_SECONDS):
        self.limit = limit or default_limit()
        self.request_seconds = request_seconds
        self._waiting: dict[socket.socket, float] = {}   # for their request, since (in insertion order)
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def admit(self, connection: socket.socket) -> bool:
        """Make room for a new connection, if need be, and count it; False if every one held is busy."""
        with self._lock:
            if len(self._open) >= self.limit:
                if not self._waiting:
                    return False
                oldest = next(iter(self._waiting))
                del self._waiting[oldest]
                _shut(oldest)
            self._open.add(connection)
            self._waiting[connection] = time.monotonic()
            return True

    def busy(self, connection: socket.socket) -> None:
        """Its request has come whole: it is answered, never shut down meanwhile."""
        with self._lock:
            self._waiting.pop(connection, None)

    def waiting(self, connection: socket.socket) -> None:
        """Answered; it may send another request (HTTP keep-alive), from now on."""
        with self._lock:
            if connection in self._open:
                self._waiting[connection] = time.monotonic()

    def closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.discard(connection)
            self._waiting.pop(connection, None)

    def shed_slow(self, now: Optional[float] = None) -> None:
        """Shut down the connections that have taken longer than request_seconds to send a request."""
        now = time.monotonic() if now is None else now
        with self._lock:
            late = [c for c, since in self._waiting.items() if now - since > self.request_seconds]
            for connection in late:
                del self._waiting[connection]
                _shut(connection)


def _shut(connection: socket.socket) -> None:
    """Ends the connection's thread as well: its read returns at once, with nothing."""
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:   # the client has gone already
        pass
