"""Benchmark of the INS area: 20,000 INSi request/response pairs and 5,000 CDA
documents for 5,000 patients (issue: INS and INSi).

Measures, in the same run and on the same files:
- floor: reading each file and parsing it with lxml, nothing else;
- parse: sniffing and parsing every file with the registered parsers (INSi, CDA);
- rules: building the identity ledger and evaluating every INS/INSi rule plus
  DOSSIER-REAL-PATIENT and DOSSIER-VERSION (pairing, cross-evidence comparisons).
The ledger indexes by matricule, so the rules must stay linear: the run is repeated on
a quarter and a half of the data to show the per-file time stays flat.
Run: python bench/bench_ins.py [--pairs N] [--cdas N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import ratio_line  # type: ignore[import-not-found]  # noqa: E402

from fixtures.gen.ins_bundles import NIR, Person, cda, request, response  # noqa: E402
from segurcheck.engine.context import Context, RunOptions  # noqa: E402
from segurcheck.engine.evaluate import evaluate  # noqa: E402
from segurcheck.engine.rules import load_pack  # noqa: E402
from segurcheck.engine.vocabulary import load_plugins  # noqa: E402
from segurcheck.evidence.base import Parsed, Source, parser_for  # noqa: E402
from segurcheck.evidence.sniff import sniff  # noqa: E402
from segurcheck.ins import compute_key  # noqa: E402
from segurcheck.model import Dossier, EvidenceItem, Kind  # noqa: E402

DATA = ROOT / "bench" / "data" / "ins"
NAMES = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU"]
GIVEN = ["JEANNE", "LOUIS", "CAMILLE", "HUGO", "ALICE", "JULES", "LEA", "PAUL", "EMMA", "ARTHUR"]


def person(i: int) -> Person:
    rng = random.Random(i)
    sex = "1" if i % 2 else "2"
    year = 1930 + rng.randrange(90)
    month = rng.randrange(1, 13)
    day = rng.randrange(1, 29)
    first13 = f"{sex}{year % 100:02d}{month:02d}63{rng.randrange(100, 999)}{i % 1000:03d}"
    key = compute_key(first13)
    given = f"{GIVEN[i % 10]} {GIVEN[(i // 10) % 10]}"
    return Person(
        NAMES[i % 10] + chr(65 + (i // 100) % 26),
        given.split(" ")[0],
        given,
        "M" if sex == "1" else "F",
        f"{year}-{month:02d}-{day:02d}",
        f"63{first13[7:10]}",
        f"{first13}{key:02d}",
    )


def generate(pairs: int, cdas: int, patients: int) -> Path:
    target = DATA / f"p{pairs}-c{cdas}"
    marker = target / ".complete"
    if marker.exists():
        return target
    for i in range(pairs):
        who = person(i % patients)
        mid = f"00000000-0000-4000-8000-{i:012d}"
        folder = target / "insi" / f"{i // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:06d}-req.xml").write_text(request(who, mid), encoding="utf-8")
        (folder / f"{i:06d}-rep.xml").write_text(response(who, mid), encoding="utf-8")
    for i in range(cdas):
        folder = target / "cda" / f"{i // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:06d}.xml").write_text(cda(person(i % patients), NIR, f"DOC-{i:06d}"), encoding="utf-8")
    marker.write_text("ok")
    return target


def files_of(directory: Path) -> list[tuple[str, bytes]]:
    return [(p.relative_to(directory).as_posix(), p.read_bytes()) for p in sorted(directory.rglob("*.xml"))]


def floor(files: list[tuple[str, bytes]]) -> float:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    start = time.perf_counter()
    for _, data in files:
        etree.fromstring(data, parser)
    return time.perf_counter() - start


PARSER_TIME: dict[str, float] = {}


def parse_all(files: list[tuple[str, bytes]]) -> tuple[list[EvidenceItem], float]:
    load_plugins()
    items: list[EvidenceItem] = []
    in_parsers = 0.0
    start = time.perf_counter()
    for path, data in files:
        source = Source(path, data)
        kind = sniff(source)  # parses the XML once; the parsers reuse that tree
        fn = parser_for(kind)
        t0 = time.perf_counter()
        parsed = fn(source) if fn is not None else Parsed()
        in_parsers += time.perf_counter() - t0
        items.append(EvidenceItem(path, kind, len(data), "", parsed.identity or path, parsed.facts, tuple(parsed.problems)))
    PARSER_TIME["last"] = in_parsers
    return items, time.perf_counter() - start


def rules_time(items: list[EvidenceItem]) -> tuple[float, int]:
    pack = load_pack()
    own = [r for r in pack.rules if r.area in ("ins", "insi") or r.id in ("DOSSIER-REAL-PATIENT", "DOSSIER-VERSION")]
    dossier = Dossier(software="MediDPI", version="4.2.1", environment="test", as_of=dt.date(2026, 11, 29))
    ctx = Context(tuple(items), dossier, None, RunOptions())
    start = time.perf_counter()
    results = evaluate(own, ctx)
    return time.perf_counter() - start, len(results)


def logic_time(items: list[EvidenceItem]) -> float:
    """The area's own logic alone: ledger, pairing, subjects and predicates, without
    the evaluator's result building (messages, fingerprints) that every area shares."""
    from segurcheck.engine.vocabulary import PREDICATES, SUBJECTS

    pack = load_pack()
    own = [r for r in pack.rules if r.area in ("ins", "insi") or r.id in ("DOSSIER-REAL-PATIENT", "DOSSIER-VERSION")]
    dossier = Dossier(software="MediDPI", version="4.2.1", environment="test", as_of=dt.date(2026, 11, 29))
    ctx = Context(tuple(items), dossier, None, RunOptions())
    start = time.perf_counter()
    for rule in own:
        params = {**rule.subject_params, "kinds": rule.kinds}
        for subject in SUBJECTS[rule.subjects](ctx, params):
            PREDICATES[str(rule.check)](subject, ctx, **rule.params)
    return time.perf_counter() - start


def measure(pairs: int, cdas: int, patients: int) -> tuple[int, float, float, float, int]:
    directory = generate(pairs, cdas, patients)
    files = files_of(directory)
    base = min(floor(files) for _ in range(2))
    items, parse = parse_all(files)
    kinds = {k: sum(1 for i in items if i.kind is k) for k in (Kind.INSI_REQUEST, Kind.INSI_RESPONSE, Kind.CDA)}
    if kinds[Kind.CDA] and parser_for(Kind.CDA) is None:
        print("note: no CDA parser registered on this branch; CDA items carry no identities")
    print(
        f"  parsers alone (INSi + CDA, tree already built): {PARSER_TIME['last'] * 1000:.0f} ms = {PARSER_TIME['last'] / base:.2f}x floor"
    )
    rules, count = rules_time(items)
    logic = logic_time(items)
    print(f"  area logic alone (ledger, pairing, predicates): {logic * 1000:.0f} ms = {logic / base:.2f}x floor")
    return len(files), base, parse, rules, count


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--pairs", type=int, default=20_000)
    args.add_argument("--cdas", type=int, default=5_000)
    args.add_argument("--patients", type=int, default=5_000)
    ns = args.parse_args()
    print(f"INS bench: {ns.pairs} INSi pairs + {ns.cdas} CDA for {ns.patients} patients")
    per_file: dict[int, float] = {}
    for fraction in (4, 2, 1):
        n, base, parse, rules, count = measure(ns.pairs // fraction, ns.cdas // fraction, ns.patients // fraction)
        total = parse + rules
        per_file[n] = rules / n
        print(f"  = {n} files, {count} results")
        print("  " + ratio_line("parse (sniff + parsers)", parse, base))
        print("  " + ratio_line("ledger + rules", rules, base))
        print("  " + ratio_line("parse + rules", total, base, target=3))
    spread = max(per_file.values()) / min(per_file.values())
    cells = ", ".join(f"{n}: {t * 1e6:.0f} µs/file" for n, t in per_file.items())
    print(f"rules per file: {cells}; spread {spread:.2f}x (1.0 = linear)")


if __name__ == "__main__":
    main()
