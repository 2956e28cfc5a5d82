"""Reading certificates and CRLs into plain facts.

Bundles hold certificates in every shape users export them: PEM with OpenSSL
``Bag Attributes`` preambles, several PEM blocks in one file, raw DER, PKCS#7
(``.p7b``) chains in PEM or DER.  Each certificate becomes a ``CertInfo`` that holds
what the rules look at, plus the loaded ``cryptography`` object (not compared, not
printed) so chain building verifies signatures without parsing twice.

Private key blocks met on the way are only *counted by label*: their content is
never decoded, never kept.
"""

from __future__ import annotations

import binascii
import contextlib
import datetime as dt
import hashlib
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from .der import DerError, SignedParts, basic_constraints_ca, certificate_parts, name_attributes

PRODUCT_CATEGORY_OID = "1.2.250.1.71.1.2.5"
_PRODUCT_CATEGORY = x509.ObjectIdentifier(PRODUCT_CATEGORY_OID)
_CN, _OU, _O = b"\x55\x04\x03", b"\x55\x04\x0b", b"\x55\x04\x0a"
_DOTTED = {_CN: b"2.5.4.3", _OU: b"2.5.4.11", _O: b"2.5.4.10"}

_PEM_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 #]+)-----\s*(.*?)-----END \1-----", re.DOTALL
)
CERT_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"})
PKCS7_LABELS = frozenset({"PKCS7", "PKCS #7 SIGNED DATA", "CMS", "CERTIFICATE CHAIN"})
CRL_LABELS = frozenset({"X509 CRL", "CRL"})
KEY_LABEL_SUFFIX = "PRIVATE KEY"

_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH.dotted_string: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string: "clientAuth",
    ExtendedKeyUsageOID.EMAIL_PROTECTION.dotted_string: "emailProtection",
    ExtendedKeyUsageOID.CODE_SIGNING.dotted_string: "codeSigning",
    ExtendedKeyUsageOID.TIME_STAMPING.dotted_string: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING.dotted_string: "OCSPSigning",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE.dotted_string: "anyExtendedKeyUsage",
    "1.3.6.1.4.1.311.20.2.2": "msSmartcardLogin",
}
_KU_FIELDS = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)


@dataclass(frozen=True)
class PemBlock:
    label: str
    body: bytes  # DER, already base64-decoded (never kept for key labels)


def pem_blocks(data: bytes) -> list[tuple[str, bytes | None]]:
    """Every PEM block of a text: (label, DER or None when the base64 is broken).

    Text around the blocks (``Bag Attributes``, ``subject=`` lines) is ignored.
    Private-key blocks are reported with ``None`` content: never decoded.
    """
    found: list[tuple[str, bytes | None]] = []
    for match in _PEM_BLOCK.finditer(data):
        label = match.group(1).decode("ascii", "replace").strip()
        if label.endswith(KEY_LABEL_SUFFIX):
            found.append((label, None))
            continue
        body = match.group(2)
        # RFC 1421 headers (Proc-Type...) sit before a blank line: drop them.
        if b":" in body[: body.find(b"\n")]:
            body = body.split(b"\n\n", 1)[-1] if b"\n\n" in body else body
        try:
            # Non-strict base64 skips line breaks and blanks at C speed; a corrupted body
            # decodes to bytes that then fail to load, which is reported.
            found.append((label, binascii.a2b_base64(body)))
        except (binascii.Error, ValueError):
            found.append((label, None))
    return found


def key_labels(data: bytes) -> tuple[str, ...]:
    """Labels of the private-key PEM blocks in a text (content never read)."""
    return tuple(label for label, _ in pem_blocks(data) if label.endswith(KEY_LABEL_SUFFIX))


def _cn(name: x509.Name) -> str:
    values = [str(a.value) for a in name.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return "+".join(values)


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> tuple[str, ...]:
    return tuple(str(a.value) for a in name.get_attributes_for_oid(oid))


def _key_description(cert: x509.Certificate) -> tuple[str, int]:
    try:
        key = cert.public_key()
    except (ValueError, TypeError):  # unsupported or malformed key
        return "unknown", 0
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}", key.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456
    return type(key).__name__, 0


def _uris(names: Iterable[x509.GeneralName]) -> list[str]:
    return [n.value for n in names if isinstance(n, x509.UniformResourceIdentifier)]


class CertInfo:
    """The facts of one certificate (one per certificate, even inside a bundle file).

    Built cheaply (a load and a hash); every other fact is decoded on first use and
    kept, so a certificate whose environment is settled by its issuer DN never has
    its policies decoded, and names are turned into strings only when a message
    needs them.  ``cert`` is the loaded ``cryptography`` object (never printed).
    """

    def __init__(self, cert: x509.Certificate, der: bytes, index: int = 0):
        self.cert = cert
        self.der = der
        self.index = index
        self.fingerprint = hashlib.sha256(der).hexdigest().upper()
        self._cache: dict[str, Any] = {}
        try:
            parts: SignedParts | None = certificate_parts(der)
        except DerError:
            parts = None
        self.parts = parts

    def __repr__(self) -> str:
        return f"CertInfo({self.subject_cn!r}, {self.fingerprint[:16]})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CertInfo) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def _get(self, key: str, compute: Any) -> Any:
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = compute()
            return value

    # Names -------------------------------------------------------------------
    @property
    def subject_der(self) -> bytes:
        return self.parts.subject if self.parts else self.cert.subject.public_bytes()

    @property
    def issuer_der(self) -> bytes:
        return self.parts.issuer if self.parts else self.cert.issuer.public_bytes()

    @property
    def subject(self) -> str:
        return str(self._get("subject", lambda: self.cert.subject.rfc4514_string()))

    @property
    def issuer(self) -> str:
        return str(self._get("issuer", lambda: self.cert.issuer.rfc4514_string()))

    def _attrs(self, which: str, oid: bytes) -> tuple[str, ...]:
        """Values of one attribute of the subject or issuer, decoded from the raw DER
        (``cryptography``'s Name objects only when the raw walk fails)."""

        def compute() -> list[tuple[bytes, str]]:
            raw = self.subject_der if which == "subject" else self.issuer_der
            try:
                return name_attributes(raw)
            except (DerError, IndexError, UnicodeDecodeError):
                name = self.cert.subject if which == "subject" else self.cert.issuer
                return [(a.oid.dotted_string.encode(), str(a.value)) for a in name]

        pairs: list[tuple[bytes, str]] = self._get(which + "_attrs", compute)
        wanted = (oid, _DOTTED[oid])
        return tuple(value for key, value in pairs if key in wanted)

    @property
    def subject_cn(self) -> str:
        return "+".join(self._attrs("subject", _CN))

    @property
    def issuer_cn(self) -> str:
        return "+".join(self._attrs("issuer", _CN))

    @property
    def subject_ou(self) -> tuple[str, ...]:
        return self._attrs("subject", _OU)

    @property
    def subject_o(self) -> tuple[str, ...]:
        return self._attrs("subject", _O)

    @property
    def issuer_ou(self) -> tuple[str, ...]:
        return self._attrs("issuer", _OU)

    @property
    def issuer_o(self) -> tuple[str, ...]:
        return self._attrs("issuer", _O)

    @property
    def self_issued(self) -> bool:
        return self.subject_der == self.issuer_der

    # Validity, key, signature -----------------------------------------------------
    @property
    def serial(self) -> int:
        return int(self.cert.serial_number)

    @property
    def serial_hex(self) -> str:
        text = f"{self.serial:X}"
        return text if len(text) % 2 == 0 else "0" + text

    @property
    def not_before(self) -> dt.datetime:
        return self.cert.not_valid_before_utc

    @property
    def not_after(self) -> dt.datetime:
        return self.cert.not_valid_after_utc

    @property
    def key_type(self) -> str:
        return str(self._get("key", lambda: _key_description(self.cert))[0])

    @property
    def key_bits(self) -> int:
        return int(self._get("key", lambda: _key_description(self.cert))[1])

    @property
    def signature_hash(self) -> str:
        def compute() -> str:
            try:
                algorithm = self.cert.signature_hash_algorithm
            except Exception:  # unsupported algorithm: cryptography raises UnsupportedAlgorithm
                return ""
            return algorithm.name if isinstance(algorithm, hashes.HashAlgorithm) else ""

        return str(self._get("sig_hash", compute))

    # Extensions ----------------------------------------------------------------
    @property
    def _extensions(self) -> dict[x509.ObjectIdentifier, x509.Extension[x509.ExtensionType]]:
        def compute() -> dict[x509.ObjectIdentifier, x509.Extension[x509.ExtensionType]]:
            try:
                return {e.oid: e for e in self.cert.extensions}
            except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType):
                return {}

        found: dict[x509.ObjectIdentifier, x509.Extension[x509.ExtensionType]] = self._get("extensions", compute)
        return found

    def _ext_value(self, oid: x509.ObjectIdentifier) -> object:
        ext = self._extensions.get(oid)
        return ext.value if ext is not None else None

    @property
    def is_ca(self) -> bool:
        if self.parts is not None and "extensions" not in self._cache:
            try:
                raw = basic_constraints_ca(self.parts.tbs)
            except DerError:
                raw = None
            if raw is not None:
                return raw
        bc = self._ext_value(ExtensionOID.BASIC_CONSTRAINTS)
        return isinstance(bc, x509.BasicConstraints) and bc.ca

    @property
    def end_entity(self) -> bool:
        return not self.is_ca

    @property
    def key_usage(self) -> tuple[str, ...]:
        ku = self._ext_value(ExtensionOID.KEY_USAGE)
        if not isinstance(ku, x509.KeyUsage):
            return ()
        usages = [f for f in _KU_FIELDS if getattr(ku, f)]
        if ku.key_agreement:
            usages += [f for f in ("encipher_only", "decipher_only") if getattr(ku, f)]
        return tuple(usages)

    @property
    def ext_key_usage(self) -> tuple[str, ...]:
        eku = self._ext_value(ExtensionOID.EXTENDED_KEY_USAGE)
        if not isinstance(eku, x509.ExtendedKeyUsage):
            return ()
        return tuple(_EKU_NAMES.get(o.dotted_string, o.dotted_string) for o in eku)

    @property
    def policies(self) -> tuple[str, ...]:
        cp = self._ext_value(ExtensionOID.CERTIFICATE_POLICIES)
        if not isinstance(cp, x509.CertificatePolicies):
            return ()
        return tuple(info.policy_identifier.dotted_string for info in cp)

    @property
    def cps_uris(self) -> tuple[str, ...]:
        cp = self._ext_value(ExtensionOID.CERTIFICATE_POLICIES)
        if not isinstance(cp, x509.CertificatePolicies):
            return ()
        return tuple(q for info in cp for q in info.policy_qualifiers or () if isinstance(q, str))

    @property
    def crl_uris(self) -> tuple[str, ...]:
        cdp = self._ext_value(ExtensionOID.CRL_DISTRIBUTION_POINTS)
        if not isinstance(cdp, x509.CRLDistributionPoints):
            return ()
        return tuple(uri for point in cdp for uri in _uris(point.full_name or ()))

    @property
    def product_category(self) -> int | None:
        """Value of 1.2.250.1.71.1.2.5 (high bit = TEST), an OCTET STRING of one byte."""
        private = self._extensions.get(_PRODUCT_CATEGORY)
        if private is None or not isinstance(private.value, x509.UnrecognizedExtension):
            return None
        raw = private.value.value
        if len(raw) == 3 and raw[0] == 0x04 and raw[1] == 1:
            return raw[2]
        return raw[0] if len(raw) == 1 else None

    @property
    def ski(self) -> str:
        ski = self._ext_value(ExtensionOID.SUBJECT_KEY_IDENTIFIER)
        return ski.digest.hex().upper() if isinstance(ski, x509.SubjectKeyIdentifier) else ""

    @property
    def aki(self) -> str:
        aki = self._ext_value(ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
        return (aki.key_identifier or b"").hex().upper() if isinstance(aki, x509.AuthorityKeyIdentifier) else ""

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:16]


def cert_info(cert: x509.Certificate, index: int = 0, der: bytes | None = None) -> CertInfo:
    """Facts of one loaded certificate (cheap: the rest is decoded on demand)."""
    return CertInfo(cert, der if der is not None else cert.public_bytes(serialization.Encoding.DER), index)


@dataclass(frozen=True)
class ReadOutcome:
    """What a certificate file held: certificates, what could not be read, key labels."""

    certs: tuple[CertInfo, ...]
    problems: tuple[str, ...]
    key_labels: tuple[str, ...]


def _load_one_der(der: bytes) -> list[x509.Certificate] | None:
    try:
        return [x509.load_der_x509_certificate(der)]
    except ValueError:
        pass
    try:
        with warnings.catch_warnings():  # BER-encoded real .p7b files: accepted, not noisy
            warnings.simplefilter("ignore")
            return list(pkcs7.load_der_pkcs7_certificates(der))
    except ValueError:
        return None


def read_certificates(data: bytes) -> ReadOutcome:
    """Every certificate of a PEM text (any number of blocks), DER cert or PKCS#7."""
    problems: list[str] = []
    loaded: list[tuple[x509.Certificate, bytes | None]] = []
    labels: list[str] = []
    if b"-----BEGIN " in data:
        for number, (label, der) in enumerate(pem_blocks(data), start=1):
            if label.endswith(KEY_LABEL_SUFFIX):
                labels.append(label)
                continue
            if label in CRL_LABELS:
                continue  # a CRL beside certificates: the CRL parser reads it
            if der is None:
                problems.append(f"PEM block {number} ({label}): invalid base64")
                continue
            if label in CERT_LABELS:
                certs = _load_one_der(der) if label != "TRUSTED CERTIFICATE" else _load_trusted(der)
            elif label in PKCS7_LABELS:
                certs = _load_one_der(der)
            else:
                problems.append(f"PEM block {number}: unexpected label {label}")
                continue
            if not certs:
                problems.append(f"PEM block {number} ({label}): not a readable X.509 certificate")
                continue
            loaded.extend((c, der if len(certs) == 1 and label in CERT_LABELS else None) for c in certs)
    else:
        certs = _load_one_der(data)
        if certs is None:
            problems.append("not a readable DER certificate or PKCS#7 chain")
        else:
            loaded.extend((c, data if len(certs) == 1 else None) for c in certs)
            if not certs:
                problems.append("PKCS#7 structure holds no certificate")
    infos: list[CertInfo] = []
    for i, (cert, der) in enumerate(loaded):
        try:
            infos.append(cert_info(cert, index=i, der=der))
        except Exception as exc:  # a certificate cryptography loads but cannot describe
            problems.append(f"certificate {i + 1}: cannot be read ({type(exc).__name__})")
    return ReadOutcome(tuple(infos), tuple(problems), tuple(labels))


def _load_trusted(der: bytes) -> list[x509.Certificate] | None:
    """OpenSSL ``TRUSTED CERTIFICATE``: a certificate followed by trust settings."""
    try:
        return [x509.load_der_x509_certificate(der)]
    except ValueError:
        pass
    # The certificate is the first DER element: read its length and cut.
    if len(der) > 4 and der[0] == 0x30 and der[1] & 0x80:
        n = der[1] & 0x7F
        length = int.from_bytes(der[2 : 2 + n], "big") + 2 + n
        try:
            return [x509.load_der_x509_certificate(der[:length])]
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class CrlInfo:
    """The facts of one CRL.  Entries are not decoded here: ``revocation.CrlIndex``
    indexes them once, from ``der``, when the CRL's signature has been verified."""

    issuer: str
    issuer_cn: str
    number: int | None
    this_update: dt.datetime
    next_update: dt.datetime | None
    entries: int
    aki: str = ""
    fingerprint: str = ""
    index: int = 0
    der: bytes = field(default=b"", compare=False, repr=False)
    crl: x509.CertificateRevocationList | None = field(default=None, compare=False, repr=False)


def crl_info(crl: x509.CertificateRevocationList, index: int = 0, der: bytes | None = None) -> CrlInfo:
    der = der if der is not None else crl.public_bytes(serialization.Encoding.DER)
    number: int | None = None
    aki = ""
    with contextlib.suppress(x509.ExtensionNotFound, ValueError):
        number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    try:
        ident = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
        aki = (ident or b"").hex().upper()
    except (x509.ExtensionNotFound, ValueError):
        pass
    return CrlInfo(
        issuer=crl.issuer.rfc4514_string(),
        issuer_cn=_cn(crl.issuer),
        number=number,
        this_update=crl.last_update_utc,
        next_update=crl.next_update_utc,
        entries=len(crl),
        aki=aki,
        fingerprint=hashlib.sha256(der).hexdigest().upper(),
        index=index,
        der=der,
        crl=crl,
    )


def read_crls(data: bytes) -> tuple[tuple[CrlInfo, ...], tuple[str, ...]]:
    """Every CRL of a PEM text (several blocks allowed) or one DER CRL."""
    problems: list[str] = []
    ders: list[bytes] = []
    if b"-----BEGIN " in data:
        for number, (label, der) in enumerate(pem_blocks(data), start=1):
            if label not in CRL_LABELS:
                continue
            if der is None:
                problems.append(f"PEM block {number} ({label}): invalid base64")
            else:
                ders.append(der)
        if not ders and not problems:
            problems.append("no X509 CRL block")
    else:
        ders.append(data)
    infos: list[CrlInfo] = []
    for i, der in enumerate(ders):
        try:
            infos.append(crl_info(x509.load_der_x509_crl(der), index=len(infos), der=der))
        except Exception as exc:  # malformed CRL content
            problems.append(f"CRL {i + 1}: not a readable X.509 CRL ({type(exc).__name__})")
    return tuple(infos), tuple(problems)
