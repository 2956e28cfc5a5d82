from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
for entry in (str(REPO), str(Path(__file__).resolve().parent)):
    if entry not in sys.path:
        sys.path.insert(0, entry)


@pytest.fixture(scope="session")
def igc_data() -> Path:
    """The real IGC-Santé files of the shared data (skipped when absent)."""
    for base in (REPO.parent / "shared" / "data", Path("/work/shared/data"), REPO.parent.parent / "shared" / "data"):
        if (base / "igc-sante").is_dir():
            return base / "igc-sante"
    pytest.skip("shared/data/igc-sante not found next to the checkout (real IGC-Santé files)")
