"""Fingerprints survive renamed folders, reordered files and pretty-printed XML, on
every generated area bundle: baselines and waivers depend on it.

Two variants of each bundle, checked through the real pipeline:
* moved: every file not named by the manifest moves to renamed folders, and the
  bundle becomes a zip whose members are in reverse order; content is unchanged, so
  the results must be the same, fingerprint for fingerprint and status for status;
* pretty: every XML file is re-indented; statuses may change where bytes are the
  subject (a hash, a signature), but every fingerprint of the original must remain.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml
from lxml import etree

from segurcheck.engine.rules import RulePack, load_pack
from segurcheck.model import Report
from segurcheck.pipeline import CheckOptions, run_check

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"
BUNDLES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_")) \
    if FIXTURES.is_dir() else []
AS_OF = dt.date(2026, 11, 29)


@cache
def _setup() -> tuple[RulePack, CheckOptions]:
    return load_pack(), CheckOptions(today=AS_OF, as_of=AS_OF)


def _check(path: Path) -> Report:
    pack, options = _setup()
    return run_check(path, options, pack)


def _manifest_files(bundle: Path) -> set[str]:
    manifest = bundle / "segur.yaml"
    if not manifest.is_file():
        return set()
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return set()
    if not isinstance(data, dict):
        return set()
    named = {c.get("file") for c in data.get("certificates") or [] if isinstance(c, dict)}
    for proof in data.get("proofs") or []:
        if isinstance(proof, dict):
            named.update(proof.get("files") or [])
    return {str(n) for n in named if n}


def _moved(rel: str, keep: set[str]) -> str:
    if rel in keep or rel in ("segur.yaml", "segur.yml") or "IHE_XDM" in rel.upper():
        return rel
    *folders, name = rel.split("/")
    return "/".join([f"renamed-{f}" for f in folders] or ["renamed"]) + "/" + name


def _pretty(data: bytes) -> bytes:
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return data
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return data
    return etree.tostring(root.getroottree(), pretty_print=True, xml_declaration=True, encoding="UTF-8")


def _files(bundle: Path) -> list[tuple[str, bytes]]:
    return [(p.relative_to(bundle).as_posix(), p.read_bytes()) for p in sorted(bundle.rglob("*")) if p.is_file()]


def _prints(report: Report) -> Counter[tuple[str, str]]:
    return Counter((r.fingerprint, r.status.value) for r in report.results)


@pytest.mark.parametrize("name", BUNDLES)
def test_moved_and_reordered_keeps_every_result(name: str, tmp_path: Path) -> None:
    bundle = FIXTURES / name
    keep = _manifest_files(bundle)
    target = tmp_path / "moved.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, data in reversed(_files(bundle)):
            archive.writestr(zipfile.ZipInfo(_moved(rel, keep), date_time=(2026, 1, 1, 0, 0, 0)), data)
    assert _prints(_check(target)) == _prints(_check(bundle))


@pytest.mark.parametrize("name", BUNDLES)
def test_pretty_printed_xml_keeps_every_fingerprint(name: str, tmp_path: Path) -> None:
    bundle = FIXTURES / name
    changed = 0
    for rel, data in _files(bundle):
        out = _pretty(data)
        changed += out != data
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(out)
    if name in ("cda-clean", "dmp-clean", "gate-three-failures"):
        assert changed, "the variant must really differ where there is well-formed XML"
    original = {r.fingerprint for r in _check(bundle).results}
    pretty = {r.fingerprint for r in _check(tmp_path).results}
    assert original <= pretty, sorted(
        f"{r.rule_id} {r.evidence}" for r in _check(bundle).results if r.fingerprint in original - pretty
    )
