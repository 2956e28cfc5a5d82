"""List candidate requirements for a sector pack from the ANS working CSV.

Helps curating ``rules/dsr/<SECTOR>/requirements.yaml`` by hand: for one sector it
prints each approved requirement with its socle, nature, profile, proof kinds and the
start of its text.  The product never reads the CSV: packs are the tool's own data.

    python tools/dsr_candidates.py DPI [path/to/requirements-va2.csv]
"""

from __future__ import annotations

import csv
import os
import sys
from collections import defaultdict
from pathlib import Path

REMS = {"DPI": "REM_HOP-DPI", "PFI": "REM_HOP-PFI", "LGC": "REM_LGC", "RIS": "REM_RIS", "BIO": "REM_BIO", "DRIMBOX": "REM_DB"}
def _default_csv() -> Path:
    """``$SEGURCHECK_SHARED_DATA/dsr/...``, else the first ``shared/`` above this script."""
    configured = os.environ.get("SEGURCHECK_SHARED_DATA")
    if configured:
        return Path(configured) / "dsr" / "requirements-va2.csv"
    for base in Path(__file__).resolve().parents:
        candidate = base / "shared" / "data" / "dsr" / "requirements-va2.csv"
        if candidate.is_file():
            return candidate
    return Path("requirements-va2.csv")


def candidates(sector: str, csv_path: Path) -> list[dict[str, str]]:
    rem = REMS[sector]
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["rem"] == rem and r["status"] == "Approuvée"]
    proofs: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r["kind"] == "proof":
            proofs[r["requirement_id"]].add(f"{r['proof_kind']}/{r['proof_check']}")
    out = []
    for r in rows:
        if r["kind"] == "requirement":
            out.append({**r, "proofs": ",".join(sorted(proofs[r["id"]]))})
    return sorted(out, key=lambda r: r["id"])


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in REMS:
        print(__doc__)
        return 2
    csv_path = Path(argv[1]) if len(argv) > 1 else _default_csv()
    for r in candidates(argv[0], csv_path):
        text = " ".join(r["text"].split())[:120]
        print(f"{r['id']:<16} {r['socle'] or '-':<8} {r['nature']:<11} {r['profile'][:14]:<14} {r['proofs']} | {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
