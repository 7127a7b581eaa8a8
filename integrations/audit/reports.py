"""The reports of one audit run, written together: the Markdown, the workbook and the Slack post.

run_audit calls this before it commits the run, so the history never holds a run whose reports
were not all written: a run killed or failed on the way is not recorded, and the next one reports
its changes. The two files are written whole as temporaries first, then renamed one just after the
other, so that they describe the same run.
"""
from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Optional

import typer
from slack_sdk import WebClient

from whichrole.files import replaced_atomically

from .markdown import render
from .run import AuditResult
from .slack import post_audit
from .workbook import write_workbook


def write_reports(result: AuditResult, markdown: Optional[Path], out: Optional[Path],
                  client: Optional[WebClient], channel: Optional[str]) -> None:
    """The Markdown to ``markdown`` (or standard output), the workbook to ``out``, the summary to Slack."""
    text = render(result)
    with ExitStack() as renamed_last:
        if markdown:
            temp = renamed_last.enter_context(replaced_atomically(markdown))
            temp.write_text(text, encoding="utf-8")
        else:
            typer.echo(text, nl=False)
        if out:
            write_workbook(result, out)
    if client:
        with tempfile.TemporaryDirectory(prefix="whichrole-audit-") as folder:
            workbook = out or Path(folder) / f"audit-run-{result.run_id}.xlsx"
            if not out:
                write_workbook(result, workbook)
            post_audit(client, channel, result, workbook)
