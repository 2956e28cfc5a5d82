"""PKI test fixtures: the real IGC-Santé files (through the shared ``shared_data``
fixture, which skips when ../shared/data is absent) and the harness on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))


@pytest.fixture(scope="session")
def igc_data(shared_data: Path) -> Path:
    """The real IGC-Santé certificates and CRLs (read there, never copied)."""
    folder = shared_data / "igc-sante"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found (real IGC-Santé files)")
    return folder
