"""The `annotate` and `template` commands."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import List, Optional

import typer

from whichrole.cli import WorkersOption


def register(app: typer.Typer) -> None:
    app.command("annotate")(annotate_command)
    app.command("template")(template_command)


def annotate_command(
    book: Path = typer.Argument(..., help="The requisitions: .xlsx, .xlsm or .csv, or a job board: "
                                "greenhouse:BOARD, lever:SITE, ashby:BOARD (its open postings, in a new workbook)."),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="The sheet with the requisitions "
                                        "(default: the first whose columns are recognised)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Where to write the annotated workbook "
                                       "(default: BOOK-annotated.xlsx beside it)."),
    in_place: bool = typer.Option(False, "--in-place", help="Overwrite BOOK itself (not for .csv)."),
    mapping: List[str] = typer.Option([], "--map", metavar="COLUMN=FIELD", help="A column and the field it holds, e.g. "
                                      "'Role Name=title' or 'F=description' (repeatable)."),
    workers: Optional[int] = WorkersOption,
):
    """Put the verdict of every requisition of a workbook beside it, with a Summary sheet."""
    from whichrole.cli import Progress
    from whichrole.integrations.ats import parse_source

    from .annotate import annotate
    from .summary import summary_text

    board = parse_source(str(book))
    with Progress("annotating") as progress, tempfile.TemporaryDirectory(prefix="whichrole-board-") as folder:
        if board:
            if in_place:
                raise ValueError(f"--in-place: {board} is a job board, not a workbook; give --out NAME.xlsx")
            book = _board_export(board, Path(folder))
            out = out or Path(f"{book.stem}-annotated.xlsx")     # in the current folder, as the board has none
        result = annotate(book, sheet=sheet, out=out, in_place=in_place, mapping=mapping, progress=progress.update,
                          workers=workers)
    typer.echo(summary_text(result.tally, board or result.source, result.sheet, result.output, result.seconds))


def _board_export(board, folder: Path) -> Path:
    """The board's open postings, fetched, as an export in ``folder`` named after the board; a level
    the rulebook does not know (an ATS's "IC4") is left out, as the audit leaves it out."""
    from whichrole.integrations.ats import Fetch, Limits
    from whichrole.integrations.ats.export import export_name, write_export
    from whichrole.rulebook import load_rulebook

    levels = load_rulebook().lexicon.fields.get("level", {})
    path = folder / f"{board.vendor}-{export_name(board.board)}.csv"
    write_export((posting.with_level_from(levels) for posting in Fetch(board, Limits())), path)
    return path


def template_command(path: Path = typer.Argument(..., help="The workbook to create (.xlsx).")):
    """Write an empty requisition workbook: the expected columns, drop-down lists and instructions."""
    from .template import write_template

    write_template(path)
    typer.echo(f"wrote {path}")
