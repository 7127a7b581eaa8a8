"""`whichrole serve-slack`: settings errors in one line, and the real command serving a local Slack."""
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from slack_fake import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack, command_body, post
from whichrole.integrations.slack.app import COMMAND
from whichrole.integrations.slack.server import EVENTS_PATH
from whichrole.integrations.slack.settings import SettingsError, SlackSettings

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
    assert done.stderr.splitlines()[-1] == (f"whichrole: error: cannot reach the Slack Web API at {closed} "
                                            "(ConnectionRefusedError)")


def test_socket_mode_with_a_refused_app_token_is_one_line(fake):
    fake.fail("/api/apps.connections.open", body='{"ok": false, "error": "invalid_auth"}')
    done = run(["--socket"], environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                                         SLACK_API_URL=fake.api_url))
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "whichrole: error: SLACK_APP_TOKEN was refused by Slack (invalid_auth)"
    assert APP_TOKEN not in done.stderr and BOT_TOKEN not in done.stderr and "Traceback" not in done.stderr
    opened = fake.to("/api/apps.connections.open")
    assert opened and opened[0].headers["Authorization"] == f"Bearer {APP_TOKEN}"


def test_serve_slack_answers_a_command_then_stops_on_sigterm(fake):
    server = subprocess.Popen([str(WHICHROLE), "serve-slack", "--host", "127.0.0.1", "--port", "0"],
                              env=environment(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                                              SLACK_API_URL=fake.api_url),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in server.stderr], daemon=True)
    reader.start()
    seen = []
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"serving /whichrole at (http://\S+)", "".join(seen))):
            seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        url = found.group(1)
        assert url.endswith(EVENTS_PATH)
        answer = post(url, command_body("deploy models and monitor drift", fake.response_url("cli")))
        assert (answer.status, answer.body) == (200, "")
        assert fake.wait("/response/cli")[0].body["blocks"][0]["type"] == "header"
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
    reader.join(timeout=10)   # it ends when the process has exited and all it wrote is read
    while not lines.empty():
        seen.append(lines.get())
    output = "".join(seen)
    assert "INFO whichrole.slack: stopping" in output
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output and "Traceback" not in output


def test_the_manifest_creates_the_app_this_code_serves():
    manifest = yaml.safe_load((Path(__file__).parents[1] / "integrations/slack/manifest.yml").read_text())
    command = manifest["features"]["slash_commands"][0]
    assert command["command"] == COMMAND and command["url"].endswith(EVENTS_PATH)
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["interactivity"]["request_url"].endswith(EVENTS_PATH)
    # commands for /whichrole, chat:write for the direct answer when a response_url is spent
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {"commands", "chat:write"}
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
