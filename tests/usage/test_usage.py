"""Usage exports: streamed counting, malformed rows with line numbers, configurable
minimums, and the counts taken from the bundle's own exchanges."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import BinaryIO

from fixtures.gen.mss_bundles import usage_csv
from segurcheck.engine.rules import load_pack
from segurcheck.evidence.base import Source
from segurcheck.evidence.usage import count_usage, parse_usage_export
from segurcheck.model import Status
from segurcheck.pipeline import CheckOptions, run_check

REPO = Path(__file__).resolve().parents[2]


class StreamOnly(Source):
    """A source whose whole content must never be loaded."""

    @property
    def data(self) -> bytes:
        raise AssertionError("usage exports must be streamed")


def test_counts_and_malformed_lines() -> None:
    facts, problems = count_usage(io.BytesIO(usage_csv()))
    assert facts is not None
    assert facts.count("dmp", "success", "QUAL") == 3
    assert facts.count("dmp", "success") == 4  # one PROV
    assert facts.count("mss") == 2
    assert facts.malformed == 1 and facts.malformed_lines == (9,)
    assert "line" in problems[0].location


def test_parser_streams(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes(usage_csv())

    def opener() -> BinaryIO:
        return path.open("rb")

    parsed = parse_usage_export(StreamOnly("u.csv", opener=opener, size=path.stat().st_size))
    assert parsed.facts is not None and parsed.facts.rows == 8


def test_bad_header_and_bad_rows() -> None:
    facts, problems = count_usage(io.BytesIO(b"a,b,c\n1,2,3\n"))
    assert facts is None and "header" in problems[0].message
    data = b"timestamp,channel,status,document_type,ins_status\n" + b"2026-01-01,fax,success,x,QUAL\n" * 20
    facts, _ = count_usage(io.BytesIO(data))
    assert facts is not None and facts.malformed == 20 and len(facts.malformed_lines) == 10
    assert facts.malformed_lines[0] == 2


def _check(bundle: Path, rule: str, config: dict[str, object] | None = None) -> list[Status]:
    report = run_check(bundle, CheckOptions(today=dt.date(2026, 11, 29), rule_ids=(rule,), config=config or {}),
                       load_pack(REPO / "rules"))
    return [r.status for r in report.results]


def test_minimum_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "usage.csv").write_bytes(usage_csv(dmp_success=3))
    assert _check(tmp_path, "USAGE-DMP") == [Status.PASS]
    config = {"rules": {"USAGE-DMP": {"params": {"minimum": 4}}}}
    assert _check(tmp_path, "USAGE-DMP", config) == [Status.FAIL]  # the PROV success does not count


def test_no_evidence_is_not_applicable_unless_configured(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("nothing here")
    assert _check(tmp_path, "USAGE-MSS") == [Status.NOT_APPLICABLE]
    config = {"rules": {"USAGE-MSS": {"params": {"when_absent": "fail"}}}}
    assert _check(tmp_path, "USAGE-MSS", config) == [Status.FAIL]


def test_successful_xds_responses_count_as_dmp_use() -> None:
    """The DMP area's generated bundles: a Success RegistryResponse counts, a Failure does not."""
    bundles = REPO / "fixtures" / "bundles"
    report = run_check(bundles / "dmp-clean", CheckOptions(today=dt.date(2026, 11, 29), rule_ids=("USAGE-DMP",)),
                       load_pack(REPO / "rules"))
    (result,) = report.results
    assert result.status is Status.PASS and result.observed["from_responses"] == "1"
    assert _check(bundles / "dmp-response-failure", "USAGE-DMP") == [Status.FAIL]
