"""Where the tool's own files are: packaged in the wheel, or beside the source tree."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


def rules_dir() -> Path:
    """The rule packs: ``$SEGURCHECK_RULES_DIR`` when set (a custom pack), else
    ``segurcheck/rules`` in a wheel, ``rules/`` in a checkout."""
    custom = os.environ.get("SEGURCHECK_RULES_DIR")
    if custom:
        return Path(custom)
    return _first_existing(PACKAGE_DIR / "rules", PACKAGE_DIR.parent / "rules")


def templates_dir() -> Path:
    """The report templates: ``segurcheck/templates`` in a wheel, ``reports/templates``
    in a checkout."""
    return _first_existing(PACKAGE_DIR / "templates", PACKAGE_DIR.parent / "reports" / "templates")


def data_dir() -> Path:
    return PACKAGE_DIR / "data"


@cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped with the tool (``manifest``, ``rule``, ``result``, ...)."""
    with (data_dir() / "schemas" / f"{name}.schema.json").open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded
