"""`make demo` on a fresh clone: it annotates the sample and leaves the clone as it found it."""
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

pytestmark = pytest.mark.slow  # processes started and waited for

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.prefix)


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=demo", "-c", "user.email=demo@example.invalid",
                           "-c", "core.hooksPath=/dev/null", *args], cwd=folder, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def clone(tmp_path) -> Path:
    """The project's files as they stand, committed in a repository of their own."""
    if not (ROOT / ".git").exists() or not shutil.which("git") or not shutil.which("make"):
        pytest.skip("needs a git checkout, git and make")
    if not (VENV / "bin" / "whichrole").exists():
        pytest.skip("needs whichrole installed in the environment the tests run in")
    folder = tmp_path / "whichrole"
    for name in git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0"):
        if name and (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "fresh clone")
    return folder


def test_make_demo_leaves_a_fresh_clone_clean(clone):
    # The .venv is the one these tests run in: -o keeps make from building another, stamp or none.
    done = subprocess.run(["make", "demo", f"VENV={VENV}", "-o", str(VENV / ".installed")], cwd=clone,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "requisitions annotated" in done.stdout + done.stderr
    annotated = clone / "sample_workbooks" / "requisitions-annotated.xlsx"
    assert "Summary" in openpyxl.load_workbook(annotated, read_only=True).sheetnames
    assert git(clone, "status", "--porcelain", "--untracked-files=all") == ""
