"""The command line, one command per function of the Python API."""
from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperGroup

from .engine import EngineUnavailable
from .model import RequisitionError, one_line_error
from .rulebook import RulebookError

# Each integration adds its own commands, so that the CLI mirrors every part of the API. Its module
# is imported only when one of its commands is run (or the help lists them): Slack, Excel, the
# audit and its scheduler would otherwise slow every `whichrole classify` down.
INTEGRATION_COMMANDS = {
    "annotate": "whichrole.integrations.excel.commands",
    "template": "whichrole.integrations.excel.commands",
    "serve-slack": "whichrole.integrations.slack.commands",
    "audit": "whichrole.integrations.audit.commands",
    "schedule": "whichrole.integrations.audit.commands",
    "fit": "whichrole.candidate.commands",
}


class CommandsOnDemand(TyperGroup):
    """The commands of INTEGRATION_COMMANDS, registered the first time one of them is looked up."""

    def list_commands(self, ctx) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in INTEGRATION_COMMANDS if name not in self.commands)]

    def get_command(self, ctx, name: str):
        if name not in self.commands and name in INTEGRATION_COMMANDS:
            self._register(INTEGRATION_COMMANDS[name])
        return super().get_command(ctx, name)

    def _register(self, module_name: str) -> None:
        import importlib

        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:  # an integration this installation leaves out
            if error.name != module_name:
                raise
            return
        commands = typer.Typer(rich_markup_mode=None)
        module.register(commands)
        for name, command in typer.main.get_group(commands).commands.items():
            self.add_command(command, name)


# Plain help (rich_markup_mode=None) throughout: rich's prints every flag as '--json <bool>'.
app = typer.Typer(cls=CommandsOnDemand, add_completion=False, no_args_is_help=True, rich_markup_mode=None)
rules_app = typer.Typer(no_args_is_help=True, help="Work with the rulebook.", rich_markup_mode=None)
app.add_typer(rules_app, name="rules")

RulesOption = typer.Option(None, "--rules", help="Rules directory (default: the shipped rulebook).",
                           file_okay=False, dir_okay=True)
EngineOption = typer.Option("durable", "--engine", help="durable (the rules engine) or reference (pure Python).")
WorkersOption = typer.Option(None, "--workers", min=0, help="Processes reading the requisitions "
                             "(0: this one; default: one per core, up to 4, when there are more than 1,000).")


class UserError(Exception):
    """Shown as one line, without a traceback."""


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"whichrole: error: {message}", err=True)
    sys.exit(code)


def version_option(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"whichrole {version('whichrole')}")
        raise typer.Exit()


@app.callback()
def options(_version: bool = typer.Option(False, "--version", is_eager=True, callback=version_option,
                                          help="Print the version and exit.")):
    """Which data/ML/AI role is a requisition really for, and why."""


def read_standard_input() -> str:
    """Standard input as text; bytes that are not UTF-8 text are refused rather than guessed at."""
    not_text = UserError("standard input is not UTF-8 text")
    try:
        text = sys.stdin.buffer.read().decode("utf-8-sig")  # the byte-order mark some Windows tools write
    except UnicodeDecodeError:
        raise not_text from None
    if "\x00" in text:  # decodes, but is binary data all the same
        raise not_text
    return text


def parse_fields(pairs: List[str], option: str = "--field") -> dict:
    fields = {}
    for pair in pairs:
        if "=" not in pair:
            raise UserError(f"{option} {pair!r}: expected name=value")
        name, value = pair.split("=", 1)
        fields[name.strip()] = value.strip()
    return fields


@app.command()
def classify(
    text: Optional[str] = typer.Argument(None, help="Requisition text; '-' or nothing reads standard input."),
    title: Optional[str] = typer.Option(None, "--title", help="The requisition's title."),
    field: List[str] = typer.Option([], "--field", "-f", metavar="NAME=VALUE", help="A structured field, name=value (repeatable), "
                                    "e.g. primary_output=insight, mix=20/40/20/20."),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON (whichrole schema describes it)."),
    jsonl: Optional[Path] = typer.Option(None, "--jsonl", dir_okay=False, help="Classify every requisition of "
                                         "this JSON Lines file ('-': standard input), one JSON object of fields "
                                         "(or a string of text) a line; print one JSON verdict a line."),
    csv_file: Optional[Path] = typer.Option(None, "--csv", dir_okay=False, help="The same for a CSV file "
                                            "('-': standard input), its columns recognised as annotate does."),
    rules: Optional[Path] = RulesOption,
    engine: str = EngineOption,
    workers: Optional[int] = WorkersOption,
):
    """Classify one requisition: the role, how sure, and why; or, with --jsonl or --csv, many."""
    from .classifier import classify as classify_one

    if jsonl or csv_file:
        if jsonl and csv_file or text or title or field:
            raise UserError("--jsonl or --csv reads every requisition from its file: give it alone")
        classify_file(jsonl or csv_file, "jsonl" if jsonl else "csv", rules, engine, workers)
        return

    # Piped text is the description whatever else is given: `pbpaste | whichrole classify --title ...`.
    if text == "-" or text is None and sys.stdin is not None and not sys.stdin.isatty():
        text = read_standard_input()
    values = parse_fields(field)
    if text:
        values["description"] = text
    if title:
        values["title"] = title
    if not values:
        raise UserError("nothing to classify: give the requisition text, --title or --field")
    verdict = classify_one(values, rules_dir=rules, engine=engine)
    typer.echo(verdict.model_dump_json(indent=2) if as_json else verdict.text())


def classify_file(path: Path, kind: str, rules: Optional[Path], engine: str, workers: Optional[int]) -> None:
    from .batch import classify_all, from_csv, from_json_lines
    from .classifier import shared_classifier

    label = "standard input" if str(path) == "-" else str(path)
    try:
        text = read_standard_input() if str(path) == "-" else path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{label}: not UTF-8 text") from None
    read = from_json_lines(text.splitlines()) if kind == "jsonl" else from_csv(text, label)
    with Progress("classifying") as progress:
        classified, failed = classify_all(read, shared_classifier(rules, engine), sys.stdout, workers,
                                          progress.update)
    progress.echo(f"{label}: {classified} classified" + (f", {failed} could not be read (see their 'error')"
                                                         if failed else ""))
    if not classified and failed:
        sys.exit(2)


@app.command()
def schema(which: str = typer.Argument("verdict", help="verdict (what --json prints) or requisition "
                                       "(what --jsonl and --field take).")):
    """The JSON Schema of a verdict or of a requisition."""
    from .model import Requisition
    from .verdict import Verdict

    models = {"verdict": Verdict, "requisition": Requisition}
    if which not in models:
        raise UserError(f"{which!r}: expected verdict or requisition")
    typer.echo(json.dumps(models[which].model_json_schema(), indent=2, ensure_ascii=False))


@app.command()
def roles(
    as_json: bool = typer.Option(False, "--json", help="Print the catalogue as JSON."),
    rules: Optional[Path] = RulesOption,
):
    """List the roles the rulebook knows: what each does, its flavours and interview focus."""
    from .rulebook import load_rulebook

    book = load_rulebook(rules)
    if as_json:
        typer.echo(json.dumps({k: v.model_dump() for k, v in book.roles.items()}, indent=2))
        return
    for role_id, role in book.roles.items():
        flavours = f" (flavours: {', '.join(role.flavours.values())})" if role.flavours else ""
        typer.echo(f"{role_id:<22}{role.name}{flavours}")
        typer.echo(f"{'':<22}{role.summary}")
        if role.interview_focus:  # one item a line: an item may itself hold a ';'
            typer.echo(f"{'':<22}Interview focus:")
            for item in role.interview_focus:
                typer.echo(f"{'':<24}- {item}")


@rules_app.command("check")
def rules_check(
    directory: Optional[Path] = typer.Argument(None, help="Rules directory (default: both shipped rulebooks)."),
    kind: str = typer.Option("requisition", "--kind", help="Which rulebook DIRECTORY holds: requisition or candidate."),
):
    """Validate a rulebook; print each problem as file:line: what."""
    from .candidate.rulebook import CANDIDATES
    from .classifier import Classifier
    from .examples import check_examples
    from .rulebook import REQUISITIONS, check_rulebook, weights_notes

    kinds = {k.name: k for k in (REQUISITIONS, CANDIDATES)}
    if kind not in kinds:
        raise UserError(f"--kind {kind!r}: expected {' or '.join(kinds)}")
    targets = [(directory, kinds[kind])] if directory else [(None, k) for k in kinds.values()]
    count = 0
    for folder, rulebook_kind in targets:
        book, problems = check_rulebook(folder, rulebook_kind)
        if book and not problems and rulebook_kind is REQUISITIONS:  # its examples need a rulebook that loads
            problems = check_examples(Classifier(folder))
        prefix = f"{rulebook_kind.subdir}/" if rulebook_kind.subdir and not folder else ""
        for problem in problems:
            typer.echo(f"{prefix}{problem}")
        count += len(problems)
        if book and not problems:
            stages = {n: len(book.stage(n)) for n in (1, 2)}
            typer.echo(f"{book.directory}: {len(book.rules)} rules ({stages[1]} first stage, {stages[2]} second), "
                       f"{len(book.lexicon.signals)} signals, {len(book.roles)} roles; version {book.version}; "
                       "no problems")
            if rulebook_kind is REQUISITIONS:
                for note in weights_notes(book):
                    typer.echo(f"{prefix}{note} (note)")
    if count:
        typer.echo(f"{count} problem(s)", err=True)
        raise typer.Exit(1)


SettingOption = typer.Option([], "--set", metavar="NAME=VALUE", help="A training setting, name=value (repeatable): l2, prior, bias_l2, "
                             "matrix_l2, calibration_folds, seed.")


def parse_settings(pairs: List[str]) -> dict:
    settings = {}
    for name, value in parse_fields(pairs, "--set").items():
        try:
            settings[name] = float(value)
        except ValueError:
            raise UserError(f"--set {name}={value}: expected a number") from None
    return settings


@app.command("eval")
def evaluate_cmd(
    postings: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSON Lines: title, description, "
                                    "and role (with ds_flavour and conflated where known), or title_families."),
    folds: int = typer.Option(0, "--folds", min=0, help="Fit on all folds but one and score the one left out, "
                              "for each of K folds (the figure to quote); 0 scores the shipped weights in sample."),
    repeats: int = typer.Option(1, "--repeats", min=1, help="With --folds: as many splits into folds, "
                                "each posting scored once per split (one split's figure depends on the split)."),
    setting: List[str] = SettingOption,
    disagreements: Optional[Path] = typer.Option(None, "--disagreements", help="Where to write the "
                                                 "disagreements (default: beside the postings)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    rules: Optional[Path] = RulesOption,
    engine: str = EngineOption,
):
    """Accuracy against labelled postings: per-role precision and recall, DS flavour, conflation,
    calibration (a reliability table and the expected calibration error), the confusion matrix."""
    from .classifier import shared_classifier
    from .evaluation import evaluate, evaluate_folds

    if not folds and (repeats > 1 or setting):
        raise UserError("--repeats and --set are settings of a training run: give --folds K")
    out = disagreements or postings.with_name(f"{postings.stem}.disagreements.jsonl")
    with Progress("folds" if folds else "evaluating") as progress:
        if folds:
            report = evaluate_folds(postings, shared_classifier(rules, engine), folds, parse_settings(setting), out,
                                    progress.update, repeats)
        else:
            report = evaluate(postings, shared_classifier(rules, engine), out, progress.update)
    typer.echo(report.model_dump_json(indent=2) if as_json else report.text())


@rules_app.command("train")
def rules_train(
    postings: Path = typer.Argument(..., exists=True, dir_okay=False, help="Labelled postings (JSON Lines with "
                                    "title, description, role; ds_flavour where known)."),
    folds: int = typer.Option(5, "--folds", min=2, help="Folds for the out-of-fold figures recorded with the weights."),
    repeats: int = typer.Option(5, "--repeats", min=1, help="Splits into folds for those figures."),
    setting: List[str] = SettingOption,
    out: Optional[Path] = typer.Option(None, "--out", help="Where to write the weights "
                                       "(default: weights.yaml in the rules directory)."),
    rules: Optional[Path] = RulesOption,
):
    """Train how much each rule counts on labelled postings; record where the weights come from."""
    from .classifier import Classifier
    from .evaluation import train_file
    from .weights import WEIGHTS_FILE, save

    declared = Classifier(rules, "reference", trained=False)  # the weights there now may be stale: retrain regardless
    target = out or declared.rulebook.directory / WEIGHTS_FILE
    if target.is_dir() or not target.parent.is_dir():
        raise UserError(f"--out {target}: not a file in an existing folder")
    with Progress("training") as progress:
        weights = train_file(postings, declared, parse_settings(setting), folds, progress.update, repeats)
    save(weights, target)
    cv, provenance = weights.provenance.cross_validated, weights.provenance
    counted = sum(len(w) for w in weights.roles.weights.values())
    skipped = f" ({provenance.skipped} unreadable, left out)" if provenance.skipped else ""
    typer.echo(f"trained the weights of {counted} rules ({counted - len(provenance.never_fired)} fired) on "
               f"{provenance.postings} postings of {postings.name}{skipped}; wrote {target}")
    splits = f", {cv.repeats} splits" if cv.repeats > 1 else ""
    typer.echo(f"out of fold ({cv.folds} folds{splits}): accuracy {cv.accuracy:.1%} ± {cv.accuracy_spread:.1%} "
               f"across folds, expected calibration error {cv.expected_calibration_error:.3f}")


class Progress:
    """A count (a bar when the total is known) on stderr, redrawn in place on a terminal, silent otherwise."""

    def __init__(self, label: str):
        self.label = label
        self.active = sys.stderr.isatty()

    def __enter__(self):
        return self

    def echo(self, message: str) -> None:
        """A line of its own on stderr; the count is drawn again below it at the next update."""
        if self.active:
            sys.stderr.write("\r\033[K")
        typer.echo(message, err=True)

    def update(self, count: int, total: Optional[int] = None) -> None:
        if self.active and count % 25 == 0:
            if total:
                bar = "#" * round(30 * min(count / total, 1.0))
                sys.stderr.write(f"\r{self.label}: [{bar:<30}] {count}/{total}")
            else:
                sys.stderr.write(f"\r{self.label}: {count}")
            sys.stderr.flush()

    def __exit__(self, *exc):
        if self.active:
            sys.stderr.write("\r\033[K")
        return False


def main(argv: Optional[list[str]] = None) -> None:
    # A service manager or `kill` stops a command with SIGTERM: end it as Ctrl-C does, so that what
    # it was writing is removed and its worker processes are stopped, rather than dying mid-write.
    # (A scheduled audit runs this on a thread of its own; signals are the main thread's.)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        code = app(args=argv, standalone_mode=False)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except (UserError, RequisitionError, RulebookError, EngineUnavailable, ValueError, OSError) as error:
        fail(one_line_error(error), getattr(error, "exit_code", 2))
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as error:  # click's usage errors (vendored by typer) carry their own message
        if hasattr(error, "format_message") and hasattr(error, "exit_code"):
            if type(error).__name__ == "NoArgsIsHelpError":  # `whichrole` alone: the help, nothing to add
                typer.echo(error.format_message())
            elif error.format_message():
                typer.echo(f"whichrole: error: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)

