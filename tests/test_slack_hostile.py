"""The Slack app against requests and clients that are odd on purpose, on 127.0.0.1: signed payloads
that are no objects, secrets and user text in the log at every level."""
from __future__ import annotations

import logging
import resource
import socket
import threading
import time
import urllib.parse

import pytest

from slack_fake import BOT_TOKEN, SIGNING_SECRET, command_body, interaction_body, post
from test_slack_app import nothing_leaks, send_command, slack  # noqa: F401 (fixtures)
from test_slack_cli import Serving, environment, fake  # noqa: F401 (a fixture)
from whichrole.integrations.slack.connections import Connections
from whichrole.integrations.slack.server import SlackHTTPServer


@pytest.mark.parametrize("payload", [[], None, 42, "block_actions", [{"type": "block_actions"}]])
def test_a_signed_interaction_payload_that_is_no_object_is_refused_with_400(slack, caplog, payload):
    answer = post(slack.url, interaction_body(payload))
    assert (answer.status, answer.body) == (400, "malformed request")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == [
        "refused a malformed request from 127.0.0.1"]
    answer, path = send_command(slack, "build ETL pipelines into the warehouse")
    assert answer.status == 200 and slack.fake.wait(path)


WORDS = "Quokka-7731"


def test_response_urls_and_requisition_text_stay_out_of_the_log_at_every_level(slack, caplog):
    caplog.set_level(logging.DEBUG)
    text = f"Own the {WORDS} churn models: deploy them behind an API and monitor drift"
    answer, path = send_command(slack, f'title="{WORDS} Scientist" {text}')
    assert answer.status == 200 and slack.fake.wait(path)
    slack.fake.fail("/response/*", status=500, body="internal_error")    # the reply goes as a direct message
    answer, path = send_command(slack, text, user="U0DEBUG")
    assert answer.status == 200
    slack.fake.wait("/api/chat.postMessage", where=lambda call: call.body["channel"] == "U0DEBUG")
    replies = [slack.fake.to(path)[0].body["text"], slack.fake.to("/api/chat.postMessage")[-1].body["text"]]
    leaks = [(r.name, r.levelname, r.getMessage()[:120]) for r in caplog.records
             if any(part in r.getMessage() for part in ["/response/", WORDS, *replies])]
    assert leaks == [], "\n".join(map(str, leaks))


IDLE = 300


def half_sent(url: str) -> socket.socket:
    """A connection that starts a request and sends nothing more."""
    parts = urllib.parse.urlsplit(url)
    connection = socket.create_connection((parts.hostname, parts.port), timeout=10)
    connection.sendall(b"POST /slack/events HTTP/1.1\r\nHost: whichrole\r\nContent-Type: application/json\r\n")
    return connection


def test_idle_connections_past_the_file_limit_do_not_hold_back_a_command(fake):
    """The server may open 256 files; 300 connections that never finish their request come first."""
    def few_files():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    serving = Serving(["--host", "127.0.0.1", "--port", "0"],
                      environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                                  SLACK_API_URL=fake.api_url), preexec_fn=few_files)
    idle = []
    try:
        url = serving.wait_for(r"serving /whichrole at (http://\S+)").group(1)
        idle = [half_sent(url) for _ in range(IDLE)]
        answer = post(url, command_body("deploy models and monitor drift", fake.response_url("past-idle")))
        assert (answer.status, answer.body) == (200, "")
        assert fake.wait("/response/past-idle")
    finally:
        for connection in idle:
            connection.close()
        serving.stop()


def test_a_connection_that_does_not_send_its_request_in_time_is_closed(durable):
    server = SlackHTTPServer("127.0.0.1", 0, Connections(request_seconds=0.5))
    thread = threading.Thread(target=server.serve, args=(None, 0.05), daemon=True)
    thread.start()
    try:
        connection = half_sent(server.url)
        try:
            for _ in range(10):   # a byte at a time, each in good time, the whole too late
                connection.sendall(b"X")
                time.sleep(0.2)
            closed = connection.recv(1024) == b""   # long before the socket's 10 s
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        finally:
            connection.close()
        assert closed
    finally:
        server.shutdown()
        server.server_close()


def test_a_response_url_slower_than_a_web_api_call_answers_once(slack):
    """The app gives a Web API call 1 s here (10 s in service): a response_url taking 2 s is waited for."""
    path = "/response/slow-to-take"
    slack.fake.hang(path, seconds=2)
    answer = post(slack.url, command_body("deploy models and monitor drift", slack.fake.base + path, user="U0SLOW"))
    assert answer.status == 200
    slack.fake.wait(path)
    time.sleep(3)   # the response_url has taken the reply; a direct message, if any, would have gone by now
    assert [c for c in slack.fake.to("/api/chat.postMessage") if c.body["channel"] == "U0SLOW"] == []
