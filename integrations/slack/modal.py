"""The requisition form (Refine, /whichrole form): built prefilled, and read back on submit."""
from __future__ import annotations

import json
from typing import Optional

from whichrole.fields import FIELDS, LIST, LONG_TEXT, MIX, TEXT
from whichrole.model import Requisition
from whichrole.render import cut
from whichrole.rulebook import Rulebook, field_key

REFINE_VIEW = "whichrole_refine"
VALUE = "value"              # the action_id of every input: one input per block
LIST_BOXES = 3          # the boxes of a list field (outcomes)
METADATA_LIMIT = 3000        # a view's private_metadata
OPTION_TEXT_LIMIT = 75
NOT_STATED = "-"             # a select cannot be emptied once chosen; this option means "not stated"

# The longest value each kind of input takes; Slack allows at most 3,000 characters an input.
LONGEST = {TEXT: 150, LONG_TEXT: 3000, MIX: 40, LIST: 300}
ASKED = {field.name: field for field in FIELDS if field.asked}


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
    for field in ASKED.values():
        initial = given.get(field.name)
        if field.from_lexicon:
            choices = list(rulebook.lexicon.choices(field.name))
            blocks.append(_select(field.name, field.asked_as, choices, canonical(rulebook, field.name, initial)))
        elif field.kind == LIST:
            # Items beyond the last box stay in it: the ';' between them splits them again on submit.
            items = list(initial or [])
            items = items[:LIST_BOXES - 1] + ["; ".join(items[LIST_BOXES - 1:])]
            for n, item in enumerate(items + [None] * (LIST_BOXES - len(items)), start=1):
                blocks.append(_text_input(f"{field.name}_{n}", f"{field.asked_as} ({n} of {LIST_BOXES})",
                                          LONGEST[LIST], False, field.example, item))
        else:
            blocks.append(_text_input(field.name, field.asked_as, LONGEST[field.kind], field.kind == LONG_TEXT,
                                      field.example, initial))
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
    items: dict[str, list[tuple[int, str]]] = {}
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
        name, _, box = block_id.rpartition("_")
        if name in ASKED and ASKED[name].kind == LIST and box.isdigit():
            items.setdefault(name, []).append((int(box), value))
        elif block_id in ASKED:
            fields[block_id] = value
    for name, boxes in items.items():
        fields[name] = "; ".join(value for _, value in sorted(boxes))
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        metadata = {}
    return fields, metadata if isinstance(metadata, dict) else {}


def error_block(message: str) -> str:
    """The form's block a one-line requisition error is about ('mix: adds up to 90%' -> mix)."""
    name = message.split(":", 1)[0].strip()
    if name not in ASKED:
        return "description"
    return f"{name}_1" if ASKED[name].kind == LIST else name
