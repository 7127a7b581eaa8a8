"""`whichrole serve-slack`: run the /whichrole Slack app over HTTP or Socket Mode."""
from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Optional

import typer

# Socket Mode: seconds without a connection before serve-slack gives up (unless --keep-trying).
CONNECT_TIMEOUT = 30.0
# Socket Mode: seconds between slack_sdk's checks of the connection, each a ping to Slack and, for a
# connection that is down, a new try (slack_bolt's own default).
PING_INTERVAL = 10.0


def register(app: typer.Typer) -> None:
    app.command("serve-slack")(serve_slack)


def serve_slack(
    port: int = typer.Option(3000, "--port", help="HTTP port; Slack posts to http(s)://<host>:<port>/slack/events."),
    host: str = typer.Option("0.0.0.0", "--host", help="Interface to listen on (HTTP mode)."),
    socket: bool = typer.Option(False, "--socket", help="Socket Mode: connect out to Slack with SLACK_APP_TOKEN "
                                "instead of serving HTTP."),
    connect_timeout: float = typer.Option(CONNECT_TIMEOUT, "--connect-timeout", min=0.1,
                                          help="Socket Mode: seconds without a connection to Slack before giving up."),
    keep_trying: bool = typer.Option(False, "--keep-trying", help="Socket Mode: never give up connecting to Slack."),
    ping_interval: float = typer.Option(PING_INTERVAL, "--ping-interval", min=0.1,
                                        help="Socket Mode: seconds between pings to Slack, and between tries to "
                                             "connect again when the connection is down."),
    workers: int = typer.Option(8, "--workers", min=1, max=64, help="Requests answered at the same time."),
    rules: Optional[Path] = typer.Option(None, "--rules", help="Rules directory (default: the shipped rulebook).",
                                         file_okay=False, dir_okay=True),
    audit_cron: Optional[str] = typer.Option(None, "--audit-cron", help="Also run an audit on this cron schedule, "
                                             "e.g. '0 9 * * MON' (with --audit)."),
    audit: Optional[str] = typer.Option(None, "--audit", help="The audit's arguments, as on the command line, "
                                        "e.g. 'requisitions/ --slack-channel C0123456789'."),
    audit_timezone: Optional[str] = typer.Option(None, "--audit-timezone", help="IANA time zone of --audit-cron "
                                                 "(default: this machine's)."),
):
    """Serve /whichrole in Slack. Settings come from SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (HTTP),
    SLACK_APP_TOKEN (Socket Mode) and, to use another Web API than Slack's, SLACK_API_URL."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from .app import SlackApp
    from .delivery import SDK_LOG, api_error, describe
    from .server import SlackHTTPServer, serve_socket_mode
    from .settings import SettingsError, SlackSettings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("whichrole.slack")
    audit_argv = _audit_argv(audit_cron, audit)
    settings = SlackSettings.from_env(socket)
    # Listening first: a port in use is said at once, before Slack is asked anything.
    server = None if socket else SlackHTTPServer(host, port)
    # The Web API client logs each failed try of the token check; a start that fails is said once, below.
    level = SDK_LOG.level
    SDK_LOG.setLevel(logging.CRITICAL)
    try:
        slack = SlackApp(settings, workers=workers, rules_dir=rules)
    except BoltError as error:  # auth.test refused the token; bolt's message holds Slack's whole answer
        refused = error.__context__
        reason = api_error(refused) if isinstance(refused, SlackApiError) else "auth.test failed"
        raise SettingsError(f"SLACK_BOT_TOKEN was refused by Slack ({reason})") from None
    except OSError as error:
        raise OSError(f"cannot reach the Slack Web API at {settings.api_url} ({describe(error)})") from None
    finally:
        SDK_LOG.setLevel(level)
    slack.warm_up()
    scheduler = None
    if audit_argv:
        from whichrole.integrations.audit.schedule import start_audit_schedule

        scheduler = start_audit_schedule(audit_cron, audit_argv, audit_timezone)
    # SIGTERM (a service manager stopping the app) ends it like Ctrl-C: finish the answers under way.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        if socket:
            log.info("connecting to Slack over Socket Mode to serve /whichrole")
            try:
                serve_socket_mode(slack.bolt, settings.app_token.get_secret_value(), connect_timeout, keep_trying,
                                  ping_interval)
            except SlackApiError as error:
                raise SettingsError(f"SLACK_APP_TOKEN was refused by Slack ({api_error(error)})") from None
        else:
            log.info("serving /whichrole at %s", server.url)
            server.serve(slack.bolt)
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        if server:
            server.server_close()
        if scheduler:
            scheduler.shutdown(wait=True)  # an audit under way finishes first
        slack.close()


def _audit_argv(cron: Optional[str], arguments: Optional[str]) -> list[str]:
    """The scheduled audit's command line, checked before anything starts."""
    import shlex

    from whichrole.integrations.audit.schedule import check_command, cron_trigger

    if not cron and not arguments:
        return []
    if not (cron and arguments):
        raise ValueError("--audit-cron and --audit go together: when, and what to audit")
    cron_trigger(cron)
    return check_command(["audit", *shlex.split(arguments)])
