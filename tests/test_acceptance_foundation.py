"""Foundation acceptance: one bundle with a bad INS key, a leaked private key and an
obsolete INS-C OID gives exactly those failures, exit 1, and valid machine outputs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from lxml import etree

from segurcheck.resources import schema

from .test_outputs import sarif_schema


def test_three_classic_mistakes(cli, bundles: Path, tmp_path: Path) -> None:
    bundle = bundles / "foundation-acceptance"
    out = {k: tmp_path / f"r.{k}" for k in ("json", "sarif", "xml")}
    code, output = cli("check", bundle, "--json", out["json"], "--sarif", out["sarif"], "--junit", out["xml"])
    assert code == 1, output
    data = json.loads(out["json"].read_text())
    failing = {(r["rule_id"], r["evidence"]) for r in data["results"] if r["status"] == "fail"}
    assert ("INS-KEY", "cda/lettre-liaison.xml") in failing
    assert ("PKI-PRIVATE-KEY", "keys/client-insi.key") in failing
    assert ("INS-OID", "insi/reponse-insi.xml") in failing
    assert not any(r["rule_id"] == "INS-KEY" and r["evidence"] == "insi/reponse-insi.xml" for r in data["results"]
                   if r["status"] == "fail"), "the INSi matricule's key is valid"
    jsonschema.Draft202012Validator(schema("result")).validate(data)
    jsonschema.Draft4Validator(sarif_schema()).validate(json.loads(out["sarif"].read_text()))
    junit = etree.parse(str(out["xml"])).getroot()
    assert junit.tag == "testsuites" and int(junit.get("failures")) == len([r for r in data["results"] if r["status"] == "fail"])
    key_body = (bundle / "keys" / "client-insi.key").read_text().splitlines()[1]
    for path in out.values():
        assert key_body not in path.read_text(), f"private key material leaked into {path.name}"
