"""Running the real command line in a subprocess, as CI does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "fixtures" / "bundles" / "_gate" / "gate-blocking.yaml"


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")}
    base["PYTHONPATH"] = str(REPO) + os.pathsep + base.get("PYTHONPATH", "")
    base.update(extra)
    return base


def segurcheck(*args: str | Path, cwd: Path | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "segurcheck", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env=env(**extra), timeout=300,
    )


def shim(folder: Path) -> Path:
    """A ``segurcheck`` executable on PATH running this checkout (stands for pip install)."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "segurcheck"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m segurcheck "$@"\n', encoding="utf-8")
    exe.chmod(0o755)
    return folder


def results(path: Path) -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return list(data["results"])
