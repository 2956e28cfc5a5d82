"""Requirement coverage: for each requirement of a sector pack, what the run says.

A requirement is judged from the results of the rules that verify it (those the pack
names, plus any rule citing it in its ``requirements``) and from the human-judged
proofs the manifest supplies.  Nothing is dropped: a requirement with neither rule
nor proof gets ``not_covered`` and the pack's reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from enum import Enum
from typing import Any

from ..model import LocalText, Report, RequirementCoverage, Result, Status
from .pack import PackRequirement, SectorPack, proof_kinds_text

PROOF_MISSING_RULE = "DOSSIER-PROOF-MISSING"
PROOF_FILE_RULE = "DOSSIER-PROOF-FILE"


class CoverageStatus(str, Enum):
    """Worst first: the order the report sorts the matrix by."""

    FAIL = "fail"
    ERROR = "error"
    PROOF_MISSING = "proof_missing"
    MANUAL = "manual"
    WAIVED = "waived"
    NOT_EVALUATED = "not_evaluated"
    NOT_APPLICABLE = "not_applicable"
    PASS = "pass"
    NOT_COVERED = "not_covered"

    @property
    def rank(self) -> int:
        return list(CoverageStatus).index(self)


def _norm(path: str) -> str:
    path = path.replace("\\", "/").strip()
    while path.startswith("./"):
        path = path[2:]
    return path


def _proof_files(manifest: Any) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for entry in getattr(manifest, "proofs", ()) or ():
        files = found.setdefault(str(entry.requirement), [])
        files.extend(_norm(str(f)) for f in entry.files if _norm(str(f)) not in files)
    return {k: tuple(v) for k, v in found.items()}


def _proof_entries(manifest: Any) -> set[str]:
    return {str(e.requirement) for e in getattr(manifest, "proofs", ()) or ()}


def _rule_state(results: Sequence[Result]) -> tuple[CoverageStatus | None, LocalText]:
    if not results:
        return None, LocalText("", "")
    statuses = [r.status for r in results]
    n = len(results)
    if Status.FAIL in statuses:
        k = statuses.count(Status.FAIL)
        return CoverageStatus.FAIL, LocalText(f"{k} échec(s) sur {n} évaluation(s).", f"{k} failure(s) out of {n} evaluation(s).")
    if Status.ERROR in statuses:
        k = statuses.count(Status.ERROR)
        return CoverageStatus.ERROR, LocalText(f"{k} évaluation(s) impossible(s).", f"{k} evaluation(s) could not be made.")
    if Status.WAIVED in statuses:
        return CoverageStatus.WAIVED, LocalText("Échec accepté par dérogation.", "Failure accepted by a waiver.")
    if Status.PASS in statuses:
        k = statuses.count(Status.PASS)
        return CoverageStatus.PASS, LocalText(f"{k} contrôle(s) réussi(s).", f"{k} check(s) passed.")
    if Status.MANUAL in statuses:
        return CoverageStatus.MANUAL, LocalText("À juger par une personne.", "To be judged by a person.")
    return CoverageStatus.NOT_EVALUATED, LocalText(
        "Aucune pièce du dossier ne permet ces contrôles.", "No evidence in the bundle lets these checks run."
    )


def _requirement_coverage(
    req: PackRequirement,
    rule_results: Sequence[Result],
    proof_files: tuple[str, ...],
    has_entry: bool,
    file_failures: Sequence[Result],
) -> RequirementCoverage:
    rules = tuple(dict.fromkeys((*req.rules, *sorted({r.rule_id for r in rule_results}))))
    rule_status, rule_note = _rule_state(rule_results)
    if not rules and not req.proofs:
        reason = req.not_covered or LocalText("Aucune règle ni preuve.", "No rule and no proof.")
        return RequirementCoverage(req.id, req.summary, req.nature, (), proof_files, CoverageStatus.NOT_COVERED.value, reason)
    notes_fr: list[str] = [rule_note.fr] if rule_note.fr else []
    notes_en: list[str] = [rule_note.en] if rule_note.en else []
    proof_status: CoverageStatus | None = None
    if req.proofs:
        expected = proof_kinds_text(req.proofs)
        notes_fr.append(f"Preuve attendue : {expected.fr}.")
        notes_en.append(f"Expected proof: {expected.en}.")
        if file_failures:
            proof_status = CoverageStatus.FAIL
            bad = ", ".join(r.evidence for r in file_failures)
            notes_fr.append(f"Preuve illisible ou absente : {bad}.")
            notes_en.append(f"Proof unreadable or absent: {bad}.")
        elif proof_files or has_entry:
            proof_status = CoverageStatus.MANUAL
            notes_fr.append("Preuve fournie, à juger par une personne.")
            notes_en.append("Proof supplied, to be judged by a person.")
        elif req.mandatory and not req.condition:
            proof_status = CoverageStatus.PROOF_MISSING
            notes_fr.append("Preuve obligatoire absente du manifeste.")
            notes_en.append("Mandatory proof missing from the manifest.")
        else:
            proof_status = CoverageStatus.NOT_APPLICABLE
            why = (
                (f"exigence conditionnelle ({req.condition})", f"conditional requirement ({req.condition})")
                if req.condition
                else ("exigence recommandée", "recommended requirement")
            )
            notes_fr.append(f"Pas de preuve : {why[0]}.")
            notes_en.append(f"No proof: {why[1]}.")
    candidates = [s for s in (rule_status, proof_status) if s is not None]
    status = min(candidates, key=lambda s: s.rank) if candidates else CoverageStatus.NOT_EVALUATED
    if status is CoverageStatus.NOT_EVALUATED and rule_status is None:
        notes_fr.append("Les règles n'ont pas été évaluées.")
        notes_en.append("The rules were not evaluated.")
    if rule_status is CoverageStatus.PASS and proof_status is CoverageStatus.NOT_APPLICABLE:
        status = CoverageStatus.PASS
    return RequirementCoverage(
        req.id, req.summary, req.nature, rules, proof_files, status.value, LocalText(" ".join(notes_fr), " ".join(notes_en))
    )


def coverage(pack: SectorPack, results: Iterable[Result], manifest: Any) -> tuple[RequirementCoverage, ...]:
    """One row per requirement of the pack, in pack order."""
    results = list(results)
    by_rule: dict[str, list[Result]] = {}
    by_req: dict[str, list[Result]] = {}
    for r in results:
        if r.rule_id in (PROOF_MISSING_RULE, PROOF_FILE_RULE):
            continue
        by_rule.setdefault(r.rule_id, []).append(r)
        for cited in r.requirements:
            by_req.setdefault(cited, []).append(r)
    bad_files = {
        r.evidence: r for r in results if r.rule_id == PROOF_FILE_RULE and r.status in (Status.FAIL, Status.ERROR)
    }
    files = _proof_files(manifest)
    entries = _proof_entries(manifest)
    rows = []
    for req in pack.requirements:
        seen: dict[str, Result] = {}
        for rule in req.rules:
            for r in by_rule.get(rule, ()):
                seen[r.fingerprint + r.rule_id] = r
        for r in by_req.get(req.id, ()):
            seen[r.fingerprint + r.rule_id] = r
        req_files = files.get(req.id, ())
        failures = [bad_files[f] for f in req_files if f in bad_files]
        rows.append(_requirement_coverage(req, list(seen.values()), req_files, req.id in entries, failures))
    return tuple(rows)


def attach_coverage(report: Report, pack: SectorPack, manifest: Any) -> Report:
    """The report with its coverage matrix filled (the pipeline calls this last)."""
    return replace(report, coverage=coverage(pack, report.results, manifest))


def attach_sector_coverage(report: Report, manifest: Any) -> Report:
    """Same, loading the pack of the report's sector; unchanged when the dossier has
    no sector or no pack ships for it (DOSSIER-MANIFEST reports that case)."""
    from .pack import PackError, load_sector_pack

    if not report.dossier.sector:
        return report
    try:
        pack = load_sector_pack(report.dossier.sector)
    except PackError:
        return report
    return attach_coverage(report, pack, manifest)
