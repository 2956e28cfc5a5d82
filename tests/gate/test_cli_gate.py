"""The gate end to end through the real CLI: waivers, baseline, reviewer mode,
fingerprint stability, as-of reproducibility, diff and CI outputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from cli_helpers import CONFIG, results, segurcheck

from fixtures.gen.gate_bundles import three_failures, zip_dossier
from segurcheck.resources import schema

WAIVERS = """\
waivers:
  - rule: DOSSIER-UNKNOWN-FILE
    evidence: "notes/readme.txt"
    reason: kept on purpose, explains the bundle to the reviewer
    owner: jane.doe@example.org
    expires: {valid}
    ticket: QUAL-1
  - rule: DOSSIER-UNKNOWN-FILE
    evidence: "logs/*.log"
    reason: build log, to be removed
    owner: ops@example.org
    expires: {expired}
"""


@pytest.fixture(scope="module")
def dossier(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("gate")
    bundle = root / "dossier"
    three_failures(bundle)
    # the baseline: an earlier run where only the XML stray file was there
    earlier = root / "earlier"
    names = three_failures(earlier)
    (earlier / names["text"]).unlink()
    (earlier / names["log"]).unlink()
    baseline = root / "baseline.json"
    done = segurcheck("check", earlier, "--config", CONFIG, "--json", baseline)
    assert done.returncode == 1, done.stderr
    waivers = root / "waivers.yaml"
    waivers.write_text(WAIVERS.format(valid="2027-03-31", expired="2026-10-31"), encoding="utf-8")
    renewed = root / "renewed.yaml"
    renewed.write_text(WAIVERS.format(valid="2027-03-31", expired="2027-01-31"), encoding="utf-8")
    return {"root": root, "bundle": bundle, "baseline": baseline, "waivers": waivers, "renewed": renewed}


def _by_evidence(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    return {(r["rule_id"], r["evidence"]): r for r in results(path)}


def test_acceptance_waived_expired_known(dossier: dict[str, Path]) -> None:
    out = dossier["root"] / "run.json"
    views = {name: dossier["root"] / f"run.{name}" for name in ("sarif", "junit", "markdown", "gitlab")}
    done = segurcheck("check", dossier["bundle"], "--config", CONFIG, "--waivers", dossier["waivers"],
                      "--baseline", dossier["baseline"], "--json", out,
                      *[arg for name, path in views.items() for arg in (f"--{name}", path)])
    assert done.returncode == 1, done.stderr  # the failure under the expired waiver is new and blocking
    got = _by_evidence(out)
    readme = got[("DOSSIER-UNKNOWN-FILE", "notes/readme.txt")]
    assert readme["status"] == "waived" and readme["baseline"] == "new"
    assert readme["waiver"]["reason"].startswith("kept on purpose")  # type: ignore[index]
    log = got[("DOSSIER-UNKNOWN-FILE", "logs/run.log")]
    assert log["status"] == "fail" and log["baseline"] == "new" and "expired" in log["waiver"]["note"]  # type: ignore[index]
    xml = got[("DOSSIER-UNKNOWN-FILE", "notes/inventory.xml")]
    assert xml["status"] == "fail" and xml["baseline"] == "known"
    expired = got[("WAIVER-EXPIRED", "")]
    assert expired["status"] == "fail" and expired["severity"] == "major"
    data = json.loads(out.read_text(encoding="utf-8"))
    summary = data["summary"]
    assert summary["counts"]["waived"] == 1 and summary["blocking"] == 2 and summary["gating_blocking"] == 1
    # waiver, baseline marks and waiver findings stay inside the published result schema
    jsonschema.Draft202012Validator(schema("result")).validate(data)
    # the expired waiver is a finding in every view; the waived result keeps its reason
    for name, path in views.items():
        text = path.read_text(encoding="utf-8")
        assert "WAIVER-EXPIRED" in text, name
        if name in ("sarif", "junit", "markdown"):
            assert "kept on purpose" in text, name


def test_renewed_waiver_gives_exit_zero(dossier: dict[str, Path]) -> None:
    done = segurcheck("check", dossier["bundle"], "--config", CONFIG, "--waivers", dossier["renewed"],
                      "--baseline", dossier["baseline"], "--json", dossier["root"] / "renewed.json")
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = sorted(r["status"] for r in results(dossier["root"] / "renewed.json")
                      if r["rule_id"] == "DOSSIER-UNKNOWN-FILE")
    assert statuses == ["fail", "waived", "waived"]  # the known failure no longer gates


def test_ignore_waivers_counts_all_three(dossier: dict[str, Path]) -> None:
    out = dossier["root"] / "review.json"
    done = segurcheck("check", dossier["bundle"], "--config", CONFIG, "--waivers", dossier["renewed"],
                      "--ignore-waivers", "--json", out)
    assert done.returncode == 1
    fails = [r for r in results(out) if r["rule_id"] == "DOSSIER-UNKNOWN-FILE"]
    assert [r["status"] for r in fails] == ["fail"] * 3
    claimed = [r["waiver"]["reason"] for r in fails if "waiver" in r]
    assert sorted(claimed) == ["build log, to be removed", "kept on purpose, explains the bundle to the reviewer"]
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["blocking"] == 3


def test_invalid_waiver_file_exits_2_naming_the_line(dossier: dict[str, Path]) -> None:
    bad = dossier["root"] / "bad.yaml"
    text = "waivers:\n  - rule: DOSSIER-UNKNOWN-FILE\n    evidence: x\n    owner: me\n    expires: 2027-01-01\n"
    bad.write_text(text, encoding="utf-8")
    done = segurcheck("check", dossier["bundle"], "--waivers", bad)
    assert done.returncode == 2
    assert "bad.yaml:2" in done.stderr and "reason" in done.stderr
    broken = dossier["root"] / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert segurcheck("check", dossier["bundle"], "--baseline", broken).returncode == 2


def test_fingerprints_survive_rename_reorder_pretty_print_and_zip(tmp_path: Path) -> None:
    three_failures(tmp_path / "a")
    three_failures(tmp_path / "b", pretty=True, renamed=True)
    zip_dossier(tmp_path / "b", tmp_path / "c.zip")
    prints = []
    for bundle in (tmp_path / "a", tmp_path / "b", tmp_path / "c.zip"):
        out = tmp_path / f"{bundle.name}.json"
        segurcheck("check", bundle, "--config", CONFIG, "--json", out)
        got = results(out)
        assert sum(r["status"] == "fail" for r in got if r["rule_id"] == "DOSSIER-UNKNOWN-FILE") == 3
        prints.append(sorted((r["rule_id"], r["fingerprint"]) for r in got if r["evidence"] != "segur.yaml"))
    assert prints[0] == prints[1] == prints[2]
    # the baseline of the original fully covers the renamed, reformatted, zipped copy
    done = segurcheck("check", tmp_path / "c.zip", "--config", CONFIG, "--baseline", tmp_path / "a.json",
                      "--json", tmp_path / "again.json")
    assert done.returncode == 0
    assert {r["baseline"] for r in results(tmp_path / "again.json") if r["status"] == "fail"} == {"known"}


def test_same_inputs_and_as_of_give_identical_bytes(dossier: dict[str, Path]) -> None:
    outs = []
    for name in ("one.json", "two.json"):
        out = dossier["root"] / name
        segurcheck("check", dossier["bundle"], "--config", CONFIG, "--as-of", "2026-12-01",
                   "--waivers", dossier["waivers"], "--baseline", dossier["baseline"], "--json", out)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert b"2026-12-01" in outs[0]


def test_diff_command(dossier: dict[str, Path]) -> None:
    new = dossier["root"] / "now.json"
    segurcheck("check", dossier["bundle"], "--config", CONFIG, "--json", new)
    done = segurcheck("diff", dossier["baseline"], new, "--json", dossier["root"] / "diff.json")
    assert done.returncode == 1  # two new blocking failures
    assert "New failures: 2" in done.stdout and "caused by the evidence (2)" in done.stdout
    assert "Fixed: 0" in done.stdout
    back = segurcheck("diff", new, dossier["baseline"])
    assert back.returncode == 0 and "Fixed: 2" in back.stdout
    changes = json.loads((dossier["root"] / "diff.json").read_text(encoding="utf-8"))["changes"]
    assert {c["kind"] for c in changes} == {"new"}
    assert segurcheck("diff", dossier["baseline"], dossier["root"] / "missing.json").returncode == 2


def test_github_gitlab_markdown(dossier: dict[str, Path], tmp_path: Path) -> None:
    bundle = tmp_path / "dossier"
    shutil.copytree(dossier["bundle"], bundle)
    step = tmp_path / "step.md"
    done = segurcheck("check", "dossier", "--config", CONFIG, "--gitlab", "gl.json", "--markdown", "s.md",
                      "--lang", "en", cwd=tmp_path, GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(step))
    assert done.returncode == 1
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::") and "DOSSIER-UNKNOWN-FILE" in line]
    assert len(annotations) == 3
    assert all(line.startswith("::error file=dossier/") for line in annotations)
    entries = [e for e in json.loads((tmp_path / "gl.json").read_text(encoding="utf-8"))
               if e["check_name"] == "DOSSIER-UNKNOWN-FILE"]
    assert {e["location"]["path"] for e in entries} == {"dossier/notes/readme.txt", "dossier/logs/run.log",
                                                         "dossier/notes/inventory.xml"}
    assert {e["severity"] for e in entries} == {"blocker"}
    summary = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert "not ready" in summary and step.read_text(encoding="utf-8") == summary
    quiet = segurcheck("check", "dossier", "--config", CONFIG, "--json", "x.json", cwd=tmp_path)
    assert "::error" not in quiet.stdout  # annotations only under GitHub Actions


def test_bundled_waivers_are_never_applied_silently(dossier: dict[str, Path], tmp_path: Path) -> None:
    bundle = tmp_path / "dossier"
    shutil.copytree(dossier["bundle"], bundle)
    shutil.copyfile(dossier["renewed"], bundle / "segur-waivers.yaml")
    out = tmp_path / "r.json"
    done = segurcheck("check", bundle, "--config", CONFIG, "--json", out, "--lang", "en")
    assert done.returncode == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["summary"]["counts"]["waived"] == 0
    assert any("segur-waivers.yaml" in n and "not applied" in n for n in data["notices"])


def test_fixed_failures_are_listed(dossier: dict[str, Path], tmp_path: Path) -> None:
    full = tmp_path / "full.json"
    segurcheck("check", dossier["bundle"], "--config", CONFIG, "--json", full)
    smaller = tmp_path / "smaller"
    names = three_failures(smaller)
    (smaller / names["text"]).unlink()
    (smaller / names["log"]).unlink()
    out = tmp_path / "after.json"
    done = segurcheck("check", smaller, "--config", CONFIG, "--baseline", full, "--json", out)
    assert done.returncode == 0  # the remaining failure is known
    data = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(f["evidence"] for f in data["fixed"]) == ["logs/run.log", "notes/readme.txt"]
    jsonschema.Draft202012Validator(schema("result")).validate(data)


def test_waiver_schema_is_published() -> None:
    done = segurcheck("schema", "waivers")
    assert done.returncode == 0 and json.loads(done.stdout) == schema("waivers")


def test_terminal_marks_known_waived_and_fixed(dossier: dict[str, Path], tmp_path: Path) -> None:
    smaller = tmp_path / "smaller"
    names = three_failures(smaller)
    (smaller / names["log"]).unlink()
    full = tmp_path / "full.json"
    segurcheck("check", dossier["bundle"], "--config", CONFIG, "--json", full)
    done = segurcheck("check", smaller, "--config", CONFIG, "--lang", "en", "--baseline", full,
                      "--waivers", dossier["renewed"], COLUMNS="250")
    assert done.returncode == 0
    # (waived rows come after every failure, beyond the table's limit once a sector pack fails proofs)
    assert "[known]" in done.stdout and "waived 1" in done.stdout
    assert "fixed since the baseline (1): DOSSIER-UNKNOWN-FILE logs/run.log" in done.stdout
    assert "WAIVER-STALE" in done.stdout  # the log waiver matches nothing any more
