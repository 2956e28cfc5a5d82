"""The command line: options -> library calls -> writers -> exit code.  Nothing else.

Exit status (BUNDLE.md): 0 no blocking failure remains, 1 at least one, 2 the tool
could not do its job (bad option, unreadable bundle root, invalid rule pack).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console

from . import __version__
from .bundle import BundleError
from .engine.rules import RulePackError, load_pack
from .options_loader import ResourceError, load_resources
from .pipeline import CheckOptions, run_check
from .progress import progress_bar
from .resources import schema as load_schema

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Ségur referencing dossier pre-submission checker.")
rules_app = typer.Typer(no_args_is_help=True, help="The rule packs and their own tests.")
app.add_typer(rules_app, name="rules")
out = Console()
err = Console(stderr=True)


class Env(str, Enum):
    test = "test"
    production = "production"


class Lang(str, Enum):
    fr = "fr"
    en = "en"


class SchemaName(str, Enum):
    manifest = "manifest"
    waivers = "waivers"
    result = "result"
    rule = "rule"


def fail_usage(message: str) -> typer.Exit:
    """Print a bad-option message that says what to do, and exit 2."""
    err.print(f"[red]segurcheck:[/] {message}", soft_wrap=True, highlight=False)
    return typer.Exit(2)


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail_usage(f"{option} {value!r}: expected a date as YYYY-MM-DD, e.g. 2026-11-29") from None


def load_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise fail_usage(f"--config {path}: cannot read it ({exc}); give a YAML file with `rules:` and/or `settings:`") from None
    if not isinstance(data, dict) or set(data) - {"rules", "settings"}:
        raise fail_usage(f"--config {path}: expected a mapping with only `rules:` and `settings:` keys")
    return data


@app.command()
def check(
    bundle: Annotated[Path, typer.Argument(help="Bundle directory or .zip file.")],
    sector: Annotated[str | None, typer.Option(help="DSR sector code (DPI, PFI, LGC, RIS, BIO, DRIMBOX); overrides the manifest.")] = None,
    env: Annotated[Env | None, typer.Option(help="Environment of the evidence; overrides the manifest.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge the evidence at this date (YYYY-MM-DD).")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the JSON result here.")] = None,
    html: Annotated[Path | None, typer.Option(help="Write the HTML report here.")] = None,
    pdf: Annotated[Path | None, typer.Option(help="Write the PDF report here.")] = None,
    sarif: Annotated[Path | None, typer.Option(help="Write SARIF 2.1.0 here.")] = None,
    junit: Annotated[Path | None, typer.Option(help="Write JUnit XML here.")] = None,
    baseline: Annotated[Path | None, typer.Option(help="JSON result of an earlier run: only new failures count.")] = None,
    waivers: Annotated[Path | None, typer.Option(help="Waiver file (YAML).")] = None,
    ignore_waivers: Annotated[bool, typer.Option("--ignore-waivers", help="Reviewer mode: evaluate as if no waiver existed.")] = False,
    trust: Annotated[Path | None, typer.Option(help="Folder of extra trust anchors / intermediates (PEM or DER).")] = None,
    insi_schemas: Annotated[Path | None, typer.Option("--insi-schemas", help="Folder of the INSi XSDs.")] = None,
    schematron: Annotated[Path | None, typer.Option(help="Folder of the official ANS schematrons (XSLT 2).")] = None,
    show_identities: Annotated[bool, typer.Option("--show-identities", help="Do not mask patient identities.")] = False,
    lang: Annotated[Lang, typer.Option(help="Language of messages and reports.")] = Lang.fr,
    config: Annotated[Path | None, typer.Option(help="Rule-pack config (YAML): severities, parameters.")] = None,
    gitlab: Annotated[Path | None, typer.Option(help="Write GitLab Code Quality JSON here.")] = None,
    markdown: Annotated[
        Path | None, typer.Option(help="Write a Markdown summary here (also appended to $GITHUB_STEP_SUMMARY).")
    ] = None,
) -> None:
    """Check one evidence bundle and write the requested reports."""
    cache_dir = Path.home() / ".cache" / "segurcheck"
    try:
        resources = load_resources(trust=trust, insi_schemas=insi_schemas, schematron=schematron, cache_dir=cache_dir)
    except ResourceError as exc:
        raise fail_usage(str(exc)) from None
    options = CheckOptions(
        today=dt.date.today(),
        sector=sector,
        environment=env.value if env else None,
        as_of=parse_date(as_of, "--as-of"),
        show_identities=show_identities,
        lang=lang.value,
        config=load_config(config),
        resources=resources,
    )
    try:
        pack = load_pack()
        with progress_bar(err, "Lecture du dossier / reading bundle") as progress:
            report = run_check(bundle, options, pack, progress)
    except (BundleError, RulePackError) as exc:
        raise fail_usage(str(exc)) from None
    from .baseline import BaselineError
    from .gating import apply_gating
    from .waivers import WaiverError

    try:
        report = apply_gating(
            report, bundle=bundle, baseline=baseline, waivers=waivers, ignore_waivers=ignore_waivers, err=err
        )
    except (WaiverError, BaselineError) as exc:
        raise fail_usage(str(exc)) from None
    from .writers import write_outputs

    written = write_outputs(report, json_path=json_path, html=html, pdf=pdf, sarif=sarif, junit=junit, bundle_root=bundle)
    from .cli_gate import emit_ci

    emit_ci(report, bundle, gitlab, markdown)
    if not written and gitlab is None and markdown is None:
        from .report.terminal import print_summary

        print_summary(report, out)
    raise typer.Exit(1 if report.gating_blocking else 0)


@app.command()
def cert(
    files: Annotated[list[Path], typer.Argument(help="Certificate, chain (.p7b) or CRL files.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge at this date (YYYY-MM-DD).")] = None,
    trust: Annotated[Path | None, typer.Option(help="Folder of extra trust anchors (PEM or DER).")] = None,
    lang: Annotated[Lang, typer.Option(help="Language of the labels.")] = Lang.fr,
) -> None:
    """Quick analysis of certificates: chain, environment, validity, revocation."""
    from .commands.cert import cert_command

    if trust is not None and not trust.is_dir():
        raise fail_usage(f"--trust {trust}: not a folder; give the folder that holds the CA files")
    raise typer.Exit(cert_command(files, parse_date(as_of, "--as-of"), lang.value, trust))


@rules_app.command("list")
def rules_list(lang: Annotated[Lang, typer.Option()] = Lang.fr) -> None:
    """List the rules of the pack."""
    pack = _pack()
    for rule in pack.rules:
        out.print(f"{rule.id:<24} {rule.severity.value:<9} {rule.area:<8} {rule.title.get(lang.value)}")
    out.print(f"{len(pack.rules)} rules · pack {pack.version} · sha256 {pack.sha256[:16]}…")


@rules_app.command("show")
def rules_show(rule_id: str, lang: Annotated[Lang, typer.Option()] = Lang.fr) -> None:
    """Show one rule: what it checks, why, and how to fix."""
    pack = _pack()
    rule = pack.get(rule_id.upper())
    if rule is None:
        raise fail_usage(f"unknown rule {rule_id!r}; `segurcheck rules list` shows the available ids")
    text = lang.value
    out.print(f"[bold]{rule.id}[/] — {rule.title.get(text)}")
    out.print(f"severity: {rule.severity.value} · area: {rule.area} · kinds: {', '.join(rule.kinds)}")
    if rule.requirements:
        out.print(f"requirements: {', '.join(rule.requirements)}")
    out.print(f"message: {rule.message.get(text)}")
    out.print(f"remediation: {rule.remediation.get(text)}")
    for reference in rule.references:
        out.print(f"reference: {reference}")
    out.print(f"file: {rule.source}")


@rules_app.command("test")
def rules_test(
    only: Annotated[list[str] | None, typer.Argument(help="Rule ids to test (default: all).")] = None,
    fixtures: Annotated[Path | None, typer.Option(help="Fixtures folder (default: the checkout's fixtures/).")] = None,
) -> None:
    """Run every rule's own test cases."""
    from .engine.selftest import run_all

    pack = _pack()
    outcomes = run_all(pack, fixtures, tuple(x.upper() for x in only or ()))
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        out.print(f"[red]FAIL[/] {outcome.rule_id} · {outcome.case}: {outcome.detail}")
    out.print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    raise typer.Exit(1 if failed else 0)


@app.command("schema")
def schema_cmd(name: SchemaName) -> None:
    """Print a JSON Schema (manifest, waivers, result, rule) for editors and CI."""
    try:
        document = load_schema(name.value)
    except FileNotFoundError:
        raise fail_usage(f"schema {name.value} is not available in this build") from None
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


@app.command()
def version() -> None:
    """Print the tool and rule-pack versions."""
    pack = _pack()
    out.print(f"segurcheck {__version__} · rule pack {pack.version} ({pack.sha256[:16]}…)")


def _pack() -> Any:
    try:
        return load_pack()
    except RulePackError as exc:
        raise fail_usage(str(exc)) from None


from .cli_gate import diff_cmd, triage_cmd  # noqa: E402  (registered after the core commands)

app.command("diff")(diff_cmd)
app.command("triage")(triage_cmd)


def main() -> None:
    app()
