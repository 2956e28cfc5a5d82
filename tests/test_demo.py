"""The demo dossier of `make demo` stays clean and matches its generator."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .conftest import BUNDLES, REPO


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def test_example_is_the_generated_demo() -> None:
    assert _tree(REPO / "examples" / "demo") == _tree(BUNDLES / "demo-dossier"), "run `make fixtures`"


def test_demo_is_clean_and_exits_0(cli, tmp_path: Path) -> None:
    out = tmp_path / "demo.json"
    code, output = cli("check", REPO / "examples" / "demo", "--trust", REPO / "examples" / "demo-trust", "--json", out)
    assert code == 0, output
    data = json.loads(out.read_text())
    problems = [(r["rule_id"], r["evidence"]) for r in data["results"] if r["status"] in ("fail", "error")]
    assert problems == []
    kinds = {e["kind"] for e in data["evidence"]}
    assert kinds >= {"certificate", "crl", "insi-request", "insi-response", "cda", "xds-submission", "xds-response",
                     "mss-message", "xdm-archive", "usage-export", "proof", "manifest"}
    assert data["summary"]["verdict"] == "incomplete"  # the proofs await a human
    assert data["summary"]["counts"]["manual"] >= 60
    assert len(data["coverage"]) > 100  # every DPI requirement has a row
