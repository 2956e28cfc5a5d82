"""Classifying evidence by content (BUNDLE.md): never by extension or folder.

Order matters: the cheap, unambiguous signatures first (PEM labels, ZIP magic, DER
structures), then XML by root element and namespace, then MIME messages, then CSV.
A file that looks like a kind but is broken (a truncated CDA, a SOAP envelope that
is not well-formed) keeps that kind, so the kind's rules can report it.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7

from ..model import Kind
from .base import Source
from .xml import child, descendants, local_name, namespace

HL7_NS = "urn:hl7-org:v3"
XSL_NS = "http://www.w3.org/1999/XSL/Transform"
USAGE_HEADER = "timestamp,channel,status,document_type,ins_status"

# PEM armour: the label at the start of a line, followed by base64 on the next line
# (so a README quoting "-----BEGIN CERTIFICATE-----" in prose is not a certificate).
_PEM_BODY = rb"-----[ \t]*\r?\n(?:[A-Za-z0-9-]+:.*\r?\n)*\s*[A-Za-z0-9+/=]{16,}"
_PEM_KEY = re.compile(rb"(?m)^-----BEGIN (?:RSA |EC |DSA |ENCRYPTED |OPENSSH )?PRIVATE KEY" + _PEM_BODY)
_PEM_CRL = re.compile(rb"(?m)^-----BEGIN X509 CRL" + _PEM_BODY)
_PEM_CERT = re.compile(rb"(?m)^-----BEGIN (?:CERTIFICATE|X509 CERTIFICATE|TRUSTED CERTIFICATE|PKCS7|CMS)" + _PEM_BODY)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]?.*$")
_XDM_METADATA = re.compile(r"^(?:.*/)?IHE_XDM/[^/]+/METADATA\.XML$", re.IGNORECASE)

# OIDs recognised in DER without a full ASN.1 parser.
_OID_PKCS7_DATA = bytes.fromhex("06092a864886f70d010701")  # 1.2.840.113549.1.7.1 (PKCS#12 authSafe)
_OID_PBES2 = bytes.fromhex("06092a864886f70d01050d")  # 1.2.840.113549.1.5.13 (encrypted PKCS#8)
_KEY_ALGORITHM_OIDS = (
    bytes.fromhex("06092a864886f70d010101"),  # rsaEncryption
    bytes.fromhex("06092a864886f70d01010a"),  # RSASSA-PSS
    bytes.fromhex("06072a8648ce3d0201"),  # id-ecPublicKey
    bytes.fromhex("06032b6570"),  # Ed25519
    bytes.fromhex("06032b6571"),  # Ed448
)


def sniff(source: Source) -> Kind:
    """The evidence kind of a source, decided from its content."""
    head = source.head(1 << 18)
    if not head:
        return Kind.UNKNOWN
    kind = _sniff_pem(source, head)
    if kind is not None:
        return kind
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(source)
    if head[0] == 0x30:
        kind = _sniff_der(source)
        if kind is not None:
            return kind
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return _sniff_xml(source, head)
    if stripped.startswith(b"--") and b"ProvideAndRegisterDocumentSetRequest" in head:
        return Kind.XDS_SUBMISSION
    if stripped.startswith(b"--") and b"RegistryResponse" in head:
        return Kind.XDS_RESPONSE
    names = _header_names(stripped)
    if names is not None:
        if b"multipart/related" in head.lower():  # an HTTP capture of an MTOM exchange
            if b"ProvideAndRegisterDocumentSetRequest" in head:
                return Kind.XDS_SUBMISSION
            if b"RegistryResponse" in head:
                return Kind.XDS_RESPONSE
        if b"from" in names and names & {b"to", b"subject", b"date", b"mime-version"}:
            return Kind.MSS_MESSAGE
    first_line = stripped.split(b"\n", 1)[0].strip().decode("utf-8", "replace").replace(" ", "").lower()
    if first_line == USAGE_HEADER:
        return Kind.USAGE_EXPORT
    return Kind.UNKNOWN


def _sniff_pem(source: Source, head: bytes) -> Kind | None:
    if b"-----BEGIN" not in head:
        return None
    data = source.data if source.size <= (8 << 20) else head
    if _PEM_KEY.search(data):
        return Kind.PRIVATE_KEY  # a key is a security incident, whatever else is beside it
    if _PEM_CERT.search(data):
        return Kind.CERTIFICATE
    if _PEM_CRL.search(data):
        return Kind.CRL
    return None


def _sniff_zip(source: Source) -> Kind:
    try:
        with zipfile.ZipFile(io.BytesIO(source.data) if source.size <= (256 << 20) else source.open()) as archive:
            names = [info.filename for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return Kind.UNKNOWN
    if any(_XDM_METADATA.match(name) for name in names):
        return Kind.XDM_ARCHIVE
    return Kind.UNKNOWN


def _sniff_der(source: Source) -> Kind | None:
    if source.size > (16 << 20):
        return None
    data = source.data
    try:
        x509.load_der_x509_certificate(data)
        return Kind.CERTIFICATE
    except ValueError:
        pass
    try:
        x509.load_der_x509_crl(data)
        return Kind.CRL
    except ValueError:
        pass
    try:
        with warnings.catch_warnings():  # real p7b files are BER-ordered: accepted quietly
            warnings.simplefilter("ignore")
            pkcs7.load_der_pkcs7_certificates(data)
        return Kind.CERTIFICATE
    except ValueError:
        pass
    # PKCS#12: SEQUENCE { INTEGER 3, ContentInfo { id-data ... } } within the first bytes.
    if b"\x02\x01\x03\x30" in data[:12] and _OID_PKCS7_DATA in data[:40]:
        return Kind.PRIVATE_KEY
    if _OID_PBES2 in data[:32] or _is_der_private_key(data):
        return Kind.PRIVATE_KEY
    return None


def _is_der_private_key(data: bytes) -> bool:
    """Recognise unencrypted DER keys by structure only, never decoding key material:
    PKCS#8 (version 0, then a key algorithm OID), PKCS#1 RSA (version 0, then the
    modulus) and SEC1 EC (version 1, then an OCTET STRING)."""
    if len(data) < 16 or data[0] != 0x30:
        return False
    length_byte = data[1]
    offset = 2 + (length_byte & 0x7F if length_byte & 0x80 else 0)
    body = data[offset : offset + 24]
    if body.startswith(b"\x02\x01\x00\x30"):
        return any(oid in data[offset : offset + 40] for oid in _KEY_ALGORITHM_OIDS)
    return body.startswith((b"\x02\x01\x00\x02\x82", b"\x02\x01\x00\x02\x81", b"\x02\x01\x01\x04"))


def _soap_kind(root_body_child: str, envelope_text_has_siram: bool) -> Kind:
    return {
        "RECSANSVITALE": Kind.INSI_REQUEST,
        "RECVITALE": Kind.INSI_REQUEST,
        "RESULTAT": Kind.INSI_RESPONSE,
        "ProvideAndRegisterDocumentSetRequest": Kind.XDS_SUBMISSION,
        "RegistryResponse": Kind.XDS_RESPONSE,
    }.get(root_body_child, Kind.INSI_FAULT if root_body_child == "Fault" and envelope_text_has_siram else Kind.UNKNOWN)


def _sniff_xml(source: Source, head: bytes) -> Kind:
    root = source.try_xml()
    if root is None:
        return _sniff_broken_xml(head)
    name = local_name(root)
    if name == "Envelope":
        body = child(root, "Body")
        first = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
        if first is None:
            return Kind.UNKNOWN
        has_siram = any(local_name(e) == "Erreur" for e in descendants(first, "Erreur"))
        return _soap_kind(local_name(first), has_siram)
    if name == "ClinicalDocument" and namespace(root) == HL7_NS:
        return Kind.CDA
    if name == "stylesheet" and namespace(root) == XSL_NS:
        if any(namespace(e) == HL7_NS for e in descendants(root, "ClinicalDocument")):
            return Kind.CDA
        return Kind.UNKNOWN
    return {
        "RegistryResponse": Kind.XDS_RESPONSE,
        "SubmitObjectsRequest": Kind.XDM_METADATA,
        "ProvideAndRegisterDocumentSetRequest": Kind.XDS_SUBMISSION,
    }.get(name, Kind.UNKNOWN)


def _sniff_broken_xml(head: bytes) -> Kind:
    """Not well-formed XML (or a namespace-broken fragment): keep the kind it claims to
    be so that its own rules report it (CDA-PARSE, INSI-STRUCTURE, MSS-XDM...)."""
    text = head.decode("utf-8", "replace")
    checks = [
        ("SubmitObjectsRequest", Kind.XDM_METADATA),
        ("ProvideAndRegisterDocumentSetRequest", Kind.XDS_SUBMISSION),
        ("ClinicalDocument", Kind.CDA),
        ("RECSANSVITALE", Kind.INSI_REQUEST),
        ("RECVITALE", Kind.INSI_REQUEST),
        ("RESULTAT", Kind.INSI_RESPONSE),
        ("RegistryResponse", Kind.XDS_RESPONSE),
    ]
    for marker, kind in checks:
        if re.search(rf"<(?:[\w.-]+:)?{marker}[\s>/]", text):
            return kind
    return Kind.UNKNOWN


def _header_names(data: bytes) -> set[bytes] | None:
    """Lower-cased field names of a leading RFC 5322 / HTTP header block, or None when
    the data does not start with one."""
    block = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    lines = block.replace(b"\r\n", b"\n").split(b"\n")
    names: set[bytes] = set()
    for line in lines[:200]:
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            continue  # folded continuation
        if not _HEADER_LINE.match(line):
            return None
        names.add(line.split(b":", 1)[0].strip().lower())
    return names or None
