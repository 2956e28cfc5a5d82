"""The INS area through the real CLI: INSi schemas option, and masking of a
non-fictitious identity in every output format the CLI writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

from fixtures.gen.ins_bundles import UNKNOWN

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = ROOT / "fixtures" / "bundles"
SECRETS = [UNKNOWN.matricule, UNKNOWN.matricule[:13], UNKNOWN.birth_name, "LUCIENNE", "ODETTE", UNKNOWN.birth_date]


def _outputs(cli: Callable[..., tuple[int, str]], tmp: Path, *extra: str) -> dict[str, str]:
    paths = {fmt: tmp / f"out.{fmt}" for fmt in ("json", "sarif", "junit", "html", "pdf")}
    code, terminal = cli(
        "check",
        BUNDLES / "dossier-real-patient",
        "--json",
        paths["json"],
        "--sarif",
        paths["sarif"],
        "--junit",
        paths["junit"],
        "--html",
        paths["html"],
        "--pdf",
        paths["pdf"],
        *extra,
    )
    assert code == 1  # DOSSIER-REAL-PATIENT is blocking
    pdf = paths.pop("pdf")
    found = {fmt: p.read_text(encoding="utf-8") for fmt, p in paths.items()}
    found["pdf"] = "\n".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages)
    code, found["terminal"] = cli("check", BUNDLES / "dossier-real-patient", *extra)
    found["terminal-stdout"] = terminal
    return found


def test_unknown_identity_is_masked_everywhere(cli: Callable[..., tuple[int, str]], tmp_path: Path) -> None:
    outputs = _outputs(cli, tmp_path)
    report = json.loads(outputs["json"])
    assert any(r["rule_id"] == "DOSSIER-REAL-PATIENT" and r["status"] == "fail" for r in report["results"])
    assert "DOSSIER-REAL-PATIENT" in outputs["html"] and "DOSSIER-REAL-PATIENT" in outputs["pdf"]  # real text was searched
    for fmt, text in outputs.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked in {fmt}"


def test_show_identities_reveals(cli: Callable[..., tuple[int, str]], tmp_path: Path) -> None:
    outputs = _outputs(cli, tmp_path, "--show-identities")
    assert UNKNOWN.matricule in outputs["json"]
    assert UNKNOWN.matricule in outputs["html"]


def test_insi_schemas_option(cli: Callable[..., tuple[int, str]], tmp_path: Path, shared_insi: Path) -> None:
    out = tmp_path / "r.json"
    cli("check", shared_insi / "insi", "--insi-schemas", shared_insi / "insi" / "wsdl", "--json", out)
    results = json.loads(out.read_text(encoding="utf-8"))["results"]
    failed = {r["evidence"] for r in results if r["rule_id"] == "INSI-STRUCTURE" and r["status"] == "fail"}
    assert failed == {"TEST_2.04_cas2.xml"}
