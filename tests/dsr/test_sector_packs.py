"""Sector packs: valid, IDs only from the ANS data, rules that exist, coverage complete."""

from __future__ import annotations

import csv
import os
from dataclasses import replace
from pathlib import Path

import pytest

from segurcheck.dsr import CoverageStatus, available_sectors, coverage, load_sector_pack
from segurcheck.dsr.pack import PackError, parse_pack
from segurcheck.model import LocalText, Result, Severity, Status

SECTORS = ("DPI", "PFI", "LGC", "RIS", "BIO")
REMS = {"DPI": "REM_HOP-DPI", "PFI": "REM_HOP-PFI", "LGC": "REM_LGC", "RIS": "REM_RIS", "BIO": "REM_BIO"}
CHECKS_IDS_EXTRA = {"DOSSIER-PROOF-MISSING", "DOSSIER-PROOF-FILE"}


def _shared() -> Path | None:
    configured = os.environ.get("SEGURCHECK_SHARED_DATA")
    if configured and (Path(configured) / "dsr" / "requirements-va2.csv").is_file():
        return Path(configured).parent
    for base in Path(__file__).resolve().parents:
        candidate = base / "shared" / "data" / "dsr" / "requirements-va2.csv"
        if candidate.is_file():
            return candidate.parents[2]
    return None


@pytest.fixture(scope="module")
def shared() -> Path:
    found = _shared()
    if found is None:
        pytest.skip("shared/data (ANS DSR data) not found next to the checkout")
    return found


@pytest.fixture(scope="module")
def approved(shared: Path) -> dict[str, dict[str, dict[str, str]]]:
    by_rem: dict[str, dict[str, dict[str, str]]] = {}
    with (shared / "data" / "dsr" / "requirements-va2.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["kind"] == "requirement" and row["status"] == "Approuvée":
                by_rem.setdefault(row["rem"], {}).setdefault(row["id"], row)
    return by_rem


def test_the_five_sectors_ship():
    assert set(SECTORS) <= set(available_sectors())


@pytest.mark.parametrize("sector", SECTORS)
def test_pack_matches_the_ans_data(sector: str, approved: dict[str, dict[str, dict[str, str]]]):
    pack = load_sector_pack(sector)
    rows = approved[REMS[sector]]
    ids = {r.id for r in pack.requirements}
    assert ids == set(rows), "every approved requirement is listed, none invented"
    for req in pack.requirements:
        nature = {"Obligatoire": "mandatory", "Préconisée": "recommended"}.get(rows[req.id]["nature"], "unspecified")
        assert req.nature == nature, req.id
        assert req.rules or req.proofs or req.not_covered is not None, req.id


@pytest.mark.parametrize("sector", SECTORS)
def test_pack_rules_are_catalogue_ids(sector: str, shared: Path):
    catalogue = set()
    for line in (shared / "CHECKS.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and "-" in line.split("|")[1]:
            catalogue.add(line.split("|")[1].strip())
    for req in load_sector_pack(sector).requirements:
        unknown = set(req.rules) - catalogue - CHECKS_IDS_EXTRA
        assert not unknown, (req.id, unknown)


def test_summaries_are_ours_not_the_ans_text(approved: dict[str, dict[str, dict[str, str]]]):
    for sector in SECTORS:
        rows = approved[REMS[sector]]
        for req in load_sector_pack(sector).requirements:
            if req.summary.fr:
                assert req.summary.fr not in rows[req.id]["text"], req.id
                assert len(req.summary.fr) < 120 and len(req.summary.en) < 120


def test_bad_pack_is_refused_with_key_path():
    with pytest.raises(PackError, match="requirements/0"):
        parse_pack({"sector": "X", "label": {"fr": "x", "en": "x"}, "source": "src",
                    "requirements": [{"id": "A.01", "nature": "mandatory"}]}, "x.yaml")
    with pytest.raises(PackError):
        load_sector_pack("../etc")
    with pytest.raises(PackError):
        load_sector_pack("NOPE")


def _result(rule: str, status: Status, reqs: tuple[str, ...] = (), evidence: str = "e.xml") -> Result:
    t = LocalText("x", "x")
    return Result(rule, status, Severity.BLOCKING, evidence, "", t, t, t, reqs, ("ref",), rule + evidence + status.value, "mss")


class _Entry:
    def __init__(self, requirement: str, files: tuple[str, ...]):
        self.requirement, self.files, self.note, self.line = requirement, files, "", 0


class _Manifest:
    def __init__(self, *entries: _Entry):
        self.proofs = entries


@pytest.mark.parametrize("sector", SECTORS)
def test_every_requirement_gets_a_row_with_status(sector: str):
    pack = load_sector_pack(sector)
    rows = coverage(pack, [], _Manifest())
    assert [r.requirement for r in rows] == [r.id for r in pack.requirements]
    for row in rows:
        assert row.status in {s.value for s in CoverageStatus}
        if row.status == "not_covered":
            assert row.note.fr and row.note.en


def test_coverage_combines_rules_and_proofs():
    pack = load_sector_pack("PFI")
    results = [
        _result("MSS-HEADER-NIL", Status.PASS),
        _result("MSS-SUBJECT", Status.FAIL),
        _result("MSS-HEADER-INS", Status.ERROR),
        _result("DOSSIER-PROOF-FILE", Status.FAIL, evidence="proofs/bad.mp4"),
    ]
    manifest = _Manifest(_Entry("MSS/CONF.16", ("proofs/nil.mp4",)), _Entry("MSS/CONF.17", ("./proofs/bad.mp4",)))
    rows = {r.requirement: r for r in coverage(pack, results, manifest)}
    assert rows["MSS/CONF.16"].status == "manual"  # check passed, proof awaits a person
    assert rows["MSS/CONF.16"].proofs == ("proofs/nil.mp4",)
    assert rows["MSS/CONF.25"].status == "fail"
    assert rows["MSS/CONF.14"].status == "error"
    assert rows["MSS/CONF.17"].status == "fail"  # its proof file is unreadable
    assert rows["MSS/CONF.18"].status == "proof_missing"
    assert rows["SSI/GEN.01"].status == "proof_missing"  # a sworn statement is expected
    assert rows["SSI/GEN.06"].status == "not_applicable"  # conditional (hosting) and no proof given
    dpi = load_sector_pack("DPI")
    assert {r.requirement: r for r in coverage(dpi, [], _Manifest())}["DB/DPI.01"].status == "not_covered"
    # a rule citing a requirement counts even if the pack does not name it
    rows2 = {r.requirement: r for r in coverage(dpi, [_result("X-NEW", Status.FAIL, ("DB/DPI.01",))], _Manifest())}
    assert rows2["DB/DPI.01"].status == "fail" and "X-NEW" in rows2["DB/DPI.01"].rules


def test_attach_sector_coverage_tolerates_unknown_sector():
    import datetime as dt

    from segurcheck.dsr import attach_sector_coverage
    from segurcheck.model import Dossier, Report

    base = Report("0", "0", "x", Dossier(sector="NOPE", as_of=dt.date(2026, 11, 29)), "b", 0, ())
    assert attach_sector_coverage(base, _Manifest()).coverage == ()
    dpi = attach_sector_coverage(replace(base, dossier=replace(base.dossier, sector="DPI")), _Manifest())
    assert len(dpi.coverage) == len(load_sector_pack("DPI").requirements)
