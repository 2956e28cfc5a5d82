"""CI gating and reviewer commands of the command line (``diff``, ``triage``) and the CI
outputs of ``check``.  Kept apart from cli.py so that module stays a thin index.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .model import Report

err = Console(stderr=True)


def _usage(message: str) -> typer.Exit:
    err.print(f"[red]segurcheck:[/] {message}")
    return typer.Exit(2)


def emit_ci(report: Report, bundle: Path, gitlab: Path | None, markdown: Path | None) -> None:
    """GitHub annotations (auto under Actions), GitLab Code Quality, Markdown summary."""
    from .report.ci import github_annotations, running_on_github, write_gitlab, write_markdown

    # where the bundle's files sit in the checked-out tree: the folder as given, or
    # the .zip itself for a zipped bundle
    prefix, archive = (bundle.as_posix().rstrip("/"), "") if bundle.is_dir() else ("", bundle.as_posix())
    if running_on_github():
        lines = github_annotations(report, prefix, archive=archive)
        sys.stdout.write("".join(line + "\n" for line in lines))
    if gitlab is not None:
        write_gitlab(report, gitlab, prefix, archive=archive)
    if markdown is not None or os.environ.get("GITHUB_STEP_SUMMARY"):
        write_markdown(report, markdown)


def diff_cmd(
    old: Annotated[Path, typer.Argument(help="JSON result of the earlier run.")],
    new: Annotated[Path, typer.Argument(help="JSON result of the later run.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the diff as JSON here.")] = None,
) -> None:
    """Print new, fixed and changed results between two runs, by cause.

    Causes: the rule pack, the evidence, or the run options.  Exit 1 when a new
    blocking failure appeared.
    """
    from .diff import DiffError, diff_results, diff_to_dict, format_diff, load_result

    try:
        diff = diff_results(load_result(old), load_result(new))
    except DiffError as exc:
        raise _usage(str(exc)) from None
    sys.stdout.write(format_diff(diff))
    if json_out is not None:
        json_out.write_text(json.dumps(diff_to_dict(diff), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    raise typer.Exit(1 if diff.new_blocking else 0)


def triage_cmd(
    bundles: Annotated[list[Path], typer.Argument(help="Bundles (directories or .zip), or folders holding them.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder: per-dossier reports, overview, cache.")],
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, help="Worker processes (default: CPU count).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge every dossier at this date.")] = None,
    sector: Annotated[str | None, typer.Option(help="Override every manifest's sector.")] = None,
    env: Annotated[str | None, typer.Option(help="Override every manifest's environment (test|production).")] = None,
    trust: Annotated[Path | None, typer.Option(help="Folder of extra trust anchors.")] = None,
    insi_schemas: Annotated[Path | None, typer.Option("--insi-schemas", help="Folder of the INSi XSDs.")] = None,
    schematron: Annotated[Path | None, typer.Option(help="Folder of the official ANS schematrons.")] = None,
    config: Annotated[Path | None, typer.Option(help="Rule-pack config (YAML).")] = None,
    lang: Annotated[str, typer.Option(help="fr or en.")] = "fr",
    apply_bundled_waivers: Annotated[
        bool, typer.Option("--apply-bundled-waivers", help="Apply waivers the bundles ship (default: only show them).")
    ] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
) -> None:
    """Check many dossiers in parallel and rank them by readiness.

    Writes each dossier's JSON and HTML report and an overview (HTML + CSV).  Exit 0
    once every dossier is reported, whatever their verdicts; 2 on bad options.
    """
    from .engine.rules import RulePackError
    from .options_loader import ResourceError, load_resources
    from .triage import TriageSettings, run_triage

    as_of_date = None
    if as_of is not None:
        try:
            as_of_date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise _usage(f"--as-of {as_of!r}: expected a date as YYYY-MM-DD") from None
    if env not in (None, "test", "production"):
        raise _usage(f"--env {env!r}: expected test or production")
    if lang not in ("fr", "en"):
        raise _usage(f"--lang {lang!r}: expected fr or en")
    missing = [str(b) for b in bundles if not b.exists()]
    if missing:
        raise _usage(f"no such bundle: {', '.join(missing)}")
    try:  # fail fast on bad folders or config, before any worker starts
        load_resources(trust=trust, insi_schemas=insi_schemas, schematron=schematron)
    except ResourceError as exc:
        raise _usage(str(exc)) from None
    from .cli import load_config

    load_config(config)  # exits 2 with a message on a bad file
    settings = TriageSettings(
        today=dt.date.today(), as_of=as_of_date, sector=sector, environment=env, lang=lang, trust=trust,
        insi_schemas=insi_schemas, schematron=schematron, config=config, apply_bundled_waivers=apply_bundled_waivers,
    )
    try:
        summary = run_triage(bundles, out, settings, jobs=jobs or os.cpu_count() or 1, show_progress=not no_progress)
    except RulePackError as exc:
        raise _usage(str(exc)) from None
    verdicts: dict[str, int] = {}
    for row in summary.rows:
        verdicts[str(row.get("verdict"))] = verdicts.get(str(row.get("verdict")), 0) + 1
    err.print(
        f"{len(summary.rows)} dossiers ({summary.checked} checked, {summary.cached} unchanged) in "
        f"{summary.seconds:.1f}s: " + ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    )
    err.print(f"overview: {summary.overview_html} · {summary.overview_csv}")
