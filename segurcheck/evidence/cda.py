"""CDA R2 documents (Kind.CDA): the header facts the CDA, INS and DMP rules judge.

The ClinicalDocument is either the root or, for "auto-presentable" documents (CR-BIO),
nested inside an ``xsl:stylesheet``.  Only the header (direct children of the
ClinicalDocument) and the level-1 body are read: that keeps the cost close to the XML
parse itself (bench/bench_cda.py), and structured bodies are the schematron's business.

Counting is done here, judging in ``predicates/cda.py``: ``header_counts`` maps each
element the structuration minimale constrains (see ``HEADER_ELEMENTS``) to the number
of times it occurs, so the rule can report every missing or duplicated one at once.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from ..claims import IdentityOccurrence, SoftwareClaim, Traits
from ..model import Kind, Problem
from .base import Parsed, Source, parser, xml_identity
from .xml import XmlError, local_name, parse_xml, path_of
from .xml import child as _any_child
from .xml import children as _any_children

HL7 = "urn:hl7-org:v3"
INS_ARC = "1.2.250.1.213.1.4."
INS_OIDS = frozenset({"1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"})
HL7_FRANCE_TEMPLATE = "2.16.840.1.113883.2.8.2.1"
MINIMAL_TEMPLATE = "1.2.250.1.213.1.1.1.1"
LEVEL1_TEMPLATE = "1.3.6.1.4.1.19376.1.2.20"
TYPE_ID_ROOT = "2.16.840.1.113883.1.3"
TYPE_ID_EXTENSION = "POCD_HD000040"

# Fast lookups: CDA elements live in urn:hl7-org:v3, so lxml's C-level iterchildren(tag)
# does the filtering (the generic helpers compare local names in Python, which made
# header reading 5x slower than the XML parse itself; see bench/bench_cda.py).
_HL7_PREFIX = "{" + HL7 + "}"


def child(element: etree._Element, name: str) -> etree._Element | None:
    tag = element.tag
    if isinstance(tag, str) and tag.startswith(_HL7_PREFIX):
        return next(element.iterchildren(_HL7_PREFIX + name), None)
    return _any_child(element, name)


def children(element: etree._Element, name: str) -> list[etree._Element]:
    tag = element.tag
    if isinstance(tag, str) and tag.startswith(_HL7_PREFIX):
        return list(element.iterchildren(_HL7_PREFIX + name))
    return _any_children(element, name)


# label -> (min, max); max None = unbounded.  Labels are what the user reads.
HEADER_ELEMENTS: Mapping[str, tuple[int, int | None]] = {
    "realmCode[@code='FR']": (1, 1),
    "typeId[@root='2.16.840.1.113883.1.3'][@extension='POCD_HD000040']": (1, 1),
    f"templateId[@root='{HL7_FRANCE_TEMPLATE}']": (1, 1),
    f"templateId[@root='{MINIMAL_TEMPLATE}']": (1, 1),
    "templateId (document model)": (1, None),
    "id": (1, 1),
    "code": (1, 1),
    "title": (1, 1),
    "effectiveTime": (1, 1),
    "confidentialityCode": (1, 1),
    "languageCode": (1, 1),
    "setId": (1, 1),
    "versionNumber": (1, 1),
    "recordTarget": (1, 1),
    "author": (1, None),
    "custodian": (1, 1),
    "legalAuthenticator": (1, 1),
    "legalAuthenticator/signatureCode[@code='S']": (1, 1),
    "documentationOf/serviceEvent": (1, None),
    "documentationOf[1]/serviceEvent/performer": (1, None),
    "documentationOf[1]/serviceEvent/effectiveTime": (1, 1),
    "componentOf/encompassingEncounter": (1, 1),
    "component": (1, 1),
}
_SIMPLE = ("id", "code", "title", "effectiveTime", "confidentialityCode", "languageCode", "setId",
           "versionNumber", "recordTarget", "author", "custodian", "legalAuthenticator", "component")


@dataclass(frozen=True)
class HealthProfessional:
    """An author or legal authenticator id (national ids: root 1.2.250.1.71.4.2.1)."""

    role: str  # author | legalAuthenticator
    root: str
    extension: str
    location: str


@dataclass(frozen=True)
class Level1Body:
    """A nonXMLBody: how its text is declared and whether it decodes to a PDF."""

    media_type: str
    representation: str
    location: str
    size: int = 0  # decoded bytes (exact up to 64 KiB of text, estimated beyond)
    is_pdf: bool = False
    defect: str = ""  # why it is not a usable PDF ('' when it is)


@dataclass(frozen=True)
class CdaFacts:
    location: str  # path of the ClinicalDocument element
    auto_presentable: bool
    id_root: str
    id_extension: str
    set_id: str
    version_number: str
    code: str
    code_system: str
    code_display: str
    title: str
    effective_time: str
    confidentiality_code: str
    confidentiality_system: str
    language_code: str
    template_ids: tuple[str, ...]
    template_versions: Mapping[str, str]  # templateId root -> extension (model version), when given
    header_counts: Mapping[str, int]
    body: str  # nonXMLBody | structuredBody | ''
    level1: Level1Body | None
    professionals: tuple[HealthProfessional, ...]
    patient_ids: tuple[tuple[str, str], ...]  # (root, extension) of recordTarget ids
    traits: Traits | None
    service_start: str
    service_stop: str
    facility_type_code: str
    identities: tuple[IdentityOccurrence, ...] = ()
    software: tuple[SoftwareClaim, ...] = ()
    # the source bytes (a reference, not a copy), for the optional schematron run
    document_xml: bytes = field(default=b"", repr=False, compare=False)

    @property
    def unique_id(self) -> str:
        """The XDS uniqueId form of the document id: root^extension, or root alone."""
        return f"{self.id_root}^{self.id_extension}" if self.id_extension else self.id_root

    @property
    def ins(self) -> IdentityOccurrence | None:
        return self.identities[0] if self.identities else None


def find_clinical_document(root: etree._Element) -> etree._Element | None:
    """The ClinicalDocument: the root itself or the first one below (auto-presentable)."""
    if local_name(root) == "ClinicalDocument":
        return root
    for element in root.iter(f"{{{HL7}}}ClinicalDocument"):
        return element
    for element in root.iter():
        if isinstance(element.tag, str) and local_name(element) == "ClinicalDocument":
            return element
    return None


def _value(element: etree._Element | None, attribute: str = "value") -> str:
    return "" if element is None else (element.get(attribute) or "").strip()


def _first_text(element: etree._Element | None) -> str:
    return "" if element is None else "".join(str(t) for t in element.itertext()).strip()


def _path(element: etree._Element | None, *names: str) -> etree._Element | None:
    for name in names:
        if element is None:
            return None
        element = child(element, name)
    return element


def _first(by_name: Mapping[str, list[etree._Element]], name: str) -> etree._Element | None:
    found = by_name.get(name)
    return found[0] if found else None


def _id_string(element: etree._Element | None) -> str:
    root, extension = _value(element, "root"), _value(element, "extension")
    return f"{root}^{extension}" if extension else root


def _date(hl7: str) -> str:
    """HL7 TS (YYYYMMDD...) -> YYYY-MM-DD, '' when it does not start with 8 digits."""
    digits = hl7[:8]
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) == 8 and digits.isdigit() else ""


def _b64_tail(raw: str, chars: int) -> str:
    """The last ``chars`` base64 characters of ``raw`` (whitespace removed), aligned on 4."""
    take, found = len(raw), ""
    while take > 0 and len(found) < chars + 4:
        take = max(0, take - 2 * chars - 64)
        found = "".join(raw[take:].split())
    return found[len(found) % 4:] if len(found) < chars else found[-(chars - chars % 4):]


def _decode_pdf(text_element: etree._Element) -> tuple[int, bool, str]:
    """Judge the embedded PDF from its first and last decoded bytes and its size.

    Decoding the whole body would cost more than parsing the XML (bench/bench_cda.py):
    the header (%PDF-), the trailer (%%EOF, startxref) and the base64 alphabet of those
    ends are checked; a body truncated or cut inside shows as a missing trailer."""
    raw = text_element.text or ""
    if not raw or raw.isspace():  # isspace stops at the first base64 character: no copy
        return 0, False, "the text is empty"
    head = "".join(raw[:256].split())[:64]
    head = head[: len(head) - len(head) % 4]
    tail = _b64_tail(raw, 2048)
    try:
        first = binascii.a2b_base64(head.encode("ascii"), strict_mode=True)
        last = binascii.a2b_base64(tail.encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return 0, False, "the text is not valid base64"
    # size: exact up to 64 KiB of text; beyond, extrapolated from the whitespace density
    # of the first 8 KiB (counting every character of a large body costs a parse)
    sample = raw if len(raw) <= 65536 else raw[:8192]
    density = sum(sample.count(c) for c in " \t\r\n") / len(sample)
    size = round(len(raw) * (1 - density)) // 4 * 3 - (len(tail) - len(tail.rstrip("=")))
    if not first.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        return size, False, "the decoded content does not start with %PDF-"
    if b"%%EOF" not in last:
        return size, False, "the decoded PDF has no %%EOF trailer (truncated?)"
    if b"startxref" not in last:
        return size, False, "the decoded PDF has no startxref before its trailer"
    return size, True, ""


def _professional(role: str, person: etree._Element | None, container: etree._Element) -> list[HealthProfessional]:
    if person is None:
        return []
    ids = children(person, "id")
    if not ids:
        return [HealthProfessional(role, "", "", path_of(container))]
    return [HealthProfessional(role, i.get("root", ""), i.get("extension", ""), path_of(i)) for i in ids]


def _traits(patient: etree._Element | None) -> Traits | None:
    if patient is None:
        return None
    family_br = given_br = given_list = ""
    for name in children(patient, "name"):
        for part in name:
            if not isinstance(part.tag, str):
                continue
            tag = local_name(part)
            qualifier = part.get("qualifier", "")
            value = _first_text(part)
            if tag == "family" and qualifier == "BR" and not family_br:
                family_br = value
            elif tag == "given" and qualifier == "BR" and not given_br:
                given_br = value
            elif tag == "given" and not qualifier and not given_list:
                given_list = value
    county = _first_text(_path(patient, "birthplace", "place", "addr", "county"))
    return Traits(
        birth_name=family_br,
        first_name=given_br,
        given_list=given_list,
        sex=_value(child(patient, "administrativeGenderCode"), "code"),
        birth_date=_date(_value(child(patient, "birthTime"))),
        birth_place=county,
    )


def read_cda(root: etree._Element, source_bytes: bytes = b"") -> CdaFacts | None:
    """Facts of the ClinicalDocument at or below ``root`` (None when there is none)."""
    doc = find_clinical_document(root)
    if doc is None:
        return None
    counts: dict[str, int] = dict.fromkeys(HEADER_ELEMENTS, 0)
    by_name: dict[str, list[etree._Element]] = {}
    for element in doc:
        if isinstance(element.tag, str):
            by_name.setdefault(local_name(element), []).append(element)
    templates = tuple(t.get("root", "") for t in by_name.get("templateId", ()))
    counts["realmCode[@code='FR']"] = sum(1 for r in by_name.get("realmCode", ()) if r.get("code") == "FR")
    counts["typeId[@root='2.16.840.1.113883.1.3'][@extension='POCD_HD000040']"] = sum(
        1 for t in by_name.get("typeId", ())
        if t.get("root") == TYPE_ID_ROOT and t.get("extension") == TYPE_ID_EXTENSION
    )
    counts[f"templateId[@root='{HL7_FRANCE_TEMPLATE}']"] = templates.count(HL7_FRANCE_TEMPLATE)
    counts[f"templateId[@root='{MINIMAL_TEMPLATE}']"] = templates.count(MINIMAL_TEMPLATE)
    counts["templateId (document model)"] = sum(
        1 for t in templates if t not in (HL7_FRANCE_TEMPLATE, MINIMAL_TEMPLATE)
    )
    for name in _SIMPLE:
        counts[name] = len(by_name.get(name, ()))
    legal = _first(by_name, "legalAuthenticator")
    counts["legalAuthenticator/signatureCode[@code='S']"] = (
        0 if legal is None else sum(1 for s in children(legal, "signatureCode") if s.get("code") == "S")
    )
    services = [s for d in by_name.get("documentationOf", ()) for s in children(d, "serviceEvent")]
    counts["documentationOf/serviceEvent"] = len(services)
    first_service = _path(_first(by_name, "documentationOf"), "serviceEvent")
    if first_service is not None:
        counts["documentationOf[1]/serviceEvent/performer"] = len(children(first_service, "performer"))
        counts["documentationOf[1]/serviceEvent/effectiveTime"] = len(children(first_service, "effectiveTime"))
    encounters = [e for c in by_name.get("componentOf", ()) for e in children(c, "encompassingEncounter")]
    counts["componentOf/encompassingEncounter"] = len(encounters)

    def one(name: str) -> etree._Element | None:
        return _first(by_name, name)

    code = one("code")
    confidentiality = one("confidentialityCode")
    doc_id = one("id")
    body_kind = ""
    level1: Level1Body | None = None
    component = one("component")
    if component is not None:
        for body in component:
            name = local_name(body)
            if name in ("nonXMLBody", "structuredBody"):
                body_kind = name
                if name == "nonXMLBody":
                    text_element = child(body, "text")
                    if text_element is None:
                        level1 = Level1Body("", "", path_of(body), defect="the nonXMLBody has no text element")
                    else:
                        size, is_pdf, defect = _decode_pdf(text_element)
                        level1 = Level1Body(
                            text_element.get("mediaType", ""), text_element.get("representation", ""),
                            path_of(text_element), size, is_pdf, defect,
                        )
                break
    professionals: list[HealthProfessional] = []
    for author in by_name.get("author", ()):
        professionals += _professional("author", child(author, "assignedAuthor"), author)
    if legal is not None:
        professionals += _professional("legalAuthenticator", child(legal, "assignedEntity"), legal)
    patient_role = _path(one("recordTarget"), "patientRole")
    patient_ids: list[tuple[str, str]] = []
    identities: list[IdentityOccurrence] = []
    traits = _traits(_path(patient_role, "patient"))
    if patient_role is not None:
        for pid in children(patient_role, "id"):
            root_oid, extension = pid.get("root", ""), pid.get("extension", "")
            patient_ids.append((root_oid, extension))
            # Every id under the INS arc is an occurrence, so that INS-OID also sees the
            # obsolete INS-C (.4.2) and the wrong OIDs some code uses (.4.5).
            if root_oid in INS_OIDS or root_oid.startswith(INS_ARC):
                identities.append(IdentityOccurrence(
                    matricule=extension, oid=root_oid, location=path_of(pid),
                    source="cda-recordTarget", traits=traits,
                ))
    service_time = _path(first_service, "effectiveTime")
    facility = _path(encounters[0] if encounters else None, "location", "healthCareFacility", "code")
    return CdaFacts(
        location=path_of(doc),
        auto_presentable=doc is not root,
        id_root=_value(doc_id, "root"),
        id_extension=_value(doc_id, "extension"),
        set_id=_id_string(one("setId")),
        version_number=_value(one("versionNumber")),
        code=_value(code, "code"),
        code_system=_value(code, "codeSystem"),
        code_display=_value(code, "displayName"),
        title=_first_text(one("title")),
        effective_time=_value(one("effectiveTime")),
        confidentiality_code=_value(confidentiality, "code"),
        confidentiality_system=_value(confidentiality, "codeSystem"),
        language_code=_value(one("languageCode"), "code"),
        template_ids=templates,
        template_versions={t.get("root", ""): t.get("extension", "") for t in by_name.get("templateId", ())
                           if t.get("extension")},
        header_counts=counts,
        body=body_kind,
        level1=level1,
        professionals=tuple(professionals),
        patient_ids=tuple(patient_ids),
        traits=traits,
        service_start=_value(_path(service_time, "low")) or _value(service_time),
        service_stop=_value(_path(service_time, "high")),
        facility_type_code=_value(facility, "code"),
        identities=tuple(identities),
        document_xml=source_bytes,
    )


def read_cda_bytes(data: bytes) -> CdaFacts | None:
    """Facts of a CDA given as bytes (an embedded document); None when unreadable."""
    try:
        return read_cda(parse_xml(data))
    except XmlError:
        return None


@parser(Kind.CDA)
def parse_cda(source: Source) -> Parsed:
    try:
        root = source.xml()
    except XmlError as exc:
        return Parsed(problems=[Problem(f"not well-formed XML: {exc}")], identity=source.sha256)
    facts = read_cda(root, source.data)
    if facts is None:
        return Parsed(problems=[Problem("no ClinicalDocument element found", path_of(root))], identity=source.sha256)
    # the document id (root+extension) names the document whatever its formatting
    identity = (hashlib.sha256(f"cda\n{facts.id_root}\n{facts.id_extension}".encode()).hexdigest()
                if facts.id_root else xml_identity(source))
    return Parsed(facts=facts, identity=identity)
