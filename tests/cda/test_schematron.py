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
