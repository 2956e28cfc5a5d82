"""A small stand-in for the lead's bundle walker, for the INS tests only.

It classifies INSi and CDA files by content, parses them with the registered parsers
(falling back, for CDA, to a tiny recordTarget extractor while no CDA parser is
registered) and builds a rule-engine Context.  Once main has the real pipeline the
tests keep working: the harness only prefers registered parsers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from segurcheck.claims import IdentityOccurrence, Traits
from segurcheck.engine.context import Context, RunOptions
from segurcheck.engine.vocabulary import load_plugins
from segurcheck.evidence.base import Parsed, Source, parser_for
from segurcheck.evidence.xml import XmlError, child, children, descendants, local_name, parse_xml, path_of
from segurcheck.model import Dossier, EvidenceItem, Kind

HL7 = "urn:hl7-org:v3"


def sniff(data: bytes) -> Kind:
    try:
        root = parse_xml(data)
    except XmlError:
        return Kind.UNKNOWN
    name = local_name(root)
    if name == "Envelope":
        body = child(root, "Body")
        first = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
        op = local_name(first) if first is not None else ""
        if op in ("RECSANSVITALE", "RECVITALE"):
            return Kind.INSI_REQUEST
        if op == "RESULTAT":
            return Kind.INSI_RESPONSE
        if op == "Fault":
            return Kind.INSI_FAULT
    if name == "ClinicalDocument" or descendants(root, "ClinicalDocument"):
        return Kind.CDA
    return Kind.UNKNOWN


class CdaFacts:
    """Just enough of a CDA for identity tests: ``identities`` from recordTarget."""

    def __init__(self, identities: tuple[IdentityOccurrence, ...]):
        self.identities = identities
        self.software: tuple[Any, ...] = ()


def _qualified(elements: list[Any], qualifier: str | None) -> str:
    for element in elements:
        if (element.get("qualifier") or None) == qualifier:
            return "".join(element.itertext()).strip()
    return ""


def extract_record_target(root: Any) -> tuple[IdentityOccurrence, ...]:
    doc = root if local_name(root) == "ClinicalDocument" else descendants(root, "ClinicalDocument")[0]
    role = child(child(doc, "recordTarget"), "patientRole")  # type: ignore[arg-type]
    if role is None:
        return ()
    patient = child(role, "patient")
    traits = None
    if patient is not None:
        name = child(patient, "name")
        families = children(name, "family") if name is not None else []
        givens = children(name, "given") if name is not None else []
        gender = child(patient, "administrativeGenderCode")
        birth = child(patient, "birthTime")
        county = ""
        for place in descendants(patient, "county"):
            county = "".join(str(t) for t in place.itertext()).strip()
        traits = Traits(
            birth_name=_qualified(families, "BR"),
            first_name=_qualified(givens, "BR"),
            given_list=_qualified(givens, None),
            sex=gender.get("code", "") if gender is not None else "",
            birth_date=(birth.get("value", "") if birth is not None else ""),
            birth_place=county,
        )
        if traits.birth_date:
            v = traits.birth_date
            traits = Traits(**{**traits.__dict__, "birth_date": f"{v[:4]}-{v[4:6]}-{v[6:8]}"})
    return tuple(
        IdentityOccurrence(i.get("extension", ""), i.get("root", ""), path_of(i), "cda-recordTarget", traits) for i in children(role, "id")
    )


def _parse(kind: Kind, source: Source) -> Parsed:
    fn = parser_for(kind)
    if fn is not None:
        return fn(source)
    if kind is Kind.CDA:
        return Parsed(facts=CdaFacts(extract_record_target(source.xml())), identity=source.sha256)
    return Parsed(identity=source.sha256)


def build_items(files: Mapping[str, bytes]) -> tuple[EvidenceItem, ...]:
    load_plugins()
    items = []
    for path, data in sorted(files.items()):
        kind = sniff(data)
        source = Source(path, data)
        parsed = _parse(kind, source) if kind is not Kind.UNKNOWN else Parsed()
        items.append(
            EvidenceItem(
                path=path,
                kind=kind,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                identity=parsed.identity or hashlib.sha256(data).hexdigest(),
                facts=parsed.facts,
                problems=tuple(parsed.problems),
            )
        )
    return tuple(items)


def make_context(
    files: Mapping[str, bytes],
    manifest: Mapping[str, Any] | None = None,
    env: str | None = None,
    show_identities: bool = False,
    resources: Mapping[str, Any] | None = None,
) -> Context:
    dossier_raw = dict((manifest or {}).get("dossier", {}) or {})
    dossier = Dossier(
        publisher=str(dossier_raw.get("publisher", "")),
        software=str(dossier_raw.get("software", "")),
        version=str(dossier_raw.get("version", "")),
        sector=str(dossier_raw.get("sector", "")),
        environment=env or str(dossier_raw.get("environment", "test")),
        as_of=dt.date(2026, 11, 29),
    )
    options = RunOptions(show_identities=show_identities, resources=dict(resources or {}))
    return Context(build_items(files), dossier, manifest, options)


def read_bundle(directory: Path) -> tuple[dict[str, bytes], dict[str, Any] | None]:
    files: dict[str, bytes] = {}
    manifest = None
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            rel = path.relative_to(directory).as_posix()
            if rel == "segur.yaml":
                manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
            else:
                files[rel] = path.read_bytes()
    return files, manifest
