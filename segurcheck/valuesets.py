"""CI-SIS value sets shipped with the tool (segurcheck/data/valuesets/<ID>.yaml).

Each file holds the set's OID, version (revision date) and its (code, code system)
pairs, written as the tool's own data.  Loaded once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from .resources import data_dir


@dataclass(frozen=True)
class ValueSet:
    id: str
    name: str
    oid: str
    version: str
    codes: frozenset[tuple[str, str]]

    @property
    def code_values(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.codes)

    def contains(self, code: str, system: str = "") -> bool:
        """Membership by code, and by code system too when one is given."""
        if system:
            return (code, system) in self.codes
        return code in self.code_values

    def label(self) -> str:
        return f"{self.id} {self.name} ({self.oid}, {self.version})"


@cache
def value_set(identifier: str) -> ValueSet | None:
    """The shipped value set ``J07``... (None when the tool does not ship it)."""
    path = data_dir() / "valuesets" / f"{identifier}.yaml"
    if not path.is_file():
        return None
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ValueSet(
        id=raw["id"], name=raw["name"], oid=raw["oid"], version=str(raw.get("version", "")),
        codes=frozenset((str(c["code"]), str(c.get("system", ""))) for c in raw["codes"]),
    )


def shipped() -> list[ValueSet]:
    found = [value_set(p.stem) for p in sorted((data_dir() / "valuesets").glob("*.yaml"))]
    return [v for v in found if v is not None]
