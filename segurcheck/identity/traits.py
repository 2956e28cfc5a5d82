"""Comparison of identity traits the way INSi compares them.

Case and accents are not meaningful (INSi writes upper case without accents, a document
may carry ``Dominique`` or ``Zoé``); hyphens, apostrophes and spaces are (``PIERRE-ALAIN``
and ``PIERRE ALAIN`` are different first names for INSi).  Each difference names the
trait, so a finding says exactly what differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..claims import Traits
from ..ins import normalise_date, normalise_name, normalise_sex

TRAIT_FIELDS = ("birth_name", "first_name", "given_list", "sex", "birth_date", "birth_place")
TRAIT_LABELS = {
    "birth_name": "nom de naissance / birth name",
    "first_name": "premier prénom de naissance / first birth first name",
    "given_list": "liste des prénoms de naissance / birth first-name list",
    "sex": "sexe / sex",
    "birth_date": "date de naissance / birth date",
    "birth_place": "lieu de naissance (COG) / birth place (COG)",
}


@dataclass(frozen=True)
class TraitDifference:
    trait: str
    reference: str  # as carried by the reference (INSi)
    found: str  # as carried by the compared occurrence


def normalised(field: str, value: str) -> str:
    if field in ("birth_name", "first_name", "given_list"):
        return normalise_name(value)
    if field == "sex":
        return normalise_sex(value)
    if field == "birth_date":
        return normalise_date(value)
    return value.strip().upper()


def compare(reference: Traits, other: Traits) -> list[TraitDifference]:
    """Traits present on both sides that differ after INSi folding (a trait missing on
    one side is INS-TRAITS-MISSING's business, not a mismatch)."""
    differences: list[TraitDifference] = []
    for field in TRAIT_FIELDS:
        ref = getattr(reference, field)
        val = getattr(other, field)
        if ref and val and normalised(field, ref) != normalised(field, val):
            differences.append(TraitDifference(field, ref, val))
    return differences


def missing(traits: Traits | None) -> list[str]:
    """The strict traits absent from an occurrence."""
    if traits is None:
        return list(TRAIT_FIELDS)
    return [f for f in TRAIT_FIELDS if not getattr(traits, f).strip()]
