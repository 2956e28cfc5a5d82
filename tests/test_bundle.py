"""Safe opening: hostile archives and folders are refused with findings, never
extracted, and the input stays byte-identical."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

from segurcheck.bundle import Limits, open_bundle, read_zip_bytes


def _digest(path: Path) -> str:
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    return hashlib.sha256(
        b"".join(p.relative_to(path).as_posix().encode() + (p.read_bytes() if p.is_file() and not p.is_symlink() else b"")
                 for p in sorted(path.rglob("*")))
    ).hexdigest()


def _check_json(cli, bundle: Path, tmp_path: Path) -> tuple[int, dict]:
    out = tmp_path / "out.json"
    code, _ = cli("check", bundle, "--json", out, "--as-of", "2026-11-29")
    return code, json.loads(out.read_text())


def _unsafe(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["rule_id"] == "DOSSIER-UNSAFE-FILE" and r["status"] == "fail"]


def test_zip_slip_is_refused_and_nothing_escapes(cli, bundles: Path, tmp_path: Path, monkeypatch) -> None:
    bundle = bundles / "dossier-zip-slip.zip"
    before = _digest(bundle)
    monkeypatch.chdir(tmp_path)
    code, report = _check_json(cli, bundle, tmp_path)
    assert code == 1
    assert {r["evidence"] for r in _unsafe(report)} == {"../../escaped.txt", "/etc/absolute.txt"}
    assert not (tmp_path.parent / "escaped.txt").exists() and not (bundles / "escaped.txt").exists()
    assert _digest(bundle) == before
    assert report["bundle"]["files"] == 1  # only the safe member was read


def test_zip_symlink_member_is_not_followed(cli, bundles: Path, tmp_path: Path) -> None:
    bundle = bundles / "dossier-zip-symlink.zip"
    before = _digest(bundle)
    code, report = _check_json(cli, bundle, tmp_path)
    assert code == 1
    assert [r["evidence"] for r in _unsafe(report)] == ["certs/link.pem"]
    assert all("root:" not in json.dumps(r) for r in report["results"])  # /etc/passwd never read
    assert _digest(bundle) == before


def test_zip_bomb_is_skipped_without_inflating(cli, bundles: Path, tmp_path: Path) -> None:
    import resource

    bundle = bundles / "dossier-zip-bomb.zip"
    code, report = _check_json(cli, bundle, tmp_path)
    assert code == 1
    refused = _unsafe(report)
    assert [r["evidence"] for r in refused] == ["usage/huge.csv"]
    assert "ratio" in refused[0]["message"] or "taux" in refused[0]["message"]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 900_000  # KiB: the GiB was never inflated


def test_symlinks_in_a_folder_are_not_followed(cli, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "certs").mkdir(parents=True)
    (bundle / "certs" / "a.txt").write_text("plain")
    secret = tmp_path / "outside.txt"
    secret.write_text("SECRET-OUTSIDE")
    (bundle / "certs" / "link.txt").symlink_to(secret)
    (bundle / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    before = _digest(bundle)
    code, report = _check_json(cli, bundle, tmp_path)
    assert code == 1
    assert {r["evidence"] for r in _unsafe(report)} == {"certs/link.txt", "dirlink"}
    assert "SECRET-OUTSIDE" not in json.dumps(report)
    assert _digest(bundle) == before


def test_lying_zip_header_is_stopped(tmp_path: Path) -> None:
    """A member whose real content exceeds its declared size is cut, not trusted."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.txt", b"x" * 100)
    data = bytearray(buffer.getvalue())
    # shrink the declared uncompressed size in the central directory to 10 bytes
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    members, skipped = read_zip_bytes(bytes(data))
    assert members == []
    assert skipped and skipped[0].path in ("a.txt", "")


def test_count_and_depth_limits(tmp_path: Path) -> None:
    bundle = tmp_path / "many"
    bundle.mkdir()
    for i in range(5):
        (bundle / f"f{i}.txt").write_text(str(i))
    opened = open_bundle(bundle, Limits(max_files=3))
    assert len(opened.entries) == 3
    assert len(opened.skipped) == 2


def test_unreadable_root_is_exit_2(cli, tmp_path: Path) -> None:
    code, output = cli("check", tmp_path / "missing")
    assert code == 2
    assert "no such directory" in output
    bad_zip = tmp_path / "bad.zip"
    bad_zip.write_bytes(b"not a zip")
    code, output = cli("check", bad_zip)
    assert code == 2
    assert "ZIP" in output
