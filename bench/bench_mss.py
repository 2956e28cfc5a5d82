"""Benchmark: a bundle of MSS messages, each carrying an IHE_XDM.ZIP and a PDF/A.

Generates ``bench/data/mss-bundle/`` (``--count`` messages, deterministic, patients
alternating between fictitious INSi test people), then measures on the same files:
  * floor - Python's ``email`` parse of each message, walking its parts, decoding
    the attachments and listing the ZIP members (what any reader must do);
  * parsers - segurcheck's MSS parser, then the XDM archive and METADATA parsers on
    the children (what the walker calls for this area);
  * pipeline - the whole ``run_check`` (bundle opening, sniffing, every nested item,
    hashing) restricted to the MSS rules.
Prints each time and its ratio to the floor (target for the parsers: <= 3x).
"""

from __future__ import annotations

import argparse
import datetime as dt
import email
import io
import shutil
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from fixtures.gen.mss_bundles import DOMINIQUE, TOUSSAINT, Mail, eml, manifest  # noqa: E402


def generate(folder: Path, count: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "segur.yaml").write_bytes(manifest())
    total = 0
    for i in range(count):
        patient = DOMINIQUE if i % 2 == 0 else TOUSSAINT
        mail = Mail(patients=(patient,), message_id=f"<bench-{i:05d}@hopital-test.mssante.fr>")
        data = eml(mail)
        (folder / f"msg-{i:05d}.eml").write_bytes(data)
        total += len(data)
    return total


def floor(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        message = email.message_from_bytes(path.read_bytes())
        for part in message.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload[:2] == b"PK":
                zipfile.ZipFile(io.BytesIO(payload)).namelist()
    return time.perf_counter() - start


def parsers(files: list[Path]) -> float:
    from segurcheck.evidence.base import Source
    from segurcheck.evidence.mss import parse_mss_message
    from segurcheck.evidence.xdm import parse_xdm_archive, parse_xdm_metadata
    from segurcheck.model import Kind

    start = time.perf_counter()
    for path in files:
        parsed = parse_mss_message(Source(path.name, path.read_bytes()))
        for child in parsed.children:
            if child.kind is Kind.XDM_ARCHIVE:
                archive = parse_xdm_archive(Source(child.name, child.data))
                for inner in archive.children:
                    if inner.kind is Kind.XDM_METADATA:
                        parse_xdm_metadata(Source(inner.name, inner.data))
    return time.perf_counter() - start


def pipeline(folder: Path) -> float:
    from segurcheck.engine.rules import load_pack
    from segurcheck.pipeline import CheckOptions, run_check

    pack = load_pack(ROOT / "rules")
    ids = tuple(r.id for r in pack.rules if r.area == "mss")
    start = time.perf_counter()
    run_check(folder, CheckOptions(today=dt.date(2026, 11, 29), rule_ids=ids), pack)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000, help="number of messages (default 2000)")
    parser.add_argument("--keep", action="store_true", help="keep bench/data/ afterwards")
    args = parser.parse_args()
    folder = HERE / "data" / "mss-bundle"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        size = generate(folder, args.count)
        files = sorted(folder.glob("*.eml"))
        print(f"generated {len(files)} messages, {size / 1024 / 1024:.1f} MB")
        floor(files[:50])  # warm the file cache and imports
        base = min(floor(files) for _ in range(2))
        ours = min(parsers(files) for _ in range(2))
        full = pipeline(folder)
        print(f"floor (email + zip listing) : {base:.2f}s  ({len(files) / base:.0f} msg/s)")
        print(f"segurcheck parsers          : {ours:.2f}s  ratio {ours / base:.2f}x (target <= 3x)")
        print(f"whole pipeline, MSS rules   : {full:.2f}s  ratio {full / base:.2f}x")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
            data = HERE / "data"
            if data.exists() and not any(data.iterdir()):
                data.rmdir()


if __name__ == "__main__":
    main()
