"""MSS message parsing: decoded headers, attachments by content, MDN, identities and
software claims, and the header semantics of MSS/CONF.14-16 on hand-made variants."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fixtures.gen.mss_bundles import DOMINIQUE, Mail, eml, mdn
from segurcheck.evidence.base import Source
from segurcheck.evidence.mss import parse_mss_message, read_message, software_claim
from segurcheck.model import Result, Status


def test_clean_message_facts() -> None:
    facts, problems, children = read_message(eml(Mail()))
    assert facts is not None and not problems and not facts.fatal
    assert facts.subject.startswith("XDM/1.0/DDM+")  # RFC 2047 decoded
    assert facts.header("x-mss-ins") == ("O",)
    assert [a.kind for a in facts.attachments] == ["xdm", "pdf"]
    assert facts.attachments[1].name == "Lettre de liaison séjour.pdf"  # encoded filename decoded
    assert [c.name for c in children] == ["IHE_XDM.ZIP", "Lettre de liaison séjour.pdf"]
    assert facts.cdas_in_xdm[0].code == "11490-0" and facts.xdm_archives[0].qualified_ins
    assert facts.software[0].name == "MediDPI" and facts.software[0].version == "4.2.1"
    assert facts.disposition_requested and not facts.is_mdn


def test_mdn_is_recognised() -> None:
    facts, _, children = read_message(mdn())
    assert facts is not None and facts.is_mdn and not children
    assert "displayed" in facts.mdn_disposition


def test_patient_mailbox_feeds_the_identity_ledger() -> None:
    facts, _, _ = read_message(eml(Mail(to=f"{DOMINIQUE.matricule}@patient.mssante.fr")))
    assert facts is not None
    (occurrence,) = facts.identities
    assert (occurrence.matricule, occurrence.source, occurrence.oid) == (DOMINIQUE.matricule, "mss-address", "")


def test_software_claim_forms() -> None:
    assert software_claim("MediDPI 4.2.1 (build 7)", "X-Mailer") is not None
    claim = software_claim("MediDPI 4.2.1 (build 7)", "X-Mailer")
    assert claim is not None and (claim.name, claim.version) == ("MediDPI", "4.2.1")
    bare = software_claim("Thunderbird", "User-Agent")
    assert bare is not None and (bare.name, bare.version) == ("Thunderbird", "")


def test_garbage_never_raises() -> None:
    for data in (b"", b"\x00\xff" * 100, b"Subject: x\r\nContent-Type: multipart/mixed\r\n\r\nno boundary"):
        parsed = parse_mss_message(Source("x.eml", data))
        assert parsed.facts is None or parsed.facts.subject is not None


def _by_rule(results: list[Result]) -> dict[str, Status]:
    return {r.rule_id: r.status for r in results if r.evidence.endswith(".eml")}


def _bundle(tmp_path: Path, mail: Mail, manifest: bool = True) -> Path:
    from fixtures.gen.mss_bundles import manifest as make_manifest

    (tmp_path / "m.eml").write_bytes(eml(mail))
    if manifest:
        (tmp_path / "segur.yaml").write_bytes(make_manifest())
    return tmp_path


def test_header_ins_n_is_right_when_the_ins_is_not_qualified(
    tmp_path: Path, check: Callable[..., list[Result]]
) -> None:
    """Without strict traits the INS is not qualified: N passes, O fails."""
    import fixtures.gen.mss_bundles as gen

    original = gen.cda_n1

    def no_birth_name(patient: gen.Patient, doc_id: str, code: str = "11490-0", title: str = "x") -> bytes:
        return original(patient, doc_id, code).replace(b'<family qualifier="BR">ADRTROIS</family>', b"")

    (tmp_path / "n").mkdir()
    (tmp_path / "o").mkdir()
    gen.cda_n1 = no_birth_name  # type: ignore[assignment]
    try:
        ok = _bundle(tmp_path / "n", Mail(ins_header="N"))
        bad = _bundle(tmp_path / "o", Mail(ins_header="O"))
    finally:
        gen.cda_n1 = original  # type: ignore[assignment]
    assert _by_rule(check(ok, "MSS-HEADER-INS"))["MSS-HEADER-INS"] is Status.PASS
    assert _by_rule(check(bad, "MSS-HEADER-INS"))["MSS-HEADER-INS"] is Status.FAIL


def test_header_ins_present_without_cda_in_xdm_fails(tmp_path: Path, check: Callable[..., list[Result]]) -> None:
    bundle = _bundle(tmp_path, Mail(with_xdm=False, ins_header="N", codecda="11490-0"))
    statuses = _by_rule(check(bundle, "MSS-HEADER-INS", "MSS-HEADER-CODECDA", "MSS-XDM"))
    assert statuses == {"MSS-HEADER-INS": Status.FAIL, "MSS-HEADER-CODECDA": Status.FAIL, "MSS-XDM": Status.FAIL}


def test_nil_must_match_the_manifest_product_ref(tmp_path: Path, check: Callable[..., list[Result]]) -> None:
    bundle = _bundle(tmp_path, Mail(nil="OTHER-REF"))
    (result,) = [r for r in check(bundle, "MSS-HEADER-NIL") if r.evidence == "m.eml"]
    assert result.status is Status.FAIL and result.observed["value"] == "OTHER-REF"


def test_nil_any_value_without_manifest(tmp_path: Path, check: Callable[..., list[Result]]) -> None:
    bundle = _bundle(tmp_path, Mail(nil="ANY-REF"), manifest=False)
    assert _by_rule(check(bundle, "MSS-HEADER-NIL"))["MSS-HEADER-NIL"] is Status.PASS


def test_one_patient_counts_a_patient_mailbox(tmp_path: Path, check: Callable[..., list[Result]]) -> None:
    """A document for DOMINIQUE sent to TOUSSAINT's mailbox concerns two patients."""
    bundle = _bundle(tmp_path, Mail(to="160012B020777@patient.mssante.fr"))
    (result,) = [r for r in check(bundle, "MSS-ONE-PATIENT") if r.evidence == "m.eml"]
    assert result.status is Status.FAIL
    assert "160012B020777" not in result.message.en  # masked without --show-identities


def test_trust_domains_are_a_parameter(tmp_path: Path, check: Callable[..., list[Result]]) -> None:
    bundle = _bundle(tmp_path, Mail(to="dr@cabinet.example.org"))
    config = {"rules": {"MSS-TRUST-DOMAIN": {"params": {"domains": ["mssante.fr", "example.org"]}}}}
    assert _by_rule(check(bundle, "MSS-TRUST-DOMAIN", config=config))["MSS-TRUST-DOMAIN"] is Status.PASS


def test_subject_traits_are_masked_unless_asked(tmp_path: Path, check: Callable[..., list[Result]]) -> None:
    bundle = _bundle(tmp_path, Mail(subject="Lettre de liaison ADRTROIS DOMINIQUE 26/02/1997"))
    (masked,) = [r for r in check(bundle, "MSS-SUBJECT") if r.evidence == "m.eml"]
    assert masked.status is Status.FAIL
    assert "ADRTROIS" not in masked.message.en and "26/02/1997" not in masked.message.en
    (shown,) = [r for r in check(bundle, "MSS-SUBJECT", show_identities=True) if r.evidence == "m.eml"]
    assert "ADRTROIS DOMINIQUE 26/02/1997" in shown.message.en


def test_truncated_and_corrupted_messages_never_raise() -> None:
    """Untrusted input: every prefix cut and byte flip gives facts or problems."""
    import random

    from segurcheck.evidence.xdm import parse_xdm_archive

    data = eml(Mail())
    rng = random.Random(7)
    variants = [data[: len(data) * i // 20] for i in range(1, 20)]
    for _ in range(30):
        mutated = bytearray(data)
        for _ in range(20):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        variants.append(bytes(mutated))
    for variant in variants:
        parsed = parse_mss_message(Source("x.eml", variant))
        for child in parsed.children:
            parse_xdm_archive(Source(child.name, child.data))
