"""Classifying on worker processes gives what one process gives, in the same order."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from whichrole import Classifier, load_rulebook
from whichrole.model import Requisition, RequisitionError
from whichrole.parallel import CHUNK, LOOK_AHEAD, WORTH_A_WORKER, available_cores, choose_workers, default_workers
from whichrole.integrations.excel.annotate import annotate

from samples import CLEAR, GERMAN, UNICORN


def mixed_requisitions(count: int) -> list:
    """The samples over and over, with gaps and a value the rules do not know, past one chunk."""
    texts = [*CLEAR.values(), UNICORN, GERMAN]
    items: list = []
    for i in range(count):
        title, description = texts[i % len(texts)]
        if i % 37 == 5:
            items.append(None)
        elif i % 41 == 7:
            items.append(Requisition(title=title, org_archetype="a lighthouse"))
        else:
            items.append(Requisition(id=f"R{i}", title=title, description=f"{description} (req {i})"))
    return items


def outcome(item) -> str:
    if isinstance(item, RequisitionError):
        return f"error: {item}"
    return "none" if item is None else item.model_dump_json()


def test_workers_give_the_verdicts_one_process_gives(durable):
    items = mixed_requisitions(CHUNK * 2 + 13)
    alone = [outcome(v) for v in durable.verdicts(items)]
    shared = [outcome(v) for v in durable.verdicts(items, workers=2)]
    assert shared == alone
    unknown = sum(1 for item in items if item is not None and item.org_archetype)
    assert unknown and sum(o.startswith("error: org_archetype: unknown value") for o in alone) == unknown
    assert alone.count("none") == items.count(None) > 0


def label(requisition: Requisition, verdict) -> tuple:
    return requisition.id, verdict.label


def test_then_runs_where_the_verdict_is_made(durable):
    items = [r for r in mixed_requisitions(300) if r is not None and not r.org_archetype]
    expected = [(r.id, durable.classify(r).label) for r in items]
    assert list(durable.verdicts(items, workers=2, keep=label)) == expected


def die(requisition: Requisition, verdict) -> None:
    os._exit(3)


def test_a_worker_that_dies_is_one_line():
    with pytest.raises(RuntimeError, match="worker process classifying requisitions stopped unexpectedly; "
                                           "run again with --workers 0"):
        list(Classifier().verdicts(mixed_requisitions(50), workers=1, keep=die))


def test_classify_many_raises_what_it_cannot_read(durable):
    values = [{"title": "Data Engineer", "description": CLEAR["data_engineer"][1]},
              {"title": "Data Scientist", "failure_mode": "the moon"}]
    with pytest.raises(RequisitionError, match="failure_mode: unknown value 'the moon'"):
        list(durable.classify_many(values, workers=2))


@pytest.mark.parametrize("count", [0, 10, WORTH_A_WORKER - 1, WORTH_A_WORKER, WORTH_A_WORKER * 3])
def test_workers_are_chosen_by_looking_ahead(count):
    items = [None, *(f"requisition {i}" for i in range(count)), None]
    workers, again = choose_workers(iter(items))
    assert list(again) == items
    assert workers == (0 if count < WORTH_A_WORKER else default_workers(None))


@pytest.mark.parametrize("cores,workers", [(1, 0), (2, 2), (3, 3), (4, 4), (16, 4)])
def test_one_worker_a_core_up_to_four(monkeypatch, cores, workers):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    assert available_cores() == cores
    assert default_workers(None) == default_workers(WORTH_A_WORKER) == workers
    assert default_workers(WORTH_A_WORKER - 1) == 0


def test_a_few_to_classify_in_a_long_input_stay_in_this_process():
    """As in a weekly audit: the look-ahead stops before holding the whole input."""
    pulled = []

    def items():
        for i in range(LOOK_AHEAD * 3):
            pulled.append(i)
            yield "to classify" if i % 20 == 0 else None

    workers, again = choose_workers(items())
    assert workers == 0 and len(pulled) == LOOK_AHEAD
    assert sum(1 for item in again if item) == LOOK_AHEAD * 3 // 20


def workbook(path, rows: int):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Reqs"
    sheet.append(["Req ID", "Title", "Description", "Org archetype"])
    for i, item in enumerate(mixed_requisitions(rows)):
        if item is None:
            sheet.append([f"R{i}"])  # only an id: skipped
        else:
            sheet.append([f"R{i}", item.title, item.description, item.org_archetype])
    book.save(path)
    return path


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist() if "sheet" in name}


def test_annotate_with_workers_writes_what_one_process_writes(tmp_path):
    book = workbook(tmp_path / "reqs.xlsx", CHUNK + 77)
    alone = annotate(book, out=tmp_path / "alone.xlsx", workers=0)
    shared = annotate(book, out=tmp_path / "shared.xlsx", workers=2)
    assert vars(shared.tally) == vars(alone.tally)
    assert shared.tally.unreadable.total == 7 and shared.tally.skipped == 8
    alone_parts, shared_parts = parts(alone.output), parts(shared.output)
    summary = "xl/worksheets/sheet2.xml"  # it records the run time
    assert summary in alone_parts
    assert {k: v for k, v in shared_parts.items() if k != summary} == \
        {k: v for k, v in alone_parts.items() if k != summary}


def test_python_m_whichrole_with_workers(tmp_path):
    book = workbook(tmp_path / "reqs.xlsx", 60)
    done = subprocess.run([sys.executable, "-m", "whichrole", "annotate", str(book), "--workers", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "56 requisitions annotated, 2 rows skipped, 2 could not be read" in done.stdout


def test_verdicts_take_what_classify_takes(durable):
    values = [{"id": role, "title": title, "description": text} for role, (title, text) in CLEAR.items()]
    values += [CLEAR["data_engineer"][1], None]
    expected = [durable.classify(v).label for v in values[:-1]] + [None]
    for workers in (0, 2):
        labels = [v if v is None else v.label for v in durable.verdicts(values, workers=workers)]
        assert labels == expected, workers
    named = values[:-2]
    assert list(durable.verdicts(named, workers=2, keep=label)) == [(v["id"], l) for v, l in zip(named, expected)]


# What the lexicon lets a failure mode be, in its order.
FAILURE_MODES = ", ".join(load_rulebook().lexicon.fields["failure_mode"])


def test_an_item_that_is_no_requisition_gives_its_error_in_its_place(durable):
    items = [CLEAR["data_engineer"][1], {"colour": "red"}, 42, {"title": "Data Scientist", "failure_mode": "the moon"}]
    for workers in (0, 2):
        outcomes = list(durable.verdicts(items, workers=workers))
        assert outcomes[0].role == "data_engineer"
        assert str(outcomes[1]).startswith("colour: unknown field (known: id, title, description")
        assert [str(o) for o in outcomes[2:]] == ["Input should be a valid dictionary or instance of Requisition",
                                                  f"failure_mode: unknown value 'the moon' (known: {FAILURE_MODES})"]
        assert all(isinstance(o, RequisitionError) for o in outcomes[1:])


def test_classify_many_names_the_item_it_cannot_read(durable):
    values = [CLEAR["data_engineer"][1], {"title": "Data Scientist", "descripton": "typo"}]
    with pytest.raises(RequisitionError, match=r"^item 1: descripton: unknown field \(known: id, title, description"):
        list(durable.classify_many(values))
    with pytest.raises(RequisitionError, match=r"^item 0: None is no requisition$"):
        list(durable.classify_many([None]))
