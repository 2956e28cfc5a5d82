"""Every real file of ../shared/data is recognised as its right kind, by content."""

from __future__ import annotations

from pathlib import Path

import pytest

from segurcheck.evidence.base import Source
from segurcheck.evidence.sniff import sniff
from segurcheck.model import Kind

from .conftest import SHARED_DATA


def expected_kind(rel: str) -> Kind:
    """The kind each real file must get, from what the data READMEs say it is."""
    name = rel.rsplit("/", 1)[-1]
    if rel.startswith("igc-sante/crl/"):
        return Kind.CRL
    if rel.startswith("igc-sante/") and not name.endswith(".md"):
        return Kind.CERTIFICATE
    if rel.startswith("insi/wsdl/") or rel.startswith(("jdv/", "dsr/")) or name.endswith(".md"):
        return Kind.UNKNOWN  # schemas, value sets, requirement data, READMEs: not evidence
    if rel.startswith("insi/"):
        if "fault" in name:
            return Kind.INSI_FAULT
        if name.startswith("request"):
            return Kind.INSI_REQUEST
        return Kind.INSI_RESPONSE
    if rel.startswith("cda/"):
        return Kind.CDA
    return {"xds/publication.xml": Kind.XDS_SUBMISSION, "xds/METADATA.XML": Kind.XDM_METADATA}[rel]


def _files() -> list[Path]:
    return sorted(p for p in SHARED_DATA.rglob("*") if p.is_file()) if SHARED_DATA.is_dir() else []


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.relative_to(SHARED_DATA).as_posix())
def test_real_file_kind(path: Path, shared_data: Path) -> None:
    rel = path.relative_to(shared_data).as_posix()
    assert sniff(Source(rel, path.read_bytes())) is expected_kind(rel)


def test_every_shared_file_is_enumerated(shared_data: Path) -> None:
    assert len(_files()) >= 75  # the enumeration above really covers the folder


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"Quoted in prose: -----BEGIN CERTIFICATE----- is the armour.\n", Kind.UNKNOWN),
        (b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n", Kind.PRIVATE_KEY),
        (b"From: a@b.mssante.fr\r\nTo: c@d.mssante.fr\r\nSubject: x\r\n\r\nbody", Kind.MSS_MESSAGE),
        (b"timestamp,channel,status,document_type,ins_status\n2026-01-01T00:00:00Z,dmp,success,11490-0,QUAL\n", Kind.USAGE_EXPORT),
        (b"<ClinicalDocument xmlns='urn:hl7-org:v3'><id root='1'/>", Kind.CDA),  # broken CDA keeps its kind
        (b"<ClinicalDocument xmlns='urn:other'/>", Kind.UNKNOWN),
        (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", Kind.UNKNOWN),
        (b"\x00\x01\x02garbage", Kind.UNKNOWN),
        (b"Content-Type: multipart/related; boundary=b\r\n\r\n--b\r\n\r\n<ProvideAndRegisterDocumentSetRequest/>", Kind.XDS_SUBMISSION),
        (b"Content-Type: text/plain\r\n\r\nno mail without a From", Kind.UNKNOWN),
        (b"", Kind.UNKNOWN),
    ],
)
def test_synthetic_kinds(content: bytes, kind: Kind) -> None:
    assert sniff(Source("x", content)) is kind


def test_billion_laughs_is_not_expanded() -> None:
    bomb = b"<?xml version='1.0'?><!DOCTYPE l [<!ENTITY a 'aaaaaaaaaa'>" + b"".join(
        f"<!ENTITY {chr(98 + i)} '{('&' + chr(97 + i) + ';') * 10}'>".encode() for i in range(8)
    ) + b"]><ClinicalDocument xmlns='urn:hl7-org:v3'>&i;</ClinicalDocument>"
    source = Source("bomb.xml", bomb)
    assert sniff(source) is Kind.CDA
    root = source.try_xml()
    text = "".join(root.itertext()) if root is not None else ""
    assert len(text) < 1000


def test_der_private_keys_are_recognised_by_structure() -> None:
    """Unencrypted and encrypted DER keys are keys; a public key is not."""
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ec

    from fixtures.gen.testpki import deterministic_rsa_key

    rsa_key = deterministic_rsa_key("sniff-test")
    ec_key = ec.derive_private_key(12345678901234567890, ec.SECP256R1())
    keys = [
        rsa_key.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption()),
        rsa_key.private_bytes(ser.Encoding.DER, ser.PrivateFormat.TraditionalOpenSSL, ser.NoEncryption()),
        ec_key.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption()),
        ec_key.private_bytes(ser.Encoding.DER, ser.PrivateFormat.TraditionalOpenSSL, ser.NoEncryption()),
        rsa_key.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.BestAvailableEncryption(b"secret")),
    ]
    assert [sniff(Source("k.der", k)) for k in keys] == [Kind.PRIVATE_KEY] * len(keys)
    public = rsa_key.public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    assert sniff(Source("k.der", public)) is Kind.UNKNOWN
