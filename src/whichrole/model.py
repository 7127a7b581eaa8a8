"""What a requisition says: the input of every classification."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .fields import FIELDS, MIX_PARTS

# A 5 MB description is accepted, but only its first part can matter to a reader: the signals
# are read from this many characters (and the verdict says so), so one pasted file cannot stall a run.
MAX_TEXT_CHARS = 200_000

# The fields answered from a list of values, which the rulebook's lexicon maps to signals.
STRUCTURED_FIELDS = tuple(field.name for field in FIELDS if field.from_lexicon)


class RequisitionError(ValueError):
    """A requisition that cannot be read; the message is one line and names the field."""


class ActivityMix(BaseModel):
    """Share of time on research / modeling / engineering / product, in percent."""

    model_config = ConfigDict(extra="forbid")

    research: float = Field(ge=0, le=100)
    modeling: float = Field(ge=0, le=100)
    engineering: float = Field(ge=0, le=100)
    product: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _adds_up(self) -> "ActivityMix":
        total = self.research + self.modeling + self.engineering + self.product
        if not 90 <= total <= 110:
            raise ValueError(f"activity mix adds up to {total:g}%, not 100%")
        return self

    @classmethod
    def parse(cls, text: str) -> "ActivityMix":
        """Read '60/30/5/5' or 'research=60 modeling=30 engineering=5 product=5'."""
        text = text.strip()
        if "=" in text:
            parts = dict(p.split("=", 1) for p in text.replace(",", " ").split())
            return cls(**{k.strip().lower(): _percent(v) for k, v in parts.items()})
        numbers = [p.strip() for p in text.replace(",", "/").split("/")]
        if len(numbers) != 4:
            raise ValueError("activity mix needs four numbers: research/modeling/engineering/product")
        return cls(**dict(zip(MIX_PARTS, map(_percent, numbers))))


def _percent(text: str) -> float:
    try:
        return float(text.strip().rstrip("%"))
    except ValueError:
        raise ValueError(f"activity mix: {text.strip()!r} is not a number") from None


def _mix_from_text(value):
    if isinstance(value, str):
        return ActivityMix.parse(value) if value.strip() else None
    return value


# An activity mix given as a model, a mapping, or text such as "60/30/5/5" ("" is no mix).
Mix = Annotated[ActivityMix, BeforeValidator(_mix_from_text)]


class Requisition(BaseModel):
    """One open position. Only a title or a description is needed; the rest sharpens the verdict."""

    # The fields of fields.FIELDS, in their order; a test holds the two together.

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Optional[str] = None
    title: Optional[str] = None
    description: Optional[str] = None
    team: Optional[str] = None
    level: Optional[str] = None
    status: Optional[str] = None
    opened: Optional[date] = None
    org_archetype: Optional[str] = None
    primary_output: Optional[str] = None
    work_location: Optional[str] = None
    failure_mode: Optional[str] = None
    mix: Optional[Mix] = None
    outcomes: list[str] = Field(default_factory=list, max_length=10)

    @field_validator("title", "description", "team", mode="before")
    @classmethod
    def _printable_text(cls, value):
        if value is None:
            return None
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        value = str(value)
        if "\x00" in value:
            raise ValueError("contains binary data (NUL bytes), not text")
        return value

    @field_validator("outcomes", mode="before")
    @classmethod
    def _outcomes_from_text(cls, value):
        if isinstance(value, str):
            return [part.strip() for part in value.replace("\n", ";").split(";") if part.strip()]
        return value or []

    @model_validator(mode="after")
    def _says_something(self) -> "Requisition":
        if not any(getattr(self, field.name) for field in FIELDS if field.suffices):
            raise ValueError("needs a title, a description or a structured field; all are empty")
        return self

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.description, *self.outcomes) if part)

    @classmethod
    def build(cls, value: "str | dict | Requisition") -> "Requisition":
        """A requisition from free text, a mapping of fields, or itself; errors become one line."""
        if isinstance(value, Requisition):
            return value
        if isinstance(value, (str, bytes)):
            value = {"description": value}
        try:
            return cls.model_validate(value)
        except Exception as error:  # pydantic's multi-line report becomes one line
            raise RequisitionError(one_line_error(error, cls)) from None


def one_line_error(error: Exception, model: Optional[type[BaseModel]] = None) -> str:
    """An error in one line; a field unknown to ``model``, the model that was validated, lists its fields."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        parts = []
        for item in errors():
            where = ".".join(str(p) for p in item.get("loc", ()) if p != "__root__")
            message = item.get("msg", "invalid").removeprefix("Value error, ")
            if item.get("type") == "extra_forbidden":
                top = model is not None and len(item.get("loc", ())) == 1
                message = f"unknown field (known: {', '.join(model.model_fields)})" if top else "unknown field"
            parts.append(f"{where}: {message}" if where else message)
        return "; ".join(parts)
    return str(error).splitlines()[0] if str(error) else type(error).__name__
