"""XDM archive and METADATA reading: real namespace-broken METADATA, subset folder
discovery, hostile archives, and the integrity facts the rules compare."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

from fixtures.gen.mss_bundles import DOMINIQUE, cda_n1, xdm_zip
from segurcheck.bundle import Limits
from segurcheck.evidence.base import Source
from segurcheck.evidence.xdm import (
    analyse_xdm,
    parse_xdm_archive,
    parse_xdm_metadata,
    read_metadata,
    read_zip,
)
from segurcheck.ins import parse_cx
from segurcheck.model import Kind
from segurcheck.predicates.mss import _archive_gaps


def test_real_metadata_is_read_tolerantly_and_the_defect_reported(shared_data: Path) -> None:
    data = (shared_data / "xds" / "METADATA.XML").read_bytes()
    parsed = parse_xdm_metadata(Source("METADATA.XML", data))
    facts = parsed.facts
    assert facts is not None and facts.namespace_broken
    assert any("namespace" in p.message for p in parsed.problems)
    # the bogus ExternalIdentifier (identificationScheme "1.2.3") is reported, not trusted
    assert any("1.2.3" in p.message for p in parsed.problems)
    assert [e.id for e in facts.entries] == ["DocumentKOS", "Signature01"]
    kos = facts.entries[0]
    assert (kos.uri, kos.size, kos.hash[:8]) == ("SS000001/KOS_1_1.DCM", "5164", "5a4009cc")
    assert kos.mime_type == "application/dicom"
    assert parse_cx(facts.submission_patient_id) == ("162018885045327", "1.2.250.1.213.1.4.10")
    assert {(i.matricule, i.oid, i.source) for i in facts.identities} == {
        ("162018885045327", "1.2.250.1.213.1.4.10", "xdm-patientId")
    }
    assert len(facts.identities) == 3  # submission set + two entries


def test_real_metadata_in_an_archive_with_another_subset_name(shared_data: Path) -> None:
    """SS000001 (real) instead of SUBSET01: found without hard-coding; the KOS and
    signature files are absent, so the entries resolve to nothing."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.TXT", "x")
        archive.writestr("INDEX.HTM", "x")
        archive.writestr("IHE_XDM/SS000001/METADATA.XML", (shared_data / "xds" / "METADATA.XML").read_bytes())
        archive.writestr("IHE_XDM/SS000001/KOS_1_1.DCM", b"\0" * 5164)
    facts = analyse_xdm(buffer.getvalue())
    assert facts.subset == "IHE_XDM/SS000001"
    assert facts.metadata is not None and facts.has_readme and facts.has_index
    found = {c.entry.id: c.document for c in facts.checks}
    assert found == {"DocumentKOS": "IHE_XDM/SS000001/KOS_1_1.DCM", "Signature01": ""}
    kos = facts.checks[0]
    assert kos.actual_size == 5164 and kos.actual_sha1 != kos.entry.hash  # zeros, not the real KOS
    gaps = list(_archive_gaps(facts))  # what MSS-XDM reports for such an archive
    assert "IHE_XDM/SS000001/METADATA.XML (not namespace-well-formed XML)" in gaps
    assert "SS000001/SIGN_1.XML (named by METADATA, absent)" in gaps


def test_generated_archive_agrees_with_its_metadata() -> None:
    doc = cda_n1(DOMINIQUE, "DOC-1")
    facts = analyse_xdm(xdm_zip([("DOC0001.XML", doc, DOMINIQUE, "11490-0")], subset="SS000042"))
    (check,) = facts.checks
    assert check.document == "IHE_XDM/SS000042/DOC0001.XML"
    assert str(check.actual_size) == check.entry.size and check.actual_sha1 == check.entry.hash
    assert check.cda is not None and check.cda.qualified and check.cda.code == "11490-0"
    assert facts.qualified_ins


def test_cda_without_strict_traits_is_not_a_qualified_ins() -> None:
    doc = cda_n1(DOMINIQUE, "DOC-1").replace(b'<family qualifier="BR">ADRTROIS</family>', b"")
    facts = analyse_xdm(xdm_zip([("DOC0001.XML", doc, DOMINIQUE, "11490-0")]))
    assert facts.cdas and not facts.cdas[0].qualified
    assert not facts.qualified_ins


def test_archive_children_are_metadata_and_documents() -> None:
    data = xdm_zip([("DOC0001.XML", cda_n1(DOMINIQUE, "DOC-1"), DOMINIQUE, "11490-0")])
    parsed = parse_xdm_archive(Source("IHE_XDM.ZIP", data))
    kinds = {c.name: c.kind for c in parsed.children}
    assert kinds == {"IHE_XDM/SUBSET01/METADATA.XML": Kind.XDM_METADATA, "IHE_XDM/SUBSET01/DOC0001.XML": None}
    assert parsed.facts.identities == ()  # the METADATA child carries them, once


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def test_hostile_members_are_refused_not_extracted() -> None:
    link = zipfile.ZipInfo("IHE_XDM/S/link.xml")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = _zip([("../escape.txt", b"x"), ("/abs.txt", b"x"), (link, b"/etc/passwd"), ("ok.txt", b"fine")])
    members, problems = read_zip(data)
    assert list(members) == ["ok.txt"]
    assert len(problems) == 3


def test_bomb_and_limits() -> None:
    bomb = _zip([("IHE_XDM/S/METADATA.XML", b"\0" * (8 << 20))])
    members, problems = read_zip(bomb, Limits(max_ratio=100))
    assert not members and "ratio" in problems[0].message
    members, problems = read_zip(bomb, Limits(max_nested_bytes=1 << 20))
    assert not members and "too large" in problems[0].message
    many = _zip([(f"f{i}", b"") for i in range(30)])
    members, problems = read_zip(many, Limits(max_files=10))
    assert len(members) == 10 and len(problems) == 20


def test_garbage_is_a_problem_not_a_crash() -> None:
    parsed = parse_xdm_archive(Source("x.zip", b"PK\x03\x04garbage"))
    assert parsed.facts is None and parsed.problems
    facts, problems = read_metadata(b"<<<not xml")
    assert facts is None and problems


def test_corrupt_deflate_member_is_refused_alone() -> None:
    """A damaged compressed member is a problem; the other members are still read."""
    doc = cda_n1(DOMINIQUE, "DOC-1")
    data = bytearray(xdm_zip([("DOC0001.XML", doc, DOMINIQUE, "11490-0")]))
    start = data.index(b"IHE_XDM/SUBSET01/DOC0001.XML") + len("IHE_XDM/SUBSET01/DOC0001.XML")
    for offset in range(40, 60):  # inside the deflate stream of the CDA
        data[start + offset] ^= 0xFF
    members, problems = read_zip(bytes(data))
    assert "IHE_XDM/SUBSET01/METADATA.XML" in members
    assert "IHE_XDM/SUBSET01/DOC0001.XML" not in members
    assert any("DOC0001.XML" in p.message for p in problems)


def _integrity(data: bytes) -> tuple[str, str]:
    from segurcheck.engine.context import Context
    from segurcheck.engine.vocabulary import Subject
    from segurcheck.model import Dossier
    from segurcheck.predicates.mss import xdm_integrity

    verdict = xdm_integrity(Subject("x.zip", "", value=analyse_xdm(data)), Context((), Dossier()))
    return verdict.status.value, verdict.observed.get("mismatches", "")


def test_integrity_sees_hash_mime_type_and_patient_id() -> None:
    from fixtures.gen.mss_bundles import TOUSSAINT

    doc = cda_n1(DOMINIQUE, "DOC-1")
    clean = xdm_zip([("DOC0001.XML", doc, DOMINIQUE, "11490-0")])
    assert _integrity(clean) == ("pass", "")
    # same size, other content: only the hash can tell
    members = dict(read_zip(clean)[0])
    members["IHE_XDM/SUBSET01/DOC0001.XML"] = doc.replace(b"Lettre de liaison", b"Lettre de LIAISON")
    status, detail = _integrity(_zip(list(members.items())))
    assert status == "fail" and "hash" in detail and "size" not in detail
    members = dict(read_zip(clean)[0])
    members["IHE_XDM/SUBSET01/METADATA.XML"] = members["IHE_XDM/SUBSET01/METADATA.XML"].replace(
        b'mimeType="text/xml"', b'mimeType="application/pdf"'
    )
    status, detail = _integrity(_zip(list(members.items())))
    assert status == "fail" and "mimeType application/pdf, expected text/xml" in detail
    other = xdm_zip([("DOC0001.XML", cda_n1(TOUSSAINT, "DOC-1"), DOMINIQUE, "11490-0")])
    status, detail = _integrity(other)
    assert status == "fail" and "differs from the CDA INS" in detail
    assert "160012B020777" not in detail  # masked
