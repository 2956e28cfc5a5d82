"""Shared test fixtures: the real public data beside the checkout, the generated
fixture bundles, and a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from segurcheck.cli import app

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
BUNDLES = FIXTURES / "bundles"
TRUST = BUNDLES / "_trust"


def _shared_data() -> Path:
    configured = os.environ.get("SEGURCHECK_SHARED_DATA")
    return Path(configured) if configured else REPO.parent / "shared" / "data"


SHARED_DATA = _shared_data()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public material (../shared/data); tests needing it skip elsewhere."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real public data not found at {SHARED_DATA} (clone beside shared/ or set SEGURCHECK_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def bundles() -> Path:
    if not BUNDLES.is_dir():
        pytest.fail("fixtures/bundles is missing: run `make fixtures`")
    return BUNDLES


@pytest.fixture()
def cli() -> Callable[..., tuple[int, str]]:
    """Run the CLI in-process; return (exit code, combined output)."""
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.output

    return run
