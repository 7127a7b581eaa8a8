"""The `annotate` and `template` commands."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from whichrole.cli import WorkersOption


def register(app: typer.Typer) -> None:
    app.command("annotate")(annotate_command)
    app.command("template")(template_command)


def annotate_command(
    book: Path = typer.Argument(..., help="The requisitions: .xlsx, .xlsm or .csv."),
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

    from .annotate import annotate
    from .summary import summary_text

    with Progress("annotating") as progress:
        result = annotate(book, sheet=sheet, out=out, in_place=in_place, mapping=mapping, progress=progress.update,
                          workers=workers)
    typer.echo(summary_text(result.tally, result.source, result.sheet, result.output, result.seconds))


def template_command(path: Path = typer.Argument(..., help="The workbook to create (.xlsx).")):
    """Write an empty requisition workbook: the expected columns, drop-down lists and instructions."""
    from .template import write_template

    write_template(path)
    typer.echo(f"wrote {path}")
