"""What a candidate says about themselves: the input of every fit.

A profile comes as a mapping, as keyword flags, or as one line of text such as
``phd=yes papers=3 engineering=strong mix=20/40/20/20 years=6 org=frontier_lab``; words that
are not ``key=value`` are kept as free text and read through the candidate lexicon.
"""
from __future__ import annotations

import re
import shlex
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..model import MIX_PARTS, ActivityMix, Mix, one_line_error

# The profile fields the candidate lexicon's ``fields`` table maps to signals.
TABLE_FIELDS = ("degree", "research", "engineering", "level", "orgs", "interests")
MAX_ABOUT_CHARS = 5_000


class ProfileError(ValueError):
    """A profile that cannot be read; the message is one line and names the field."""


def _list_of_words(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    return [part.strip() for item in value for part in str(item).split(",") if part.strip()]


class Profile(BaseModel):
    """A candidate: background, what they want to do, and where. Every field is optional."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    degree: Optional[str] = Field(default=None, description="none, bachelor, master or phd")
    research: Optional[str] = Field(default=None, description="research record: none, some or strong")
    papers: Optional[int] = Field(default=None, ge=0, le=5000, description="number of publications")
    engineering: Optional[str] = Field(default=None, description="basic, solid or strong")
    mix: Optional[Mix] = Field(default=None, description="wanted research/modeling/engineering/product %")
    years: Optional[float] = Field(default=None, ge=0, le=70, description="years of professional experience")
    level: Optional[str] = Field(default=None, description="junior, mid, senior, staff or principal (L4-L7)")
    orgs: list[str] = Field(default_factory=list, max_length=20, description="organisation types aimed at")
    interests: list[str] = Field(default_factory=list, max_length=20, description="what draws the candidate")
    about: Optional[str] = Field(default=None, max_length=MAX_ABOUT_CHARS, description="free text")

    @field_validator("orgs", "interests", mode="before")
    @classmethod
    def _words(cls, value):
        return _list_of_words(value)

    @field_validator("degree", "research", "engineering", "level", "about", mode="before")
    @classmethod
    def _blank_is_unknown(cls, value):
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "Profile":
        if not self.given():
            raise ValueError("empty profile: give at least one of degree, research, papers, engineering, mix, "
                             "years, level, orgs, interests or some words about yourself")
        if self.research and self.research.lower() == "none" and self.papers:
            raise ValueError(f"research=none contradicts papers={self.papers}")
        return self

    def given(self) -> dict:
        """The answers actually given, in field order."""
        return {name: value for name, value in self if value not in (None, [], "")}

    def summary(self) -> str:
        """One line, e.g. 'degree=phd · papers=3 · mix=20/40/20/20'."""
        parts = []
        for name, value in self.given().items():
            if isinstance(value, ActivityMix):
                value = "/".join(f"{getattr(value, part):g}" for part in MIX_PARTS)
            elif isinstance(value, list):
                value = ",".join(value)
            elif isinstance(value, float):
                value = f"{value:g}"
            parts.append(f"{name}={value}")
        return " · ".join(parts)

    @classmethod
    def build(cls, value: "str | dict | Profile") -> "Profile":
        """A profile from a line of text, a mapping of fields, or itself; errors become one line."""
        if isinstance(value, Profile):
            return value
        if isinstance(value, (str, bytes)):
            value = parse_profile_text(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
        if not isinstance(value, dict):
            raise ProfileError(f"a profile is text or a mapping of fields, not {type(value).__name__}")
        try:
            return cls.model_validate(value)
        except Exception as error:  # pydantic's multi-line report becomes one line
            raise ProfileError(one_line_error(error, cls)) from None


# ---------------------------------------------------------------- one line of text

# What a user may type before '=', and the profile field it fills.
KEYS = {
    "phd": "phd", "degree": "degree", "education": "degree",
    "research": "research", "papers": "papers", "publications": "papers", "pubs": "papers",
    "engineering": "engineering", "eng": "engineering", "coding": "engineering",
    "mix": "mix", "years": "years", "yoe": "years", "experience": "years", "level": "level",
    "org": "orgs", "orgs": "orgs", "organisation": "orgs", "organisations": "orgs",
    "organization": "orgs", "organizations": "orgs", "company": "orgs",
    "interest": "interests", "interests": "interests", "wants": "interests",
    "about": "about",
}
LIST_FIELDS = ("orgs", "interests")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
_MIX = re.compile(r"^\d+(\.\d+)?%?(/\d+(\.\d+)?%?){3}$")
_COUNTED = re.compile(r"\b(\d+)\s*\+?\s*(papers?|publications?|pubs|years?|yrs)\b", re.IGNORECASE)


def parse_profile_text(text: str) -> dict:
    """``key=value`` words become fields; '60/30/5/5' is a mix, '3 papers' and '6 years' are counts;
    every other word is kept in ``about``. Contradictions are refused with a one-line message."""
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise ProfileError(f"cannot read the profile line: {error}") from None
    fields: dict = {}
    free: list[str] = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep:
            if _MIX.match(word):
                _put(fields, "mix", word)
            else:
                free.append(word)
            continue
        name = KEYS.get(key.strip().lower())
        if name is None:
            raise ProfileError(f"unknown key {key!r} (known: {', '.join(sorted(set(KEYS.values())))})")
        _put(fields, name, value.strip())
    about = " ".join([fields.pop("about", ""), *free]).strip()
    for count, unit in _COUNTED.findall(about):
        _put(fields, "papers" if unit.lower().startswith("p") else "years", count)
    if about:
        fields["about"] = about
    _resolve_phd(fields)
    _numbers(fields)
    return fields


def _put(fields: dict, name: str, value: str) -> None:
    if name in LIST_FIELDS:
        fields.setdefault(name, []).extend(_list_of_words(value))
        return
    if not value:
        raise ProfileError(f"{name}: empty value")
    previous = fields.get(name)
    if previous is not None and previous.lower() != value.lower():
        raise ProfileError(f"{name} given twice: {previous!r} and {value!r}")
    fields[name] = value


def _resolve_phd(fields: dict) -> None:
    """'phd=yes' is 'degree=phd'; 'phd=no' rules out a PhD without naming the degree."""
    answer = fields.pop("phd", None)
    if answer is None:
        return
    answer = answer.lower()
    if answer not in YES | NO:
        raise ProfileError(f"phd: expected yes or no, got {answer!r}")
    degree = fields.get("degree", "").lower()
    if answer in YES:
        if degree and degree not in ("phd", "doctorate"):
            raise ProfileError(f"phd=yes contradicts degree={fields['degree']}")
        fields["degree"] = "phd"
    else:
        if degree in ("phd", "doctorate"):
            raise ProfileError(f"phd=no contradicts degree={fields['degree']}")
        fields.setdefault("degree", "not_phd")


def _numbers(fields: dict) -> None:
    for name, kind in (("papers", int), ("years", float)):
        if name in fields:
            try:
                fields[name] = kind(fields[name])
            except ValueError:
                noun = "a whole number" if kind is int else "a number"
                raise ProfileError(f"{name}: expected {noun}, got {fields[name]!r}") from None
    research = fields.get("research")
    if research is not None and re.fullmatch(r"\d+(\.\d+)?%?", research):
        raise ProfileError("research= is your research record (none, some or strong); "
                           "give the share of your time as mix=research/modeling/engineering/product")
