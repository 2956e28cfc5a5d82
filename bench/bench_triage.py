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
import importlib.util
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures.gen.gate_bundles import make_batch  # noqa: E402
from segurcheck.triage import TriageSettings, run_triage  # noqa: E402

DATA = ROOT / "bench" / "data" / "triage"


def _cpu() -> tuple[float, float]:
    """CPU seconds used by this process (the serial part) and its reaped children
    (the workers: the part that runs in parallel)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def timed(inputs: Path, out: Path, jobs: int, settings: TriageSettings) -> tuple[float, int, float, float]:
    """Wall time, dossiers checked, parent and worker CPU seconds: if CPU stays flat
    while wall time does not halve with 2 jobs, other processes held the second core."""
    started, (own, children) = time.perf_counter(), _cpu()
    summary = run_triage([inputs], out, settings, jobs=jobs, show_progress=False)
    own_after, children_after = _cpu()
    return time.perf_counter() - started, summary.checked, own_after - own, children_after - children


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
    has_pki = importlib.util.find_spec("segurcheck.pki") is not None  # trust anchors need the PKI area
    settings = TriageSettings(today=dt.date(2026, 11, 29), as_of=dt.date(2026, 11, 29), lang="en",
                              trust=trust if trust.is_dir() and has_pki else None)
    print(f"{args.dossiers} dossiers, {size / 1e6:.1f} MB, {os.cpu_count()} CPUs, "
          f"load average before: {os.getloadavg()[0]:.1f} (other processes take CPUs from --jobs 2)")

    # load plugins, rule pack and resources once before timing, so neither run pays it
    from segurcheck.triage.worker import init_worker

    init_worker(settings)
    t1, n1, p1, w1 = timed(inputs, DATA / "out-j1", 1, settings)
    t2, n2, p2, w2 = timed(inputs, DATA / "out-j2", 2, settings)
    warm, n_warm, _, _ = timed(inputs, DATA / "out-j2", 2, settings)
    c1, c2 = p1 + w1, p2 + w2
    rate1, rate2 = 60 * args.dossiers / t1, 60 * args.dossiers / t2
    speedup = t1 / t2
    warm_ratio = warm / t2
    print(f"--jobs 1 (floor): {t1:6.2f} s  {rate1:8.0f} dossiers/min  ({n1} checked, {c1:.1f} CPU s)")
    print(f"--jobs 2        : {t2:6.2f} s  {rate2:8.0f} dossiers/min  ({n2} checked, {c2:.1f} CPU s, "
          f"{c2 / t2:.2f} cores busy on average)")
    print(f"warm re-run     : {warm:6.2f} s  ({n_warm} re-checked)")
    idle = (p2 + w2) / (p2 + w2 / 2)
    print(f"CPU split (jobs 2): parent {p2:.1f} s serial, workers {w2:.1f} s parallel -> "
          f"speedup an idle 2-core machine allows: {idle:.2f}x")
    print(f"speedup jobs 2 / jobs 1: {speedup:.2f}x (target >= 1.7x) {'OK' if speedup >= 1.7 else 'BELOW TARGET'}")
    print(f"warm / cold (jobs 2)   : {100 * warm_ratio:.1f}% (target < 5%) {'OK' if warm_ratio < 0.05 else 'ABOVE TARGET'}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
