"""DMP feeding evidence: ITI-41 submissions (Kind.XDS_SUBMISSION) and RegistryResponses.

A submission is a SOAP 1.2 envelope, plain or MTOM (multipart/related with XOP
includes).  Real traces are often pasted into text files and lose their HTTP headers
or get indented; the MIME reader here is tolerant: it finds the boundary from the
first ``--`` line, accepts indented boundary and header lines and leading spaces
before ``<?xml``, and reports each such defect as a problem instead of failing.

Facts: the ebRIM metadata (``ebrim.read_submission``), each submitted document's bytes
digest/size (and its CDA facts when it is a CDA), and the VIHF assertion (attributes,
signature verification).  Children: each document (sniffed, so CDAs become CDA items)
and the VIHF signer certificate (Kind.CERTIFICATE, DER) for the PKI rules.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from ..claims import IdentityOccurrence, SoftwareClaim, Traits
from ..model import Kind, Problem
from ..xmldsig import SignatureCheck, verify_enveloped
from .base import Child, Parsed, Source, parser, xml_identity
from .cda import CdaFacts, read_cda_bytes
from .ebrim import SubmissionMetadata, read_submission
from .xml import XmlError, child, children, local_name, parse_xml, path_of

XOP = "http://www.w3.org/2004/08/xop/include"
CX = re.compile(r"^(?P<id>[^\^]*)\^\^\^(?P<name>[^&\^]*)&(?P<oid>[^&\^]*)&(?P<type>[^\^]*)(?:\^(?P<code>[^\^]*))?")


@dataclass(frozen=True)
class CxId:
    """An HL7 CX identifier ``id^^^&OID&ISO^NH``."""

    id: str
    oid: str
    oid_type: str
    type_code: str

    @staticmethod
    def parse(value: str) -> CxId | None:
        match = CX.match(value.strip())
        if match is None:
            return None
        return CxId(match["id"], match["oid"], match["type"], match["code"] or "")


@dataclass(frozen=True)
class MimePart:
    headers: Mapping[str, str]
    body: bytes
    content_id: str


@dataclass(frozen=True)
class XdsDocument:
    """A submitted document: its bytes as the repository would store them."""

    id: str
    location: str
    size: int
    sha1: str
    source: str  # xop | inline | missing
    cda: CdaFacts | None = None
    problem: str = ""


@dataclass(frozen=True)
class Vihf:
    """The VIHF SAML assertion carried in wsse:Security."""

    location: str
    version: str
    issuer: str
    name_id: str
    attributes: Mapping[str, tuple[str, ...]]
    signature: SignatureCheck
    signer_subject: str = ""
    signer_issuer: str = ""
    signer_can_sign: bool = False  # KeyUsage digitalSignature or nonRepudiation, not a CA

    def first(self, name: str) -> str:
        values = self.attributes.get(name, ())
        return values[0] if values else ""


@dataclass(frozen=True)
class XdsSubmissionFacts:
    metadata: SubmissionMetadata
    documents: tuple[XdsDocument, ...]
    vihf: Vihf | None
    action: str
    message_id: str
    mtom: bool
    identities: tuple[IdentityOccurrence, ...] = ()
    software: tuple[SoftwareClaim, ...] = ()
    problems: tuple[str, ...] = ()

    def document(self, entry_id: str) -> XdsDocument | None:
        return next((d for d in self.documents if d.id == entry_id), None)


@dataclass(frozen=True)
class XdsResponseFacts:
    status: str  # the full ebRS status URN
    errors: tuple[str, ...]
    relates_to: str
    location: str
    identities: tuple[IdentityOccurrence, ...] = field(default_factory=tuple)

    @property
    def success(self) -> bool:
        return self.status.endswith(":Success")


# ---------------------------------------------------------------- MIME (tolerant)
def _header_map(lines: list[bytes]) -> dict[str, str]:
    headers: dict[str, str] = {}
    last = ""
    for raw in lines:
        line = raw.decode("latin-1").rstrip("\r")
        if line[:1] in (" ", "\t") and last and ":" not in line.strip().split(" ", 1)[0]:
            headers[last] += " " + line.strip()
            continue
        name, _, value = line.strip().partition(":")
        if name:
            last = name.strip().lower()
            headers[last] = value.strip()
    return headers


def split_multipart(data: bytes, boundary: str = "") -> tuple[list[MimePart], list[str]]:
    """Split a multipart body, tolerating indentation; returns parts and defects."""
    problems: list[str] = []
    lines = data.split(b"\n")
    if not boundary:
        first = next((ln.strip() for ln in lines if ln.strip()), b"")
        if not first.startswith(b"--"):
            return [], ["no MIME boundary line found"]
        boundary = first[2:].decode("latin-1").strip()
    marker = b"--" + boundary.encode("latin-1")
    parts: list[MimePart] = []
    current: list[bytes] | None = None
    indented = 0
    closed = False

    def finish(chunk: list[bytes]) -> None:
        blank = next((i for i, ln in enumerate(chunk) if not ln.strip()), None)
        if blank is None:
            problems.append("a MIME part has no blank line between headers and body")
            return
        header_lines = chunk[:blank]
        if any(ln[:1] in (b" ", b"\t") for ln in header_lines):
            problems.append("MIME part headers are indented")
        headers = _header_map(header_lines)
        body = b"\n".join(chunk[blank + 1:])
        if body.endswith(b"\r"):
            body = body[:-1]
        content_id = urllib.parse.unquote(headers.get("content-id", "").strip().strip("<>"))
        parts.append(MimePart(headers, body, content_id))

    for line in lines:
        stripped = line.strip()
        if stripped in (marker, marker + b"--"):
            if line[:1] in (b" ", b"\t"):
                indented += 1
            if current is not None:
                finish(current)
            current = None if stripped.endswith(b"--") and stripped != marker else []
            if current is None:
                closed = True
                break
            continue
        if current is not None:
            current.append(line)
    if current:
        finish(current)
    if indented:
        problems.append(f"{indented} MIME boundary line(s) are indented (not at column 0)")
    if not closed:
        problems.append("the multipart body has no closing boundary")
    if b"\r\n" not in data[:2000]:
        problems.append("MIME lines end with LF instead of CRLF")
    return parts, problems


def _decode_part(part: MimePart, problems: list[str]) -> bytes:
    encoding = part.headers.get("content-transfer-encoding", "binary").strip().lower()
    if encoding == "base64":
        try:
            return base64.b64decode(b"".join(part.body.split()), validate=True)
        except (binascii.Error, ValueError):
            problems.append(f"part <{part.content_id}> is declared base64 but does not decode")
            return part.body
    return part.body


def _http_boundary(data: bytes) -> tuple[str, bytes]:
    """Boundary from leading HTTP/MIME headers when present (and the body after them)."""
    head = data[:4096].decode("latin-1")
    if not re.match(r"(?i)\s*(content-type|mime-version|post|http)", head):
        return "", data
    match = re.search(r'(?i)boundary="?([^";\r\n]+)"?', head)
    end = data.find(b"\r\n\r\n")
    end = end + 4 if end >= 0 else data.find(b"\n\n") + 2
    return (match.group(1).strip() if match else ""), data[end:] if end > 1 else data


# ---------------------------------------------------------------- VIHF
def _attribute_values(attribute: etree._Element) -> tuple[str, ...]:
    values: list[str] = []
    for value in children(attribute, "AttributeValue"):
        nested = [c for c in value if isinstance(c.tag, str)]
        if nested:
            values.append(nested[0].get("code", "") or "".join(str(t) for t in nested[0].itertext()).strip())
        else:
            values.append((value.text or "").strip())
    return tuple(values)


def _child_text(element: etree._Element | None, name: str) -> str:
    found = child(element, name) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _read_vihf(assertion: etree._Element) -> Vihf:
    attributes: dict[str, tuple[str, ...]] = {}
    for statement in children(assertion, "AttributeStatement"):
        for attribute in children(statement, "Attribute"):
            attributes[attribute.get("Name", "")] = attributes.get(attribute.get("Name", ""), ()) + _attribute_values(
                attribute)
    subject = child(assertion, "Subject")
    signature = verify_enveloped(assertion)
    signer_subject = signer_issuer = ""
    can_sign = False
    if signature.certificate_der:
        from cryptography import x509

        cert = x509.load_der_x509_certificate(signature.certificate_der)
        signer_subject, signer_issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
        try:
            usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
            can_sign = usage.digital_signature or usage.content_commitment
        except x509.ExtensionNotFound:
            can_sign = True  # no KeyUsage: not restricted (PKI-USAGE judges the profile)
        try:
            if cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
                can_sign = False
        except x509.ExtensionNotFound:
            pass
    version = attributes.get("VIHF_Version", ("",))
    return Vihf(
        location=path_of(assertion),
        version=version[0] if version else "",
        issuer=_child_text(assertion, "Issuer"),
        name_id=_child_text(subject, "NameID"),
        attributes=attributes,
        signature=signature,
        signer_subject=signer_subject,
        signer_issuer=signer_issuer,
        signer_can_sign=can_sign,
    )


# ---------------------------------------------------------------- identities
def _pid_traits(values: tuple[str, ...]) -> Traits | None:
    fields: dict[str, str] = {}
    for value in values:
        key, _, rest = value.partition("|")
        fields[key.strip()] = rest.strip()
    if not fields:
        return None
    name = fields.get("PID-5", "").split("^")
    dob = fields.get("PID-7", "")
    address = fields.get("PID-11", "").split("^")
    return Traits(
        birth_name=name[0] if name else "",
        first_name=(name[1].split(" ")[0] if len(name) > 1 else ""),
        given_list=name[1] if len(name) > 1 else "",
        sex=fields.get("PID-8", ""),
        birth_date=f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) >= 8 and dob[:8].isdigit() else "",
        birth_place=address[8] if len(address) > 8 else "",
    )


def _occurrence(value: str, location: str, source: str, traits: Traits | None = None) -> IdentityOccurrence | None:
    cx = CxId.parse(value)
    if cx is None:
        return None
    return IdentityOccurrence(matricule=cx.id, oid=cx.oid, location=location, source=source, traits=traits)


def _identities(meta: SubmissionMetadata, vihf: Vihf | None) -> tuple[IdentityOccurrence, ...]:
    found: list[IdentityOccurrence | None] = []
    for obj in (*meta.submission_sets, *meta.entries):
        found.append(_occurrence(obj.patient_id, obj.location, "xds-patientId"))
        info = obj.slots.get("sourcePatientInfo", ())
        for spid in obj.slots.get("sourcePatientId", ()):
            found.append(_occurrence(spid, obj.location, "xds-sourcePatientId"))
        if info:
            traits = _pid_traits(info)
            base = _occurrence(obj.patient_id, obj.location, "xds-sourcePatientInfo", traits)
            found.append(base)
    if vihf is not None:
        for value in vihf.attributes.get("urn:oasis:names:tc:xacml:2.0:resource:resource-id", ()):
            found.append(_occurrence(value, vihf.location, "vihf-resource-id"))
    return tuple(o for o in found if o is not None)


# ---------------------------------------------------------------- parsers
def _envelope(source: Source) -> tuple[etree._Element | None, dict[str, bytes], bool, list[str]]:
    """The SOAP envelope root, the MIME parts by Content-ID, whether MTOM, problems."""
    problems: list[str] = []
    data = source.data
    lead = data.lstrip()
    if lead.startswith(b"<"):
        if data[:1] != b"<" and not data.startswith(b"\xef\xbb\xbf<"):
            problems.append("leading whitespace before the XML declaration")
        try:
            return parse_xml(data), {}, False, problems
        except XmlError as exc:
            return None, {}, False, [f"not well-formed XML: {exc}"]
    boundary, body = _http_boundary(data)
    parts, mime_problems = split_multipart(body, boundary)
    problems += mime_problems
    if not parts:
        return None, {}, True, problems or ["no MIME part found"]
    by_cid = {p.content_id: _decode_part(p, problems) for p in parts[1:]}
    main = next((p for p in parts if "xop+xml" in p.headers.get("content-type", "")), parts[0])
    for p in parts:
        if p is not main:
            by_cid[p.content_id] = _decode_part(p, problems)
    main_bytes = _decode_part(main, problems)
    if main_bytes.lstrip()[:1] == b"<" and main_bytes[:1] != b"<":
        problems.append(f"part <{main.content_id}>: leading whitespace before the XML declaration")
    try:
        return parse_xml(main_bytes), by_cid, True, problems
    except XmlError as exc:
        return None, by_cid, True, [*problems, f"the SOAP part is not well-formed XML: {exc}"]


_Found = tuple[str, str, bytes | None, str]


def _documents(request: etree._Element, parts: dict[str, bytes], problems: list[str]) -> list[_Found]:
    found: list[_Found] = []
    for document in children(request, "Document"):
        doc_id = document.get("id", "")
        include = document.find(f"{{{XOP}}}Include")
        if include is not None:
            href = urllib.parse.unquote(include.get("href", ""))
            cid = href[4:] if href.startswith("cid:") else href
            data = parts.get(cid)
            if data is None:
                problems.append(f"document {doc_id}: xop:Include {href!r} names no MIME part")
            found.append((doc_id, path_of(document), data, "xop"))
        else:
            try:
                data = base64.b64decode("".join((document.text or "").split()), validate=True)
                found.append((doc_id, path_of(document), data, "inline"))
            except (binascii.Error, ValueError):
                problems.append(f"document {doc_id}: inline content is not base64")
                found.append((doc_id, path_of(document), None, "inline"))
    return found


@parser(Kind.XDS_SUBMISSION)
def parse_submission(source: Source) -> Parsed:
    root, parts, mtom, problems = _envelope(source)
    if root is None:
        return Parsed(problems=[Problem(p) for p in problems], identity=source.sha256)
    request = next((e for e in root.iter() if isinstance(e.tag, str)
                    and local_name(e) == "ProvideAndRegisterDocumentSetRequest"), None)
    if request is None:
        return Parsed(problems=[Problem(p) for p in [*problems, "no ProvideAndRegisterDocumentSetRequest"]],
                      identity=source.sha256)
    metadata = read_submission(request)
    problems = list(dict.fromkeys([*problems, *metadata.problems]))
    children_out: list[Child] = []
    documents: list[XdsDocument] = []
    for doc_id, location, data, origin in _documents(request, parts, problems):
        if data is None:
            documents.append(XdsDocument(doc_id, location, 0, "", "missing", problem="content not found"))
            continue
        entry = metadata.entry(doc_id)
        cda = read_cda_bytes(data) if entry is None or "xml" in entry.mime_type or data.lstrip()[:1] == b"<" else None
        documents.append(XdsDocument(doc_id, location, len(data), hashlib.sha1(data).hexdigest(), origin, cda))
        if cda is not None or b"ClinicalDocument" in data[:4096]:
            # CDAs become evidence of their own (sniffed, so CDA rules apply); other
            # documents (DICOM KOS, DSG signatures) are judged here through hash/size.
            children_out.append(Child(name=f"{doc_id}", data=data))
    header = child(root, "Header")
    assertion = None
    if header is not None:
        assertion = next((e for e in header.iter() if isinstance(e.tag, str) and local_name(e) == "Assertion"), None)
    vihf = _read_vihf(assertion) if assertion is not None else None
    if vihf is not None and vihf.signature.certificate_der:
        children_out.append(Child(name="vihf-signer.cer", data=vihf.signature.certificate_der, kind=Kind.CERTIFICATE))
    action = message_id = ""
    if header is not None:
        action = _child_text(header, "Action")
        message_id = _child_text(header, "MessageID")
    software: tuple[SoftwareClaim, ...] = ()
    if vihf is not None and (vihf.first("LPS_Nom") or vihf.first("LPS_Version")):
        software = (SoftwareClaim(vihf.first("LPS_Nom"), vihf.first("LPS_Version"), vihf.location, "vihf"),)
    facts = XdsSubmissionFacts(
        metadata=metadata, documents=tuple(documents), vihf=vihf, action=action, message_id=message_id,
        mtom=mtom, identities=_identities(metadata, vihf), software=software, problems=tuple(problems),
    )
    identity = hashlib.sha256(
        ("xds\n" + "\n".join(sorted(s.unique_id for s in metadata.submission_sets))
         + "\n" + "\n".join(sorted(e.unique_id for e in metadata.entries))).encode()
    ).hexdigest() if metadata.submission_sets else xml_identity(source)
    return Parsed(facts=facts, problems=[Problem(p) for p in problems], children=children_out, identity=identity)


@parser(Kind.XDS_RESPONSE)
def parse_response(source: Source) -> Parsed:
    root, _, _, problems = _envelope(source)  # plain XML or an MTOM multipart answer
    if root is None:
        return Parsed(problems=[Problem(p) for p in problems], identity=source.sha256)
    response = root if local_name(root) == "RegistryResponse" else next(
        (e for e in root.iter() if isinstance(e.tag, str) and local_name(e) == "RegistryResponse"), None)
    if response is None:
        return Parsed(problems=[Problem("no RegistryResponse element")], identity=source.sha256)
    errors = tuple(
        f"{e.get('errorCode', '')}: {e.get('codeContext', '')}".strip(": ")
        for e in response.iter() if isinstance(e.tag, str) and local_name(e) == "RegistryError"
    )
    relates = next((e for e in root.iter() if isinstance(e.tag, str) and local_name(e) == "RelatesTo"), None)
    facts = XdsResponseFacts(
        status=response.get("status", ""), errors=errors,
        relates_to=(relates.text or "").strip() if relates is not None else "", location=path_of(response),
    )
    return Parsed(facts=facts, problems=[Problem(p) for p in problems], identity=xml_identity(source))
