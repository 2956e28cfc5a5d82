"""Benchmark: counting a large usage export (proof of use) in bounded memory.

Generates ``bench/data/usage-<size>MB.csv`` (deterministic), then measures, each in a
fresh child process so peak RSS is its own:
  * floor   - a plain ``csv.reader`` loop over the same file (nothing kept);
  * segurcheck - ``evidence.usage.parse_usage_export`` on a streaming ``Source``
    (counting, validation, malformed-line tracking and the content hash the walker needs).
Prints throughput, the ratio to the floor (target <= 3x) and peak RSS (target < 200 MB).
The data file is deleted afterwards unless ``--keep``.

    python bench/bench_usage.py              # 200 MB by default
    python bench/bench_usage.py --size 1024  # the 1 GB figure
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHANNELS = ("dmp", "mss")
STATUSES = ("success", "success", "success", "failure")
INS = ("QUAL", "QUAL", "QUAL", "VALI", "RECUP", "PROV")
TYPES = ("11490-0", "11502-2", "18748-4", "60591-5", "11369-6")


def generate(path: Path, megabytes: int) -> int:
    """Write about ``megabytes`` MB of rows; returns the row count."""
    lines = []
    for i in range(997):  # a prime: rows do not repeat in lockstep with any column
        day = 1 + i % 28
        lines.append(
            f"2026-{1 + i % 12:02d}-{day:02d}T{i % 24:02d}:{i % 60:02d}:00+01:00,{CHANNELS[i % 2]},"
            f"{STATUSES[i % 4]},{TYPES[i % 5]},{INS[i % 6]}\n"
        )
    lines[500] = "garbled line without enough fields\n"
    block = "".join(lines).encode()
    target = megabytes * 1024 * 1024
    rows = 0
    with path.open("wb") as out:
        out.write(b"timestamp,channel,status,document_type,ins_status\n")
        written = 0
        while written < target:
            out.write(block)
            written += len(block)
            rows += len(lines)
    return rows


def child(mode: str, path: str) -> None:
    import resource

    start = time.perf_counter()
    if mode == "floor":
        import csv

        rows = 0
        with open(path, newline="", encoding="utf-8") as fh:
            for _ in csv.reader(fh):
                rows += 1
        extra: dict[str, object] = {"rows": rows}
    else:
        sys.path.insert(0, str(ROOT))
        from segurcheck.evidence.base import Source
        from segurcheck.evidence.usage import parse_usage_export

        file = Path(path)
        source = Source(path, opener=lambda: file.open("rb"), size=file.stat().st_size)
        parsed = parse_usage_export(source)
        facts = parsed.facts
        extra = {"rows": facts.rows if facts else 0, "malformed": facts.malformed if facts else -1,
                 "dmp_success_qual": facts.count("dmp", "success", "QUAL") if facts else 0}
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_kb / 1024, **extra}))


def measure(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(path)], capture_output=True, text=True,
                         check=True)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=200, help="size of the generated export in MB (default 200)")
    parser.add_argument("--keep", action="store_true", help="keep bench/data/ afterwards")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    path = data / f"usage-{args.size}MB.csv"
    try:
        start = time.perf_counter()
        rows = generate(path, args.size)
        size_mb = path.stat().st_size / 1024 / 1024
        print(f"generated {size_mb:.0f} MB, {rows:,} rows in {time.perf_counter() - start:.1f}s")
        floor = measure("floor", path)
        ours = measure("segurcheck", path)
        print(f"floor (csv.reader)   : {floor['seconds']:.2f}s  {size_mb / floor['seconds']:.0f} MB/s  "
              f"peak RSS {floor['peak_mb']:.0f} MB")
        print(f"segurcheck usage     : {ours['seconds']:.2f}s  {size_mb / ours['seconds']:.0f} MB/s  "
              f"peak RSS {ours['peak_mb']:.0f} MB  (rows {ours['rows']:,}, malformed {ours['malformed']:,})")
        ratio = ours["seconds"] / floor["seconds"]
        print(f"ratio to floor       : {ratio:.2f}x (target <= 3x)   peak RSS target < 200 MB: "
              f"{'ok' if ours['peak_mb'] < 200 else 'OVER'}")
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
            if data.exists() and not any(data.iterdir()):
                data.rmdir()


if __name__ == "__main__":
    main()
