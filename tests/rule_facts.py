"""Random facts for a rulebook: every name its rules read, with values on both sides of every threshold."""
from hypothesis import strategies as st


def facts_strategy(book, max_size: int):
    conditions = [c for rule in book.rules for group in rule.conditions for c in group]
    names = sorted({c.name for c in conditions})
    values = sorted({c.value + d for c in conditions for d in (-0.5, 0, 0.5)} | {0.0, 1.0, 2.0, 3.0})
    return st.dictionaries(st.sampled_from(names), st.sampled_from(values), max_size=max_size)
