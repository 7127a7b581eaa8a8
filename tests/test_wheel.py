"""The built wheel carries the rules and the integrations: install it in a fresh venv and use it."""
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # processes started and waited for

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    return next(out.glob("whichrole-*.whl"))


def test_wheel_ships_rules_and_claims_no_generic_name(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "whichrole/rules/catalogue.yaml" in names and "whichrole/rules/lexicon.yaml" in names
    assert "whichrole/rules/candidate/catalogue.yaml" in names
    assert any(n.startswith("whichrole/integrations/") for n in names)
    tops = {n.split("/")[0] for n in names if not n.startswith("whichrole-")}
    assert tops == {"whichrole"}


def test_fresh_venv_classifies_from_the_wheel(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)
    # The dependencies come from this environment's site-packages (no network); a plain path entry,
    # so the editable install of the working tree is not seen.
    fresh_site = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                              text=True).strip())
    (fresh_site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    script = ("import whichrole, sys; v = whichrole.classify({'title': 'Data Engineer', 'description': "
              "'Build ETL pipelines into the Snowflake data warehouse with Airflow, dbt and Kafka.'}); "
              "print(whichrole.__file__); print(v.role)")
    out = subprocess.run([python, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    where, role = out.stdout.split()
    assert where.startswith(str(env_dir)) and role == "data_engineer"
    check = subprocess.run([env_dir / "bin" / "whichrole", "rules", "check"], capture_output=True, text=True,
                           cwd=tmp_path, timeout=120)
    assert check.returncode == 0 and "no problems" in check.stdout and str(env_dir) in check.stdout
