"""INS rules: the matricule and its OID wherever an INS occurs, the traits beside it,
and the cross-evidence comparisons that follow one person through the dossier.

Every matricule or trait put into ``observed`` goes through ``reveal`` (masked unless
``--show-identities`` or the person is a known fictitious one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..engine.context import Context
from ..engine.vocabulary import Subject, Verdict, analysis, predicate, subjects
from ..identity.ledger import Entry, Ledger, build_ledger
from ..identity.reveal import reveal
from ..identity.traits import TRAIT_LABELS, compare, missing, normalised
from ..ins import (
    INS_OIDS,
    OID_INS_C,
    PRODUCTION_OIDS,
    expected_key,
    key_verifies,
    layout_problem,
    normalise_date,
    normalise_name,
    normalise_sex,
    oid_problem,
    parse_layout,
)

# Places where an INS is expected whatever OID they carry (a wrong OID there is a finding).
INS_PLACES = frozenset(
    {"insi-actif", "insi-histo", "xds-patientId", "xdm-patientId", "vihf-resource-id", "mss-address"}
)
# OID prefixes that say "this identifier is meant as an INS" in places that also carry
# local identifiers (a CDA recordTarget id, an XDS sourcePatientId).
INS_LIKE_PREFIXES = ("1.2.250.1.213.1.4.", "1.2.250.1.213.1.1.1")


@analysis("identity_ledger")
def identity_ledger(ctx: Context) -> Ledger:
    return build_ledger(ctx.items)


def ledger(ctx: Context) -> Ledger:
    result: Ledger = ctx.analysis("identity_ledger")
    return result


def is_ins_occurrence(entry: Entry) -> bool:
    occ = entry.occurrence
    if not occ.matricule:
        return False
    if occ.source in INS_PLACES:
        return True
    return occ.oid in INS_OIDS or occ.oid == OID_INS_C or occ.oid.startswith(INS_LIKE_PREFIXES)


def _kinds(params: Mapping[str, Any]) -> set[str]:
    return {str(k) for k in params.get("kinds", ()) if k != "dossier"}


@subjects("ins_occurrences")
def ins_occurrences(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    """Each INS occurrence of the ledger in items of the rule's kinds; optional
    ``sources`` (occurrence sources to keep) and ``with_traits`` filters."""
    kinds = _kinds(params)
    sources = set(params.get("sources", ()))
    for entry in ledger(ctx).entries:
        if kinds and entry.item.kind.value not in kinds:
            continue
        if sources and entry.occurrence.source not in sources:
            continue
        if not is_ins_occurrence(entry):
            continue
        if params.get("with_traits") and entry.occurrence.traits is None:
            continue
        yield Subject(entry.item.path, entry.key, entry.occurrence.location, entry, entry.item)


@subjects("ins_persons")
def ins_persons(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    """One subject per distinct person (matricule) carrying an OID, at its first place."""
    kinds = _kinds(params)
    seen: set[tuple[str, str]] = set()
    for entry in ledger(ctx).entries:
        if kinds and entry.item.kind.value not in kinds:
            continue
        if not is_ins_occurrence(entry) or not entry.occurrence.oid:
            continue
        mark = (entry.person, entry.occurrence.oid)
        if mark in seen:
            continue
        seen.add(mark)
        yield Subject(
            entry.item.path,
            f"person:{entry.person}:{entry.occurrence.oid}",
            entry.occurrence.location,
            entry,
            entry.item,
        )


def _entry(subject: Subject) -> Entry:
    value = subject.value
    if not isinstance(value, Entry):
        raise TypeError("subject is not an identity occurrence")
    return value


def _shown(ctx: Context, entry: Entry) -> dict[str, str]:
    fict = ledger(ctx).is_fictitious(entry)
    occ = entry.occurrence
    return {
        "matricule": reveal(ctx, occ.matricule, fict, "matricule"),
        "oid": occ.oid,
        "source": occ.source,
    }


# French wording of the problems ins.py states in English (messages exist in both).
_PROBLEMS_FR: tuple[tuple[str, str], ...] = (
    (r"length (\d+) instead of 15", r"longueur \1 au lieu de 15"),
    (r"sex digit 7/8: provisional number \(NNP\), not an INS", "chiffre du sexe 7/8 : numéro provisoire (NNP), pas un INS"),
    (r"sex digit 5/6: migrant number, not an INS", "chiffre du sexe 5/6 : numéro de migrant, pas un INS"),
    (r"sex digit (.+) is not 1 or 2", r"chiffre du sexe \1 différent de 1 ou 2"),
    (r"year or month is not numeric", "année ou mois non numérique"),
    (r"month (\S+) is neither 01-12 nor 20-99", r"mois \1 ni entre 01 et 12 ni entre 20 et 99"),
    (r"department (.+) is not numeric, 2A or 2B", r"département \1 ni numérique, ni 2A, ni 2B"),
    (r"department (\S+) does not exist", r"le département \1 n'existe pas"),
    (r"commune, order number or key is not numeric", "commune, numéro d'ordre ou clé non numérique"),
    (r"obsolete INS-C OID", "OID de l'INS-C, obsolète"),
    (r"not an INS OID", "ce n'est pas un OID d'INS"),
    (r"test or demonstration INS OID in production evidence", "OID d'INS de test ou de démonstration dans des pièces de production"),
)


def problem_fr(problem: str) -> str:
    """The French wording of an INS problem (the English one when none is known)."""
    for pattern, replacement in _PROBLEMS_FR:
        if re.fullmatch(pattern, problem):
            return re.sub(pattern, replacement, problem)
    return problem


@predicate("ins_format_valid")
def ins_format_valid(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    entry = _entry(subject)
    problem = layout_problem(entry.occurrence.matricule)
    return Verdict.check(not problem, entry.occurrence.location, problem=problem, problem_fr=problem_fr(problem),
                         **_shown(ctx, entry))


@predicate("ins_key_valid")
def ins_key_valid(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    entry = _entry(subject)
    matricule = entry.occurrence.matricule
    shown = _shown(ctx, entry)
    if layout_problem(matricule):
        return Verdict.na(entry.occurrence.location, reason="layout invalid (INS-FORMAT)", **shown)
    return Verdict.check(
        key_verifies(matricule),
        entry.occurrence.location,
        key=matricule[13:],
        expected=expected_key(matricule),
        **shown,
    )


@predicate("ins_oid_valid")
def ins_oid_valid(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    entry = _entry(subject)
    shown = _shown(ctx, entry)
    if not entry.occurrence.oid:
        return Verdict.na(entry.occurrence.location, reason="no OID at this place", **shown)
    problem = oid_problem(entry.occurrence.oid, ctx.environment)
    return Verdict.check(not problem, entry.occurrence.location, problem=problem, problem_fr=problem_fr(problem),
                         environment=ctx.environment, **shown)


@predicate("ins_traits_complete")
def ins_traits_complete(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    entry = _entry(subject)
    if entry.occurrence.oid not in INS_OIDS:
        return Verdict.na(entry.occurrence.location, reason="not an INS OID", **_shown(ctx, entry))
    absent = missing(entry.occurrence.traits)
    labels = ", ".join(TRAIT_LABELS[t] for t in absent)
    return Verdict.check(not absent, entry.occurrence.location, missing=labels, **_shown(ctx, entry))


def _traits_shown(ctx: Context, entry: Entry, prefix: str, fields: Iterable[str]) -> dict[str, str]:
    fict = ledger(ctx).is_fictitious(entry)
    traits = entry.occurrence.traits
    if traits is None:
        return {}
    return {f"{prefix}{f}": reveal(ctx, getattr(traits, f), fict) for f in fields}


@predicate("ins_traits_match_insi")
def ins_traits_match_insi(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """The traits beside a matricule equal those INSi returned for it (or, without an
    INSi answer in the bundle, those of the first other document of the same person)."""
    entry = _entry(subject)
    shown = _shown(ctx, entry)
    if entry.from_insi or entry.occurrence.traits is None:
        return Verdict.na(entry.occurrence.location, reason="no traits to compare", **shown)
    led = ledger(ctx)
    reference = led.reference_for(entry)
    if reference is None or reference.occurrence.traits is None:
        return Verdict.na(
            entry.occurrence.location, reason="no INSi answer or other document for this matricule", **shown
        )
    diffs = compare(reference.occurrence.traits, entry.occurrence.traits)
    fict = led.is_fictitious(entry) or led.is_fictitious(reference)
    details = "; ".join(
        f"{TRAIT_LABELS[d.trait]}: {reveal(ctx, d.found, fict)} ≠ {reveal(ctx, d.reference, fict)}" for d in diffs
    )
    return Verdict.check(
        not diffs,
        entry.occurrence.location,
        traits=", ".join(d.trait for d in diffs),
        differences=details,
        reference=f"{reference.item.path} ({reference.occurrence.source})",
        **shown,
    )


@predicate("ins_not_historical")
def ins_not_historical(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    entry = _entry(subject)
    shown = _shown(ctx, entry)
    if entry.from_insi:
        return Verdict.na(entry.occurrence.location, reason="INSi answer itself", **shown)
    actif = ledger(ctx).historic.get(entry.person)
    if actif is None:
        return Verdict.ok(entry.occurrence.location, **shown)
    fict = ledger(ctx).is_fictitious(actif)
    return Verdict.fail(
        entry.occurrence.location,
        active=reveal(ctx, actif.occurrence.matricule, fict, "matricule"),
        response=actif.item.path,
        **shown,
    )


def _same_place(encoded: str, cog: str) -> bool:
    if encoded == cog:
        return True
    # Born in Corsica before 1976: the matricule says 20, the COG says 2A/2B.
    return encoded[:2] == "20" and cog[:2] in ("2A", "2B") and encoded[2:] == cog[2:]


@predicate("ins_traits_coherent")
def ins_traits_coherent(subject: Subject, ctx: Context, check_place: bool = True, **_: Any) -> Verdict:
    """Sex, birth year/month and birth place encoded in the matricule agree with the
    traits carried beside it.  Month 20-99 (unknown) is not compared."""
    entry = _entry(subject)
    shown = _shown(ctx, entry)
    layout = parse_layout(entry.occurrence.matricule)
    traits = entry.occurrence.traits
    if layout is None or traits is None:
        return Verdict.na(entry.occurrence.location, reason="no valid matricule with traits", **shown)
    fict = ledger(ctx).is_fictitious(entry)
    disagree: list[str] = []
    sex = normalise_sex(traits.sex)
    if sex in ("M", "F") and {"1": "M", "2": "F"}[layout.sex] != sex:
        disagree.append(f"sex {layout.sex} vs {reveal(ctx, sex, fict)}")
    date = normalise_date(traits.birth_date)
    if len(date) >= 7 and date[:4].isdigit():
        if date[2:4] != layout.year:
            disagree.append(f"year {layout.year} vs {reveal(ctx, date[:4], fict)}")
        if layout.month_known and date[5:7] != layout.month:
            disagree.append(f"month {layout.month} vs {reveal(ctx, date[5:7], fict)}")
    cog = traits.birth_place.strip().upper()
    if check_place and cog and not _same_place(layout.cog, cog):
        disagree.append(f"birth place {reveal(ctx, layout.cog, fict)} vs {reveal(ctx, cog, fict)}")
    return Verdict.check(not disagree, entry.occurrence.location, disagreements="; ".join(disagree), **shown)


@predicate("ins_first_name_first")
def ins_first_name_first(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    entry = _entry(subject)
    shown = _shown(ctx, entry)
    traits = entry.occurrence.traits
    if traits is None or not traits.first_name or not traits.given_list:
        return Verdict.na(entry.occurrence.location, reason="first name or first-name list absent", **shown)
    first = normalised("first_name", traits.first_name)
    listed = normalised("given_list", traits.given_list).split(" ")
    fict = ledger(ctx).is_fictitious(entry)
    return Verdict.check(
        bool(listed) and listed[0] == first,
        entry.occurrence.location,
        first_name=reveal(ctx, traits.first_name, fict),
        given_list=reveal(ctx, traits.given_list, fict),
        **shown,
    )


@predicate("identity_is_fictitious")
def identity_is_fictitious(
    subject: Subject, ctx: Context, production_oids: list[str] | None = None, **_: Any
) -> Verdict:
    """In a test dossier, an identity under a production OID (NIR 4.8 / NIA 4.9) must be
    one of the known fictitious people."""
    entry = _entry(subject)
    shown = _shown(ctx, entry)
    oids = set(production_oids) if production_oids else PRODUCTION_OIDS
    if entry.occurrence.oid not in oids:
        return Verdict.ok(entry.occurrence.location, reason="test or demonstration OID", **shown)
    led = ledger(ctx)
    return Verdict.check(led.is_fictitious(entry), entry.occurrence.location, **shown)


__all__ = ["is_ins_occurrence", "normalise_name"]
