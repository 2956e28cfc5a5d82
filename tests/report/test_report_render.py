"""The HTML/PDF report: content, languages, escaping, confinement and agreement."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from report_samples import base_results, many_findings, result, sample_report

from segurcheck.model import EvidenceSummary, Kind, Problem, Severity, Status
from segurcheck.report.html import proof_href, render_html, write_html
from segurcheck.report.i18n import STRINGS
from segurcheck.report.pdf import FetchRefused, confined_fetcher, pdf_bytes
from segurcheck.resources import templates_dir

XSS_TITLE = "<script>document.title='PWNED-TITLE'</script>"
XSS_DOM = "<script>document.body.setAttribute('data-pwned','1')</script>"
XSS_IMG = '<img src=x onerror="document.title=\'PWNED-IMG\'">'
XSS_CSS = "</style><style>body{background:url(http://evil.example/x)}</style>"
JS_LINK = "javascript:document.title='PWNED-LINK'"


def hostile_report():
    results = base_results()
    hostile = result(
        "MSS-SUBJECT", Status.FAIL, Severity.MAJOR, f"mss/{XSS_IMG}.eml", "mss",
        (XSS_TITLE, XSS_TITLE), (f"subject {XSS_TITLE} {XSS_CSS}", f"subject {XSS_TITLE} {XSS_CSS}"),
        location=f"/a[@b='{XSS_IMG}']",
        observed={"subject": XSS_TITLE, "body": XSS_DOM, "style": XSS_CSS, "x\"onmouseover=\"alert(1)": "v"},
        requirements=("MSS/CONF.25",),
    )
    proof = result(
        "DOSSIER-PROOF-MISSING", Status.MANUAL, Severity.BLOCKING, "", "dossier",
        ("Proof", "Proof"), ("supplied", "supplied"),
        observed={"requirement": "DMP/CONF.03", "files": f"{JS_LINK}, proofs/{XSS_IMG}.mp4"},
    )
    evidence = EvidenceSummary(f"odd/{XSS_IMG}{XSS_CSS}.xml", Kind.UNKNOWN, 12, "0" * 64, (Problem(XSS_TITLE),))
    report = sample_report("en")
    return replace(report, results=(*results, hostile, proof), evidence=(*report.evidence, evidence))


def test_french_by_default_and_english_on_request():
    fr = render_html(sample_report("fr"))
    en = render_html(sample_report("en"))
    assert "Pas prêt" in fr and "Échecs à corriger" in fr and '<html lang="fr">' in fr
    assert "Not ready" in en and "Failures to fix" in en and '<html lang="en">' in en
    assert "Échecs à corriger" not in en


def test_every_string_translated():
    for key, (fr, en) in STRINGS.items():
        assert fr.strip() and en.strip(), key
    templates = "".join(p.read_text(encoding="utf-8") for p in templates_dir().glob("*.j2"))
    for key in set(re.findall(r"t\([\"']([a-z_]+)[\"']\)", templates)):
        assert key in STRINGS, key


def test_header_failures_and_groups():
    report = sample_report("en")
    html = render_html(report)
    d = report.dossier
    for text in (d.publisher, d.software, d.version, d.sector, d.environment, d.as_of.isoformat(),
                 report.rulepack_sha256, report.bundle_sha256, "segurcheck 0.1.0"):
        assert text in html
    assert f"Blocking failures: {report.blocking}" in html
    failures = html.split('id="failures"')[1].split('id="errors"')[0]
    assert failures.count('class="finding st-fail') == report.count(Status.FAIL)  # few: one card each
    # blocking failures come before minor ones, evidence areas before missing proofs
    assert failures.index("PKI-EXPIRED") < failures.index("PKI-EXPIRES-SOON")
    assert failures.index("INS-KEY") < failures.index("DOSSIER-PROOF-MISSING")
    assert ">Why<" in failures and "Deciding condition" in failures and "ins_key_valid" in failures
    for group in ("waived", "manual", "passed", "not-applicable", "errors"):
        assert f'<details id="{group}"' in html
    assert 'href="proofs/dmp-conf-03.mp4"' in html
    assert "jane.doe@example.org" in html and "QUAL-123" in html


def test_self_contained_and_readable_without_script():
    html = render_html(sample_report())
    assert not re.search(r'(src|href)="(https?:|//)', html)
    assert "<link" not in html and "@import" not in html and "@font-face" not in html
    assert "Content-Security-Policy" in html
    # the filter control is hidden until the script shows it; content is all in the markup
    assert 'id="filter-bar" hidden' in html


def test_proof_links_are_always_relative():
    assert proof_href("javascript:alert(1)") == "javascript%3Aalert%281%29"
    assert proof_href("proofs/a b.mp4") == "proofs/a%20b.mp4"
    assert proof_href("../etc/passwd") is None
    assert proof_href("/etc/passwd") is None
    assert proof_href("mss/a.eml!IHE_XDM.ZIP") is None
    assert proof_href("proofs/v.mp4", "../../examples/demo") == "../../examples/demo/proofs/v.mp4"
    assert proof_href("proofs/v.mp4", None) is None


def test_links_follow_the_report_location(tmp_path: Path):
    bundle = tmp_path / "in" / "bundle"
    bundle.mkdir(parents=True)
    out = tmp_path / "out" / "demo"
    out.mkdir(parents=True)
    write_html(sample_report(), out / "r.html", bundle_root=bundle)
    assert 'href="../../in/bundle/proofs/dmp-conf-03.mp4"' in (out / "r.html").read_text(encoding="utf-8")
    zipped = tmp_path / "b.zip"
    zipped.write_bytes(b"PK")
    write_html(sample_report(), out / "z.html", bundle_root=zipped)
    assert 'href="proofs/' not in (out / "z.html").read_text(encoding="utf-8")


def test_hostile_values_are_escaped():
    html = render_html(hostile_report())
    body = html.split("<body", 1)[1]
    assert XSS_TITLE not in body and "<img src=x" not in body and "</style><style>" not in body
    assert "&lt;script&gt;document.title=" in body
    assert 'href="javascript:' not in body
    assert 'x"onmouseover' not in body


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_no_script_runs_in_a_real_browser(tmp_path: Path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium not installed (apt-get install -y chromium); `make test` installs it")
    page = tmp_path / "report.html"
    write_html(hostile_report(), page)
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120,
        )
    dom = run.stdout
    assert "<title>" in dom, run.stderr[-2000:]
    assert "PWNED" not in dom.split("</title>")[0]
    real_imgs = re.findall(r"<img\b[^>]*>", dom)  # text "&lt;img" is not an element
    assert all('class="mast-logo"' in tag for tag in real_imgs), real_imgs  # the payload stayed text
    assert 'data-pwned="1"' not in dom
    assert "&lt;script&gt;document.title='PWNED-TITLE'&lt;/script&gt;" in dom
    # our own filtering script did run (CSP allows it by hash): the filter bar is shown
    assert 'id="filter-bar" hidden' not in dom


def test_pdf_renderer_fetches_nothing_outside_templates(tmp_path: Path):
    log: list[str] = []
    report = hostile_report()
    hostile_css = result("PKI-PARSE", Status.FAIL, Severity.MAJOR, "x.pem", "pki", ("t", "t"),
                         ('<link rel="stylesheet" href="http://evil.example/a.css">', "<img src='file:///etc/passwd'>"))
    data = pdf_bytes(replace(report, results=(*report.results, hostile_css)), log)
    assert data.startswith(b"%PDF")
    root = templates_dir().resolve().as_uri()
    assert log, "the cover logo is fetched through the confined fetcher"
    assert all(url.startswith(root + "/") for url in log), log
    fetch = confined_fetcher(templates_dir(), [])
    for url in ("http://evil.example/a.css", "file:///etc/passwd", f"{root}/../../pyproject.toml"):
        with pytest.raises(FetchRefused):
            fetch(url)
    assert fetch(f"{root}/report.css")["string"].startswith(b"/*")


def test_weasyprint_itself_is_refused_outside_templates():
    from weasyprint import HTML

    from segurcheck.report.pdf import _weasyprint_fetcher

    log: list[str] = []
    root = templates_dir().resolve()
    html = ('<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname">'
            '<link rel="stylesheet" href="../../pyproject.toml"><img src="logo.svg">')
    pdf = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=_weasyprint_fetcher(root, log)).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert any(u.startswith("http://") for u in log) and any(u.endswith("/logo.svg") for u in log)
    fetcher = _weasyprint_fetcher(root, [])
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/hostname", (root / ".." / ".." / "pyproject.toml").as_uri()):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def test_json_html_pdf_agree():
    import io

    from pypdf import PdfReader

    report = sample_report("en")
    html = render_html(report)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes(report))).pages)
    flat = re.sub(r"\s+", " ", text)
    counts = report.counts
    for status in Status:
        assert f'<span class="st-n">{counts[status.value]}</span>' in html
    failing = [r for r in report.results if r.status is Status.FAIL]
    for r in failing:
        assert html.count(f'<code class="rule-id">{r.rule_id}</code>') >= 1
        assert r.fingerprint in flat.replace(" ", "") or r.fingerprint in text.replace("\n", "")
    assert f"Blocking failures: {report.blocking}" in flat
    assert f"Failures to fix {counts['fail']}" in flat
    import json

    from segurcheck.report.json_out import dumps

    payload = json.loads(dumps(report))
    assert payload["summary"]["counts"] == counts
    assert payload["summary"]["blocking"] == report.blocking
    assert payload["summary"]["verdict"] == report.verdict
    json_failing = {r["fingerprint"] for r in payload["results"] if r["status"] == "fail"}
    assert json_failing == {r.fingerprint for r in failing}
    assert sum(html.count(f">{fp}<") for fp in json_failing) == len(json_failing)


def test_every_requirement_of_the_pack_is_in_the_matrix():
    report = sample_report("en")
    html = render_html(report)
    for row in report.coverage:
        assert f"<code>{row.requirement}</code>" in html
        assert row.status
        if row.status == "not_covered":
            assert row.note.en


def test_scale_a_thousand_findings_renders():
    report = many_findings(1000)
    html = render_html(report)
    shown = html.count('class="finding st-fail') + html.count('class="finding-row st-fail')
    assert shown == report.count(Status.FAIL)
    assert html.count('class="finding rule-table') >= 1  # rules failing many times are tabulated
    assert html.count("<tr data-search") >= report.count(Status.PASS)


def test_evidence_inventory_lists_every_item():
    report = sample_report()
    html = render_html(report)
    for e in report.evidence:
        assert e.sha256 in html and e.path in html
    assert any(e.kind is Kind.PROOF for e in report.evidence)


def test_observed_values_follow_the_language():
    from segurcheck.report.html import observed_items

    seen = {"expected": "video or screenshots", "expected_fr": "vidéo ou captures d'écran", "requirement": "DMP/UX.11"}
    assert observed_items(seen, "fr") == [("expected", "vidéo ou captures d'écran"), ("requirement", "DMP/UX.11")]
    assert observed_items(seen, "en") == [("expected", "video or screenshots"), ("requirement", "DMP/UX.11")]
