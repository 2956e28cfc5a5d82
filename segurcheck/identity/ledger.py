"""The identity ledger: every place an INS or identity traits occur in the dossier.

Built once per run (the ``identity_ledger`` analysis) from the ``identities`` of every
item's facts, whatever its kind, and indexed by matricule (first 13 characters, the key
left aside) so the cross-evidence rules look a person up in O(1): no pairwise
comparison of occurrences, the ledger stays linear in the size of the dossier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..claims import IdentityOccurrence
from ..model import EvidenceItem
from .fictitious import registry

INSI_SOURCES = frozenset({"insi-actif", "insi-histo", "insi-request"})


@dataclass(frozen=True)
class Entry:
    """One occurrence and the evidence item it was found in."""

    item: EvidenceItem
    occurrence: IdentityOccurrence
    index: int  # position among the item's identities: part of the subject key
    person: str = ""  # matricule without its key (first 13 characters, upper case)

    @staticmethod
    def of(item: EvidenceItem, occurrence: IdentityOccurrence, index: int) -> Entry:
        return Entry(item, occurrence, index, person_key(occurrence.matricule))

    @property
    def from_insi(self) -> bool:
        return self.occurrence.source in INSI_SOURCES

    @property
    def key(self) -> str:
        """Stable subject key: source, matricule and position, no path, no line."""
        occ = self.occurrence
        return f"{occ.source}:{occ.matricule}:{occ.oid}:{self.index}"


def person_key(matricule: str) -> str:
    return matricule.strip().upper()[:13]


@dataclass
class Ledger:
    entries: list[Entry] = field(default_factory=list)
    by_person: dict[str, list[Entry]] = field(default_factory=dict)
    insi_active: dict[str, Entry] = field(default_factory=dict)  # person -> INSACTIF entry
    insi_reference: dict[str, Entry] = field(default_factory=dict)  # person (active or historic) -> INSACTIF entry
    historic: dict[str, Entry] = field(default_factory=dict)  # historic person -> INSACTIF entry
    fictitious: set[str] = field(default_factory=set)  # persons known to be test people

    def of_person(self, matricule: str) -> list[Entry]:
        return self.by_person.get(person_key(matricule), [])

    def is_fictitious(self, entry: Entry) -> bool:
        """Known test person?  Decided once per person while building the ledger (any
        of its occurrences matching the shipped list marks them all)."""
        if entry.person:
            return entry.person in self.fictitious
        return registry().is_fictitious("", entry.occurrence.traits)

    def reference_for(self, entry: Entry) -> Entry | None:
        """What to compare this occurrence's traits with: the INSi answer for its
        matricule, else the first occurrence of the same person in another item
        (deterministic: smallest path)."""
        if not entry.person:
            return None
        ref = self.insi_reference.get(entry.person)
        if ref is not None:
            return ref
        for other in self.by_person.get(entry.person, ()):
            if other.item.path != entry.item.path and other.occurrence.traits is not None and not other.from_insi:
                return other if other.item.path < entry.item.path else None
        return None


def build_ledger(items: Iterable[EvidenceItem]) -> Ledger:
    """One pass over the items, then one over the INSi entries: O(occurrences)."""
    ledger = Ledger()
    reg = registry()
    actif_of_item: dict[str, Entry] = {}
    histos: list[Entry] = []
    for item in sorted(items, key=lambda i: i.path):
        identities = getattr(item.facts, "identities", None) or ()
        for index, occurrence in enumerate(identities):
            if not isinstance(occurrence, IdentityOccurrence):
                continue
            entry = Entry.of(item, occurrence, index)
            ledger.entries.append(entry)
            if entry.person:
                ledger.by_person.setdefault(entry.person, []).append(entry)
                if reg.is_fictitious(occurrence.matricule, occurrence.traits):
                    ledger.fictitious.add(entry.person)
            if occurrence.source == "insi-actif" and entry.person:
                ledger.insi_active.setdefault(entry.person, entry)
                ledger.insi_reference.setdefault(entry.person, entry)
                actif_of_item.setdefault(item.path, entry)
            elif occurrence.source == "insi-histo" and entry.person:
                histos.append(entry)
    for entry in histos:
        actif = actif_of_item.get(entry.item.path)
        if actif is None or actif.person == entry.person:
            continue  # a history repeating the active matricule is not a former one
        ledger.historic.setdefault(entry.person, actif)
        ledger.insi_reference.setdefault(entry.person, actif)
        if actif.person in ledger.fictitious:
            ledger.fictitious.add(entry.person)
    return ledger
