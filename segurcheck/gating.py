"""Applying waivers and a baseline to a Report before it is written (issue 7 owns
the details in waivers.py and baseline.py; this module only sequences them)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from .model import Report


def apply_gating(
    report: Report,
    *,
    baseline: Path | None,
    waivers: Path | None,
    ignore_waivers: bool,
    err: Console,
) -> Report:
    if waivers is not None:
        from .waivers import apply_waivers, load_waivers

        report = apply_waivers(report, load_waivers(waivers), report.dossier.as_of, ignore=ignore_waivers)
    if baseline is not None:
        from .baseline import apply_baseline, load_baseline

        report = apply_baseline(report, load_baseline(baseline))
    return report
