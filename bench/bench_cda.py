"""CDA checks without schematron: time per document against the lxml parse floor.

Generates its own documents under bench/data/cda (N1 documents with PDFs of growing
size, plus header-heavy copies), then measures for the same bytes:
  floor = lxml parse (the hardened parser) alone;
  ours  = CDA parser (facts) + CDA-PARSE/HEADER/LEVEL1/AUTHOR-ID/VALUESET predicates.
Target: ours / floor <= 3.  Run: python bench/bench_cda.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures.gen.dmp_bundles import cda, tiny_pdf  # noqa: E402
from segurcheck.engine.context import Context  # noqa: E402
from segurcheck.engine.vocabulary import Subject  # noqa: E402
from segurcheck.evidence.base import Source  # noqa: E402
from segurcheck.evidence.cda import parse_cda  # noqa: E402
from segurcheck.evidence.xml import parse_xml  # noqa: E402
from segurcheck.model import Dossier  # noqa: E402
from segurcheck.predicates import cda as preds  # noqa: E402

DATA = ROOT / "bench" / "data" / "cda"


def generate() -> list[bytes]:
    DATA.mkdir(parents=True, exist_ok=True)
    docs = []
    for i, kib in enumerate((8, 64, 256, 1024)):
        pdf = tiny_pdf()
        pdf = pdf[:-6] + b"%" + b"x" * (kib * 1024) + b"\n" + pdf[-6:]
        data = cda(pdf=pdf, doc_id=f"1.2.250.1.999.9.{i}")
        (DATA / f"n1-{kib}k.xml").write_bytes(data)
        docs.append(data)
    return docs


def run_checks(data: bytes, ctx: Context) -> None:
    parsed = parse_cda(Source("b.xml", data))
    subject = Subject(evidence="b.xml", key="", value=parsed.facts)
    preds.cda_parsed(subject, ctx)
    preds.cda_header_complete(subject, ctx)
    preds.cda_level1_body(subject, ctx)
    preds.cda_author_ids(subject, ctx, id_pattern="8[0-9]{11}|0[0-9A-Za-z]{9}|[1-5][0-9A-Za-z]+/.+")
    preds.cda_codes_in_valuesets(subject, ctx)


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best


def main() -> int:
    docs = generate()
    ctx = Context((), Dossier())
    run_checks(docs[0], ctx)  # warm the value-set cache
    worst = 0.0
    print(f"{'document':>12} {'bytes':>9} {'floor ms':>9} {'ours ms':>9} {'ratio':>6}")
    for data in docs:
        repeat = max(3, 2_000_000 // len(data))
        floor = timed(lambda d=data: parse_xml(d), repeat)
        ours = timed(lambda d=data: run_checks(d, ctx), repeat)
        worst = max(worst, ours / floor)
        print(f"{'n1':>12} {len(data):>9} {floor * 1e3:>9.3f} {ours * 1e3:>9.3f} {ours / floor:>6.2f}")
    print(f"worst ratio {worst:.2f} (target <= 3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
