"""The Slack app against requests and clients that are odd on purpose, on 127.0.0.1: signed payloads
that are no objects, secrets and user text in the log at every level."""
from __future__ import annotations

import logging

import pytest

from slack_fake import interaction_body, post
from test_slack_app import nothing_leaks, running, send_command, slack  # noqa: F401 (fixtures)


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
