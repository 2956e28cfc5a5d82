"""Manifest errors name the key path and the line."""

from __future__ import annotations

import json

from segurcheck.manifest import parse_manifest

GOOD = """segurcheck: 1
dossier:
  publisher: ACME Santé
  software: MediDPI
  version: 4.2.1
  sector: DPI
  environment: test
  as_of: 2026-11-29
certificates:
  - file: certs/insi-auto.pem
    use: insi
proofs:
  - requirement: DMP/CONF.03
    files: [proofs/dmp-conf-03.mp4]
"""


def test_valid_manifest_is_read() -> None:
    manifest = parse_manifest(GOOD)
    assert manifest.errors == ()
    assert manifest.software == "MediDPI" and manifest.as_of is not None and manifest.as_of.isoformat() == "2026-11-29"
    assert manifest.certificates[0].use == "insi"
    assert manifest.proof_files == {"proofs/dmp-conf-03.mp4"}


def test_error_names_key_path_and_line() -> None:
    bad = GOOD.replace("environment: test", "environment: staging").replace("use: insi", "use: wifi")
    manifest = parse_manifest(bad)
    found = {(e.path, e.line) for e in manifest.errors}
    assert ("dossier/environment", 7) in found
    assert ("certificates/0/use", 11) in found


def test_missing_key_points_at_parent() -> None:
    manifest = parse_manifest(GOOD.replace("  software: MediDPI\n", ""))
    assert [(e.path, e.line) for e in manifest.errors] == [("dossier", 2)]
    assert "software" in manifest.errors[0].message


def test_yaml_syntax_error_has_a_line_and_no_code_runs() -> None:
    manifest = parse_manifest("segurcheck: 1\ndossier: [unclosed\n")
    assert manifest.errors and manifest.errors[0].line >= 2
    hostile = parse_manifest("segurcheck: !!python/object/apply:os.system ['echo pwned']\n")
    assert hostile.errors  # safe_load refuses python tags


def test_bad_date_is_reported() -> None:
    manifest = parse_manifest(GOOD.replace("as_of: 2026-11-29", "as_of: 29/11/2026"))
    assert any(e.path == "dossier/as_of" for e in manifest.errors)


def test_cli_prints_the_manifest_schema(cli) -> None:
    code, output = cli("schema", "manifest")
    assert code == 0
    assert json.loads(output)["title"].startswith("segurcheck manifest")


def test_impossible_date_is_an_error_not_a_crash(cli, tmp_path) -> None:
    manifest = parse_manifest(GOOD.replace("as_of: 2026-11-29", "as_of: 2026-02-30"))
    assert manifest.errors and "2026-02-30" not in str(manifest.errors[0].path)
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "segur.yaml").write_text(GOOD.replace("as_of: 2026-11-29", "as_of: 2026-02-30"))
    out = tmp_path / "r.json"
    code, _ = cli("check", bundle, "--json", out)
    data = json.loads(out.read_text())
    assert code == 0  # a major finding, not a crash nor a tool failure
    assert [r["status"] for r in data["results"] if r["rule_id"] == "DOSSIER-MANIFEST"] == ["fail"]
    assert data["summary"]["verdict"] == "incomplete"  # nothing to judge is not "ready"
