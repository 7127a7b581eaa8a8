"""'whichrole fit': which role fits a candidate, from flags, a profile line, or questions."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import List, Optional

import typer


def fit_command(
    text: Optional[str] = typer.Argument(None, help="A profile line, e.g. 'phd=yes papers=3 engineering=strong "
                                         "mix=20/40/20/20 years=6 org=frontier_lab'; '-' reads standard input."),
    degree: Optional[str] = typer.Option(None, "--degree", help="none, bachelor, master or phd."),
    phd: Optional[bool] = typer.Option(None, "--phd/--no-phd", help="Whether you hold a PhD."),
    research: Optional[str] = typer.Option(None, "--research", help="Research record: none, some or strong."),
    papers: Optional[int] = typer.Option(None, "--papers", min=0, help="Number of publications."),
    engineering: Optional[str] = typer.Option(None, "--engineering", help="basic, solid or strong."),
    mix: Optional[str] = typer.Option(None, "--mix", help="Wanted research/modeling/engineering/product %, "
                                      "e.g. 20/40/20/20."),
    years: Optional[float] = typer.Option(None, "--years", min=0, help="Years of professional experience."),
    level: Optional[str] = typer.Option(None, "--level", help="junior, mid, senior or principal (also L4-L7; "
                                        "staff is senior)."),
    org: List[str] = typer.Option([], "--org", help="A kind of organisation you aim at (repeatable): frontier_lab, "
                                  "research_lab, big_tech, model_platform, agent_tooling, vertical_ai (saas), "
                                  "enterprise, academic, startup."),
    interest: List[str] = typer.Option([], "--interest", help="What draws you (repeatable): science, "
                                       "infrastructure, production, llm, analysis, product."),
    about: Optional[str] = typer.Option(None, "--about", help="Anything else, in your own words."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
    rules: Optional[Path] = typer.Option(None, "--rules", help="Candidate rules directory (default: the shipped "
                                         "one).", file_okay=False, dir_okay=True),
    engine: str = typer.Option("durable", "--engine", help="durable (the rules engine) or reference (pure Python)."),
):
    """Which roles fit a candidate, best first: why, the interview loop, relative pay, and where it changes."""
    from .fit import fitter
    from .profile import Profile
    from .prompt import ask_profile

    flags = {"degree": degree, "research": research, "papers": papers, "engineering": engineering, "mix": mix,
             "years": years, "level": level, "about": about,
             "phd": None if phd is None else ("yes" if phd else "no")}
    words = [f"{name}={shlex.quote(str(value))}" for name, value in flags.items() if value is not None]
    words += [f"org={shlex.quote(value)}" for value in org] + [f"interest={shlex.quote(value)}" for value in interest]
    if text == "-" or (text is None and not words and not sys.stdin.isatty()):
        text = sys.stdin.read()
    fitting = fitter(rules, engine)
    if text is None and not words:
        profile = ask_profile(lambda question: typer.prompt(question, default="", show_default=False),
                              lambda message: typer.echo(message, err=True), fitting.rulebook)
    else:
        profile = Profile.build(" ".join([text or "", *words]))
    result = fitting.fit(profile)
    typer.echo(result.model_dump_json(indent=2) if as_json else result.text())


def register(app: typer.Typer) -> None:
    app.command("fit")(fit_command)
