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
    bundle: Path | None = None,
) -> Report:
    """Waivers first (they re-label failures), then the baseline (it marks what is
    left).  Raises ``WaiverError`` / ``BaselineError`` for unusable files (exit 2)."""
    from .waivers import apply_waivers, bundled_waivers, load_waivers, note_bundled

    if waivers is not None:
        report = apply_waivers(report, load_waivers(waivers), report.dossier.as_of, ignore=ignore_waivers)
    if bundle is not None:  # waiver files shipped in the bundle: named, never applied silently
        shipped = bundled_waivers(bundle, report)
        explicit = waivers.resolve() if waivers is not None else None
        shipped = [f for f in shipped if explicit is None or (bundle / f.path).resolve() != explicit]
        report = note_bundled(report, shipped)
    if baseline is not None:
        from .baseline import apply_baseline, load_baseline

        report = apply_baseline(report, load_baseline(baseline))
    if waivers is not None:  # waived results change the requirement coverage
        from .pipeline import with_coverage

        report = with_coverage(report)
    return report
