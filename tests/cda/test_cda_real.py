"""The official ANS CDA examples pass CDA-PARSE, CDA-HEADER and CDA-LEVEL1 (a failure
would be a false positive), and expose their INS with its strict traits."""

from __future__ import annotations

from pathlib import Path

import pytest

from segurcheck.engine.context import Context
from segurcheck.engine.vocabulary import Subject
from segurcheck.evidence.base import Source
from segurcheck.evidence.cda import CdaFacts, parse_cda
from segurcheck.model import Dossier, Status
from segurcheck.predicates.cda import cda_header_complete, cda_level1_body, cda_parsed

NAMES = ["BIO-CR-BIO_2021.01_Auto-Presentable.xml", "DOC_NON_STRUCTURE_CDA-R2-N1.xml",
         "IMG_CR_IMG_2024.01_CDA-R2-Niveau-1.xml", "LDL-SES_2022.01.xml", "VAC_2023.01.xml",
         "eDISP-MED_2024.01.xml"]


def _facts(path: Path) -> CdaFacts:
    parsed = parse_cda(Source(path.name, path.read_bytes()))
    assert isinstance(parsed.facts, CdaFacts), parsed.problems
    return parsed.facts


@pytest.mark.parametrize("name", NAMES)
def test_official_examples_pass_structure_rules(shared_data: Path, name: str) -> None:
    facts = _facts(shared_data / "cda" / name)
    subject = Subject(evidence=name, key="", value=facts)
    ctx = Context((), Dossier())
    assert cda_parsed(subject, ctx).status is Status.PASS
    header = cda_header_complete(subject, ctx)
    assert header.status is Status.PASS, header.observed
    level1 = cda_level1_body(subject, ctx)
    expected = Status.PASS if facts.body == "nonXMLBody" else Status.NOT_APPLICABLE
    assert level1.status is expected, level1.observed


def test_auto_presentable_document_found_inside_stylesheet(shared_data: Path) -> None:
    facts = _facts(shared_data / "cda" / "BIO-CR-BIO_2021.01_Auto-Presentable.xml")
    assert facts.auto_presentable and facts.location.endswith("/Contenu/ClinicalDocument")
    assert facts.code == "11502-2"


def test_n1_pdf_really_decodes(shared_data: Path) -> None:
    facts = _facts(shared_data / "cda" / "DOC_NON_STRUCTURE_CDA-R2-N1.xml")
    assert facts.level1 is not None and facts.level1.is_pdf
    assert abs(facts.level1.size - 326650) < 3300  # estimated beyond 64 KiB of text (within 1 %)


def test_identity_occurrence_with_traits(shared_data: Path) -> None:
    facts = _facts(shared_data / "cda" / "LDL-SES_2022.01.xml")
    (ins,) = facts.identities
    assert (ins.matricule, ins.oid, ins.source) == ("279035121518989", "1.2.250.1.213.1.4.10", "cda-recordTarget")
    assert ins.traits is not None
    assert (ins.traits.birth_name, ins.traits.first_name, ins.traits.given_list) == (
        "PAT-TROIS", "DOMINIQUE", "DOMINIQUE MARIE-LOUISE")
    assert (ins.traits.sex, ins.traits.birth_date, ins.traits.birth_place) == ("F", "1979-03-28", "51215")


def test_identity_is_document_id_not_bytes(shared_data: Path) -> None:
    data = (shared_data / "cda" / "VAC_2023.01.xml").read_bytes()
    a = parse_cda(Source("a.xml", data)).identity
    b = parse_cda(Source("b.xml", data.replace(b"<title>", b"\n  <title>", 1))).identity
    assert a == b


def test_broken_input_is_a_problem_not_a_crash() -> None:
    parsed = parse_cda(Source("x.xml", b"<ClinicalDocument xmlns='urn:hl7-org:v3'><id"))
    assert parsed.facts is None and parsed.problems
    parsed = parse_cda(Source("y.xml", b"<a/>"))
    assert parsed.facts is None and "ClinicalDocument" in parsed.problems[0].message
