"""IHE XDM archives (IHE_XDM.ZIP) and their ebRIM ``METADATA.XML`` (MSS/CONF.23-24).

An XDM archive travels as an e-mail attachment; the receiver identifies the patient
from the METADATA ``patientId`` and trusts its hash/size, so both must agree with the
archived documents.  This module reads the archive within bounded limits (it comes
from strangers), the METADATA tolerantly (real ones are namespace-broken fragments),
and the archived CDAs just enough for the MSS header rules (code, INS, strict traits).

Facts are computed once here so that the MSS predicates stay pure look-ups; the same
analysis is shared between a message and its attached archive through a small cache.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from ..bundle import Limits, iter_zip_members
from ..claims import IdentityOccurrence, Traits
from ..ins import parse_cx
from ..model import Kind, Problem
from .base import Child, Parsed, Source, parser
from .ebrim import read_submission
from .xml import XmlError, child, children, descendants, local_name, parse_xml, text

# ---------------------------------------------------------------------------------
# Bounded ZIP reading: the bundle's own zip safety rules (segurcheck.bundle).
# ---------------------------------------------------------------------------------

# An XDM archive is a mail attachment: far tighter bounds than a whole bundle.
LIMITS = Limits(max_files=2000, max_total_bytes=256 << 20, max_nested_bytes=64 << 20)


def read_zip(data: bytes, limits: Limits = LIMITS) -> tuple[dict[str, bytes], list[Problem]]:
    """Members of a ZIP as ``{name: bytes}`` (files only), refusing what the bundle's
    safety rules refuse (path escapes, symlinks, encryption, bombs, sizes, counts).

    Never raises: a corrupt member (bad deflate stream, unknown method) is refused on
    its own, the readable ones are still returned.
    """
    members: dict[str, bytes] = {}
    problems: list[Problem] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        listing = list(iter_zip_members(archive, limits, limits.max_nested_bytes))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        return {}, [Problem(f"not a readable ZIP archive: {exc}")]
    for info, reason in listing:
        if reason is not None:
            problems.append(Problem(f"ZIP entry refused: {info.filename!r}: {reason.en}", info.filename))
            continue
        try:
            with archive.open(info) as stream:
                content = stream.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError, ValueError) as exc:
            problems.append(Problem(f"ZIP entry unreadable: {info.filename!r}: {exc}", info.filename))
            continue
        if len(content) != info.file_size:
            problems.append(Problem(f"ZIP entry size differs from its header: {info.filename!r}", info.filename))
            continue
        members[info.filename] = content
    return members, problems


# ---------------------------------------------------------------------------------
# ebRIM METADATA.XML (SubmitObjectsRequest), minimal and tolerant.
# ---------------------------------------------------------------------------------

INS_OIDS = ("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11")
_WRAP_NS = (
    b'<segurcheck-wrap xmlns="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"'
    b' xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"'
    b' xmlns:ns3="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"'
    b' xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"'
    b' xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0">'
)
_XML_DECL = re.compile(rb"^\s*(\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class MetadataEntry:
    """One DocumentEntry (ExtrinsicObject) of the METADATA."""

    id: str
    mime_type: str
    uri: str
    hash: str
    size: str
    patient_id: str
    unique_id: str
    type_code: str
    location: str


@dataclass(frozen=True)
class MetadataFacts:
    """What the METADATA declares; ``identities`` feed the INS identity ledger."""

    submission_patient_id: str
    entries: tuple[MetadataEntry, ...]
    namespace_broken: bool
    identities: tuple[IdentityOccurrence, ...] = ()
    software: tuple[object, ...] = ()


def parse_metadata_root(data: bytes) -> tuple[etree._Element | None, bool, list[Problem]]:
    """The SubmitObjectsRequest root; a namespace-broken fragment is wrapped in the
    ebRIM namespaces (then recovered) and reported, never refused."""
    try:
        return parse_xml(data), False, []
    except XmlError as first:
        body = _XML_DECL.sub(b"", data, count=1)
        problem = Problem(
            f"METADATA.XML is not a well-formed, namespace-bound XML document ({str(first)[:120]}); "
            "read tolerantly by binding the ebRIM namespaces"
        )
        for recover in (False, True):
            try:
                wrapped = parse_xml(_WRAP_NS + body + b"</segurcheck-wrap>", recover=recover)
            except XmlError:
                continue
            found = [e for e in wrapped.iter() if isinstance(e.tag, str) and local_name(e) == "SubmitObjectsRequest"]
            return (found[0] if found else wrapped), True, [problem]
        return None, True, [Problem(f"METADATA.XML cannot be parsed: {first}")]


def _uri(values: tuple[str, ...]) -> str:
    """The URI slot; long URIs are split as "1|part", "2|part"... (ITI-32)."""
    if len(values) > 1 and all("|" in v for v in values):
        return "".join(v.split("|", 1)[1] for v in values)
    return values[0] if values else ""


def read_metadata(data: bytes) -> tuple[MetadataFacts | None, list[Problem]]:
    """The METADATA facts (cached: the archive and its METADATA child share the work)."""
    facts, problems = _read_metadata(data)
    return facts, list(problems)


@lru_cache(maxsize=16)
def _read_metadata(data: bytes) -> tuple[MetadataFacts | None, tuple[Problem, ...]]:
    facts, problems = _read_metadata_uncached(data)
    return facts, tuple(problems)


def metadata_identity(facts: MetadataFacts) -> str:
    """Content identity independent of formatting and prefixes: what the METADATA
    declares (patient, and each entry's id, unique id, hash and size)."""
    parts = [facts.submission_patient_id] + [
        f"{e.id}|{e.unique_id}|{e.hash.lower()}|{e.size}|{e.patient_id}" for e in facts.entries
    ]
    return "xdm-metadata:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _read_metadata_uncached(data: bytes) -> tuple[MetadataFacts | None, list[Problem]]:
    root, broken, problems = parse_metadata_root(data)
    if root is None:
        return None, problems
    if local_name(root) != "SubmitObjectsRequest":
        return None, [*problems, Problem(f"METADATA.XML root is {local_name(root)}, not SubmitObjectsRequest")]
    submission = read_submission(root)
    problems.extend(Problem(f"METADATA.XML: {p}") for p in submission.problems)
    set_patient = next((s.patient_id for s in submission.submission_sets if s.patient_id), "")
    entries = []
    for entry in submission.entries:
        type_code = entry.code("typeCode")
        entries.append(
            MetadataEntry(
                id=entry.id,
                mime_type=entry.mime_type,
                uri=_uri(entry.slots.get("URI", ())),
                hash=entry.slot("hash"),
                size=entry.slot("size"),
                patient_id=entry.patient_id,
                unique_id=entry.unique_id,
                type_code=type_code.code if type_code is not None else "",
                location=entry.location.replace("/segurcheck-wrap", "", 1),
            )
        )
    identities = []
    for where, value in [("XDSSubmissionSet.patientId", set_patient)] + [
        (f"ExtrinsicObject[@id='{e.id}']/XDSDocumentEntry.patientId", e.patient_id) for e in entries
    ]:
        matricule, oid = parse_cx(value)
        if matricule:
            identities.append(IdentityOccurrence(matricule=matricule, oid=oid, location=where, source="xdm-patientId"))
    facts = MetadataFacts(set_patient, tuple(entries), broken, tuple(identities))
    return facts, problems


# ---------------------------------------------------------------------------------
# Minimal CDA reading (what the MSS headers need): code, recordTarget INS, traits.
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CdaSummary:
    code: str
    ins: str  # the recordTarget id extension whose root is an INS OID ('' when none)
    ins_oid: str
    traits: Traits
    stylesheet: bool  # auto-presentable CDA (xsl:stylesheet root)

    @property
    def qualified(self) -> bool:
        """MSS/CONF.14: INS (matricule + OID) and birth name, first first name, birth
        date and sex in the CDA header."""
        t = self.traits
        return bool(self.ins and self.ins_oid in INS_OIDS and t.birth_name and t.first_name and t.birth_date and t.sex)


def _clinical_document(root: etree._Element) -> etree._Element | None:
    if local_name(root) == "ClinicalDocument":
        return root
    found = descendants(root, "ClinicalDocument")
    return found[0] if found else None


def read_cda(data: bytes) -> CdaSummary | None:
    """The CDA facts MSS needs, or None when the bytes are not a CDA."""
    if b"ClinicalDocument" not in data[:1 << 20] and b"ClinicalDocument" not in data:
        return None
    try:
        root = parse_xml(data)
    except XmlError:
        return None
    doc = _clinical_document(root)
    if doc is None:
        return None
    code_el = child(doc, "code")
    ins = oid = ""
    traits = Traits()
    target = child(doc, "recordTarget")
    role = child(target, "patientRole") if target is not None else None
    if role is not None:
        for ident in children(role, "id"):
            if ident.get("root", "") in INS_OIDS:
                ins, oid = ident.get("extension", ""), ident.get("root", "")
                break
        patient = child(role, "patient")
        if patient is not None:
            traits = _traits(patient)
    code = code_el.get("code", "") if code_el is not None else ""
    return CdaSummary(code, ins, oid, traits, local_name(root) != "ClinicalDocument")


def _traits(patient: etree._Element) -> Traits:
    birth_name = first = given_list = ""
    for name in children(patient, "name"):
        for family in children(name, "family"):
            if family.get("qualifier") == "BR" and not birth_name:
                birth_name = text(family)
        for given in children(name, "given"):
            qualifier = given.get("qualifier")
            if qualifier == "BR" and not first:
                first = text(given)
            elif qualifier is None and not given_list:
                given_list = text(given)
    gender = child(patient, "administrativeGenderCode")
    birth = child(patient, "birthTime")
    raw_date = birth.get("value", "") if birth is not None else ""
    date = f"{raw_date[:4]}-{raw_date[4:6]}-{raw_date[6:8]}" if len(raw_date) >= 8 and raw_date[:8].isdigit() else ""
    county = ""
    for place in descendants(patient, "birthplace"):
        county = text(next(iter(descendants(place, "county")), None))
    return Traits(
        birth_name=birth_name,
        first_name=first,
        given_list=given_list,
        sex=gender.get("code", "") if gender is not None else "",
        birth_date=date,
        birth_place=county,
    )


# ---------------------------------------------------------------------------------
# The archive as a whole.
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchivedDocument:
    """A file of the archive referenced (or not) by the METADATA."""

    name: str
    size: int
    sha1: str
    cda: CdaSummary | None
    is_pdf: bool = False


@dataclass(frozen=True)
class EntryCheck:
    """The METADATA entry next to what the archive really holds."""

    entry: MetadataEntry
    document: str  # archive member name ('' when the URI resolves to nothing)
    actual_size: int
    actual_sha1: str
    cda: CdaSummary | None
    is_pdf: bool = False


@dataclass(frozen=True)
class XdmFacts:
    """Layout, metadata and per-document checks of one IHE_XDM archive.

    ``identities`` is empty on purpose: the METADATA child item carries the
    ``xdm-patientId`` occurrences, so the ledger does not count them twice.
    """

    subset: str  # e.g. IHE_XDM/SUBSET01
    has_readme: bool
    has_index: bool
    metadata_name: str
    metadata: MetadataFacts | None
    checks: tuple[EntryCheck, ...]
    documents: tuple[ArchivedDocument, ...]
    problems: tuple[Problem, ...] = ()
    identities: tuple[IdentityOccurrence, ...] = ()
    software: tuple[object, ...] = field(default_factory=tuple)

    @property
    def cdas(self) -> tuple[CdaSummary, ...]:
        return tuple(d.cda for d in self.documents if d.cda is not None)

    @property
    def patient_ids(self) -> tuple[str, ...]:
        """Every METADATA patientId value (submission set and entries), as written."""
        if self.metadata is None:
            return ()
        values = [self.metadata.submission_patient_id] + [e.patient_id for e in self.metadata.entries]
        return tuple(v for v in values if v)

    @property
    def qualified_ins(self) -> bool:
        """A qualified INS is in the archive: a METADATA patientId with an INS OID whose
        matricule is also the CDA recordTarget INS, carried with the strict traits."""
        ids = {parse_cx(v) for v in self.patient_ids}
        return any(c.qualified and (c.ins, c.ins_oid) in ids for c in self.cdas)


def _find_metadata(names: list[str]) -> str:
    """``[<prefix>/]IHE_XDM/<subset>/METADATA.XML``: the subset name is never assumed."""
    for name in sorted(names, key=lambda n: (n.count("/"), n)):
        parts = name.split("/")
        if len(parts) >= 3 and parts[-3].upper() == "IHE_XDM" and parts[-1].upper() == "METADATA.XML":
            return name
    return ""


def _resolve(uri: str, subset: str, members: dict[str, bytes]) -> str:
    uri = uri.strip().lstrip("/")
    if not uri:
        return ""
    root = subset.rsplit("/", 1)[0]
    lowered = {n.lower(): n for n in members}
    for candidate in (f"{subset}/{uri}", f"{root}/{uri}", uri):
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return ""


@lru_cache(maxsize=16)
def _members(data: bytes) -> tuple[dict[str, bytes], tuple[Problem, ...]]:
    members, problems = read_zip(data)
    return members, tuple(problems)


def is_xdm(data: bytes) -> bool:
    """Content test: a readable ZIP holding IHE_XDM/<subset>/METADATA.XML."""
    return data[:2] == b"PK" and bool(_find_metadata(list(_members(data)[0])))


@lru_cache(maxsize=16)
def analyse_xdm(data: bytes) -> XdmFacts:
    """Read one archive (cached: a message and its attachment share the work)."""
    members, first = _members(data)
    problems = list(first)
    metadata_name = _find_metadata(list(members))
    if not members and problems:
        return XdmFacts("", False, False, "", None, (), (), tuple(problems))
    subset = metadata_name.rsplit("/", 1)[0] if metadata_name else ""
    prefix = subset.rsplit("/", 2)[0] + "/" if subset.count("/") >= 2 else ""
    top = {n.upper() for n in members}
    metadata: MetadataFacts | None = None
    if metadata_name:
        metadata, meta_problems = read_metadata(members[metadata_name])
        problems.extend(meta_problems)
    else:
        problems.append(Problem("no IHE_XDM/<subset>/METADATA.XML in the archive"))
    documents: dict[str, ArchivedDocument] = {}
    for name, content in members.items():
        if name == metadata_name or name.upper().rsplit("/", 1)[-1] in ("README.TXT", "INDEX.HTM"):
            continue
        xml_like = name.upper().endswith((".XML", ".XSL")) or content.lstrip()[:1] == b"<"
        cda = read_cda(content) if xml_like else None
        sha1 = hashlib.sha1(content).hexdigest()
        documents[name] = ArchivedDocument(name, len(content), sha1, cda, content[:5] == b"%PDF-")
    checks = []
    for entry in metadata.entries if metadata else ():
        found = _resolve(entry.uri, subset, members)
        doc = documents.get(found)
        if doc is None:
            checks.append(EntryCheck(entry, found, -1, "", None))
        else:
            checks.append(EntryCheck(entry, found, doc.size, doc.sha1, doc.cda, doc.is_pdf))
    return XdmFacts(
        subset=subset,
        has_readme=f"{prefix}README.TXT".upper() in top,
        has_index=f"{prefix}INDEX.HTM".upper() in top,
        metadata_name=metadata_name,
        metadata=metadata,
        checks=tuple(checks),
        documents=tuple(documents[n] for n in sorted(documents)),
        problems=tuple(problems),
    )


@parser(Kind.XDM_ARCHIVE)
def parse_xdm_archive(source: Source) -> Parsed:
    facts = analyse_xdm(source.data)
    if not facts.metadata_name and not facts.documents and facts.problems:
        return Parsed(facts=None, problems=list(facts.problems))
    members = _members(source.data)[0]
    kids = []
    for name in sorted(members):
        if name == facts.metadata_name:
            kids.append(Child(name, members[name], Kind.XDM_METADATA))
        elif name.upper().rsplit("/", 1)[-1] not in ("README.TXT", "INDEX.HTM"):
            kids.append(Child(name, members[name]))
    return Parsed(facts=facts, problems=list(facts.problems), children=kids, identity=source.sha256)


@parser(Kind.XDM_METADATA)
def parse_xdm_metadata(source: Source) -> Parsed:
    facts, problems = read_metadata(source.data)
    identity = metadata_identity(facts) if facts is not None else source.sha256
    return Parsed(facts=facts, problems=problems, identity=identity)
