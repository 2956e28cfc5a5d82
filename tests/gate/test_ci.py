"""GitHub annotations, GitLab Code Quality and the Markdown summary."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from gate_reports import report, result

from segurcheck.model import LocalText, Severity, Status
from segurcheck.report.ci import github_annotations, markdown_summary, running_on_github, write_gitlab, write_markdown


def sample():  # type: ignore[no-untyped-def]
    tricky = replace(result("INS-KEY", "cda/a.xml!inner/doc.xml"), message=LocalText("x", "bad: 50%,\nsecond line"))
    minor = result("MSS-TRUST-DOMAIN", "mss/m.eml", severity=Severity.MINOR)
    known = replace(result("PKI-EXPIRED", "certs/c.pem"), baseline="known")
    waived = result("INS-OID", "cda/b.xml", status=Status.WAIVED)
    dossier = result("DOSSIER-PROOF-MISSING", "", area="dossier")
    return report(tricky, minor, known, waived, dossier, result("INS-KEY", "ok.xml", Status.PASS))


def test_github_annotations_escape_and_levels() -> None:
    lines = github_annotations(sample(), path_prefix="dossier/", lang="en")
    assert lines[0] == ("::error file=dossier/cda/a.xml,title=INS-KEY [blocking]::"
                        "cda/a.xml!inner/doc.xml: bad: 50%25,%0Asecond line")
    assert lines[1].startswith("::warning file=dossier/mss/m.eml,")
    assert lines[2].startswith("::notice file=dossier/certs/c.pem,")  # known: not this change's fault
    assert lines[3].startswith("::error title=DOSSIER-PROOF-MISSING")  # no file for dossier rules
    assert len(lines) == 4  # waived and passing results are not annotated


def test_gitlab_code_quality(tmp_path: Path) -> None:
    path = tmp_path / "gl.json"
    write_gitlab(sample(), path, path_prefix="dossier")
    entries = json.loads(path.read_text(encoding="utf-8"))
    assert [e["severity"] for e in entries] == ["blocker", "minor", "blocker", "blocker"]
    assert entries[0]["location"] == {"path": "dossier/cda/a.xml", "lines": {"begin": 1}}
    assert len({e["fingerprint"] for e in entries}) == 4
    assert entries[3]["location"]["path"] == "dossier/segur.yaml"  # dossier-level: the manifest


def test_markdown_summary_and_step_summary(tmp_path: Path) -> None:
    rep = replace(sample(), fixed=({"rule_id": "INS-OID", "evidence": "old.xml", "fingerprint": "f"},))
    text = markdown_summary(rep, lang="en")
    assert "❌ not ready" in text and "### Waived" in text and "### Fixed since the baseline (1)" in text
    assert "bad: 50%, second line" in text  # one table row, newline flattened
    step = tmp_path / "step.md"
    step.write_text("previous\n", encoding="utf-8")
    out = tmp_path / "summary.md"
    write_markdown(rep, out, environ={"GITHUB_STEP_SUMMARY": str(step)})
    assert out.read_text(encoding="utf-8") == markdown_summary(rep)
    assert step.read_text(encoding="utf-8").startswith("previous\n## segurcheck")


def test_github_detection() -> None:
    assert running_on_github({"GITHUB_ACTIONS": "true"})
    assert not running_on_github({})
