"""One check, end to end: open the bundle, sniff and parse every item (once), load
the manifest and the rule pack, evaluate, and build the Report.

This is the library entry point the CLI, the triage runner and the rule self-tests
share; it prints nothing and reads no clock (``today`` is an input).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .bundle import Bundle, Limits, Skipped, open_bundle
from .engine.context import Context, RunOptions
from .engine.evaluate import evaluate
from .engine.rules import RulePack, load_pack
from .engine.vocabulary import load_plugins
from .evidence.base import Child, Parsed, Source, parser_for, xml_identity
from .evidence.sniff import sniff
from .manifest import MANIFEST_NAMES, Manifest, parse_manifest
from .model import Dossier, EvidenceItem, EvidenceSummary, Kind, Problem, ProofRef, Report


@dataclass(frozen=True)
class CheckOptions:
    """What the user asked for (command line), before merging with the manifest."""

    today: dt.date
    sector: str | None = None
    environment: str | None = None
    as_of: dt.date | None = None
    show_identities: bool = False
    lang: str = "fr"
    config: Mapping[str, Any] = field(default_factory=dict)
    resources: Mapping[str, Any] = field(default_factory=dict)
    rule_ids: tuple[str, ...] = ()  # evaluate only these (rule self-tests)
    limits: Limits = field(default_factory=Limits)


Progress = Callable[[int, int, str], None]


class Walker:
    """Turns bundle entries into evidence items, recursing into nested content."""

    def __init__(self, limits: Limits, proof_files: set[str]):
        self.limits = limits
        self.proof_files = proof_files
        self.items: list[EvidenceItem] = []

    def ingest(self, source: Source, forced: Kind | None = None) -> None:
        is_manifest = source.parent is None and source.path in MANIFEST_NAMES
        kind = Kind.MANIFEST if is_manifest else forced or _safe_sniff(source)
        if kind is Kind.UNKNOWN and source.path in self.proof_files:
            kind = Kind.PROOF
        parsed = self._parse(kind, source)
        identity = parsed.identity or (xml_identity(source) if source._xml is not None else source.sha256)
        self.items.append(
            EvidenceItem(
                path=source.path,
                kind=kind,
                size=source.size,
                sha256=source.sha256,
                identity=identity,
                facts=parsed.facts,
                problems=tuple(parsed.problems),
                parent=source.parent,
            )
        )
        for nested in parsed.children:
            self._ingest_child(source, nested)

    def _parse(self, kind: Kind, source: Source) -> Parsed:
        parse = parser_for(kind)
        if parse is None:
            return Parsed()
        try:
            return parse(source)
        except Exception as exc:  # a parser bug must not stop the dossier
            return Parsed(problems=[Problem(f"parser failure: {type(exc).__name__}: {str(exc)[:200]}")])

    def _ingest_child(self, parent: Source, nested: Child) -> None:
        path = f"{parent.path}!{nested.name}"
        if parent.depth + 1 > self.limits.max_depth:
            self.items.append(_refused(path, parent.path, len(nested.data), "nesting too deep"))
            return
        if len(nested.data) > self.limits.max_nested_bytes:
            self.items.append(_refused(path, parent.path, len(nested.data), "nested item too large"))
            return
        self.ingest(Source(path, nested.data, depth=parent.depth + 1, parent=parent.path), nested.kind)


def _safe_sniff(source: Source) -> Kind:
    try:
        return sniff(source)
    except Exception:
        return Kind.UNKNOWN


def _refused(path: str, parent: str, size: int, why: str) -> EvidenceItem:
    return EvidenceItem(path, Kind.UNKNOWN, size, "", path, None, (Problem(f"not read: {why}"),), parent)


def read_manifest(bundle: Bundle) -> Manifest:
    for entry in bundle.entries:
        if entry.path in MANIFEST_NAMES:
            with entry.opener() as stream:
                raw = stream.read(1 << 20)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return parse_manifest("\x00", entry.path)
            return parse_manifest(text, entry.path)
    return Manifest(present=False)


def collect_evidence(bundle: Bundle, manifest: Manifest, limits: Limits, progress: Progress | None = None) -> list[EvidenceItem]:
    """Sniff and parse every entry once; nested items follow their container."""
    load_plugins()
    walker = Walker(limits, manifest.proof_files)
    total = len(bundle.entries)
    for index, entry in enumerate(sorted(bundle.entries, key=lambda e: e.path)):
        if progress is not None:
            progress(index, total, entry.path)
        try:
            if entry.size <= limits.in_memory_bytes:
                with entry.opener() as stream:
                    source = Source(entry.path, stream.read())
            else:
                source = Source(entry.path, opener=entry.opener, size=entry.size)
            walker.ingest(source)
        except OSError as exc:
            walker.items.append(_refused(entry.path, "", entry.size, f"read error: {exc}"))
    if progress is not None:
        progress(total, total, "")
    return walker.items


def dossier_of(manifest: Manifest, options: CheckOptions) -> Dossier:
    return Dossier(
        publisher=manifest.publisher,
        software=manifest.software,
        version=manifest.version,
        product_ref=manifest.product_ref,
        sector=options.sector or manifest.sector,
        environment=options.environment or manifest.environment or "test",
        as_of=options.as_of or manifest.as_of or options.today,
    )


def run_check(
    bundle_path: Path,
    options: CheckOptions,
    pack: RulePack | None = None,
    progress: Progress | None = None,
) -> Report:
    """Check one bundle and return its Report.  Raises ``BundleError`` (exit 2) only
    when the bundle root cannot be read, and ``RulePackError`` for a broken pack."""
    pack = pack or load_pack()
    with open_bundle(bundle_path, options.limits) as bundle:
        manifest = read_manifest(bundle)
        items = collect_evidence(bundle, manifest, options.limits, progress)
        bundle_hash = bundle.sha256({i.path: i.sha256 for i in items if i.parent is None and i.sha256})
        skipped: list[Skipped] = list(bundle.skipped)
        file_count = len(bundle.entries)
    dossier = dossier_of(manifest, options)
    resources = {**options.resources, "skipped": tuple(skipped)}
    run = RunOptions(options.show_identities, options.lang, options.config, resources)
    ctx = Context(tuple(items), dossier, manifest, run)
    rules = [r for r in pack.rules if not options.rule_ids or r.id in options.rule_ids]
    results = evaluate(rules, ctx)
    report = Report(
        tool_version=__version__,
        rulepack_version=pack.version,
        rulepack_sha256=pack.sha256,
        dossier=dossier,
        bundle_sha256=bundle_hash,
        bundle_files=file_count,
        results=tuple(results),
        evidence=tuple(EvidenceSummary(i.path, i.kind, i.size, i.sha256, i.problems) for i in items),
        lang=options.lang,
        proofs=tuple(ProofRef(p.requirement, p.files, p.note) for p in manifest.proofs),
    )
    return with_coverage(report)


def with_coverage(report: Report) -> Report:
    """(Re)compute the requirement coverage matrix of the dossier's sector pack from the
    report's results and declared proofs; called again after waivers and baseline."""
    from .dsr import attach_sector_coverage

    return attach_sector_coverage(report, report)
