"""Many requisitions at once, without a workbook: JSON Lines or CSV in, JSON Lines out.

Each line out answers one requisition in, in order: {"line": N, "id": ..., "verdict": {...}},
or {"line": N, "id": ..., "error": "..."} for one that cannot be read, so that a bad line costs
its own answer and not the run's. N is the line of a JSON Lines file, the row of a CSV file (its
header is row 1), as an editor or a spreadsheet numbers them.
"""
from __future__ import annotations

import json
from collections import deque
from typing import IO, Callable, Iterable, Iterator, Optional, Union

from .classifier import Classifier
from .model import Requisition, RequisitionError, one_line_error

Read = tuple[int, Union[Requisition, dict, RequisitionError, None]]   # (line, what it holds)


def from_json_lines(lines: Iterable[str]) -> Iterator[Read]:
    """Each non-blank line's requisition: a JSON object of its fields, or a JSON string of its text."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, RequisitionError(f"not JSON ({error.msg})")
            continue
        if not isinstance(value, (dict, str)):
            yield number, RequisitionError("expected a JSON object of requisition fields, or a string of its text")
            continue
        yield number, value


def from_csv(text: str, label: str) -> Iterator[Read]:
    """Each data row's requisition, its columns recognised by their headers as annotate recognises them."""
    from whichrole.integrations.excel.columns import (HEADER_SEARCH_ROWS, ColumnError, detect_columns,
                                                      requisition_from_row)
    from whichrole.integrations.excel.csvbook import rows_of_csv

    rows = rows_of_csv(text, label)
    try:
        columns = detect_columns(rows[:HEADER_SEARCH_ROWS])
    except ColumnError as error:
        raise ValueError(f"{label}: {error}") from None
    for index in range(columns.header_row + 1, len(rows)):
        try:
            requisition = requisition_from_row(rows[index], columns)
        except RequisitionError as error:
            yield index + 1, error
            continue
        if requisition is not None:
            yield index + 1, requisition


def classify_all(read: Iterable[Read], classifier: Classifier, out: IO[str], workers: Optional[int] = 0,
                 progress: Optional[Callable[[int], None]] = None) -> tuple[int, int]:
    """Write the answer to each requisition read; return how many were classified and how many not."""
    sent: deque = deque()

    def requisitions() -> Iterator:
        for number, value in read:
            sent.append((number, value))
            yield None if isinstance(value, RequisitionError) else value

    classified = failed = 0
    for outcome in classifier.verdicts(requisitions(), workers):
        number, value = sent.popleft()
        answer: dict = {"line": number, "id": _id_of(value)}
        problem = value if isinstance(value, RequisitionError) else outcome
        if isinstance(problem, (RequisitionError, type(None))):
            answer["error"] = one_line_error(problem) if problem else "nothing to classify"
            failed += 1
        else:
            answer["verdict"] = outcome.model_dump(mode="json")
            classified += 1
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        if progress:
            progress(classified + failed)
    return classified, failed


def _id_of(value) -> Optional[str]:
    if isinstance(value, Requisition):
        return value.id
    return str(value["id"]) if isinstance(value, dict) and value.get("id") is not None else None
