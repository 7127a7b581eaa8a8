"""`whichrole serve-slack`: settings errors in one line, and the real command serving a local Slack."""
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from slack_fake import (APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack, FakeSocketMode, command_body, command_fields,
                        post)
from whichrole.integrations.slack.app import COMMAND
from whichrole.integrations.slack.server import EVENTS_PATH
from whichrole.integrations.slack.settings import SettingsError, SlackSettings

pytestmark = pytest.mark.slow  # processes started and waited for

WHICHROLE = Path(sys.executable).with_name("whichrole")
SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")


@pytest.fixture
def fake():
    slack = FakeSlack()
    yield slack
    slack.close()


def environment(**values):
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARIABLES}
    env.update(values)
    return env


def run(args, env, timeout=60):
    return subprocess.run([str(WHICHROLE), "serve-slack", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("socket, given, missing", [
    (False, {}, "SLACK_BOT_TOKEN"),
    (False, {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
    (False, {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "  "}, "SLACK_SIGNING_SECRET"),
    (True, {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}, "SLACK_APP_TOKEN"),
])
def test_a_missing_setting_is_named(socket, given, missing):
    with pytest.raises(SettingsError) as error:
        SlackSettings.from_env(socket, env=given)
    assert str(error.value).startswith(f"{missing} is not set")


def test_settings_read_the_api_url_and_hide_the_secrets():
    settings = SlackSettings.from_env(False, env={"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                                                  "SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert settings.api_url == "http://127.0.0.1:9/api/"
    assert BOT_TOKEN not in repr(settings) and SIGNING_SECRET not in str(settings)
    with pytest.raises(SettingsError, match="SLACK_API_URL is not an http"):
        SlackSettings.from_env(False, env={"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "y", "SLACK_API_URL": "slack"})
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN is not an app-level token"):
        SlackSettings.from_env(True, env={"SLACK_BOT_TOKEN": "x", "SLACK_APP_TOKEN": BOT_TOKEN})


def test_the_command_says_what_is_missing_in_one_line():
    done = run([], environment(SLACK_BOT_TOKEN=BOT_TOKEN))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("whichrole: error: SLACK_SIGNING_SECRET is not set (needed in HTTP mode); "
                           "see the Slack section of the README\n")


def test_a_refused_token_and_an_unreachable_slack_are_one_line_without_the_token(fake):
    fake.fail("/api/auth.test", body='{"ok": false, "error": "invalid_auth"}')
    done = run([], environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                               SLACK_API_URL=fake.api_url))
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "whichrole: error: SLACK_BOT_TOKEN was refused by Slack (invalid_auth)"
    assert BOT_TOKEN not in done.stderr + done.stdout and "Traceback" not in done.stderr

    closed = f"http://127.0.0.1:{fake.server.server_address[1]}/api/"
    fake.close()
    done = run([], environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=closed))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"whichrole: error: cannot reach the Slack Web API at {closed} "
                                        "(ConnectionRefusedError)"], "one line, not a log line a failed try before it"


def test_a_port_in_use_is_named_before_slack_is_called(fake):
    taken = socket.create_server(("127.0.0.1", 0))
    port = taken.getsockname()[1]
    try:
        done = run(["--host", "127.0.0.1", "--port", str(port)],
                   environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url))
    finally:
        taken.close()
    assert done.returncode == 2
    assert done.stderr == (f"whichrole: error: port {port} on 127.0.0.1 is already in use; stop what listens there, "
                           "or choose another with --port\n")
    assert fake.calls == []


def test_socket_mode_with_a_refused_app_token_is_one_line(fake):
    fake.fail("/api/apps.connections.open", body='{"ok": false, "error": "invalid_auth"}')
    done = run(["--socket"], environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                                         SLACK_API_URL=fake.api_url))
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "whichrole: error: SLACK_APP_TOKEN was refused by Slack (invalid_auth)"
    assert APP_TOKEN not in done.stderr and BOT_TOKEN not in done.stderr and "Traceback" not in done.stderr
    opened = fake.to("/api/apps.connections.open")
    assert opened and opened[0].headers["Authorization"] == f"Bearer {APP_TOKEN}"


class Serving:
    """`whichrole serve-slack` in its own process, its log read as it is written."""

    def __init__(self, args, env, **popen):
        self.process = subprocess.Popen([str(WHICHROLE), "serve-slack", *args], env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True, **popen)
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=lambda: [self.lines.put(line) for line in self.process.stderr],
                                       daemon=True)
        self.reader.start()

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        while not (found := re.search(pattern, "".join(self.seen))):
            self.seen.append(self.lines.get(timeout=max(0.1, deadline - time.monotonic())))
        return found

    def stop(self) -> str:
        """SIGTERM, the exit code checked, and everything it logged."""
        try:
            self.process.send_signal(signal.SIGTERM)
            assert self.process.wait(timeout=20) == 0
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
        self.reader.join(timeout=10)   # it ends when the process has exited and all it wrote is read
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        output = "".join(self.seen)
        assert "INFO whichrole.slack: stopping" in output
        assert not any(secret in output for secret in (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, "Traceback"))
        return output


def test_serve_slack_answers_a_command_then_stops_on_sigterm(fake):
    serving = Serving(["--host", "127.0.0.1", "--port", "0"],
                      environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                                  SLACK_API_URL=fake.api_url))
    try:
        url = serving.wait_for(r"serving /whichrole at (http://\S+)").group(1)
        assert url.endswith(EVENTS_PATH)
        answer = post(url, command_body("deploy models and monitor drift", fake.response_url("cli")))
        assert (answer.status, answer.body) == (200, "")
        assert fake.wait("/response/cli")[0].body["blocks"][0]["type"] == "header"
    finally:
        serving.stop()


def test_serve_slack_in_socket_mode_answers_over_the_websocket(fake):
    websocket = FakeSocketMode()
    fake.answer("/api/apps.connections.open", {"ok": True, "url": websocket.url})
    serving = Serving(["--socket"], environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                                                SLACK_API_URL=fake.api_url))
    try:
        command = command_fields("deploy models and monitor drift", fake.response_url("socket"))
        websocket.send({"envelope_id": "e-1", "type": "slash_commands", "accepts_response_payload": True,
                        "payload": command})
        assert websocket.answer_to("e-1") == {"envelope_id": "e-1"}
        assert fake.wait("/response/socket")[0].body["blocks"][0]["type"] == "header"
        # Slack sends an envelope it thinks was lost again: acknowledged, not answered twice
        websocket.send({"envelope_id": "e-1-again", "type": "slash_commands", "accepts_response_payload": True,
                        "retry_attempt": 1, "retry_reason": "timeout", "payload": command})
        assert websocket.answer_to("e-1-again") == {"envelope_id": "e-1-again"}
        websocket.send({"envelope_id": "e-2", "type": "slash_commands", "accepts_response_payload": True,
                        "payload": command_fields("help", fake.response_url("socket-help"))})
        assert "How to use /whichrole" in websocket.answer_to("e-2")["payload"]["text"]
    finally:
        output = serving.stop()
        websocket.close()
    assert len(fake.to("/response/socket")) == 1
    assert "ignored a request already answered (Slack's retry 1)" in output
    assert fake.to("/api/apps.connections.open")[0].headers["Authorization"] == f"Bearer {APP_TOKEN}"


def test_socket_mode_that_cannot_connect_gives_up_in_one_line(fake):
    fake.answer("/api/apps.connections.open", {"ok": True, "url": "ws://127.0.0.1:9/link/?ticket=closed"})
    started = time.monotonic()
    done = run(["--socket", "--connect-timeout", "2"],
               environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake.api_url), timeout=30)
    assert done.returncode == 2 and time.monotonic() - started < 20
    assert done.stderr.splitlines()[-1] == ("whichrole: error: cannot connect to Slack over Socket Mode "
                                            "(ConnectionRefusedError); gave up after 2 s (--keep-trying keeps trying)")
    assert "Bolt app is running" not in done.stderr and "established" not in done.stderr
    assert APP_TOKEN not in done.stderr and "Traceback" not in done.stderr


def test_socket_mode_told_to_keep_trying_connects_when_slack_comes_back(fake):
    fake.answer("/api/apps.connections.open", {"ok": True, "url": "ws://127.0.0.1:9/link/?ticket=closed"})
    serving = Serving(["--socket", "--connect-timeout", "1", "--keep-trying", "--ping-interval", "1"],
                      environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake.api_url))
    websocket = FakeSocketMode()
    try:
        serving.wait_for(r"WARNING whichrole.slack: cannot connect to Slack over Socket Mode yet "
                         r"\(ConnectionRefusedError\); trying on")
        assert serving.process.poll() is None
        fake.answer("/api/apps.connections.open", {"ok": True, "url": websocket.url})
        serving.wait_for(r"connected to Slack over Socket Mode; serving /whichrole", timeout=5)
        websocket.send({"envelope_id": "e-back", "type": "slash_commands", "accepts_response_payload": True,
                        "payload": command_fields("deploy models and monitor drift", fake.response_url("back"))})
        assert websocket.answer_to("e-back") == {"envelope_id": "e-back"}
        assert fake.wait("/response/back")[0].body["blocks"][0]["type"] == "header"
    finally:
        serving.stop()
        websocket.close()


def test_the_manifest_creates_the_app_this_code_serves():
    manifest = yaml.safe_load((Path(__file__).parents[1] / "integrations/slack/manifest.yml").read_text())
    command = manifest["features"]["slash_commands"][0]
    assert command["command"] == COMMAND and command["url"].endswith(EVENTS_PATH)
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["interactivity"]["request_url"].endswith(EVENTS_PATH)
    # commands for /whichrole, chat:write for the direct answer when a response_url is spent
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {"commands", "chat:write"}
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_serve_slack_carries_the_audit_schedule(fake, tmp_path):
    audit = f"{tmp_path} --db {tmp_path / 'history.sqlite3'} --markdown {tmp_path / 'audit.md'}"
    serving = Serving(["--host", "127.0.0.1", "--port", "0", "--audit-cron", "0 9 * * MON", "--audit", audit,
                       "--audit-timezone", "Europe/Berlin"],
                      environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                                  SLACK_API_URL=fake.api_url))
    try:
        scheduled = serving.wait_for(r"audit scheduled \(0 9 \* \* MON, Europe/Berlin\); next run (\S+ \S+)")
        next_run = datetime.fromisoformat(scheduled.group(1))
        in_berlin = next_run.astimezone(ZoneInfo("Europe/Berlin"))
        assert (in_berlin.weekday(), in_berlin.hour, in_berlin.minute) == (0, 9, 0)
        assert timedelta(0) < next_run - datetime.now(timezone.utc) <= timedelta(days=7)
        serving.wait_for(r"serving /whichrole at")
    finally:
        serving.stop()


def test_a_half_given_audit_schedule_is_one_line():
    done = run(["--audit-cron", "0 9 * * MON"], environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET))
    assert done.returncode == 2
    assert done.stderr.strip() == "whichrole: error: --audit-cron and --audit go together: when, and what to audit"
