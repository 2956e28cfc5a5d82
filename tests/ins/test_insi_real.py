"""The INSi parser and rules on the real INSi messages of shared/data/insi, and the
INS rules on the real ANS example CDAs of shared/data/cda."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509

import segurcheck.engine.evaluate as evaluate_mod
from segurcheck.engine.rules import load_rule
from segurcheck.evidence.base import Source
from segurcheck.evidence.insi import InsiFacts, load_insi_schemas, parse_insi
from segurcheck.model import Kind, Status

from .harness import make_context

ROOT = Path(__file__).resolve().parents[2]


def rule(rule_id: str) -> object:
    path = next((ROOT / "rules").rglob(f"{rule_id}.yaml"))
    return load_rule(path, ROOT / "rules")


def insi_files(shared: Path) -> dict[str, bytes]:
    base = shared / "insi"
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*.xml"))}


EXPECTED_OPERATION = {
    "REP_CR01.xml": ("RESULTAT", "01"),
    "TEST_2.04_cas2.xml": ("RESULTAT", "00"),
    "TEST_2.05.xml": ("RESULTAT", "00"),
    "TEST_2.08_cas1.xml": ("RESULTAT", "00"),
    "extracted/fault_siram_100_desir_550_fake-idam.xml": ("FAULT", ""),
    "extracted/request_RECSANSVITALE_ADRTROIS-DOMINIQUE.xml": ("RECSANSVITALE", ""),
    "extracted/request_RECSANSVITALE_ADRTROIS-DOMINIQUE_wsse-SAML-CPS.xml": ("RECSANSVITALE", ""),
    "extracted/response_CR00_ADRTROIS-DOMINIQUE_2A.xml": ("RESULTAT", "00"),
    "extracted/response_CR00_ECETINSI-PIERRE-ALAIN_live.xml": ("RESULTAT", "00"),
    "extracted/response_CR02_plusieurs-identites.xml": ("RESULTAT", "02"),
}


def test_every_real_message_parses(shared_insi: Path) -> None:
    files = insi_files(shared_insi)
    assert set(EXPECTED_OPERATION) <= set(files)
    for name, data in files.items():
        parsed = parse_insi(Source(name, data))
        assert isinstance(parsed.facts, InsiFacts), name
        operation, code = EXPECTED_OPERATION[name]
        assert (parsed.facts.operation, parsed.facts.code_cr) == (operation, code), name
        assert parsed.facts.issues == (), (name, parsed.facts.issues)


def test_real_response_details(shared_insi: Path) -> None:
    live = parse_insi(Source("x", (shared_insi / "insi/extracted/response_CR00_ECETINSI-PIERRE-ALAIN_live.xml").read_bytes()))
    facts = live.facts
    assert facts.actif.matricule == "109076322083489"
    assert [h.matricule for h in facts.histo] == ["209076322083439"]
    # Live answers give only ListePrenom: the first first name is derived from it.
    assert facts.traits.first_name == "PIERRE-ALAIN"
    assert facts.traits.given_list == "PIERRE-ALAIN MURIEL FLORIANT"
    request = parse_insi(Source("r", (shared_insi / "insi/extracted/request_RECSANSVITALE_ADRTROIS-DOMINIQUE.xml").read_bytes()))
    assert request.facts.lps.idam == "PDP17NF21DD0"
    assert [(c.name, c.version, c.source) for c in request.facts.software] == [("padoa", "2022", "insi-ContexteLPS")]
    assert request.facts.message_id == "uuid:b3549edd-4ae9-472a-b26f-fd2fb4ef397f"


def test_saml_certificate_becomes_a_certificate_child(shared_insi: Path) -> None:
    name = "insi/extracted/request_RECSANSVITALE_ADRTROIS-DOMINIQUE_wsse-SAML-CPS.xml"
    parsed = parse_insi(Source("r", (shared_insi / name).read_bytes()))
    assert parsed.facts.saml and parsed.facts.security
    assert len(parsed.children) == 1 and parsed.children[0].kind is Kind.CERTIFICATE
    cert = x509.load_der_x509_certificate(parsed.children[0].data)
    assert "INFIRMCS" in cert.subject.rfc4514_string()


def test_schema_validation_flags_only_the_invalid_cnda_fixture(shared_insi: Path) -> None:
    schemas = load_insi_schemas(shared_insi / "insi" / "wsdl")
    ctx = make_context(insi_files(shared_insi), resources={"insi_schemas": schemas})
    results = evaluate_mod.evaluate_rule(rule("INSI-STRUCTURE"), ctx)  # type: ignore[arg-type]
    failed = {r.evidence for r in results if r.status is Status.FAIL}
    assert failed == {"TEST_2.04_cas2.xml"}
    bad = next(r for r in results if r.evidence == "TEST_2.04_cas2.xml")
    assert "DateDeb" in bad.observed["problems"]
    assert all("validated" in r.observed["schema"] for r in results)
    # Without the schemas the structural checks alone pass the same file.
    plain = evaluate_mod.evaluate_rule(rule("INSI-STRUCTURE"), make_context(insi_files(shared_insi)))  # type: ignore[arg-type]
    assert all(r.status is Status.PASS for r in plain)


def test_real_fault_is_explained(shared_insi: Path) -> None:
    ctx = make_context(insi_files(shared_insi))
    results = evaluate_mod.evaluate_rule(rule("INSI-FAULT"), ctx)  # type: ignore[arg-type]
    fault = next(r for r in results if r.evidence.endswith("fake-idam.xml"))
    assert fault.status is Status.FAIL
    assert "IDAM" in fault.message.en and "IDAM" in fault.message.fr
    assert all(r.status is Status.PASS for r in results if r is not fault)


def test_real_pairing(shared_insi: Path) -> None:
    ctx = make_context(insi_files(shared_insi))
    results = {r.evidence: r for r in evaluate_mod.evaluate_rule(rule("INSI-UNPAIRED"), ctx)}  # type: ignore[arg-type]
    # The fault carries the MessageID of the padoa request in siram:Erreur/@messageID.
    assert results["extracted/fault_siram_100_desir_550_fake-idam.xml"].observed["method"] == "wsa:RelatesTo"
    # The ADRTROIS answer pairs with the other ADRTROIS request by traits.
    assert results["extracted/response_CR00_ADRTROIS-DOMINIQUE_2A.xml"].observed["method"] == "traits"
    # CNDA answers without any request in the bundle stay unpaired.
    assert results["TEST_2.05.xml"].status is Status.FAIL


def test_real_keys_and_oids(shared_insi: Path) -> None:
    ctx = make_context(insi_files(shared_insi))
    keys = evaluate_mod.evaluate_rule(rule("INS-KEY"), ctx)  # type: ignore[arg-type]
    assert keys and all(r.status is Status.PASS for r in keys)
    real = evaluate_mod.evaluate_rule(rule("DOSSIER-REAL-PATIENT"), ctx)  # type: ignore[arg-type]
    assert real and all(r.status is Status.PASS for r in real), [r.message.en for r in real if r.status is not Status.PASS]


def cda_files(shared: Path) -> dict[str, bytes]:
    base = shared / "cda"
    if not base.is_dir():
        pytest.skip("no shared CDA examples")
    return {p.name: p.read_bytes() for p in sorted(base.glob("*.xml"))}


def test_real_cda_examples(shared_insi: Path) -> None:
    ctx = make_context(cda_files(shared_insi))
    keys = evaluate_mod.evaluate_rule(rule("INS-KEY"), ctx)  # type: ignore[arg-type]
    ins_results = [r for r in keys if r.status is not Status.NOT_APPLICABLE]
    assert len(ins_results) == 6 and all(r.status is Status.PASS for r in ins_results)
    coherence = {r.evidence: r for r in evaluate_mod.evaluate_rule(rule("INS-TRAITS-COHERENCE"), ctx)}  # type: ignore[arg-type]
    edisp = coherence["eDISP-MED_2024.01.xml"]
    assert edisp.status is Status.FAIL and "birth place" in edisp.observed["disagreements"]
    assert all(r.status is Status.PASS for name, r in coherence.items() if name != "eDISP-MED_2024.01.xml")
    # The ANS example patients are known fictitious people: shown in full, not real patients.
    real = evaluate_mod.evaluate_rule(rule("DOSSIER-REAL-PATIENT"), ctx)  # type: ignore[arg-type]
    assert all(r.status is Status.PASS for r in real)
    assert "277076322082910" in edisp.message.en
    missing = evaluate_mod.evaluate_rule(rule("INS-TRAITS-MISSING"), ctx)  # type: ignore[arg-type]
    assert [r.status for r in missing] == [Status.PASS] * 6, [r.message.en for r in missing]


def test_schema_messages_do_not_leak_traits(shared_insi: Path) -> None:
    """An XSD error quoting a trait must not reveal it (unknown person, no --show-identities)."""
    schemas = load_insi_schemas(shared_insi / "insi" / "wsdl")
    request = (
        '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR>'
        "<INDIVIDU><INSACTIF><IdIndividu><NumIdentifiant>24805691234X7</NumIdentifiant><Cle>57</Cle></IdIndividu>"
        "<OID>1.2.250.1.213.1.4.8</OID></INSACTIF><TIQ><NomNaissance>MARCHETTI</NomNaissance><Prenom>LUCIENNE</Prenom>"
        "<ListePrenom>LUCIENNE</ListePrenom><Sexe>F</Sexe><DateNaissance>1948-05-17</DateNaissance>"
        "<LieuNaissance>69123</LieuNaissance></TIQ></INDIVIDU></RESULTAT></soap:Body></soap:Envelope>"
    )
    ctx = make_context({"req.xml": request.encode()}, resources={"insi_schemas": schemas})
    [result] = evaluate_mod.evaluate_rule(rule("INSI-STRUCTURE"), ctx)  # type: ignore[arg-type]
    assert result.status is Status.FAIL
    assert "XSD" in result.observed["problems"]
    assert "24805691234X7" not in result.message.en and "2480*******X7" in result.message.en
