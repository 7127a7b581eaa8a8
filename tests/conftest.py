import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from whichrole import Classifier  # noqa: E402


@pytest.fixture(scope="session")
def durable():
    return Classifier(engine="durable")


@pytest.fixture(scope="session")
def reference():
    return Classifier(engine="reference")
