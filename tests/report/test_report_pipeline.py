"""One real run (pipeline on a generated bundle): JSON, HTML and PDF agree."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from segurcheck.bundle import Limits, open_bundle
from segurcheck.dsr import attach_sector_coverage
from segurcheck.model import Status
from segurcheck.pipeline import CheckOptions, read_manifest, run_check
from segurcheck.report.html import render_html
from segurcheck.report.json_out import dumps
from segurcheck.report.pdf import pdf_bytes

BUNDLE = Path(__file__).resolve().parents[2] / "fixtures" / "bundles" / "foundation-acceptance"


@pytest.fixture(scope="module")
def run():
    if not BUNDLE.is_dir():
        pytest.skip("fixtures/bundles/foundation-acceptance missing: run `make fixtures`")
    report = run_check(BUNDLE, CheckOptions(today=dt.date(2026, 11, 29), lang="en"))
    with open_bundle(BUNDLE, Limits()) as bundle:
        manifest = read_manifest(bundle)
    return attach_sector_coverage(report, manifest)


def test_formats_agree_on_counts_and_failures(run):
    from pypdf import PdfReader

    payload = json.loads(dumps(run))
    html = render_html(run)
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes(run))).pages)
    compact_pdf = re.sub(r"\s+", "", pdf_text)
    counts = payload["summary"]["counts"]
    assert counts == run.counts
    for status in Status:
        assert f'<span class="st-n">{counts[status.value]}</span>' in html
    assert f"Blocking failures: {payload['summary']['blocking']}" in re.sub(r"\s+", " ", pdf_text)
    assert f"Failurestofix{counts['fail']}" in compact_pdf
    failing = [r for r in payload["results"] if r["status"] == "fail"]
    assert failing, "the acceptance bundle has failures"
    for r in failing:
        assert f">{r['fingerprint']}<" in html
        assert r["fingerprint"] in compact_pdf
        assert r["rule_id"] in compact_pdf


def test_matrix_lists_every_requirement_of_the_sector(run):
    assert run.coverage, "DPI pack attached"
    html = render_html(run)
    matrix = html.split('id="coverage"')[1].split('id="inventory"')[0]
    for row in run.coverage:
        assert f"<code>{row.requirement}</code>" in matrix
        assert f"cov-{row.status}" in matrix
