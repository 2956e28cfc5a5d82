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


def _structured(sections: int) -> bytes:
    """A level-3 look-alike: the N1 header with a structured body of ``sections`` sections."""
    section = (
        "<component><section><templateId root=\"1.2.250.1.213.1.1.2.{n}\"/>"
        "<code code=\"10164-2\" codeSystem=\"2.16.840.1.113883.6.1\"/><title>Section {n}</title>"
        "<text><table><tbody>" + "<tr><td>ligne {n}</td><td>valeur mesurée</td></tr>" * 20
        + "</tbody></table></text><entry><observation classCode=\"OBS\" moodCode=\"EVN\">"
        "<code code=\"8302-2\" codeSystem=\"2.16.840.1.113883.6.1\"/><value value=\"172\" unit=\"cm\"/>"
        "</observation></entry></section></component>"
    )
    body = "<component><structuredBody>" + "".join(section.format(n=n) for n in range(sections)) + \
        "</structuredBody></component>"
    data = cda().decode()
    start = data.index("<component><nonXMLBody>")
    end = data.index("</component>", start) + len("</component>")
    return (data[:start] + body + data[end:]).encode()


def generate() -> list[tuple[str, bytes]]:
    DATA.mkdir(parents=True, exist_ok=True)
    docs = []
    for i, kib in enumerate((8, 64, 256, 1024)):
        pdf = tiny_pdf()
        pdf = pdf[:9] + b"%" + b"x" * (kib * 1024) + b"\n" + pdf[9:]  # a comment line after the header
        docs.append((f"n1-{kib}k", cda(pdf=pdf, doc_id=f"1.2.250.1.999.9.{i}")))
    for sections in (10, 50, 200):
        docs.append((f"n3-{sections}s", _structured(sections)))
    for name, data in docs:
        (DATA / f"{name}.xml").write_bytes(data)
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
    run_checks(docs[0][1], ctx)  # warm the value-set cache
    real = next((p / "shared" / "data" / "cda" for p in (ROOT.parent, ROOT.parents[1])
                 if (p / "shared" / "data" / "cda").is_dir()), None)
    if real is not None:  # the official examples too, when a shared/ folder sits beside the checkout
        docs += [(p.stem[:24], p.read_bytes()) for p in sorted(real.glob("*.xml"))]
    worst = 0.0
    total_floor = total_ours = 0.0
    print(f"{'document':>24} {'bytes':>9} {'floor ms':>9} {'ours ms':>9} {'ratio':>6}")
    for name, data in docs:
        repeat = max(3, 2_000_000 // len(data))
        floor = timed(lambda d=data: parse_xml(d), repeat)
        ours = timed(lambda d=data: run_checks(d, ctx), repeat)
        worst = max(worst, ours / floor)
        total_floor += floor
        total_ours += ours
        print(f"{name:>24} {len(data):>9} {floor * 1e3:>9.3f} {ours * 1e3:>9.3f} {ours / floor:>6.2f}")
    print(f"all documents: {total_ours / total_floor:.2f}x the parse floor; worst single document {worst:.2f}x "
          "(target <= 3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
