"""Helpers for the MSS and usage tests: run rules of this area through the real
pipeline (bundle opening, sniffing, walker, manifest) on generated bundles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from segurcheck.engine.rules import RulePack, load_pack
from segurcheck.model import Result
from segurcheck.pipeline import CheckOptions, run_check

REPO = Path(__file__).resolve().parents[2]
AREA_RULES = sorted(p for area in ("mss", "usage") for p in (REPO / "rules" / area).glob("*.yaml"))


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_pack(REPO / "rules")


@pytest.fixture(scope="session")
def fresh_bundles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The MSS/usage bundles regenerated in a temporary folder."""
    from fixtures.gen.mss_bundles import build

    out = tmp_path_factory.mktemp("mss-bundles")
    build(out, None)
    return out


@pytest.fixture()
def check(pack: RulePack, fresh_bundles: Path) -> Callable[..., list[Result]]:
    """``check(bundle_or_path, *rule_ids, config=..., show_identities=...)`` -> results."""

    def run(bundle: str | Path, *rule_ids: str, **options: Any) -> list[Result]:
        path = bundle if isinstance(bundle, Path) else fresh_bundles / bundle
        opts = CheckOptions(today=dt.date(2026, 11, 29), rule_ids=tuple(rule_ids), **options)
        return list(run_check(path, opts, pack).results)

    return run
