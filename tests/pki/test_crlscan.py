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
from segurcheck.pki.crlscan import ScanError, revoked_offsets, serial_bytes, time_value

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
        assert time_value(offsets[serial_bytes(serial)]) == when


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


def test_split_and_walk_agree_on_the_real_crl(igc_data) -> None:  # type: ignore[no-untyped-def]
    from segurcheck.pki.crlscan import _revoked_region, _split_index, _walk_index

    der = read_crls((igc_data / "crl/test/ACI-EL-ORG-TEST_crl1287_2019-06-27.pem").read_bytes())[0][0].der
    start, end = _revoked_region(der)
    fast = _split_index(der[start:end])
    assert fast is not None and fast == _walk_index(der, start, end) and len(fast) == 1013


def test_entry_extensions_take_the_walk() -> None:
    pki = make_test_pki()
    when = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    entry = (x509.RevokedCertificateBuilder().serial_number(0x1234).revocation_date(when)
             .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False).build())
    builder = (x509.CertificateRevocationListBuilder().issuer_name(pki.org_ca.cert.subject).last_update(when)
               .next_update(when + dt.timedelta(days=6)).add_revoked_certificate(entry))
    from cryptography.hazmat.primitives import hashes

    der = builder.sign(pki.org_ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    index = revoked_offsets(der)
    assert time_value(index[serial_bytes(0x1234)]) == when


def test_serials_holding_the_separator_are_glued_back() -> None:
    """Serials containing the bytes 17 0D (UTCTime header) split a piece in two."""
    tricky = [0x170D, 0x170D0000, 0xAA170D170DBB, 0x170D170D170D170D, 5, 0x1234170D]
    crl = _crl([*tricky, *range(100, 140)], dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    der = crl.public_bytes(serialization.Encoding.DER)
    index = revoked_offsets(der)
    assert set(index) == {serial_bytes(e.serial_number) for e in crl}
    assert all(time_value(index[serial_bytes(s)]) == dt.datetime(2026, 5, 1, tzinfo=dt.UTC) for s in tricky)
