"""The requisition form (Refine, /whichrole form): built prefilled, and read back on submit."""
from __future__ import annotations

import json
from typing import Optional

from whichrole.model import Requisition
from whichrole.render import cut
from whichrole.rulebook import Rulebook, field_key

REFINE_VIEW = "whichrole_refine"
VALUE = "value"              # the action_id of every input: one input per block
OUTCOMES = 3
METADATA_LIMIT = 3000        # a view's private_metadata
OPTION_TEXT_LIMIT = 75
NOT_STATED = "-"             # a select cannot be emptied once chosen; this option means "not stated"

# (block, label, longest value, multiline, placeholder); Slack allows at most 3,000 characters an input.
TEXT_INPUTS = {
    "title": ("Title", 150, False, "e.g. Senior Data Scientist"),
    "description": ("What the person will do", 3000, True, "Paste the posting, or describe the work"),
    "mix": ("Time split: research / modeling / engineering / product (%)", 40, False, "e.g. 20/40/20/20"),
}
OUTCOME_INPUT = ("Owned in the first six months ({n} of 3)", 300)
SELECTS = {
    "primary_output": "Primary output",
    "work_location": "Where the work lives",
    "failure_mode": "What failure looks like",
    "org_archetype": "Organisation",
    "level": "Level",
}
ORDER = ("title", "description", *SELECTS, "mix")


def canonical(rulebook: Rulebook, field: str, value: Optional[str]) -> Optional[str]:
    """The choice that means the same as ``value`` (an alias such as 'analysis' becomes 'insight')."""
    if not value:
        return None
    table = rulebook.lexicon.fields.get(field, {})
    key = field_key(value)
    if key not in table:
        return None
    meaning = sorted(table[key])
    return next((c for c, signals in rulebook.lexicon.choices(field).items() if sorted(signals) == meaning), None)


def _option(value: str) -> dict:
    label = "Not stated" if value == NOT_STATED else value.replace("_", " ").capitalize()
    return {"text": {"type": "plain_text", "text": cut(label, OPTION_TEXT_LIMIT)}, "value": value}


def _text_input(block_id: str, label: str, limit: int, multiline: bool, placeholder: Optional[str],
                initial: Optional[str]) -> dict:
    element = {"type": "plain_text_input", "action_id": VALUE, "multiline": multiline, "max_length": limit}
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder}
    if initial:
        element["initial_value"] = cut(initial, limit)
    return {"type": "input", "block_id": block_id, "optional": True, "element": element,
            "label": {"type": "plain_text", "text": label}}


def _select(block_id: str, label: str, values: list[str], initial: Optional[str]) -> dict:
    element = {"type": "static_select", "action_id": VALUE,
               "placeholder": {"type": "plain_text", "text": "Choose"},
               "options": [_option(NOT_STATED)] + [_option(v) for v in values][:99]}
    if initial in values:
        element["initial_option"] = _option(initial)
    return {"type": "input", "block_id": block_id, "optional": True, "element": element,
            "label": {"type": "plain_text", "text": label}}


def refine_modal(rulebook: Rulebook, requisition: Optional[Requisition], metadata: dict) -> dict:
    """The form, prefilled from ``requisition`` (empty when None); ``metadata`` comes back on submit."""
    given = requisition.model_dump() if requisition else {}
    if requisition and requisition.mix:
        m = requisition.mix
        given["mix"] = f"{m.research:g}/{m.modeling:g}/{m.engineering:g}/{m.product:g}"
    blocks = []
    for name in ORDER:
        if name in SELECTS:
            blocks.append(_select(name, SELECTS[name], list(rulebook.lexicon.choices(name)), canonical(rulebook, name, given.get(name))))
        else:
            label, limit, multiline, placeholder = TEXT_INPUTS[name]
            blocks.append(_text_input(name, label, limit, multiline, placeholder, given.get(name)))
    outcomes = list(given.get("outcomes") or [])
    # Outcomes beyond the third stay in the third box: the ';' between them splits them again on submit.
    outcomes = outcomes[:OUTCOMES - 1] + ["; ".join(outcomes[OUTCOMES - 1:])]
    label, limit = OUTCOME_INPUT
    for n in range(1, OUTCOMES + 1):
        initial = outcomes[n - 1] if n <= len(outcomes) else None
        blocks.append(_text_input(f"outcome_{n}", label.format(n=n), limit, False, None, initial))
    private = json.dumps(metadata)
    if len(private) > METADATA_LIMIT:
        private = "{}"   # the refined answer then goes to the user directly, not to the channel
    return {
        "type": "modal",
        "callback_id": REFINE_VIEW,
        "title": {"type": "plain_text", "text": "Which role?"},
        "submit": {"type": "plain_text", "text": "Classify"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": private,
        "blocks": blocks,
    }


def read_submission(view: dict) -> tuple[dict, dict]:
    """The requisition fields the form holds (empty ones left out), and the view's metadata."""
    values = view.get("state", {}).get("values", {})
    fields: dict = {}
    outcomes = []
    for block_id, actions in values.items():
        state = actions.get(VALUE) if isinstance(actions, dict) else None
        if not isinstance(state, dict):
            continue   # not an input of this form
        if state.get("type") == "static_select":
            option = state.get("selected_option")
            chosen = option.get("value") if isinstance(option, dict) else None
            value = None if chosen == NOT_STATED else chosen
        else:
            value = state.get("value")
            value = value.strip() or None if isinstance(value, str) else None
        if not value:
            continue
        if block_id.startswith("outcome_"):
            outcomes.append((block_id, value))
        elif block_id in ORDER:
            fields[block_id] = value
    if outcomes:
        fields["outcomes"] = "; ".join(value for _, value in sorted(outcomes))
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        metadata = {}
    return fields, metadata if isinstance(metadata, dict) else {}


def error_block(message: str) -> str:
    """The form's block a one-line requisition error is about ('mix: adds up to 90%' -> mix)."""
    name = message.split(":", 1)[0].strip()
    if name == "outcomes":
        return "outcome_1"
    return name if name in ORDER else "description"
