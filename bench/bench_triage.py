"""Benchmark: triage throughput with 1 and 2 worker processes, and the warm re-run.

    python bench/bench_triage.py [--dossiers 200]

Generates realistic dossiers under bench/data/triage/ (evidence copied from the
generated area bundles in fixtures/bundles, usage exports, proofs; a few broken ones
and a zip bomb, as a reviewer's inbox has), then measures:

* dossiers per minute with --jobs 1 (the floor) and --jobs 2: target speedup >= 1.7x;
* the warm re-run (nothing changed: the cache answers): target < 5% of the cold run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures.gen.gate_bundles import make_batch  # noqa: E402
from segurcheck.triage import TriageSettings, run_triage  # noqa: E402

DATA = ROOT / "bench" / "data" / "triage"


def timed(inputs: Path, out: Path, jobs: int, settings: TriageSettings) -> tuple[float, int]:
    started = time.perf_counter()
    summary = run_triage([inputs], out, settings, jobs=jobs, show_progress=False)
    return time.perf_counter() - started, summary.checked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=200)
    args = parser.parse_args()
    if DATA.exists():
        shutil.rmtree(DATA)
    inputs = DATA / "in"
    make_batch(inputs, args.dossiers, seed=2026, realistic=True, broken_every=25)
    size = sum(p.stat().st_size for p in inputs.rglob("*") if p.is_file())
    trust = ROOT / "fixtures" / "bundles" / "_trust"
    settings = TriageSettings(today=dt.date(2026, 11, 29), as_of=dt.date(2026, 11, 29), lang="en",
                              trust=trust if trust.is_dir() else None)
    print(f"{args.dossiers} dossiers, {size / 1e6:.1f} MB, {os.cpu_count()} CPUs, "
          f"load average before: {os.getloadavg()[0]:.1f} (other processes take CPUs from --jobs 2)")

    t1, n1 = timed(inputs, DATA / "out-j1", 1, settings)
    t2, n2 = timed(inputs, DATA / "out-j2", 2, settings)
    warm, n_warm = timed(inputs, DATA / "out-j2", 2, settings)
    rate1, rate2 = 60 * args.dossiers / t1, 60 * args.dossiers / t2
    speedup = t1 / t2
    warm_ratio = warm / t2
    print(f"--jobs 1 (floor): {t1:6.2f} s  {rate1:8.0f} dossiers/min  ({n1} checked)")
    print(f"--jobs 2        : {t2:6.2f} s  {rate2:8.0f} dossiers/min  ({n2} checked)")
    print(f"warm re-run     : {warm:6.2f} s  ({n_warm} re-checked)")
    print(f"speedup jobs 2 / jobs 1: {speedup:.2f}x (target >= 1.7x) {'OK' if speedup >= 1.7 else 'BELOW TARGET'}")
    print(f"warm / cold (jobs 2)   : {100 * warm_ratio:.1f}% (target < 5%) {'OK' if warm_ratio < 0.05 else 'ABOVE TARGET'}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
