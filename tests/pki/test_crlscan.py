"""The fast CRL walk agrees with cryptography on serials and dates, including the
awkward encodings (high-bit serials needing a leading zero, 20-byte serials,
GeneralizedTime after 2049, long-form lengths)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from fixtures.gen.testpki import test_pki as make_test_pki
from segurcheck.pki.certinfo import read_crls
from segurcheck.pki.crlscan import ScanError, entry_date, revoked_offsets, serial_bytes

SERIALS = [1, 0x7F, 0x80, 0xFF, 0x100, 2**63, 2**159 - 1, 0x1D5DE25E3DC14BDE616C9AE5D028D672]


def _crl(serials: list[int], when: dt.datetime) -> x509.CertificateRevocationList:
    pki = make_test_pki()
    return pki.crl(pki.org_ca, [(s, when) for s in serials], this_update=when, next_update=when + dt.timedelta(days=6))


@pytest.mark.parametrize("when", [dt.datetime(2026, 5, 1, 12, 30, tzinfo=dt.UTC),
                                  dt.datetime(2051, 1, 2, 3, 4, 5, tzinfo=dt.UTC)])
def test_walk_matches_cryptography(when: dt.datetime) -> None:
    crl = _crl(SERIALS, when)
    der = crl.public_bytes(serialization.Encoding.DER)
    offsets = revoked_offsets(der)
    assert set(offsets) == {serial_bytes(s) for s in SERIALS}
    for serial in SERIALS:
        assert entry_date(der, offsets[serial_bytes(serial)]) == when


def test_serial_bytes_is_der_minimal() -> None:
    assert serial_bytes(0x7F) == b"\x7f"
    assert serial_bytes(0x80) == b"\x00\x80"
    assert serial_bytes(0) == b"\x00"


def test_empty_crl_and_garbage() -> None:
    der = _crl([], dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).public_bytes(serialization.Encoding.DER)
    assert revoked_offsets(der) == {}
    with pytest.raises(ScanError):
        revoked_offsets(b"\x30\x03\x02\x01\x00")


def test_revoked_lookup_is_by_issuer_key(bundles) -> None:  # type: ignore[no-untyped-def]
    """A CRL only revokes certificates of the CA whose key signed it."""
    from segurcheck.pki.assess import build_assessment
    from segurcheck.pki.certinfo import cert_info

    pki = make_test_pki()
    crls, _ = read_crls((bundles / "pki-revoked" / "crl" / "org.crl").read_bytes())
    test_cert = cert_info(pki.issue("INSI-AUTO", serial=0x3101).cert)
    prod_cert = cert_info(pki.issue("INSI-AUTO", serial=0x3101, test=False).cert)  # same serial, other CA
    assessment = build_assessment([test_cert, prod_cert, cert_info(pki.org_ca.cert), cert_info(pki.prod_org_ca.cert)],
                                  crls)
    org = assessment.chain(test_cert).issuer
    prod_org = assessment.chain(prod_cert).issuer
    assert org is not None and prod_org is not None
    assert assessment.crls.lookup(org, 0x3101) is not None
    assert assessment.crls.lookup(prod_org, 0x3101) is None
