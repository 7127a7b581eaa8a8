"""/whichrole over real HTTP on 127.0.0.1: signed requests to the app's endpoint, a local Slack answering.

Every test also checks that no log line and no message sent to Slack carries a token, the
signing secret, or a traceback, and that response_urls stay out of the app's own log lines.
"""
import contextlib
import itertools
import json
import logging
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

import whichrole.candidate
from samples import CLEAR
from slack_fake import (BOT_TOKEN, SIGNING_SECRET, FakeSlack, command_body, filled_in, interaction_body, post,
                        signature)
from whichrole.integrations.slack.app import FAILED, GONE, NO_CANDIDATE, WORKERS, SlackApp
from whichrole.integrations.slack.messages import escape, escaped, fit
from whichrole.integrations.slack.server import SlackHTTPServer
from whichrole.integrations.slack.settings import SlackSettings
from whichrole.model import Requisition

USER = "U0USER"
TIMEOUT = 1.0   # how long the app waits for the local Slack before giving up on it
counter = itertools.count(1)


@dataclass
class Running:
    fake: FakeSlack
    app: SlackApp
    server: SlackHTTPServer

    @property
    def url(self) -> str:
        return self.server.url


@contextlib.contextmanager
def running(classifier, timeout=TIMEOUT):
    """The app serving on 127.0.0.1, talking to a local Slack it gives up on after ``timeout`` seconds."""
    fake = FakeSlack()
    settings = SlackSettings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=fake.api_url,
                             timeout=timeout)
    app = SlackApp(settings, classifier=classifier)
    app.warm_up()
    server = SlackHTTPServer("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve, args=(app.bolt, 0.05), daemon=True)
    thread.start()
    try:
        yield Running(fake, app, server)
    finally:
        fake.behave()
        server.shutdown()
        server.server_close()
        app.close()
        fake.close()


@pytest.fixture(scope="module")
def slack(durable):
    with running(durable) as serving:
        yield serving


@pytest.fixture(autouse=True)
def nothing_leaks(slack, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    slack.fake.behave()
    before = len(slack.fake.calls)
    yield
    slack.fake.behave()
    secrets = (BOT_TOKEN, SIGNING_SECRET, "Traceback")
    for record in caplog.get_records("call"):   # caplog.records, here, would be the teardown's
        line = record.getMessage()
        assert not any(s in line for s in secrets), line
        assert record.exc_info is None and record.stack_info is None, line
        if record.name.startswith("whichrole"):
            assert "\n" not in line, line
        assert "/response/" not in line and "response_url=" not in line, line     # at any level
    for call in slack.fake.calls[before:]:
        assert not any(s in json.dumps(call.body) for s in secrets)
    assert "Traceback" not in capfd.readouterr().err


def send_command(slack, text, trigger_id="trigger-0", user=USER, **kwargs):
    path = f"/response/{next(counter)}"
    answer = post(slack.url, command_body(text, slack.fake.base + path, user=user, trigger_id=trigger_id), **kwargs)
    return answer, path


def opened_view(slack, trigger_id):
    return slack.fake.wait("/api/views.open", where=lambda c: c.body["trigger_id"] == trigger_id)[0]


def action(slack, action_id, value, trigger_id="trigger-1"):
    path = f"/response/{next(counter)}"
    payload = {
        "type": "block_actions", "user": {"id": USER, "username": "hiring.manager", "team_id": "T0001"},
        "api_app_id": "A0001", "token": "deprecated", "trigger_id": trigger_id, "team": {"id": "T0001"},
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0CHANNEL",
                      "is_ephemeral": True},
        "channel": {"id": "C0CHANNEL", "name": "hiring"}, "response_url": slack.fake.base + path,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "whichrole_actions", "value": value,
                     "action_ts": "1700000001.000200"}],
    }
    return post(slack.url, interaction_body(payload)), path


def submit(slack, view, changes=None, user=USER):
    payload = {
        "type": "view_submission", "team": {"id": "T0001"}, "user": {"id": user, "team_id": "T0001"},
        "api_app_id": "A0001", "token": "deprecated", "trigger_id": f"trigger-submit-{next(counter)}",
        "view": {**view, "id": "V0001", "state": filled_in(view, changes)}, "response_urls": [],
    }
    return post(slack.url, interaction_body(payload))


def expected(durable, fields):
    return durable.classify(Requisition.build(fields))


def header(message):
    return message["blocks"][0]["text"]["text"]


def test_a_command_is_acknowledged_then_answered_at_its_response_url(slack, durable):
    answer, path = send_command(slack, 'title="Data Scientist" output=insight org=startup '
                                      "build dashboards and run A/B tests with the marketing team")
    assert (answer.status, answer.body) == (200, "")
    message = slack.fake.wait(path)[0].body
    verdict = expected(durable, {"title": "Data Scientist", "primary_output": "insight", "org_archetype": "startup",
                                 "description": "build dashboards and run A/B tests with the marketing team"})
    assert message["response_type"] == "ephemeral"
    assert header(message) == f"{verdict.label} · {verdict.confidence:.0%} sure"
    assert message["blocks"][:-1] == escaped(verdict.blocks())
    why = next(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
    assert why.startswith("*Why*") and verdict.top_reasons[0].source in why
    buttons = message["blocks"][-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Share in channel", "Refine"]
    # the structured fields count: without them the same words give another verdict
    assert expected(durable, {"description": "build dashboards and run A/B tests with the marketing team"}
                    ).scores != verdict.scores


def test_a_vague_command_gets_the_follow_up_questions(slack, durable):
    answer, path = send_command(slack, "we need someone good with data")
    assert answer.status == 200
    message = slack.fake.wait(path)[0].body
    verdict = expected(durable, {"description": "we need someone good with data"})
    assert verdict.confidence < 0.45
    asks = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"
            and b["text"]["text"].startswith("*Ask the hiring manager*")]
    assert asks and verdict.questions[0].text in asks[0]


@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
def test_help_is_the_acknowledgement_itself(slack, text):
    answer, path = send_command(slack, text)
    assert answer.status == 200 and "How to use /whichrole" in answer.body and "`output`: insight" in answer.body
    assert "/whichrole form" in answer.body


@pytest.mark.parametrize("text", ["Help marketing with data: build dashboards and run A/B tests",
                                  "Form a new MLOps team to run our models in production",
                                  "Me and two others will build RAG over our help centre"])
def test_a_requisition_starting_with_a_subcommand_word_gets_a_verdict(slack, durable, text):
    answer, path = send_command(slack, text)
    assert (answer.status, answer.body) == (200, "")
    assert slack.fake.wait(path)[0].body["blocks"][:-1] == escaped(expected(durable, {"description": text}).blocks())


def test_a_mistake_in_the_command_is_answered_at_once_in_one_line(slack):
    answer, path = send_command(slack, 'title="Data Scientist build models')
    assert answer.status == 200
    assert answer.body.splitlines()[0] == "title: the quote after title= is never closed"
    answer, path = send_command(slack, "mix=50/50/50/50 research on models")
    assert answer.body.splitlines()[0] == "mix: activity mix adds up to 200%, not 100%"


def test_an_unknown_field_value_is_answered_with_the_known_ones(slack):
    answer, path = send_command(slack, "output=vibes build things")
    assert answer.status == 200
    text = slack.fake.wait(path)[0].body["text"]
    assert text.startswith("primary_output: unknown value 'vibes' (known: insight,")


def test_bad_signature_and_stale_timestamp_are_refused_and_nothing_is_posted(slack):
    refused = []
    body = command_body("train models", slack.fake.response_url("forged"))
    refused.append(post(slack.url, body, secret="not-the-secret"))
    refused.append(post(slack.url, body, sign=""))
    refused.append(post(slack.url, body + "&text=tampered", sign=signature(body, str(int(time.time())))))
    stale = str(int(time.time()) - 6 * 60)
    refused.append(post(slack.url, body, timestamp=stale))
    refused.append(post(slack.url, body, timestamp="not-a-time"))
    assert [a.status for a in refused] == [401] * 5
    # a valid command sent after them is answered; by then any forged one would have been too
    answer, path = send_command(slack, "train models")
    slack.fake.wait(path)
    assert slack.fake.to("/response/forged") == []


@pytest.mark.parametrize("body, content_type, status", [
    ("", "application/x-www-form-urlencoded", 404),
    ("payload=%7Bnot+json", "application/x-www-form-urlencoded", 400),
    ("{not json", "application/json", 400),
    ('{"type": "block_actions"}', "application/json", 400),
    ("\x00\x01 binary garbage", "application/octet-stream", 404),
    ("payload=%7B%22type%22%3A%22view_submission%22%7D", "application/x-www-form-urlencoded", 400),
])
def test_malformed_and_empty_payloads_are_refused_and_the_server_keeps_serving(slack, body, content_type, status):
    answer = post(slack.url, body, content_type=content_type)
    assert answer.status == status
    answer, path = send_command(slack, "build ETL pipelines into the warehouse")
    assert answer.status == 200 and slack.fake.wait(path)


def interaction(kind, **parts):
    return {"type": kind, "user": {"id": USER, "team_id": "T0001"}, "team": {"id": "T0001"}, "api_app_id": "A0001",
            "token": "deprecated", **parts}


MODAL = {"type": "modal", "id": "V0001", "callback_id": "whichrole_refine", "private_metadata": "{}"}


@pytest.mark.parametrize("payload, reason", [
    (interaction("view_submission", view=MODAL), "no view.state.values"),
    (interaction("view_submission", view={**MODAL, "state": {"values": []}}), "view.state.values is not a dict"),
    (interaction("view_submission", view={"callback_id": "whichrole_refine", "state": {"values": {}}}), "no view.type"),
    (interaction("block_actions", actions=[]), "no actions.0.action_id"),
    (interaction("block_actions", actions=[{"value": "k"}]), "no actions.0.action_id"),
    ({**interaction("block_actions", actions=[{"action_id": "whichrole_share"}]), "user": "U0USER"}, "no user.id"),
    (interaction("view_closed", view={"id": "V0001"}), "no view.type"),
])
def test_malformed_signed_interactivity_is_refused_with_one_line_saying_why(slack, caplog, payload, reason):
    answer = post(slack.url, interaction_body(payload))
    assert (answer.status, answer.body) == (400, f"malformed {payload['type']} payload: {reason}")
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == [f"refused a malformed {payload['type']} payload: {reason}"]


def test_a_form_whose_inputs_are_not_the_app_s_is_read_as_empty(slack):
    odd = {"title": [], "description": {"value": ["not text"]}, "level": {"value": {"type": "static_select",
                                                                                    "selected_option": "senior"}}}
    answer = post(slack.url, interaction_body(interaction("view_submission", view={**MODAL, "state": {"values": odd}})))
    assert answer.status == 200 and json.loads(answer.body)["response_action"] == "errors"


def test_requests_the_app_does_not_handle_are_one_log_line_each(slack, caplog):
    other = command_body("build models", slack.fake.response_url("other")).replace("%2Fwhichrole", "%2Fother")
    unknown = interaction("block_actions", actions=[{"action_id": "someone_elses", "block_id": "b", "value": "1"}])
    closed = interaction("view_closed", view={**MODAL, "state": {"values": {}}}, is_cleared=False)
    answers = [post(slack.url, body) for body in (other, interaction_body(unknown), interaction_body(closed))]
    assert [a.status for a in answers] == [404] * 3
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(logged) == 3 and all(line.startswith("Unhandled request (") and "\n" not in line for line in logged)
    assert "/other" in logged[0] and "someone_elses" in logged[1] and "view_closed" in logged[2]


def test_a_replayed_or_retried_command_is_answered_once(slack, caplog):
    body = command_body("deploy models and monitor drift", slack.fake.response_url("replayed"), user="U0REPLAY")
    timestamp = str(int(time.time()))
    answers = [post(slack.url, body, timestamp=timestamp) for _ in range(6)]
    # Slack's retry: the same body, signed again at a later time, with the retry's number
    answers.append(post(slack.url, body, timestamp=str(int(timestamp) + 1),
                        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}))
    assert [(a.status, a.body) for a in answers] == [(200, "")] * 7
    slack.fake.wait("/response/replayed")
    # a second answer, if any, would have come by the time a later command is answered
    answer, path = send_command(slack, "analyse experiments")
    slack.fake.wait(path)
    time.sleep(0.2)
    assert len(slack.fake.to("/response/replayed")) == 1
    assert [c for c in slack.fake.to("/api/chat.postMessage") if c.body["channel"] == "U0REPLAY"] == []
    ignored = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ignored a request already")]
    assert ignored == ["ignored a request already answered (a replay)"] * 5 + [
        "ignored a request already answered (Slack's retry 1)"]


def test_a_burst_of_200_connections_is_queued_not_dropped():
    # Not yet serving: every connection waits in the listen queue, as in a burst the server cannot
    # accept fast enough. One beyond the queue has its SYN dropped and does not connect in time.
    server = SlackHTTPServer("127.0.0.1", 0)
    clients, connected = [], 0
    try:
        for _ in range(200):
            clients.append(socket.socket())
            clients[-1].settimeout(0.5)
            try:
                clients[-1].connect(server.server_address)
            except OSError:
                break
            connected += 1
    finally:
        for client in clients:
            client.close()
        server.server_close()
    assert connected == 200


def test_requests_that_are_not_slack_s_are_refused_before_bolt(slack):
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(slack.url)
    for method, path, headers, status in [
        ("POST", "/elsewhere", {"Content-Length": "0"}, 404),
        ("GET", "/slack/events", {}, 404),
        ("POST", "/slack/events", {}, 411),
        ("POST", "/slack/events", {"Content-Length": str(50 << 20)}, 413),
    ]:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        connection.putrequest(method, path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        assert connection.getresponse().status == status
        connection.close()


def first_answer(slack, text):
    answer, path = send_command(slack, text)
    message = slack.fake.wait(path)[0].body
    return message, message["blocks"][-1]["elements"][0]["value"]


def test_share_posts_the_same_verdict_in_the_channel(slack):
    message, key = first_answer(slack, 'title="ML Engineer" deploy models to production and monitor drift')
    answer, path = action(slack, "whichrole_share", key)
    assert (answer.status, answer.body) == (200, "")
    shared = slack.fake.wait(path)[0].body
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    assert shared["blocks"][:-1] == message["blocks"][:-1]
    assert shared["blocks"][-1]["elements"][0]["text"] == f"Shared by <@{USER}> with /whichrole"


def test_refine_opens_the_form_prefilled_and_its_answer_comes_back(slack, durable):
    message, key = first_answer(slack, 'title="Data Scientist" level=senior org=big_tech outcomes="a churn model; '
                                       'a pricing test" build models for churn and pricing')
    answer, action_path = action(slack, "whichrole_refine", key, trigger_id="trigger-refine")
    assert answer.status == 200
    opened = opened_view(slack, "trigger-refine")
    assert opened.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    view = opened.body["view"]
    inputs = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert inputs["title"]["initial_value"] == "Data Scientist"
    assert inputs["description"]["initial_value"] == "build models for churn and pricing"
    assert inputs["level"]["initial_option"]["value"] == "senior"
    assert inputs["org_archetype"]["initial_option"]["value"] == "big_tech"
    assert [inputs[f"outcomes_{n}"].get("initial_value") for n in (1, 2, 3)] == ["a churn model", "a pricing test", None]
    assert "initial_option" not in inputs["primary_output"]

    answer = submit(slack, view, {"primary_output": "deployed_model", "work_location": "serving",
                                  "failure_mode": "model_degrades", "outcomes_3": "a drift alert"})
    assert (answer.status, answer.body) == (200, "")
    refined = slack.fake.wait(action_path)[0].body
    verdict = expected(durable, {"title": "Data Scientist", "level": "senior", "org_archetype": "big_tech",
                                 "description": "build models for churn and pricing", "primary_output": "deployed_model",
                                 "work_location": "serving", "failure_mode": "model_degrades",
                                 "outcomes": "a churn model; a pricing test; a drift alert"})
    assert refined["blocks"][:-1] == escaped(verdict.blocks())
    assert header(refined) != header(message)


def test_form_opens_empty_and_a_bad_entry_is_shown_in_the_form(slack):
    answer, path = send_command(slack, "form", trigger_id="trigger-form")
    assert (answer.status, answer.body) == (200, "")
    view = opened_view(slack, "trigger-form").body["view"]
    assert all("initial_value" not in b["element"] and "initial_option" not in b["element"] for b in view["blocks"])
    answer = submit(slack, view, {"title": "Data Scientist", "mix": "90/90/0/0"})
    assert answer.status == 200
    assert json.loads(answer.body) == {"response_action": "errors",
                                       "errors": {"mix": "mix: activity mix adds up to 180%, not 100%"}}
    answer = submit(slack, view, {})
    assert json.loads(answer.body)["errors"] == {"description": "needs a title, a description or a structured "
                                                                "field; all are empty"}
    answer = submit(slack, view, {"title": "Data Engineer", "description": "Airflow and dbt into Snowflake"})
    assert (answer.status, answer.body) == (200, "")
    assert header(slack.fake.wait(path)[0].body).startswith("Data Engineer")


def test_buttons_of_a_forgotten_answer_say_so(slack):
    for action_id in ("whichrole_share", "whichrole_refine"):
        answer, path = action(slack, action_id, "no-such-key")
        assert answer.status == 200
        assert slack.fake.wait(path)[0].body == {"response_type": "ephemeral", "replace_original": False, "text": GONE}


def test_fifty_concurrent_commands_are_all_answered_correctly(slack, durable):
    texts = [(role, f'title="{title}" {description} (requisition {i})')
             for i, (role, (title, description)) in enumerate(list(CLEAR.items()) * 6)][:50]
    with ThreadPoolExecutor(max_workers=50) as pool:
        sent = list(pool.map(lambda item: send_command(slack, item[1]), texts))
    assert [answer.status for answer, _ in sent] == [200] * 50
    for (role, text), (_, path) in zip(texts, sent):
        message = slack.fake.wait(path, timeout=30)[0].body
        title, description = text.split('" ', 1)
        verdict = expected(durable, {"title": title.removeprefix('title="'), "description": description})
        assert verdict.role == role
        assert message["blocks"][:-1] == escaped(verdict.blocks())
        assert len(slack.fake.to(path)) == 1


@pytest.mark.parametrize("status, body, reason", [
    (200, '{"ok": false, "error": "expired_trigger_id"}', "expired_trigger_id"),
    (500, "<html>Internal Server Error</html>", "HTTP 500"),
    (502, '{"ok": false, "error": "Bad gateway, retry later"}', "HTTP 502"),
])
def test_slack_refusing_to_open_the_form_gets_the_user_a_plain_message(slack, status, body, reason):
    slack.fake.fail("/api/views.open", status=status, body=body)
    answer, path = send_command(slack, "form")
    assert answer.status == 200
    message = slack.fake.wait(path)[0].body
    assert "blocks" not in message and message["text"] == f"Slack could not open the form ({reason}); try again."


def test_slack_timing_out_gets_the_user_a_plain_message_and_acks_stay_fast(slack):
    slack.fake.hang("/api/views.open", seconds=10)
    answer, path = send_command(slack, "form")
    assert answer.status == 200
    # while that worker waits on Slack, other commands are acknowledged and answered
    others = [send_command(slack, "monitor drift of deployed models") for _ in range(3)]
    assert all(a.status == 200 and a.seconds < 1.0 for a, _ in others)
    for _, other in others:
        slack.fake.wait(other)
    message = slack.fake.wait(path, timeout=TIMEOUT * 3 + 5)[0].body
    assert message["text"] == "Slack did not answer in time to open the form; try again."


def test_slow_response_urls_do_not_hold_back_the_next_answer(durable):
    with running(durable, timeout=5) as slow:
        hanging = [f"/response/hanging-{n}" for n in range(WORKERS)]
        for path in hanging:
            slow.fake.hang(path, seconds=30)   # held until the test ends, the app giving up after 5 s
        for path in hanging:
            post(slow.url, command_body("deploy models and monitor drift", slow.fake.base + path))
        for path in hanging:
            slow.fake.wait(path)               # each answer is under way, and hangs
        answer = post(slow.url, command_body("build dashboards for the sales team", slow.fake.response_url("next")))
        assert answer.status == 200
        # before any of the hanging posts gives up, the next user has their answer
        assert slow.fake.wait("/response/next", timeout=3)


def test_a_failing_response_url_sends_the_answer_directly(slack, durable):
    slack.fake.fail("/response/*", status=500, body="internal_error")
    answer, path = send_command(slack, "design A/B tests and analyse the results", user="U0DIRECT")
    assert answer.status == 200
    direct = slack.fake.wait("/api/chat.postMessage", where=lambda c: c.body["channel"] == "U0DIRECT")[0]
    assert direct.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    verdict = expected(durable, {"description": "design A/B tests and analyse the results"})
    assert direct.body["blocks"][:-1] == escaped(verdict.blocks())
    assert len(slack.fake.to(path)) == 1


def test_blocks_slack_refuses_are_sent_again_as_plain_text(slack, durable):
    slack.fake.fail("/response/*", status=400, body="invalid_blocks", when=lambda sent: "blocks" in sent)
    answer, path = send_command(slack, "build RAG features with embeddings and a vector database")
    first, second = slack.fake.wait(path, count=2)
    verdict = expected(durable, {"description": "build RAG features with embeddings and a vector database"})
    assert "blocks" in first.body and "blocks" not in second.body
    assert second.body["text"] == escape(verdict.text())


def test_when_slack_answers_nowhere_the_server_logs_one_line_and_keeps_serving(slack, caplog):
    slack.fake.hang("/response/*", seconds=10)
    slack.fake.fail("/api/chat.postMessage", body='{"ok": false, "error": "channel_not_found"}')
    answer, path = send_command(slack, "train and deploy ranking models", user="U0NOWHERE")
    assert answer.status == 200
    slack.fake.wait("/api/chat.postMessage", where=lambda c: c.body["channel"] == "U0NOWHERE",
                    timeout=TIMEOUT * 3 + 5)
    given_up = "reply to U0NOWHERE not delivered: Slack took it by no route"
    deadline = time.monotonic() + 5
    while given_up not in [r.getMessage() for r in caplog.records] and time.monotonic() < deadline:
        time.sleep(0.02)
    lines = [r.getMessage() for r in caplog.records if r.name == "whichrole.slack"]
    assert lines.index("response_url did not answer (timed out)") < lines.index(
        "chat.postMessage failed: channel_not_found") < lines.index(given_up)
    slack.fake.behave()
    answer, path = send_command(slack, "train and deploy ranking models")
    assert answer.status == 200 and slack.fake.wait(path)


def test_a_response_url_gets_at_most_five_posts_then_the_user_is_answered_directly(slack):
    message, key = first_answer(slack, "analyse experiments")
    answer, action_path = action(slack, "whichrole_refine", key, trigger_id="trigger-budget")
    view = opened_view(slack, "trigger-budget").body["view"]
    for _ in range(6):
        assert submit(slack, view, user="U0BUDGET").status == 200
    directly = slack.fake.wait("/api/chat.postMessage", where=lambda c: c.body["channel"] == "U0BUDGET")
    time.sleep(0.2)   # a sixth post to the response_url, if any, would have arrived by now
    assert len(slack.fake.to(action_path)) == 5
    assert directly[0].body["text"] == message["text"]
    assert len([c for c in slack.fake.to("/api/chat.postMessage") if c.body["channel"] == "U0BUDGET"]) == 1


def test_a_failure_inside_the_app_is_a_plain_message_and_one_log_line(slack, monkeypatch, caplog):
    def broken(requisition):
        raise KeyError("a bug")
    monkeypatch.setattr(slack.app.classifier, "classify", broken)
    answer, path = send_command(slack, "analyse churn")
    assert answer.status == 200
    assert slack.fake.wait(path)[0].body["text"] == FAILED
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(logged) == 1 and logged[0].startswith(f"/whichrole failed for {USER}: KeyError: 'a bug' (at test_slack_app.py:")


def test_me_without_the_candidate_fit_says_it_is_not_available(slack, monkeypatch):
    monkeypatch.delattr(whichrole.candidate, "fit_text", raising=False)
    answer, path = send_command(slack, "me years=5 SQL, dashboards and experiments")
    assert answer.status == 200
    assert slack.fake.wait(path)[0].body["text"] == NO_CANDIDATE
    answer, path = send_command(slack, "me")
    assert answer.body.startswith("`/whichrole me years=5")


# What Slack sends when a user types "<!channel>", "<!here>" or "<@U0BOSS>" as text, not as a mention.
TYPED_MENTIONS = "&lt;!channel&gt; &lt;!here&gt; &lt;@U0BOSS&gt;"
LIVE_MENTION = re.compile(r"<[!@]")


def test_what_users_typed_never_becomes_a_live_mention(slack):
    answer, path = send_command(slack, f"me years=5 engineering=strong {TYPED_MENTIONS}")
    profile = slack.fake.wait(path)[0].body
    assert "about=&lt;!channel&gt; &lt;!here&gt; &lt;@U0BOSS&gt;" in json.dumps(profile)
    answer, path = send_command(slack, f"output={TYPED_MENTIONS.split()[0]} build things")
    refused = slack.fake.wait(path)[0].body
    assert refused["text"].startswith("primary_output: unknown value '&lt;!channel&gt;'")
    answer, path = send_command(slack, "me phd=&lt;!here&gt;")
    assert slack.fake.wait(path)[0].body["text"].startswith("phd: expected yes or no, got '&lt;!here&gt;'")
    answer, path = send_command(slack, f'title="{TYPED_MENTIONS} Data Scientist" build dashboards')
    verdict = slack.fake.wait(path)[0].body
    helped, _ = send_command(slack, "help")
    for message in (profile, refused, verdict):
        assert not LIVE_MENTION.search(json.dumps(message)), message
    assert "How to use" in helped.body and "<" not in helped.body   # the usage's own "<a few words>" is text too


def test_me_answers_with_the_candidate_fit(slack):
    from whichrole.candidate import fit_text

    text = "years=5 engineering=strong phd=no SQL, dashboards, A/B tests and some churn models"
    answer, path = send_command(slack, f"me {text}")
    assert (answer.status, answer.body) == (200, "")
    message = slack.fake.wait(path)[0].body
    fitted = fit_text(text)
    assert message["blocks"] == fit(escaped(fitted.blocks())) and message["blocks"]
    assert message["text"] == escape(fitted.text().splitlines()[0])
    answer, path = send_command(slack, "me phd=maybe")
    assert slack.fake.wait(path)[0].body["text"].startswith("phd: expected yes or no, got 'maybe'\n`/whichrole me")
