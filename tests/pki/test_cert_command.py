"""``segurcheck cert``: the quick analysis prints the facts and the same verdicts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def test_cert_on_real_revoked_certificate(igc_data: Path, cli: Callable[..., tuple[int, str]]) -> None:
    code, output = cli("cert", igc_data / "examples/test/tomwsrevoque.henix.asipsante.fr.pem",
                       igc_data / "test/ca/ca-bundle.crt", igc_data / "crl/test/ca-bundle-tomws.crl.expired",
                       "--as-of", "2019-07-01", "--lang", "en")
    assert code == 1
    text = " ".join(output.split())
    assert "1D5DE25E3DC14BDE616C9AE5D028D672" in text
    assert "TEST (issuer DN)" in text
    assert "PKI-REVOKED │ FAIL" in text


def test_cert_on_clean_production_chain(igc_data: Path, cli: Callable[..., tuple[int, str]]) -> None:
    code, output = cli("cert", igc_data / "prod/ca/Chaine_de_certification-IGC-Sante.p7b", "--as-of", "2026-01-01")
    assert code == 0, output
    assert "AC RACINE IGC-SANTE FORT" in output and "FAIL" not in output and "ÉCHEC" not in output


def test_cert_flags_a_key_and_missing_files(bundles: Path, tmp_path: Path, cli: Callable[..., tuple[int, str]]) -> None:
    code, output = cli("cert", bundles / "pki-private-key" / "keys" / "insi-auto.key")
    assert code == 1 and "clé privée" in output
    key_body = (bundles / "pki-private-key" / "keys" / "insi-auto.key").read_text().splitlines()[1]
    assert key_body not in output
    code, _ = cli("cert", tmp_path / "absent.pem")
    assert code == 2


def test_cert_with_trust_dir(bundles: Path, cli: Callable[..., tuple[int, str]]) -> None:
    files = [bundles / "pki-clean" / "certs" / "insi-auto.pem", bundles / "pki-clean" / "ca" / "chain.pem"]
    code, output = cli("cert", *files, "--as-of", "2026-06-01")
    assert code == 1  # the generated root is not an IGC-Santé CA
    code, output = cli("cert", *files, "--as-of", "2026-06-01", "--trust", bundles / "_trust")
    assert code == 0, output
