"""Messages and the form within Slack's limits; the response_url budget; the store behind the buttons."""
import json

import pytest
from hypothesis import given, settings, strategies as st

from samples import CLEAR
from slack_fake import filled_in
from whichrole.integrations.slack import messages
from whichrole.integrations.slack.delivery import ReplyTo, ResponseUrlBudget
from whichrole.integrations.slack.messages import MESSAGE_TEXT_LIMIT, SHORTENED, fit, text_size
from whichrole.integrations.slack.modal import read_submission, refine_modal
from whichrole.integrations.slack.recent import RecentRequisitions
from whichrole.model import Requisition
from whichrole.reasons import Finding, Reason


def assert_within_slack_limits(blocks):
    assert len(blocks) <= 50
    assert sum(text_size(b) for b in blocks) <= MESSAGE_TEXT_LIMIT
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10 and all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        if block["type"] == "context":
            assert len(block["elements"]) <= 10 and all(len(e["text"]) <= 3000 for e in block["elements"])
        if block["type"] == "actions":
            assert all(len(e["value"]) <= 2000 for e in block["elements"])


@pytest.fixture(scope="module")
def verdict(durable):
    return durable.classify({"title": "Data Scientist", "description": "build dashboards and run A/B tests"})


@pytest.fixture(scope="module")
def huge(verdict):
    """A verdict with far more to say than a Slack message holds."""
    long = "because the requisition says so, at some length " * 40
    return verdict.model_copy(update={
        "role_name": "A role with a very long name " * 10,
        "rationale": [Reason(rule=f"r{i}", role=verdict.role, weight=3, because=f"{i} {long}", source="A source " * 30,
                             where="x.yaml:1") for i in range(5)],
        "warnings": [Finding(id=f"w{i}", text=f"warning {i} {long[:600]}", severity="high", because="b", source="s")
                     for i in range(30)],
        "questions": [Finding(id=f"q{i}", text=f"question {i} {long[:400]}", severity="info", because="b", source="s")
                      for i in range(30)],
        "interview_focus": [f"focus {i} {long[:300]}" for i in range(40)],
    })


def test_a_usual_verdict_is_sent_whole_with_its_buttons(verdict):
    blocks = messages.verdict_reply(verdict, "key1").blocks
    assert blocks[:-1] == messages.escaped(verdict.blocks())
    assert [e["action_id"] for e in blocks[-1]["elements"]] == ["whichrole_share", "whichrole_refine"]
    assert {e["value"] for e in blocks[-1]["elements"]} == {"key1"}
    assert SHORTENED not in json.dumps(blocks)


def test_a_huge_verdict_is_cut_cleanly_and_keeps_its_buttons(huge):
    assert sum(text_size(b) for b in huge.blocks()) > MESSAGE_TEXT_LIMIT
    reply = messages.verdict_reply(huge, "key2")
    blocks = reply.blocks
    assert_within_slack_limits(blocks)
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"].endswith("…")
    assert blocks[-1]["type"] == "actions" and blocks[-2]["elements"][0]["text"] == SHORTENED
    why = next(b for b in blocks if b["type"] == "section" and b["text"]["text"].startswith("*Why*"))
    assert why["text"]["text"].endswith("…") and not why["text"]["text"].endswith(" …")
    assert len(reply.payload()["text"]) <= 3900 and len(reply.payload(plain=True)["text"]) <= 3900


def test_more_blocks_than_slack_takes_are_cut_to_fifty():
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"part {i}"}} for i in range(80)]
    tail = {"type": "context", "elements": [{"type": "mrkdwn", "text": "kept"}]}
    fitted = fit(blocks, tail=[tail])
    assert_within_slack_limits(fitted)
    assert len(fitted) == 50 and fitted[-1] == tail and fitted[-2]["elements"][0]["text"] == SHORTENED
    assert [b["text"]["text"] for b in fitted[:48]] == [f"part {i}" for i in range(48)]


def test_blocks_from_elsewhere_are_clipped_to_each_kind_of_text():
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 400}},
              {"type": "section", "text": {"type": "mrkdwn", "text": "word " * 1000},
               "fields": [{"type": "mrkdwn", "text": "f " * 1500}] * 12},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 14}]
    assert_within_slack_limits(messages.blocks_reply(blocks, "Fit: analytical data scientist\nmore").blocks)
    assert blocks[0]["text"]["text"] == "h" * 400      # the caller's blocks are not changed


def test_shared_verdict_names_who_shared_it_and_has_no_buttons(verdict):
    payload = messages.shared_reply(verdict, "U42").payload()
    assert payload["response_type"] == "in_channel" and payload["replace_original"] is False
    assert payload["blocks"][-1]["elements"][0]["text"].startswith("Shared by <@U42>")
    assert all(b["type"] != "actions" for b in payload["blocks"])


def test_the_form_is_prefilled_within_its_limits_and_reads_back_the_same(durable):
    requisition = Requisition.build({
        "title": "Staff ML Engineer " * 20, "description": "Serve and monitor ranking models. " * 400,
        "primary_output": "deployed model", "work_location": "serving", "failure_mode": "model_degrades",
        "org_archetype": "saas", "level": "staff", "mix": "5/30/50/15",
        "outcomes": "feature store; drift alerts; canary releases; on-call runbook"})
    view = refine_modal(durable.rulebook, requisition, ReplyTo("U1", "http://127.0.0.1/r/1", 100.0).metadata())
    assert len(view["title"]["text"]) <= 24 and len(view["blocks"]) <= 100 and len(view["private_metadata"]) <= 3000
    inputs = {b["block_id"]: b["element"] for b in view["blocks"]}
    for element in inputs.values():
        if element["type"] == "plain_text_input":
            assert element["max_length"] <= 3000 and len(element.get("initial_value", "")) <= element["max_length"]
        else:
            assert len(element["options"]) <= 100 and all(len(o["text"]["text"]) <= 75 for o in element["options"])
    assert inputs["primary_output"]["initial_option"]["value"] == "deployed_model"
    assert inputs["org_archetype"]["initial_option"]["value"] == "vertical_ai"     # 'saas' means the same
    assert inputs["level"]["initial_option"]["value"] == "senior"                  # and 'staff' this
    assert inputs["mix"]["initial_value"] == "5/30/50/15"
    assert inputs["outcomes_3"]["initial_value"] == "canary releases; on-call runbook"

    fields, metadata = read_submission({**view, "state": filled_in(view)})
    assert metadata == {"response_url": "http://127.0.0.1/r/1", "issued": 100.0}
    again = Requisition.build(fields)
    assert again.outcomes == requisition.outcomes and again.mix == requisition.mix
    assert len(again.description) <= 3000 and again.description.startswith("Serve and monitor")
    before, after = durable.classify(requisition), durable.classify(again)
    assert (after.role, after.flavour) == (before.role, before.flavour)


def test_an_empty_form_and_not_stated_choices_read_back_as_nothing(durable):
    view = refine_modal(durable.rulebook, None, {})
    assert all("initial_value" not in b["element"] and "initial_option" not in b["element"] for b in view["blocks"])
    fields, metadata = read_submission({**view, "state": filled_in(view, {"primary_output": "-", "title": "  "})})
    assert fields == {} and metadata == {}


def test_a_response_url_takes_five_posts_within_thirty_minutes():
    budget = ResponseUrlBudget()
    assert [budget.take("u1", issued=1000.0, now=1000.0 + i) for i in range(6)] == [True] * 5 + [False]
    assert budget.take("u2", issued=1000.0, now=1000.0 + 29 * 60)
    assert not budget.take("u2", issued=1000.0, now=1000.0 + 31 * 60)
    assert not budget.take("u3", issued=1000.0, now=1000.0 + 31 * 60)


def test_the_store_behind_the_buttons_forgets_the_oldest_first():
    store = RecentRequisitions(size=3)
    keys = [store.add(Requisition.build(f"text {i}")) for i in range(4)]
    assert store.get(keys[0]) is None
    assert [store.get(k).description for k in keys[1:]] == ["text 1", "text 2", "text 3"]
    assert len(set(keys)) == 4 and all(len(k) >= 16 for k in keys)


section_sizes = st.lists(st.integers(min_value=0, max_value=5000), max_size=70)


@settings(max_examples=150, deadline=None)
@given(sizes=section_sizes, header=st.integers(min_value=1, max_value=400))
def test_any_answer_fits_and_keeps_its_buttons_and_its_order(sizes, header):
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "h" * header}}]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": f"{i} " + "word " * (n // 5)}}
               for i, n in enumerate(sizes)]
    buttons = {"type": "actions", "elements": [{"type": "button", "action_id": "a", "value": "k",
                                                 "text": {"type": "plain_text", "text": "Refine"}}]}
    fitted = fit(blocks, tail=[buttons])
    assert_within_slack_limits(fitted)
    assert fitted[-1] == buttons
    kept = [b for b in fitted if b["type"] == "section"]
    assert [b["text"]["text"].split(" ", 1)[0] for b in kept] == [str(i) for i in range(len(kept))]
    if len(kept) < len(sizes):
        assert fitted[-2]["elements"][0]["text"] == SHORTENED
    if sum(min(3000, 2 + len(str(i)) + n // 5 * 5) for i, n in enumerate(sizes)) < 10_000 and len(sizes) < 40:
        assert len(kept) == len(sizes) and SHORTENED not in json.dumps(fitted)


def test_a_request_counts_as_seen_for_the_window_and_the_oldest_are_forgotten_first():
    from whichrole.integrations.slack.incoming import AnswerOnce

    once = AnswerOnce(window=60, size=2)
    first, second, third = {"text": "a"}, {"text": "b"}, {"text": "c"}
    assert once.first_time(first, now=0) and not once.first_time(dict(first), now=59)
    assert once.first_time(first, now=61)           # the window has passed
    assert once.first_time(second, now=62) and once.first_time(third, now=63)
    assert once.first_time(first, now=64)           # forgotten: only two are held
    assert not once.first_time(third, now=65)


def test_a_verdict_is_never_shown_certain_in_slack(durable):
    from whichrole.integrations.slack.messages import summary

    verdict = durable.classify({"title": "Data Engineer", "description": CLEAR["data_engineer"][1]})
    sure = verdict.model_copy(update={"confidence": 0.998})
    shown = summary(sure) + json.dumps(sure.blocks()) + sure.text()
    assert "100%" not in shown and "99%" in shown
