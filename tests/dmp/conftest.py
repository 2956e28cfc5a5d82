"""Real shared data for the DMP tests (skipped with a reason when the checkout has no shared/)."""

from __future__ import annotations

from pathlib import Path

import pytest


def _shared() -> Path | None:
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "shared" / "data", here.parents[2].parent / "shared" / "data",
                      Path("/work/shared/data")):
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture
def real_data() -> Path:
    found = _shared()
    if found is None:
        pytest.skip("shared/data (real example files) is not available next to this checkout")
    return found
