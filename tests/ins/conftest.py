from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def shared_insi() -> Path:
    path = Path(__file__).resolve().parents[2].parent / "shared" / "data"
    for candidate in (path, Path("/work/shared/data")):
        if (candidate / "insi").is_dir():
            return candidate
    pytest.skip("shared/data (real INSi and CDA files) is not next to the checkout")
