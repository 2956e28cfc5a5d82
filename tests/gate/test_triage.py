"""Triage over many generated dossiers: every one reported, ranked, cached; a broken
dossier or a dying worker never stops the batch."""

from __future__ import annotations

import csv
import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import segurcheck

from fixtures.gen.gate_bundles import make_batch, three_failures
from segurcheck.triage import TriageSettings, run_triage
from segurcheck.triage import runner as runner_module
from segurcheck.triage import worker as worker_module
from segurcheck.triage.discover import discover

SETTINGS = TriageSettings(today=dt.date(2026, 11, 29), as_of=dt.date(2026, 11, 29), lang="en")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("triage")
    return root, make_batch(root / "in", 50, realistic=False)


@pytest.fixture(scope="module")
def first_run(batch: tuple[Path, list[Path]]) -> Any:
    root, _ = batch
    return run_triage([root / "in"], root / "out", SETTINGS, jobs=2, show_progress=False)


def test_every_dossier_is_reported_and_ranked(batch: tuple[Path, list[Path]], first_run: Any) -> None:
    root, paths = batch
    assert len(first_run.rows) == 50 and first_run.checked == 50 and first_run.cached == 0
    assert sorted(r["path"] for r in first_run.rows) == sorted(str(p) for p in paths)
    assert [r["rank"] for r in first_run.rows] == list(range(1, 51))
    order = {"ready": 0, "incomplete": 1, "not_ready": 2, "error": 3}
    verdicts = [order[r["verdict"]] for r in first_run.rows]
    assert verdicts == sorted(verdicts)  # most ready first
    errors = [r for r in first_run.rows if r["status"] == "error"]
    assert errors and all(r["error"] for r in errors)  # the not-a-zip dossiers
    bomb = next(r for r in first_run.rows if r["path"].endswith("-bomb.zip"))
    assert bomb["status"] == "ok" and bomb["verdict"] == "not_ready"
    assert ["DOSSIER-UNSAFE-FILE", 1] in bomb["top_rules"]
    for row in first_run.rows:
        if row["status"] == "ok":
            assert (root / "out" / row["json"]).is_file()


def test_overview_files(first_run: Any) -> None:
    with first_run.overview_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["rank"]) for r in rows] == list(range(1, 51))
    assert {"verdict", "blocking_by_area", "top_rules", "real_patient", "waivers_expired", "proofs_covered"} <= set(rows[0])
    html = first_run.overview_html.read_text(encoding="utf-8")
    assert html.count("<tr>") == 51 and "<script" not in html


def test_bundled_waivers_are_shown_not_applied(first_run: Any) -> None:
    shipped = [r for r in first_run.rows if r.get("waivers_bundled")]
    assert shipped, "the generator ships waivers in some dossiers"
    for row in shipped:
        assert row["counts"]["waived"] == 0
        assert row["waivers_expired"] == 1
        assert any("expired" in s for s in row["waivers_suspicious"])
        assert any("every evidence path" in s for s in row["waivers_suspicious"])


def test_warm_rerun_uses_the_cache(batch: tuple[Path, list[Path]], first_run: Any) -> None:
    root, paths = batch
    again = run_triage([root / "in"], root / "out", SETTINGS, jobs=2, show_progress=False)
    assert again.cached == 50 and again.checked == 0  # unreadable bundles too: same bytes, same error
    assert [r["path"] for r in again.rows] == [r["path"] for r in first_run.rows]
    assert [r["verdict"] for r in again.rows] == [r["verdict"] for r in first_run.rows]
    first_run.overview_html.unlink()  # a missing overview is written again even when nothing changed
    run_triage([root / "in"], root / "out", SETTINGS, jobs=2, show_progress=False)
    assert first_run.overview_html.is_file()
    # a changed bundle is checked again, the others stay cached
    changed = next(p for p in paths if p.is_dir() and (p / "usage" / "export.csv").is_file())
    (changed / "extra.txt").write_text("new\n", encoding="utf-8")
    third = run_triage([root / "in"], root / "out", SETTINGS, jobs=2, show_progress=False)
    assert third.checked == 1
    # other settings invalidate the cache
    other = TriageSettings(today=SETTINGS.today, as_of=dt.date(2027, 1, 1), lang="en")
    assert run_triage([changed], root / "out", other, jobs=1, show_progress=False).checked == 1


def _crash_on_marker(path: str, *args: str) -> dict[str, Any]:
    if "crash" in Path(path).name:
        os._exit(3)  # the worker dies, as under the OOM killer
    return worker_module.triage_one(path, *args)


def test_a_dying_worker_does_not_stop_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("needs fork: the patched worker function must reach the child")
    monkeypatch.setattr(runner_module, "triage_one", _crash_on_marker)
    for name in ("a", "b-crash", "c", "d"):
        three_failures(tmp_path / "in" / name)
    summary = run_triage([tmp_path / "in"], tmp_path / "out", SETTINGS, jobs=2, show_progress=False)
    by_name = {Path(r["path"]).name: r for r in summary.rows}
    assert set(by_name) == {"a", "b-crash", "c", "d"}
    assert by_name["b-crash"]["status"] == "error" and "died" in by_name["b-crash"]["error"]
    assert all(by_name[n]["status"] == "ok" for n in ("a", "c", "d"))


def test_discover_shelf_versus_bundle(tmp_path: Path) -> None:
    three_failures(tmp_path / "shelf" / "one")
    three_failures(tmp_path / "shelf" / "two")
    (tmp_path / "shelf" / "three.zip").write_bytes(b"")
    assert [p.name for p in discover([tmp_path / "shelf"])] == ["one", "three.zip", "two"]
    assert discover([tmp_path / "shelf" / "one"]) == [tmp_path / "shelf" / "one"]


def test_triage_command(tmp_path: Path) -> None:
    three_failures(tmp_path / "in" / "x")
    (tmp_path / "in" / "broken.zip").write_bytes(b"not a zip")
    done = segurcheck("triage", tmp_path / "in", "--out", tmp_path / "out", "--jobs", "2", "--as-of", "2026-11-29")
    assert done.returncode == 0, done.stderr
    assert "2 dossiers (2 checked, 0 unchanged)" in done.stderr
    assert (tmp_path / "out" / "overview.html").is_file() and (tmp_path / "out" / "overview.csv").is_file()
    assert segurcheck("triage", tmp_path / "nope", "--out", tmp_path / "o2").returncode == 2
    default_jobs = segurcheck("triage", tmp_path / "in", "--out", tmp_path / "o3", "--no-progress")
    assert default_jobs.returncode == 0, default_jobs.stderr


def test_config_content_is_part_of_the_cache_key(tmp_path: Path) -> None:
    three_failures(tmp_path / "in" / "x")
    config = tmp_path / "config.yaml"
    quiet = "rules:\n  DOSSIER-PROOF-MISSING: {severity: info}\n"  # sector proofs are not the subject here
    config.write_text(quiet, encoding="utf-8")
    settings = TriageSettings(today=SETTINGS.today, as_of=SETTINGS.as_of, config=config)
    first = run_triage([tmp_path / "in"], tmp_path / "out", settings, jobs=1, show_progress=False)
    assert first.rows[0]["blocking"] == 0  # stray files are info by default
    config.write_text(quiet + "  DOSSIER-UNKNOWN-FILE: {severity: blocking}\n", encoding="utf-8")
    second = run_triage([tmp_path / "in"], tmp_path / "out", settings, jobs=1, show_progress=False)
    assert second.checked == 1 and second.rows[0]["blocking"] == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [\n", encoding="utf-8")
    assert segurcheck("triage", tmp_path / "in", "--out", tmp_path / "o", "--config", bad).returncode == 2


def test_stat_shortcut_still_notices_a_same_size_rewrite(tmp_path: Path) -> None:
    from segurcheck.triage.cache import bundle_identity

    three_failures(tmp_path / "b")
    target = tmp_path / "b" / "notes" / "readme.txt"
    old_stat = target.stat()
    time.sleep(0.01)
    first = bundle_identity(tmp_path / "b")
    reused = bundle_identity(tmp_path / "b", {"stat": first.stat, "digest": "dir:previous"})
    assert reused.digest in ("dir:previous", first.digest)  # recent files are read again (racy window)
    target.write_bytes(target.read_bytes()[::-1])  # same size...
    os.utime(target, ns=(old_stat.st_atime_ns, old_stat.st_mtime_ns))  # ...and the old mtime
    again = bundle_identity(tmp_path / "b", {"stat": first.stat, "digest": first.digest})
    assert again.stat != first.stat and again.digest != first.digest  # ctime moved: read and noticed


def test_summary_counts_areas_alerts_proofs_and_waivers() -> None:
    from gate_reports import report, result

    from segurcheck.model import Severity, Status
    from segurcheck.waivers import apply_waivers, parse_waivers

    rep = report(
        result("DOSSIER-REAL-PATIENT", "cda/a.xml", area="dossier"),
        result("INS-KEY", "cda/a.xml"),
        result("INS-KEY", "cda/b.xml"),
        result("PKI-EXPIRES-SOON", "c.pem", severity=Severity.MINOR, area="pki"),
        result("DOSSIER-PROOF-MISSING", "", status=Status.MANUAL, area="dossier"),
        result("DOSSIER-PROOF-MISSING", "", status=Status.FAIL, area="dossier"),
        result("DOSSIER-PROOF-MISSING", "", status=Status.PASS, area="dossier"),
    )
    waivers = parse_waivers("waivers:\n  - rule: PKI-PRIVATE-KEY\n    evidence: '*'\n    reason: test keys\n"
                            "    owner: x\n    expires: 2026-01-01\n")
    row = worker_module.summarize(apply_waivers(rep, waivers, rep.dossier.as_of, ignore=True), ["w.yaml"])
    assert row["blocking_by_area"] == {"dossier": 2, "ins": 2}
    assert row["top_rules"][0] == ["INS-KEY", 2]
    assert row["real_patient"] == 1
    assert (row["proofs_covered"], row["proofs_total"]) == (2, 3)  # a supplied proof awaiting review counts
    assert row["waivers_expired"] == 1 and row["waivers_bundled"] == ["w.yaml"]
    assert any("safety rule" in s for s in row["waivers_suspicious"])
