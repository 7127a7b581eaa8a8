"""/whichrole as a bolt app: acknowledge at once, answer from a pool of workers, post from another.

Every listener acknowledges in the request's own thread (Slack allows 3 seconds) and hands the
work to a pool: workers compute answers (classifying, the candidate fit), and everything that
calls Slack (posting an answer, opening a form) runs on a second, larger pool of its own. Each
call waits at most the settings' timeout, and a response_url that is slow to answer holds one
of the posting threads, never a worker: it delays neither the acknowledgement nor the answer of
the next request. Nothing a listener raises reaches bolt: failures are logged as one line and
the user gets a plain message.
"""
from __future__ import annotations

import logging
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Optional

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from whichrole.classifier import Classifier, shared_classifier
from whichrole.model import Requisition, RequisitionError

from . import messages
from .delivery import SDK_LOG, Delivery, ReplyTo, api_error, describe
from .incoming import AnswerOnce, WellFormed
from .messages import REFINE_ACTION, SHARE_ACTION, Reply, escape, notice
from .modal import ASKED, REFINE_VIEW, error_block, read_submission, refine_modal
from .parse import CommandError, parse_command, usage
from .recent import RecentRequisitions
from .settings import SlackSettings

log = logging.getLogger("whichrole.slack")

COMMAND = "/whichrole"
WORKERS = 8
# Calls to Slack under way at once; each mostly waits on the network, so threads are cheap here.
SLACK_CALLS = 64
WARM_UP_TEXT = "Build dashboards and A/B tests; deploy models to production and monitor drift."
GONE = ("That answer is no longer held by the app (it restarted, or the answer is old): "
        "run `/whichrole` again.")
FAILED = "Something went wrong on whichrole's side; the error is logged. Try again in a moment."
NO_CANDIDATE = "The candidate fit is not available in this installation of whichrole."
ME_USAGE = ("`/whichrole me years=5 engineering=strong phd=no <a few words about your work>`: "
            "which roles fit you, as a candidate.")


class SlackApp:
    """The bolt ``App`` (``.bolt``) with /whichrole, its two buttons and its form."""

    def __init__(self, settings: SlackSettings, classifier: Optional[Classifier] = None,
                 workers: int = WORKERS, rules_dir: Optional[Path] = None):
        self.classifier = classifier or shared_classifier(rules_dir)
        self.client = WebClient(token=settings.bot_token.get_secret_value(), base_url=settings.api_url,
                                timeout=settings.timeout, logger=SDK_LOG)
        signing_secret = settings.signing_secret.get_secret_value() if settings.signing_secret else ""
        bolt_log = logging.getLogger("whichrole.slack.bolt")
        if _bolt_line not in bolt_log.filters:
            bolt_log.addFilter(_bolt_line)
        # Verifies the bot token with auth.test now (bolt raises BoltError if Slack refuses it).
        self.bolt = App(name="whichrole", client=self.client, signing_secret=signing_secret,
                        process_before_response=True, raise_error_for_unhandled_request=False, logger=bolt_log)
        self.usage = usage({name: list(self.classifier.rulebook.lexicon.choices(name))
                            for name, field in ASKED.items() if field.from_lexicon})
        # bolt logs a refused request's whole body (the user's text, its response_url) at INFO; the
        # server logs the refusal itself in one line.
        logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
        self.recent = RecentRequisitions()
        self.delivery = Delivery(self.client, settings.timeout)
        self.work = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="whichrole-slack")
        self.calls = ThreadPoolExecutor(max_workers=SLACK_CALLS, thread_name_prefix="whichrole-slack-call")
        self.bolt.use(WellFormed())
        self.bolt.use(AnswerOnce())
        self.bolt.command(COMMAND)(self.on_command)
        self.bolt.action(SHARE_ACTION)(self.on_share)
        self.bolt.action(REFINE_ACTION)(self.on_refine)
        self.bolt.view(REFINE_VIEW)(self.on_submit)
        self.bolt.error(self.on_error)

    def warm_up(self) -> None:
        """Compile and run the rules once before serving: the engine's first call must not race others."""
        self.classifier.classify(WARM_UP_TEXT)

    def close(self) -> None:
        """Finish the answers under way, then their posts."""
        self.work.shutdown(wait=True)
        self.calls.shutdown(wait=True)

    # ---- listeners: acknowledge, then hand the work to the pool ------------------------------

    def on_command(self, ack, command: dict) -> None:
        to = ReplyTo(command.get("user_id", ""), command.get("response_url"), time.time())
        try:
            request = parse_command(command.get("text", ""))
            requisition = Requisition.build(request.fields) if request.kind == "classify" else None
        except (CommandError, RequisitionError) as error:
            ack(text=escape(f"{error}\nSee `/whichrole help`."))
            return
        if request.kind == "help":
            ack(text=escape(self.usage))
        elif request.kind == "form":
            ack()
            self._call_slack(to, self._open_form, command.get("trigger_id"), None, to)
        elif request.kind == "me":
            if not request.text:
                ack(text=escape(ME_USAGE))
                return
            ack()
            self._later(to, self._candidate_fit, request.text)
        else:
            ack()
            self._later(to, self._answer, requisition)

    def on_share(self, ack, body: dict) -> None:
        ack()
        to = _action_reply_to(body)
        self._later(to, self._share, _action_value(body), to)

    def on_refine(self, ack, body: dict) -> None:
        ack()
        to = _action_reply_to(body)
        requisition = self.recent.get(_action_value(body))
        if requisition is None:
            self._post(to, notice(GONE))
            return
        self._call_slack(to, self._open_form, body.get("trigger_id"), requisition, to)

    def on_submit(self, ack, body: dict, view: dict) -> None:
        fields, metadata = read_submission(view)
        try:
            requisition = Requisition.build(fields)
        except RequisitionError as error:
            ack(response_action="errors", errors={error_block(str(error)): str(error)})
            return
        ack()
        to = ReplyTo.from_metadata(body.get("user", {}).get("id", ""), metadata)
        self._later(to, self._answer, requisition)

    def on_error(self, error: Exception) -> None:
        log.error("request not handled: %s", _one_line(error))

    # ---- the work ----------------------------------------------------------------------------

    # Each job returns the reply to post, or None; _reply turns what a job raises into a reply too.

    def _later(self, to: ReplyTo, job: Callable[..., Optional[Reply]], *args) -> None:
        """Compute on a worker, then hand the reply to the posting pool."""
        self.work.submit(lambda: self._post(to, self._reply(to, job, *args)))

    def _call_slack(self, to: ReplyTo, job: Callable[..., Optional[Reply]], *args) -> None:
        """A job that calls Slack runs on the posting pool, and posts its reply from the same thread."""
        self.calls.submit(lambda: self._send(to, self._reply(to, job, *args)))

    def _post(self, to: ReplyTo, reply: Optional[Reply]) -> None:
        if reply is not None:
            self.calls.submit(self.delivery.send, to, reply)

    def _send(self, to: ReplyTo, reply: Optional[Reply]) -> None:
        if reply is not None:
            self.delivery.send(to, reply)

    def _reply(self, to: ReplyTo, job: Callable[..., Optional[Reply]], *args) -> Optional[Reply]:
        try:
            return job(*args)
        except RequisitionError as error:
            return notice(f"{error}\nSee `/whichrole help`.")
        except Exception as error:
            log.error("/whichrole failed for %s: %s", to.user, _one_line(error))
            return notice(FAILED)

    def _answer(self, requisition: Requisition) -> Reply:
        verdict = self.classifier.classify(requisition)
        return messages.verdict_reply(verdict, self.recent.add(requisition))

    def _share(self, key: str, to: ReplyTo) -> Reply:
        requisition = self.recent.get(key)
        if requisition is None:
            return notice(GONE)
        return messages.shared_reply(self.classifier.classify(requisition), to.user)

    def _open_form(self, trigger_id: Optional[str], requisition: Optional[Requisition], to: ReplyTo) -> Optional[Reply]:
        view = refine_modal(self.classifier.rulebook, requisition, to.metadata())
        try:
            self.client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as error:
            log.warning("views.open failed: %s", api_error(error))
            return notice(f"Slack could not open the form ({api_error(error)}); try again.")
        except Exception as error:
            log.warning("views.open did not answer (%s)", describe(error))
            return notice("Slack did not answer in time to open the form; try again.")
        return None

    def _candidate_fit(self, text: str) -> Reply:
        try:
            from whichrole.candidate import fit_text
        except ImportError:
            return notice(NO_CANDIDATE)
        try:
            fit = fit_text(text)
        except ValueError as error:   # the profile cannot be read; its message is one line
            return notice(f"{error}\n{ME_USAGE}")
        return messages.blocks_reply(fit.blocks(), fit.text())


def _bolt_line(record: logging.LogRecord) -> bool:
    """bolt's log records as one line each: its warnings about unhandled requests ('/other', an unknown
    action, view_closed) go on with a listener to copy, and only their first line says what came.

    bolt also warns that SLACK_BOT_TOKEN goes unused whenever it is set and a client is given; the
    client carries that very token, so that warning would only mislead and is dropped."""
    message = record.getMessage()
    if "`token` will be unused" in message:
        return False
    record.msg, record.args = message.split("\n", 1)[0], None
    return True


def _action_value(body: dict) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value", ""))


def _action_reply_to(body: dict) -> ReplyTo:
    return ReplyTo(body.get("user", {}).get("id", ""), body.get("response_url"), time.time())


def _one_line(error: BaseException) -> str:
    """Type, first line of the message, and where it was raised: enough to find it, no traceback."""
    message = str(error).splitlines()[0] if str(error) else ""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {message[:200]}{where}"
