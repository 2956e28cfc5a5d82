"""INSi rules: message structure (and XSD validity when the user supplies the
schemas), pairing of requests and answers, the CR, the faults, the INSi character set,
and DOSSIER-VERSION over every software claim of the dossier."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath
from typing import Any

import yaml

from ..claims import SoftwareClaim
from ..engine.context import Context
from ..engine.vocabulary import Subject, Verdict, analysis, predicate, subjects
from ..evidence.insi import InsiFacts, message_parts, schema_errors
from ..identity.fictitious import registry
from ..identity.reveal import reveal, showing
from ..ins import insi_charset_problem, normalise_date, normalise_name, normalise_sex
from ..masking import mask_text
from ..model import EvidenceItem, Kind
from ..resources import data_dir

CR_MEANINGS = {
    "00": ("une identité trouvée", "one identity found"),
    "01": (
        "aucune identité trouvée : vérifier la saisie des traits ou rechercher avec la carte Vitale",
        "no identity found: check the traits typed in or search with the Carte Vitale",
    ),
    "02": (
        "plusieurs identités trouvées : préciser les traits (lieu de naissance, prénoms) et relancer",
        "several identities found: give more traits (birth place, first names) and search again",
    ),
}


def _facts(subject: Subject) -> InsiFacts | None:
    return subject.value if isinstance(subject.value, InsiFacts) else None


def _problems(subject: Subject) -> str:
    item = subject.item
    return "; ".join(p.message for p in item.problems) if item is not None else ""


@predicate("insi_structure_valid")
def insi_structure_valid(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """Required parts present; when the user gave ``--insi-schemas``, each header block
    and body element also validates against its XSD."""
    facts = _facts(subject)
    if facts is None:
        return Verdict.fail(problems=_problems(subject) or "message could not be parsed", schema="")
    found = [f"{i.part}: {i.detail}" for i in facts.issues]
    location = facts.issues[0].location if facts.issues else ""
    schemas = ctx.resource("insi_schemas")
    checked: list[str] = []
    if schemas:
        for part in message_parts(facts.raw):
            errors = schema_errors(part, schemas)
            if errors is None:
                continue
            checked.append(part.name)
            if errors:
                found.append(f"{part.name} (XSD): {errors[0]}")
                location = location or part.location
    schema_note = f"validated: {', '.join(checked)}" if schemas else "no INSi schemas supplied (--insi-schemas)"
    text = " | ".join(found)
    if text and not showing(ctx, _fictitious(facts)):
        text = mask_text(text, _secrets(facts))  # XSD messages may quote trait values
    return Verdict.check(not found, location, problems=text, schema=schema_note)


def _fictitious(facts: InsiFacts) -> bool:
    reg = registry()
    if facts.actif is not None and reg.is_fictitious(facts.actif.matricule):
        return True
    return reg.is_fictitious("", facts.traits)


def _secrets(facts: InsiFacts) -> list[str]:
    values: list[str] = [v for _, v, _ in facts.names]
    if facts.traits is not None:
        t = facts.traits
        values += [t.birth_name, t.first_name, t.given_list, t.birth_date, t.birth_place]
        values += t.given_list.split(" ")
    for value in (facts.actif, *facts.histo):
        if value is not None:
            values += [value.matricule, value.matricule[:13]]
    return [v for v in values if v]


@predicate("insi_names_in_charset")
def insi_names_in_charset(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    facts = _facts(subject)
    if facts is None or not facts.names:
        return Verdict.na(reason="no name in this message")
    bad: list[str] = []
    location = ""
    fict: bool | None = None
    for field, value, where in facts.names:
        problem = insi_charset_problem(value)
        if problem:
            fict = _fictitious(facts) if fict is None else fict
            bad.append(f"{field} {reveal(ctx, value, fict)!r}: {problem}")
            location = location or where
    return Verdict.check(not bad, location, problems="; ".join(bad))


# ---------------------------------------------------------------- pairing


@dataclass(frozen=True)
class Pairing:
    partner: dict[str, str]  # item path -> partner path
    method: dict[str, str]  # item path -> how it was paired


def _trait_key(facts: InsiFacts) -> tuple[str, str, str] | None:
    t = facts.traits
    if t is None or not t.birth_name or not t.birth_date:
        return None
    return (normalise_name(t.birth_name), normalise_date(t.birth_date), normalise_sex(t.sex))


def _first_names_agree(request: InsiFacts, reply: InsiFacts) -> bool:
    if request.traits is None or reply.traits is None or not request.traits.first_name:
        return True
    asked = normalise_name(request.traits.first_name)
    listed = normalise_name(reply.traits.given_list or reply.traits.first_name)
    return asked == normalise_name(reply.traits.first_name) or asked in listed.split(" ") or asked == listed


def pair_messages(requests: list[EvidenceItem], replies: list[EvidenceItem]) -> Pairing:
    """Pair requests and answers: wsa MessageID = RelatesTo (or the fault's siram
    messageID), then equal traits (birth name, date, sex, asked first name among the
    returned ones), then, for answers without traits or ids (CR 01/02, faults), the
    leftover request of the same folder in name order.  Linear: every step indexes."""
    partner: dict[str, str] = {}
    method: dict[str, str] = {}
    facts = {i.path: i.facts for i in requests + replies if isinstance(i.facts, InsiFacts)}
    by_id: dict[str, str] = {}
    by_traits: dict[tuple[str, str, str], list[str]] = {}
    for item in sorted(requests, key=lambda i: i.path):
        f = facts.get(item.path)
        if f is None:
            continue
        if f.message_id:
            by_id.setdefault(f.message_id.strip(), item.path)
        key = _trait_key(f)
        if key is not None:
            by_traits.setdefault(key, []).append(item.path)

    def link(a: str, b: str, how: str) -> None:
        partner[a], partner[b] = b, a
        method[a] = method[b] = how

    pending: list[str] = []
    for item in sorted(replies, key=lambda i: i.path):
        f = facts.get(item.path)
        if f is None:
            continue
        ref = (f.relates_to or f.error_message_id).strip()
        if ref and ref in by_id and by_id[ref] not in partner:
            link(item.path, by_id[ref], "wsa:RelatesTo")
        else:
            pending.append(item.path)
    leftovers: list[str] = []
    for path in pending:
        f = facts[path]
        key = _trait_key(f)
        candidates = by_traits.get(key, []) if key is not None else []
        while candidates and candidates[0] in partner:
            candidates.pop(0)
        chosen = next((c for c in candidates if c not in partner and _first_names_agree(facts[c], f)), None)
        if chosen is not None:
            link(path, chosen, "traits")
        elif key is None:
            leftovers.append(path)
    free_by_folder: dict[str, list[str]] = {}
    for item in sorted(requests, key=lambda i: i.path):
        if item.path not in partner:
            free_by_folder.setdefault(str(PurePosixPath(item.path.split("!")[0]).parent), []).append(item.path)
    for path in leftovers:
        folder = free_by_folder.get(str(PurePosixPath(path.split("!")[0]).parent), [])
        if folder:
            link(path, folder.pop(0), "same folder, name order")
    return Pairing(partner, method)


@analysis("insi_pairs")
def insi_pairs(ctx: Context) -> Pairing:
    return pair_messages(ctx.of_kind(Kind.INSI_REQUEST), ctx.of_kind(Kind.INSI_RESPONSE, Kind.INSI_FAULT))


@predicate("insi_paired")
def insi_paired(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    pairing: Pairing = ctx.analysis("insi_pairs")
    partner = pairing.partner.get(subject.evidence, "")
    facts = _facts(subject)
    role = "request" if facts is not None and facts.operation in ("RECSANSVITALE", "RECVITALE") else "answer"
    return Verdict.check(bool(partner), partner=partner, method=pairing.method.get(subject.evidence, ""), role=role)


@predicate("insi_result_found")
def insi_result_found(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    facts = _facts(subject)
    if facts is None or facts.operation != "RESULTAT":
        return Verdict.na(reason="not an INSi answer")
    fr, en = CR_MEANINGS.get(facts.code_cr, ("code CR inconnu", "unknown CR code"))
    return Verdict.check(
        facts.code_cr == "00", code=facts.code_cr, label=facts.libelle_cr, meaning_fr=fr, meaning_en=en
    )


@cache
def fault_table() -> dict[str, dict[str, str]]:
    raw = yaml.safe_load((data_dir() / "insi_faults.yaml").read_text(encoding="utf-8")) or {}
    return {str(k).lower(): {kk: str(vv) for kk, vv in v.items()} for k, v in (raw.get("faults") or {}).items()}


@predicate("insi_no_fault")
def insi_no_fault(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """A fault is always a finding; the message explains the code from the shipped
    table (``data/insi_faults.yaml``), the error code first, then the subcode."""
    facts = _facts(subject)
    if facts is None:
        return Verdict.error(error=_problems(subject) or "message could not be parsed")
    if facts.operation != "FAULT":
        return Verdict.ok(code="", subcode="")
    table = fault_table()
    known = table.get(facts.error_code.lower()) or table.get(facts.fault_subcode.lower())
    explanation = {
        "explanation_fr": known["fr"] if known else "code non répertorié : lire le libellé renvoyé",
        "explanation_en": known["en"] if known else "code not in the table: read the returned text",
        "action_fr": known["action_fr"] if known else "corriger l'appel selon le libellé, puis le rejouer",
        "action_en": known["action_en"] if known else "fix the call according to the returned text, then replay it",
    }
    return Verdict.fail(
        facts.fault_location,
        code=facts.error_code,
        subcode=facts.fault_subcode,
        sender=facts.fault_code,
        text=facts.error_text or facts.fault_reason,
        **explanation,
    )


# ---------------------------------------------------------------- DOSSIER-VERSION


@subjects("software_claims")
def software_claims(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    """Every ``SoftwareClaim`` of every item, whatever its kind (INSi ContexteLPS, VIHF
    LPS_Nom/LPS_Version, MSS X-Mailer...)."""
    for item in sorted(ctx.items, key=lambda i: i.path):
        for index, claim in enumerate(getattr(item.facts, "software", None) or ()):
            if isinstance(claim, SoftwareClaim):
                yield Subject(item.path, f"{claim.source}:{index}", claim.location, claim, item)


def _split_urn(claim: SoftwareClaim) -> tuple[str, str]:
    """``urn:lps:<name>:<version>`` (a form seen in INSi clients) into name and version."""
    name, version = claim.name.strip(), claim.version.strip()
    if name.lower().startswith("urn:lps:"):
        parts = name.split(":")
        if len(parts) >= 3:
            name = parts[2]
        if len(parts) >= 4 and not version:
            version = parts[3]
    return name, version


def _redacted(value: str) -> bool:
    """Placeholders such as ``XXXXXXX`` (seen in a published VIHF assertion)."""
    stripped = value.strip()
    return len(stripped) >= 3 and set(stripped.upper()) <= {"X", "*"}


def _fold(value: str) -> str:
    return " ".join(value.casefold().split())


@predicate("software_matches_dossier")
def software_matches_dossier(subject: Subject, ctx: Context, version_match: str = "exact", **_: Any) -> Verdict:
    claim = subject.value
    if not isinstance(claim, SoftwareClaim):
        return Verdict.error(error="subject is not a software claim")
    name, version = _split_urn(claim)
    expected_name, expected_version = ctx.dossier.software.strip(), ctx.dossier.version.strip()
    observed = {
        "name": name,
        "version": version,
        "expected_name": expected_name,
        "expected_version": expected_version,
        "source": claim.source,
    }
    if not expected_name and not expected_version:
        return Verdict.na(claim.location, reason="the manifest names no software or version", **observed)
    if all(_redacted(v) for v in (name, version) if v) and (name or version):
        return Verdict.na(claim.location, reason="the evidence has the software name/version redacted", **observed)
    wrong: list[str] = []
    if expected_name and name and _fold(name) != _fold(expected_name):
        wrong.append("name")
    if expected_version and version:
        same = (
            version == expected_version
            if version_match == "exact"
            else expected_version.startswith(version) or version.startswith(expected_version)
        )
        if not same:
            wrong.append("version")
    return Verdict.check(not wrong, claim.location, differs=", ".join(wrong), **observed)
