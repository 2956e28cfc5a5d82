"""Schematron (XSLT 2 binding) run through saxonche, on a small schema written for the test."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from fixtures.gen import dmp_bundles
from segurcheck.engine.context import Context, RunOptions
from segurcheck.engine.vocabulary import Subject
from segurcheck.evidence.base import Source
from segurcheck.evidence.cda import CdaFacts, parse_cda
from segurcheck.model import Dossier, Status
from segurcheck.predicates.cda import cda_schematron
from segurcheck.schematron import load_schematrons

HERE = Path(__file__).resolve().parent / "sch"


def _subject(data: bytes) -> Subject:
    facts = parse_cda(Source("d.xml", data)).facts
    assert isinstance(facts, CdaFacts)
    return Subject(evidence="d.xml", key="", value=facts)


def _ctx(resource: object) -> Context:
    return Context((), Dossier(), options=RunOptions(resources={"schematron": resource} if resource else {}))


def test_not_applicable_without_option() -> None:
    assert cda_schematron(_subject(dmp_bundles.cda()), _ctx(None)).status is Status.NOT_APPLICABLE


def test_xslt2_asserts_and_shipped_valueset(tmp_path: Path) -> None:
    folder = tmp_path / "sch"
    folder.mkdir()
    shutil.copy(HERE / "mini.sch", folder)  # its JDV file is absent: resolved from the tool's J07
    cache = tmp_path / "cache"
    schematrons = load_schematrons(folder, cache)
    assert schematrons.errors == []
    assert cda_schematron(_subject(dmp_bundles.cda()), _ctx(schematrons)).status is Status.PASS
    bad = dmp_bundles.cda(code="99999").replace(b"<title>Compte", b"<title>compte")
    verdict = cda_schematron(_subject(bad), _ctx(schematrons))
    assert verdict.status is Status.FAIL and verdict.observed["count"] == "3"
    assert "titre" in verdict.observed["failures"] and "ClinicalDocument" in verdict.location
    assert list(cache.glob("mini-*.xsl")), "translated schematron cached on disk"
    start = time.perf_counter()
    again = load_schematrons(folder, cache)
    assert again.errors == [] and time.perf_counter() - start < 30


def test_missing_document_is_one_error(tmp_path: Path) -> None:
    folder = tmp_path / "sch"
    folder.mkdir()
    shutil.copy(HERE / "missing.sch", folder)
    schematrons = load_schematrons(folder, tmp_path / "cache")
    verdict = cda_schematron(_subject(dmp_bundles.cda()), _ctx(schematrons))
    assert verdict.status is Status.ERROR
    assert "JDV_ABSENT-CISIS.xml" in verdict.observed["error"]


def test_kit_structure_with_one_missing_value_set(tmp_path: Path) -> None:
    """Includes + abstract patterns + value-set paths in a variables pattern: the shipped
    J07 replaces its absent file; the absent non-shipped file gives one error naming it,
    its pattern is not run, the others still are."""
    kit = tmp_path / "kit"
    shutil.copytree(HERE / "kit", kit)
    schematrons = load_schematrons(kit / "schematrons", tmp_path / "cache")
    assert schematrons.errors == []
    assert schematrons.missing and "JDV_ModeleInexistant-CISIS.xml" in schematrons.missing[0]
    assert "facility-in-absent" in schematrons.missing[0]
    verdict = cda_schematron(_subject(dmp_bundles.cda(code="99999-9")), _ctx(schematrons))
    assert verdict.status is Status.ERROR
    assert "JDV_ModeleInexistant-CISIS.xml" in verdict.observed["error"]
    assert verdict.observed["count"] == "1" and "99999-9" in verdict.observed["failures"]  # J07 pattern ran


def test_kit_without_missing_file_passes_clean_document(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    shutil.copytree(HERE / "kit", kit)
    (kit / "jeuxDeValeurs").mkdir()
    (kit / "jeuxDeValeurs" / "JDV_ModeleInexistant-CISIS.xml").write_text(
        '<RetrieveValueSetResponse xmlns="urn:ihe:iti:svs:2008"><ValueSet><ConceptList>'
        '<Concept code="SA01" codeSystem="1.2.250.1.71.4.2.4"/></ConceptList></ValueSet></RetrieveValueSetResponse>')
    schematrons = load_schematrons(kit / "schematrons", tmp_path / "cache")
    assert schematrons.errors == [] and schematrons.missing == []
    assert cda_schematron(_subject(dmp_bundles.cda()), _ctx(schematrons)).status is Status.PASS
    bad = dmp_bundles.cda().replace(b"<title>Compte", b"<title>compte").replace(b'code="SA01"', b'code="SA99"')
    verdict = cda_schematron(_subject(bad), _ctx(schematrons))
    assert verdict.status is Status.FAIL and verdict.observed["count"] == "2"


def test_official_kit_when_available(shared_data: Path) -> None:
    """With a local copy of the official ANS kit (SEGURCHECK_ANS_KIT=<repo>/schematrons),
    the six official examples produce no failed assert (they are the reference)."""
    import os

    kit = os.environ.get("SEGURCHECK_ANS_KIT")
    if not kit or not Path(kit).is_dir():
        import pytest

        pytest.skip("set SEGURCHECK_ANS_KIT to a local copy of the official schematrons folder")
    schematrons = load_schematrons(Path(kit), Path(kit).parent / ".segurcheck-cache")
    for path in sorted((shared_data / "cda").glob("*.xml")):
        facts = parse_cda(Source(path.name, path.read_bytes())).facts
        assert isinstance(facts, CdaFacts)
        verdict = cda_schematron(Subject(evidence=path.name, key="", value=facts), _ctx(schematrons))
        assert verdict.status is Status.PASS, (path.name, verdict.observed)
