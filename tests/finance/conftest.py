"""Finance fixtures: confirmed sets (accounts opened as in real use) and a reader for the ledger."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.finance.fin_helpers import Ledger, confirm_sets


@pytest.fixture
def confirmed(app) -> dict[str, int]:
    """40 demo applicants confirmed into sets: 40 fee accounts of £300 each."""
    with app.app_context():
        return confirm_sets()


@pytest.fixture
def ledger(app) -> Ledger:
    return Ledger(app)


@pytest.fixture(autouse=True)
def private_instance(app, tmp_path):
    """Uploads waiting for "Save" go under the instance folder: keep the tests' in tmp_path."""
    app.instance_path = str(tmp_path / "instance")
    return Path(app.instance_path)
