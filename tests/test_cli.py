"""The command line as a user runs it: real processes, real files."""
import json
import os
import subprocess
import sys

from samples import CLEAR

WHICHROLE = [sys.executable, "-m", "whichrole"]


def run(*args, stdin=None):
    return subprocess.run([*WHICHROLE, *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_classify_text_with_title():
    title, text = CLEAR["data_engineer"]
    result = run("classify", "--title", title, text)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Data Engineer — confidence")
    assert "Why:" in result.stdout


def test_classify_from_stdin_as_json():
    result = run("classify", "--json", stdin=CLEAR["ai_engineer"][1])
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["role"] == "ai_engineer" and verdict["rationale"]


def test_classify_structured_fields():
    result = run("classify", "--json", "--field", "primary_output=insight", "-f", "failure_mode=misleading_analysis",
                 "--field", "work_location=notebooks")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["role"] == "data_scientist"


def test_a_numbered_level_reads_as_the_candidate_side_reads_it():
    for level, signal in (("L4", "level:junior"), ("L6", "level:senior"), ("L7", "level:principal")):
        result = run("classify", "--json", "--field", f"level={level}", CLEAR["data_engineer"][1])
        assert result.returncode == 0, result.stderr
        assert signal in json.loads(result.stdout)["signals"], level
    refused = run("classify", "--field", "level=L9", CLEAR["data_engineer"][1])
    assert refused.returncode == 2 and "level: unknown value 'L9'" in refused.stderr and "l7" in refused.stderr


def test_bad_input_is_one_line_and_non_zero():
    for args, needle in [(("classify", "   "), "empty"),
                         (("classify", "--field", "colour=red"), "colour: unknown field (known: id, title, "),
                         (("classify", "--field", "nonsense"), "name=value"),
                         (("classify", "--field", "primary_output=vibes", "x"), "primary_output")]:
        result = run(*args, stdin="")
        assert result.returncode == 2, (args, result.stdout)
        assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_a_folder_that_holds_no_rulebook_is_one_line(tmp_path):
    for args in (("rules", "check", str(tmp_path)), ("classify", "--rules", str(tmp_path), "x")):
        result = run(*args)
        lines = (result.stdout + result.stderr).strip().splitlines()
        assert result.returncode != 0 and f"{tmp_path}: is not a rules directory (it has no catalogue.yaml)" in lines[0]
        assert not [line for line in lines if "catalogue.yaml:" in line], "no problem per missing field"


def test_rules_check_notes_the_rules_the_fit_never_saw_fire_in_one_line():
    result = run("rules", "check")
    assert result.returncode == 0, result.stderr
    idle = [line for line in result.stdout.splitlines() if "fired on none" in line]
    assert len(idle) == 1 and idle[0].startswith("weights.yaml: ") and "mix.close." in idle[0]


def test_roles_lists_the_catalogue():
    result = run("roles")
    assert result.returncode == 0
    for role in CLEAR:
        assert role in result.stdout


def test_eval_reports_accuracy_and_writes_disagreements(tmp_path):
    postings = tmp_path / "labelled.jsonl"
    rows = [{"id": role, "title": title, "description": text, "role": role} for role, (title, text) in CLEAR.items()]
    rows.append({"id": "wrong-label", "title": "Data Engineer", "description": CLEAR["data_engineer"][1],
                 "role": "research_scientist"})
    postings.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "dis.jsonl"
    result = run("eval", str(postings), "--disagreements", str(out), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["scored"] == 10 and report["correct"] == 9
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["wrong-label"]


def test_eval_against_title_families(tmp_path):
    postings = tmp_path / "titles.jsonl"
    postings.write_text(json.dumps({"title": "Data Analyst", "description": CLEAR["data_scientist"][1],
                                    "title_families": ["data_analyst"]}) + "\n")
    result = run("eval", str(postings), "--disagreements", str(tmp_path / "d.jsonl"))
    assert result.returncode == 0, result.stderr
    assert "against title_families" in result.stdout and "100.0%" in result.stdout


def test_engine_that_cannot_load_is_one_line(tmp_path):
    # A stand-in 'durable' package that fails the way durable_rules does on Python 3.13.
    fake = tmp_path / "durable"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "engine.py").write_text("raise ImportError('undefined symbol: PyEval_CallObject')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([*WHICHROLE, "classify", "some text"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "3.10, 3.11 or 3.12" in result.stderr and "PyEval_CallObject" in result.stderr


def test_version():
    from importlib.metadata import version

    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"whichrole {version('whichrole')}\n"


def test_no_command_prints_the_help_and_no_empty_error():
    result = run()
    assert "Usage:" in result.stdout and "classify" in result.stdout
    assert result.stderr == ""


def test_standard_input_is_read_beside_title_and_fields():
    title, text = CLEAR["ai_engineer"]
    for args in (("--title", title), ("--field", "level=senior"), ("--title", title, "--field", "level=senior")):
        result = run("classify", "--json", *args, stdin=text)
        assert result.returncode == 0, result.stderr
        verdict = json.loads(result.stdout)
        assert "skill:rag" in verdict["signals"] and verdict["confidence"] > 0.5, (args, verdict["signals"])


def test_binary_standard_input_is_refused_in_one_line():
    for data in (b"\xff\xfe\x89PNG\r\n", b"\x00\x01\x02 ELF", "café".encode("latin-1")):
        result = subprocess.run([*WHICHROLE, "classify", "--title", "Data Engineer"], input=data,
                                capture_output=True, timeout=120)
        assert result.returncode == 2
        assert result.stderr.decode() == "whichrole: error: standard input is not UTF-8 text\n"


def test_roles_prints_each_interview_item_whole():
    from whichrole import load_rulebook

    lines = [line.strip() for line in run("roles").stdout.splitlines()]
    items = [item for role in load_rulebook().roles.values() for item in role.interview_focus]
    assert any(";" in item for item in items)  # what joining them with "; " would have made ambiguous
    assert all(f"- {item}" in lines for item in items)


def test_classify_imports_no_integration():
    code = ("import sys; from whichrole.cli import main\n"
            "try:\n    main(['classify', sys.argv[1]])\n"
            "except SystemExit:\n    pass\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('slack_bolt', 'slack_sdk', 'openpyxl', 'python_calamine', 'apscheduler', 'sqlite3') "
            "or m.startswith('whichrole.integrations'))))")
    result = subprocess.run([sys.executable, "-c", code, CLEAR["data_engineer"][1]], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Data Engineer — confidence")
    assert result.stdout.splitlines()[-1] == ""


def test_each_integration_registers_the_commands_the_cli_expects_of_it():
    import importlib

    import typer
    from whichrole.cli import INTEGRATION_COMMANDS

    for module_name in set(INTEGRATION_COMMANDS.values()):
        commands = typer.Typer()
        importlib.import_module(module_name).register(commands)
        registered = set(typer.main.get_group(commands).commands)
        assert registered == {n for n, m in INTEGRATION_COMMANDS.items() if m == module_name}, module_name


def test_the_help_lists_every_command():
    listed = run("--help").stdout
    for command in ("classify", "roles", "rules", "eval", "annotate", "template", "serve-slack", "audit",
                    "schedule", "fit"):
        assert f" {command} " in listed, command


def test_classify_many_from_json_lines_or_csv_one_answer_a_line(tmp_path):
    title, text = CLEAR["data_engineer"]
    lines = [json.dumps({"id": "R-1", "title": title, "description": text}), "",
             "not json", json.dumps(CLEAR["ai_engineer"][1]), json.dumps({"title": "X", "colour": "red"})]
    source = tmp_path / "reqs.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for args, stdin in ((("--jsonl", str(source)), None), (("--jsonl", "-"), source.read_text())):
        result = run("classify", *args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        answers = [json.loads(line) for line in result.stdout.splitlines()]
        assert [a["line"] for a in answers] == [1, 3, 4, 5], "the line of each, the blank one passed over"
        assert answers[0]["id"] == "R-1" and answers[0]["verdict"]["role"] == "data_engineer"
        assert answers[1]["error"].startswith("not JSON") and "colour: unknown field" in answers[3]["error"]
        assert answers[2]["verdict"]["role"] == "ai_engineer"
        assert "2 classified, 2 could not be read" in result.stderr
    export = tmp_path / "ats.csv"
    export.write_text(f"Req ID,Job Title,Job Description\nR-7,{title},\"{text}\"\n", encoding="utf-8")
    result = run("classify", "--csv", str(export))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["line"], answer["id"], answer["verdict"]["role"]) == (2, "R-7", "data_engineer")
    assert run("classify", "--csv", str(export), "--title", "x").returncode == 2


def test_the_schema_describes_every_field_of_the_json_verdict():
    schema = json.loads(run("schema").stdout)
    verdict = json.loads(run("classify", "--json", stdin=CLEAR["ai_engineer"][1]).stdout)
    assert set(verdict) == set(schema["properties"]) and set(schema["required"]) <= set(verdict)
    assert "title" in json.loads(run("schema", "requisition").stdout)["properties"]
    assert run("schema", "nonsense").returncode == 2


def test_the_help_shows_flags_as_flags():
    for command in (["classify"], ["annotate"], ["audit", "run"], ["rules", "check"], ["eval"]):
        shown = run(*command, "--help").stdout
        assert "<bool>" not in shown and "<list[str]>" not in shown, command
    assert "--field NAME=VALUE" in run("classify", "--help").stdout
