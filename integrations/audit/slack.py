"""The audit posted to a Slack channel: a Block Kit summary, and the workbook in its thread.

The bot token comes from SLACK_BOT_TOKEN (and the Web API from SLACK_API_URL, as for
`serve-slack`); it is never part of a message, a log line or an error.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping, Optional

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from whichrole.integrations.slack.delivery import SDK_LOG, api_error, describe
from whichrole.integrations.slack.settings import SLACK_API_URL

from .changes import Changes
from whichrole.render import percent
from whichrole.render.slack import BLOCK_LIMIT, context, header, section

from .findings import kind_name
from .markdown import change_line, findings_line, headline
from .run import AuditResult

CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
TOP_REQUISITIONS = 8
CHANGES_LISTED = 5
TIMEOUT = 30.0
SEVERITY_EMOJI = {"high": ":red_circle:", "medium": ":large_orange_circle:", "low": ":large_yellow_circle:",
                  "info": ":large_blue_circle:"}


class SlackPostError(OSError):
    """The summary could not be posted; one line, without the token."""


def check_channel(channel: str) -> str:
    channel = channel.strip()
    if not CHANNEL_ID.match(channel):
        raise ValueError(f"--slack-channel {channel!r}: expected a channel ID such as C0123456789 "
                         "(in Slack: channel details, at the bottom)")
    return channel


def client_from_env(env: Optional[Mapping[str, str]] = None) -> WebClient:
    env = os.environ if env is None else env
    token = env.get("SLACK_BOT_TOKEN", "").strip()
    if not token:
        raise ValueError("SLACK_BOT_TOKEN is not set (needed for --slack-channel); see the Slack section of the README")
    api_url = env.get("SLACK_API_URL", "").strip() or SLACK_API_URL
    if not api_url.startswith(("http://", "https://")):
        raise ValueError(f"SLACK_API_URL is not an http(s) URL: {api_url!r}")
    return WebClient(token=token, base_url=api_url.rstrip("/") + "/", timeout=TIMEOUT, logger=SDK_LOG)


def _escape(text: Optional[str]) -> str:
    """Slack mrkdwn treats &, < and > as markup."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def summary_blocks(result: AuditResult) -> list[dict]:
    counts = result.severity_counts()
    blocks: list[dict] = [
        header(f"Requisition audit: {len(result.requisitions)} open, "
               f"{sum(1 for r in result.requisitions if r.findings)} with findings"),
        section("  ".join(f"{SEVERITY_EMOJI[s]} {s} *{n}*" for s, n in counts.items())),
    ]
    kinds = result.kind_counts()
    if kinds:
        blocks.append(section("*By kind*\n" + "\n".join(
            f"• {kind_name(kind)} ({severity}): {n}" for (kind, severity), n in kinds.items())))
    shown = result.to_look_at(TOP_REQUISITIONS)
    if shown:
        lines = [f"{SEVERITY_EMOJI[req.worst]} *{_escape(req.key)}* {_escape(req.title)} → {_escape(req.label)} "
                 f"({percent(req.assessment.confidence)}): {_escape(findings_line(req))}" for req in shown]
        blocks.append(section("*To look at first*\n" + "\n".join(lines)))
    blocks.append(section(_changes_text(result.changes)))
    if result.failed:
        blocks.append(section("*Sources that could not be read*\n" + "\n".join(
            f":x: {_escape(r.error)}" for r in result.failed)))
    blocks.append(context(f"run {result.run_id} · rulebook {result.rulebook} · the workbook is in the thread"))
    return blocks[:BLOCK_LIMIT]


def _changes_text(changes: Changes) -> str:
    if changes.since is None:
        return "*What changed*\nFirst audit of these sources: nothing to compare with yet."
    if changes.total == 0:
        return f"*What changed* since run {changes.since.id}\nNothing."
    lines = [f"*What changed* since run {changes.since.id}"]
    for name, heading in Changes.KINDS:
        items = getattr(changes, name)
        if items:
            shown = "; ".join(_escape(change_line(c)) for c in items[:CHANGES_LISTED])
            more = f" (+{len(items) - CHANGES_LISTED} more)" if len(items) > CHANGES_LISTED else ""
            lines.append(f"• {heading}: {len(items)} — {shown}{more}")
    return "\n".join(lines)


def post_audit(client: WebClient, channel: str, result: AuditResult, workbook: Path) -> str:
    """Post the summary, then the workbook in its thread; returns the message's timestamp."""
    try:
        message = client.chat_postMessage(channel=channel, text=headline(result), blocks=summary_blocks(result))
        client.files_upload_v2(channel=channel, file=str(workbook), filename=workbook.name,
                               title=f"Requisition audit, run {result.run_id}", thread_ts=message["ts"])
    except SlackApiError as error:
        raise SlackPostError(f"Slack refused the audit for channel {channel} ({api_error(error)})") from None
    except (SlackClientError, OSError) as error:
        raise SlackPostError(f"cannot reach the Slack Web API at {client.base_url} ({describe(error)})") from None
    return message["ts"]
