"""Benchmark of a whole `check` on a large mixed bundle (foundation issue).

Generates bundles of 2,000 evidence files (and 500/1,000/4,000 for linearity) by
replicating the clean fixture bundles' files (certificates, INSi traces, CDA, XDS,
MSS, usage exports) under distinct paths, then measures:
- check: the full pipeline (sniff, parse, all rules) plus JSON serialisation;
- floor: parsing the same XML files with lxml and loading the same certificates with
  cryptography, nothing else, in the same run.
Run: python bench/bench_check.py [--files N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
from pathlib import Path

from cryptography import x509
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import best_of, linearity, ratio_line  # noqa: E402

from segurcheck.engine.rules import load_pack  # noqa: E402
from segurcheck.options_loader import load_resources  # noqa: E402
from segurcheck.pipeline import CheckOptions, run_check  # noqa: E402
from segurcheck.report.json_out import dumps  # noqa: E402

DATA = ROOT / "bench" / "data" / "check"
BUNDLES = ROOT / "fixtures" / "bundles"


def template_files() -> list[Path]:
    """Evidence files of the clean fixture bundles (realistic sizes and kinds)."""
    files = [p for d in sorted(BUNDLES.glob("*clean*")) if d.is_dir() for p in sorted(d.rglob("*"))
             if p.is_file() and p.name != "segur.yaml"]
    if not files:
        raise SystemExit("no clean fixture bundles: run `make fixtures` first")
    return files


def build(n: int) -> Path:
    target = DATA / f"bundle-{n}"
    if target.exists():
        return target
    templates = template_files()
    target.mkdir(parents=True)
    for i in range(n):
        source = templates[i % len(templates)]
        dest = target / f"d{i // 100:03d}" / f"{i:05d}-{source.name}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    return target


def floor(bundle: Path) -> None:
    for path in bundle.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data.lstrip()[:1] == b"<":
            try:
                etree.fromstring(data.lstrip())
            except etree.XMLSyntaxError:
                pass
        elif b"-----BEGIN CERTIFICATE-----" in data:
            x509.load_pem_x509_certificates(data)
        elif data[:1] == b"\x30":
            try:
                x509.load_der_x509_certificate(data)
            except ValueError:
                pass


def check(bundle: Path, pack: object, resources: dict) -> None:
    options = CheckOptions(today=dt.date(2026, 11, 29), resources=resources)
    report = run_check(bundle, options, pack)  # type: ignore[arg-type]
    dumps(report)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    args = parser.parse_args()
    pack = load_pack()
    resources = load_resources(trust=BUNDLES / "_trust")
    bundle = build(args.files)
    measured = best_of(lambda: check(bundle, pack, resources), repeat=2)
    base = best_of(lambda: floor(bundle), repeat=2)
    print(ratio_line(f"check of {args.files} files", measured, base, target=3))
    scales = {n: best_of(lambda n=n: check(build(n), pack, resources), repeat=1) for n in (500, 1000, 2000, 4000)}
    print("linearity:", linearity(scales))


if __name__ == "__main__":
    main()
