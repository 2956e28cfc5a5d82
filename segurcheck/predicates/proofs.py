"""Human-judged proofs: is each one the sector pack asks for named, present and readable?

* subjects ``pack_proof_requirements``: one subject per requirement of the dossier's
  sector pack that needs a human-judged proof (DOSSIER-PROOF-MISSING);
* subjects ``proof_files``: one subject per proof file (named by the manifest's
  ``proofs`` or sniffed as ``proof``) (DOSSIER-PROOF-FILE);
* predicates ``proof_supplied`` and ``proof_file_readable`` judge them.

The tool never judges a proof's content: a supplied proof is ``manual`` (a person must
look at it), a missing mandatory one is a failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..dsr.pack import PackRequirement, SectorPack, load_sector_pack, proof_kinds_text
from ..engine.context import Context
from ..engine.vocabulary import Subject, Verdict, predicate, subjects
from ..model import Kind


def _norm(path: str) -> str:
    path = path.replace("\\", "/").strip()
    while path.startswith("./"):
        path = path[2:]
    return path


def manifest_proofs(manifest: Any) -> dict[str, list[Any]]:
    """Manifest proof entries by requirement ID (duck-typed ``ProofEntry``)."""
    by_req: dict[str, list[Any]] = {}
    for entry in getattr(manifest, "proofs", ()) or ():
        by_req.setdefault(str(entry.requirement), []).append(entry)
    return by_req


def sector_pack(ctx: Context) -> SectorPack | None:
    """The dossier's sector pack: a resource given to the run, else the shipped one."""
    given = ctx.resource("sector_pack")
    if isinstance(given, SectorPack):
        return given
    if not ctx.dossier.sector:
        return None
    return load_sector_pack(ctx.dossier.sector)


@subjects("pack_proof_requirements")
def pack_proof_requirements(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    pack = sector_pack(ctx)
    if pack is None:
        return
    for req in pack.requirements:
        if req.needs_proof:
            yield Subject(evidence="", key=req.id, location=f"proofs[requirement={req.id}]", value=req)


@predicate("proof_supplied")
def proof_supplied(subject: Subject, ctx: Context, **params: Any) -> Verdict:
    req: PackRequirement = subject.value
    kinds = proof_kinds_text(req.proofs)
    entries = manifest_proofs(ctx.manifest).get(req.id, [])
    files = sorted({_norm(f) for e in entries for f in e.files})
    notes = "; ".join(str(e.note) for e in entries if getattr(e, "note", ""))
    seen = {"requirement": req.id, "nature": req.nature, "expected": kinds.en, "expected_fr": kinds.fr}
    if files:
        return Verdict.manual(subject.location, **seen, files=", ".join(files), note=notes,
                              reason=f"proof for {req.id} supplied: {', '.join(files)}")
    if entries:
        return Verdict.manual(subject.location, **seen, files="", note=notes,
                              reason=f"{req.id}: manifest entry without a file ({notes or 'no note'})")
    if not req.mandatory:
        return Verdict.na(subject.location, **seen, reason=f"{req.id} is recommended, not mandatory")
    if req.condition:
        return Verdict.na(subject.location, **seen, condition=req.condition,
                          reason=f"{req.id} applies only to products with the feature '{req.condition}'")
    return Verdict.fail(subject.location, **seen, files="")


@subjects("proof_files")
def proof_files(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    named: dict[str, list[str]] = {}
    for req, entries in manifest_proofs(ctx.manifest).items():
        for entry in entries:
            for f in entry.files:
                named.setdefault(_norm(str(f)), []).append(req)
    for item in ctx.of_kind(Kind.PROOF):
        named.setdefault(item.path, [])
    for path in sorted(named):
        found = ctx.item(path)
        key = "" if found is not None else f"absent:{path}"
        yield Subject(evidence=path, key=key, location=path, value=tuple(named[path]), item=found)


@predicate("proof_file_readable")
def proof_file_readable(subject: Subject, ctx: Context, **params: Any) -> Verdict:
    reqs = ", ".join(subject.value) or "-"
    item = subject.item
    if item is None:
        return Verdict.fail(subject.location, file=subject.evidence, requirements=reqs, problem="absent from the bundle")
    if item.size == 0:
        return Verdict.fail(subject.location, file=item.path, requirements=reqs, problem="empty file")
    if item.kind is Kind.PROOF:
        facts = item.facts
        if facts is None:
            return Verdict.error(subject.location, file=item.path, requirements=reqs,
                                 error="the proof file could not be identified")
        return Verdict.check(bool(facts.readable), subject.location, file=item.path, requirements=reqs,
                             format=facts.format, problem=facts.detail)
    if item.kind is Kind.UNKNOWN:
        return Verdict.fail(subject.location, file=item.path, requirements=reqs, format="unknown",
                            problem="not a recognised video, image, PDF or text")
    if item.problems and item.facts is None:
        return Verdict.fail(subject.location, file=item.path, requirements=reqs, format=item.kind.value,
                            problem=item.problems[0].message[:200])
    return Verdict.ok(subject.location, file=item.path, requirements=reqs, format=item.kind.value, problem="")
