"""Dossier-level vocabulary: the manifest, unrecognised files, refused entries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..bundle import Skipped
from ..engine.context import Context
from ..engine.vocabulary import Subject, Verdict, predicate, subjects
from ..model import Kind


@subjects("manifest")
def the_manifest(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    """The manifest, or the dossier when there is none."""
    path = ctx.manifest.path if ctx.manifest is not None and ctx.manifest.present else ""
    yield Subject(evidence=path, key="manifest", value=ctx.manifest)


@predicate("manifest_valid")
def manifest_valid(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """Pass for a schema-valid manifest; ``manual`` when it is absent (sector,
    environment, proofs and certificate uses were then not evaluated)."""
    manifest = subject.value
    if manifest is None or not manifest.present:
        return Verdict.manual(
            reason="segur.yaml absent: secteur, environnement, preuves et usages des certificats non déclarés "
            "/ no segur.yaml: sector, environment, proofs and certificate uses not declared",
        )
    if manifest.errors:
        first = manifest.errors[0]
        return Verdict.fail(
            location=f"line {first.line}" if first.line else "",
            errors="; ".join(str(e) for e in manifest.errors[:10]),
            count=len(manifest.errors),
        )
    return Verdict.ok(sector=manifest.sector, environment=manifest.environment)


@subjects("all_files")
def every_file(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    """Every file of the bundle except the manifest.  Nested items are left to their
    container's rules: a PDF copy attached to an MSS message is expected there."""
    for item in ctx.items:
        if item.kind is not Kind.MANIFEST and item.parent is None:
            yield Subject(evidence=item.path, key="", value=item, item=item)


@predicate("kind_recognised")
def kind_recognised(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    item = subject.value
    if item.kind is Kind.UNKNOWN:
        problem = item.problems[0].message if item.problems else ""
        return Verdict.fail(size=item.size, problem=problem)
    return Verdict.ok(kind=item.kind.value)


@subjects("refused_entries")
def refused_entries(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    """Entries the bundle opener refused for safety, or the dossier when none was."""
    skipped: tuple[Skipped, ...] = ctx.resource("skipped") or ()
    if not skipped:
        yield Subject(evidence="", key="bundle", value=None)
    for entry in skipped:
        yield Subject(evidence=entry.path, key=f"refused:{entry.path}", value=entry)


@predicate("entry_accepted")
def entry_accepted(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    entry = subject.value
    if entry is None:
        return Verdict.ok()
    lang = ctx.options.lang
    return Verdict.fail(reason=entry.reason.get(lang), reason_fr=entry.reason.fr, reason_en=entry.reason.en)
