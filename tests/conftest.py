import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

from whichrole import Classifier  # noqa: E402

# On CI the property tests run the same examples every time, so a change passes or fails on
# its own merits; on a developer's machine they keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def durable():
    return Classifier(engine="durable")


@pytest.fixture(scope="session")
def reference():
    return Classifier(engine="reference")
