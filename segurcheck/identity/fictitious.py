"""Known fictitious identities (INSi test platform people, ANS example patients),
shipped as the tool's own data in ``segurcheck/data/fictitious_identities.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from ..claims import Traits
from ..ins import normalise_date, normalise_name
from ..resources import data_dir


@dataclass(frozen=True)
class FictitiousPerson:
    birth_name: str
    given: str
    sex: str
    birth_date: str
    birth_place: str
    matricules: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class FictitiousRegistry:
    people: tuple[FictitiousPerson, ...]
    by_matricule: dict[str, FictitiousPerson]
    by_name_date: dict[tuple[str, str], FictitiousPerson]

    def find(self, matricule: str = "", traits: Traits | None = None) -> FictitiousPerson | None:
        """The fictitious person this matricule (first 13 characters) or these traits
        (birth name + birth date) designate, if any."""
        if matricule:
            person = self.by_matricule.get(matricule[:13].upper())
            if person is not None:
                return person
        if traits is not None and traits.birth_name and traits.birth_date:
            return self.by_name_date.get((normalise_name(traits.birth_name), normalise_date(traits.birth_date)))
        return None

    def is_fictitious(self, matricule: str = "", traits: Traits | None = None) -> bool:
        return self.find(matricule, traits) is not None


def _str(value: object) -> str:
    return "" if value is None else str(value)


@cache
def registry() -> FictitiousRegistry:
    """Load the shipped list once (YAML via safe_load)."""
    path = data_dir() / "fictitious_identities.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    people: list[FictitiousPerson] = []
    for entry in raw.get("identities", ()):
        people.append(
            FictitiousPerson(
                birth_name=_str(entry.get("birth_name")),
                given=_str(entry.get("given")),
                sex=_str(entry.get("sex")),
                birth_date=_str(entry.get("birth_date")),
                birth_place=_str(entry.get("birth_place")),
                matricules=tuple(_str(m).upper() for m in entry.get("matricules", ()) or ()),
                source=_str(entry.get("source")),
            )
        )
    by_matricule = {m[:13]: p for p in people for m in p.matricules}
    by_name_date = {
        (normalise_name(p.birth_name), normalise_date(p.birth_date)): p for p in people if p.birth_name and p.birth_date
    }
    return FictitiousRegistry(tuple(people), by_matricule, by_name_date)
