"""Ask for a profile one question at a time: 'whichrole fit' on a terminal, without flags."""
from __future__ import annotations

from typing import Callable

from ..rulebook import Rulebook
from .profile import Profile, ProfileError
from .signals import profile_facts

QUESTIONS = (
    ("degree", "Highest degree"),
    ("research", "Research record"),
    ("papers", "Number of publications"),
    ("engineering", "Engineering strength"),
    ("mix", "Share of research/modeling/engineering/product you want, e.g. 20/40/20/20"),
    ("years", "Years of professional experience"),
    ("level", "Level"),
    ("orgs", "Kinds of organisation you aim at, comma-separated"),
    ("interests", "What draws you, comma-separated"),
    ("about", "Anything else, in your own words"),
)


def ask_profile(ask: Callable[[str], str], tell: Callable[[str], None], rulebook: Rulebook) -> Profile:
    """Each question until its answer reads (Enter skips it); then the whole profile."""
    answers: dict[str, str] = {}
    for field, question in QUESTIONS:
        choices = ", ".join(rulebook.lexicon.choices(field))
        prompt = f"{question} [{choices}]" if choices else question
        while True:
            answer = ask(prompt).strip()
            if not answer:
                break
            try:
                profile_facts(Profile.build({field: answer}), rulebook)
            except ProfileError as error:
                tell(f"  {error}")
                continue
            answers[field] = answer
            break
    return Profile.build(answers)
