"""Acceptance on the real IGC-Santé files of shared/data (read there, never copied)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pki_harness import by_rule, make_item, run

from segurcheck.evidence.pki import CertificateFacts, CrlFacts
from segurcheck.model import EvidenceItem, Kind, Status
from segurcheck.pki.crlscan import revoked_offsets, serial_bytes, time_value


def _item(root: Path, rel: str, kind: Kind | None = None, parent: str | None = None, path: str | None = None):
    return make_item(path or rel, (root / rel).read_bytes(), kind, parent)[0]


def test_every_file_is_read(igc_data: Path) -> None:
    counts = {}
    for file in sorted(p for p in igc_data.rglob("*") if p.is_file() and p.suffix != ".md"):
        item = _item(igc_data, file.relative_to(igc_data).as_posix())
        assert item.facts is not None and not item.problems, (file, item.problems)
        facts = item.facts
        counts[file.name] = len(facts.certs) if isinstance(facts, CertificateFacts) else len(facts.crls)
    assert counts["Chaine_de_certification-IGC-Sante.p7b"] == 8  # DER PKCS#7 (BER-ish ordering tolerated)
    assert counts["ca-bundle.crt"] == 4  # multi-certificate PEM
    assert counts["ca-bundle-tomws.crl.expired"] == 2  # two CRLs in one PEM
    assert counts["certificat_serveur.pem"] == 1  # PEM with a Bag Attributes preamble
    assert counts["testsign.test.asipsante.fr.der"] == 1  # raw DER


def test_production_chain_is_trusted_production(igc_data: Path) -> None:
    items = [_item(igc_data, "prod/ca/Chaine_de_certification-IGC-Sante.p7b"),
             _item(igc_data, "examples/prod/certificat_serveur.pem")]
    results = run(items, env="production", as_of="2021-01-01")
    for rule in ("PKI-UNTRUSTED", "PKI-SIGNATURE", "PKI-ENV-MISMATCH", "PKI-EXPIRED", "PKI-LEGACY-CA"):
        statuses = {r.status for r in by_rule(results, rule)}
        assert statuses == {Status.PASS}, (rule, [(r.location, r.message.en) for r in by_rule(results, rule)])
    assert len(by_rule(results, "PKI-UNTRUSTED")) == 9  # 8 CAs of the chain + the server certificate
    server = by_rule(results, "PKI-UNTRUSTED", "examples/prod/certificat_serveur.pem")[0]
    assert "AC RACINE IGC-SANTE ELEMENTAIRE" in server.message.en


def test_every_test_certificate_is_test(igc_data: Path) -> None:
    rels = [p.relative_to(igc_data).as_posix() for p in sorted((igc_data / "examples" / "test").iterdir())]
    rels += [p.relative_to(igc_data).as_posix() for p in sorted((igc_data / "test" / "ca").iterdir())]
    rels += ["examples/legacy-gip-cps/classe4.pem", "examples/negative/2600301752-Auth-invalide.crt"]
    results = run([_item(igc_data, r) for r in rels], env="test")
    env = by_rule(results, "PKI-ENV-MISMATCH")
    assert len(env) >= len(rels)
    assert all(r.status is Status.PASS and r.observed["cert_env"] == "TEST" for r in env), [
        (r.evidence, r.observed.get("cert_env")) for r in env if r.status is not Status.PASS]
    # And the same files in a production dossier all fail.
    prod = by_rule(run([_item(igc_data, r) for r in rels], env="production"), "PKI-ENV-MISMATCH")
    assert {r.status for r in prod} == {Status.FAIL}


def test_production_certificate_in_test_dossier(igc_data: Path) -> None:
    results = run([_item(igc_data, "examples/prod/certificat_serveur.pem")], env="test", as_of="2021-01-01")
    assert [r.status for r in by_rule(results, "PKI-ENV-MISMATCH")] == [Status.FAIL]


@pytest.mark.parametrize("crl", ["crl/test/ACI-EL-ORG-TEST_crl1287_2019-06-27.pem", "crl/test/ca-bundle-tomws.crl.expired"])
def test_real_revoked_certificate(igc_data: Path, crl: str) -> None:
    cert = "examples/test/tomwsrevoque.henix.asipsante.fr.pem"
    items = [_item(igc_data, cert), _item(igc_data, "test/ca/ca-bundle.crt"), _item(igc_data, crl)]
    results = run(items, as_of="2019-07-01")
    revoked = by_rule(results, "PKI-REVOKED", cert)
    assert [r.status for r in revoked] == [Status.FAIL]
    assert "2019-06-14" in revoked[0].message.en
    # Another certificate of the same CA is not listed; the CRL itself is fresh and verified then.
    other = run([_item(igc_data, "examples/test/esignsante-apcv.pem"), *items[1:]], as_of="2019-07-01")
    assert [r.status for r in by_rule(other, "PKI-REVOKED", "examples/test/esignsante-apcv.pem")] == [Status.PASS]
    assert {r.status for r in by_rule(results, "PKI-CRL-STALE")} == {Status.PASS}
    assert {r.status for r in by_rule(run(items, as_of="2026-01-01"), "PKI-CRL-STALE")} == {Status.FAIL}


def test_revocation_needs_the_crl_and_its_signature(igc_data: Path) -> None:
    cert = "examples/test/tomwsrevoque.henix.asipsante.fr.pem"
    without = run([_item(igc_data, cert), _item(igc_data, "test/ca/ca-bundle.crt")])
    assert [r.status for r in by_rule(without, "PKI-REVOKED", cert)] == [Status.NOT_APPLICABLE]
    # CRL present but its issuer's certificate absent: the signature cannot be checked, so it is not used.
    unsigned = run([_item(igc_data, cert), _item(igc_data, "crl/test/ACI-EL-ORG-TEST_crl1287_2019-06-27.pem")])
    assert [r.status for r in by_rule(unsigned, "PKI-REVOKED", cert)] == [Status.NOT_APPLICABLE]


def test_corrupted_signature(igc_data: Path) -> None:
    bad, good = "examples/negative/2600301752-Auth-invalide.crt", "examples/test/2600301752-Auth.crt"
    items = [_item(igc_data, bad), _item(igc_data, good), _item(igc_data, "test/ca/ca-standard.crt")]
    results = run(items)
    assert [r.status for r in by_rule(results, "PKI-SIGNATURE", bad)] == [Status.FAIL]
    assert [r.status for r in by_rule(results, "PKI-SIGNATURE", good)] == [Status.PASS]
    assert [r.status for r in by_rule(results, "PKI-UNTRUSTED", bad)] == [Status.FAIL]
    assert [r.status for r in by_rule(results, "PKI-UNTRUSTED", good)] == [Status.PASS]


def test_legacy_gip_cps(igc_data: Path) -> None:
    legacy = "examples/legacy-gip-cps/classe4.pem"
    results = run([_item(igc_data, legacy), _item(igc_data, "examples/test/esignsante-apcv.pem")])
    assert [r.status for r in by_rule(results, "PKI-LEGACY-CA", legacy)] == [Status.FAIL]
    weak = by_rule(results, "PKI-WEAK-CRYPTO", legacy)
    assert [r.status for r in weak] == [Status.FAIL]
    assert "1024" in weak[0].message.en and "SHA1" in weak[0].message.en
    assert [r.status for r in by_rule(results, "PKI-LEGACY-CA", "examples/test/esignsante-apcv.pem")] == [Status.PASS]


@pytest.mark.parametrize(("as_of", "expected"), [("2024-01-01", Status.PASS), ("2025-06-01", Status.FAIL)])
def test_expiry_at_as_of(igc_data: Path, as_of: str, expected: Status) -> None:
    cert = "examples/test/esignsante-apcv.pem"  # valid 2022-05-31 .. 2025-05-31
    results = run([_item(igc_data, cert)], as_of=as_of)
    assert [r.status for r in by_rule(results, "PKI-EXPIRED", cert)] == [expected]


def test_embedded_certificates_get_the_implied_use(igc_data: Path) -> None:
    """A certificate a VIHF token or an INSi assertion carries is judged for that use."""
    parent_insi = EvidenceItem("insi/request.xml", Kind.INSI_REQUEST, 1, "x", "x")
    cps = _item(igc_data, "examples/test/cps-fort-pp-infirmier-from-saml-fixture.pem", Kind.CERTIFICATE,
                parent="insi/request.xml", path="insi/request.xml!X509Certificate[1]")
    parent_xds = EvidenceItem("dmp/iti41.xml", Kind.XDS_SUBMISSION, 1, "y", "y")
    server = _item(igc_data, "examples/test/mock.platines.henix.asipsante.fr.pem", Kind.CERTIFICATE,
                   parent="dmp/iti41.xml", path="dmp/iti41.xml!X509Certificate[1]")
    results = run([parent_insi, cps, parent_xds, server])
    usage_cps = by_rule(results, "PKI-USAGE", cps.path)
    assert [r.status for r in usage_cps] == [Status.PASS] and "insi-cps" in usage_cps[0].message.en
    assert [r.status for r in by_rule(results, "PKI-INSI-NAME", cps.path)] == [Status.NOT_APPLICABLE]
    # A server certificate (no nonRepudiation, EKU server/client) signing the VIHF: KU has digitalSignature,
    # so the observed ORG SIGN profile is met; the use is named in the result either way.
    usage_server = by_rule(results, "PKI-USAGE", server.path)
    assert usage_server and "vihf-signature" in usage_server[0].observed["use"]


def test_crl_facts_index_every_entry(igc_data: Path) -> None:
    item = _item(igc_data, "crl/test/ACI-EL-ORG-TEST_crl1287_2019-06-27.pem")
    assert isinstance(item.facts, CrlFacts)
    crl = item.facts.crls[0]
    assert crl.entries == 1013 and crl.number == 1287
    offsets = revoked_offsets(crl.der)
    assert len(offsets) == 1013
    serial = int("1D5DE25E3DC14BDE616C9AE5D028D672", 16)
    assert serial_bytes(serial) in offsets
    assert crl.crl is not None
    expected = crl.crl.get_revoked_certificate_by_serial_number(serial)
    assert expected is not None and time_value(offsets[serial_bytes(serial)]) == expected.revocation_date_utc
    # Every entry the walk finds is one cryptography finds, with the same date.
    for entry in list(crl.crl)[:50]:
        assert time_value(offsets[serial_bytes(entry.serial_number)]) == entry.revocation_date_utc


def test_names_decoded_from_der_match_cryptography(igc_data: Path) -> None:
    """CN/OU/O are read from the raw DER for speed: same values as cryptography's
    decoding on every real certificate (accents, multi-valued RDNs, PrintableString)."""
    from cryptography.x509.oid import NameOID

    from segurcheck.pki.certinfo import _attr, _cn, read_certificates

    checked = 0
    for file in igc_data.rglob("*"):
        if not file.is_file() or file.suffix == ".md" or "crl" in file.parts:
            continue
        for info in read_certificates(file.read_bytes()).certs:
            checked += 1
            assert info.subject_cn == _cn(info.cert.subject)
            assert info.issuer_cn == _cn(info.cert.issuer)
            assert info.subject_ou == _attr(info.cert.subject, NameOID.ORGANIZATIONAL_UNIT_NAME)
            assert info.subject_o == _attr(info.cert.subject, NameOID.ORGANIZATION_NAME)
            assert info.issuer_ou == _attr(info.cert.issuer, NameOID.ORGANIZATIONAL_UNIT_NAME)
    assert checked >= 40


def test_raw_basic_constraints_match_cryptography(igc_data: Path, bundles: Path) -> None:
    from cryptography import x509

    from segurcheck.pki.certinfo import read_certificates
    from segurcheck.pki.der import basic_constraints_ca

    files = [p for p in [*igc_data.rglob("*"), *bundles.rglob("*.pem"), *bundles.rglob("*.der")] if p.is_file()]
    checked = 0
    for file in files:
        if file.suffix == ".md" or "crl" in file.parts or "keys" in file.parts:
            continue
        for info in read_certificates(file.read_bytes()).certs:
            assert info.parts is not None
            try:
                expected = info.cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
            except x509.ExtensionNotFound:
                expected = False
            assert basic_constraints_ca(info.parts.tbs) in (expected, None)
            assert info.is_ca == expected
            checked += 1
    assert checked > 40
