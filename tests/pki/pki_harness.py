"""Running the PKI rules on chosen real files without building a bundle on disk:
the product's sniffing and parsers make the items, a simple object stands for the
manifest's ``certificates``, and the rules of ``rules/pki`` are evaluated."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from segurcheck.engine.context import Context, RunOptions
from segurcheck.engine.evaluate import evaluate
from segurcheck.engine.rules import Rule, load_rule
from segurcheck.engine.vocabulary import load_plugins
from segurcheck.evidence.base import Child, Source, parser_for
from segurcheck.evidence.sniff import sniff as sniff_source
from segurcheck.model import Dossier, EvidenceItem, Kind, Result
from segurcheck.pki.anchors import TrustAnchor
from segurcheck.pki.certinfo import cert_info

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules" / "pki"
BUNDLES = REPO / "fixtures" / "bundles"


def sniff(data: bytes) -> Kind:
    """The product's own content sniffing."""
    return sniff_source(Source("item", data))


def make_item(path: str, data: bytes, kind: Kind | None = None, parent: str | None = None) -> tuple[EvidenceItem, list[Child]]:
    load_plugins()
    kind = kind or sniff(data)
    fn = parser_for(kind)
    if fn is None:
        sha = hashlib.sha256(data).hexdigest()
        return EvidenceItem(path, kind, len(data), sha, sha, parent=parent), []
    parsed = fn(Source(path, data, parent=parent))
    sha = hashlib.sha256(data).hexdigest()
    item = EvidenceItem(path, kind, len(data), sha, parsed.identity or sha, parsed.facts,
                        tuple(parsed.problems), parent)
    return item, parsed.children


@dataclass
class CertUse:
    file: str
    use: str
    line: int = 0


@dataclass
class SimpleManifest:
    present: bool = False
    certificates: tuple[CertUse, ...] = ()
    dossier: dict[str, Any] = field(default_factory=dict)


def load_dir(root: Path) -> tuple[list[EvidenceItem], SimpleManifest]:
    items: list[EvidenceItem] = []
    manifest = SimpleManifest()
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = file.relative_to(root).as_posix()
        if rel == "segur.yaml":
            raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            manifest = SimpleManifest(True, tuple(CertUse(c["file"], c["use"]) for c in raw.get("certificates", [])),
                                      raw.get("dossier", {}))
            continue
        item, _ = make_item(rel, file.read_bytes())
        items.append(item)
    return items, manifest


def generated_anchors() -> tuple[TrustAnchor, ...]:
    """The generated test roots, as ``--trust fixtures/bundles/_trust`` would give them."""
    from fixtures.gen.testpki import test_pki

    infos = [cert_info(i.cert) for i in test_pki().anchors]
    return tuple(TrustAnchor(i.fingerprint, i.subject_cn, "", "user", cert=i) for i in infos)


def run(
    items: list[EvidenceItem],
    manifest: SimpleManifest | None = None,
    *,
    env: str | None = None,
    as_of: str | dt.date | None = None,
    rules: list[Rule] | None = None,
    anchors: tuple[TrustAnchor, ...] = (),
) -> list[Result]:
    manifest = manifest or SimpleManifest()
    dossier_raw = manifest.dossier
    when = as_of or dossier_raw.get("as_of") or "2026-06-01"
    if isinstance(when, str):
        when = dt.date.fromisoformat(when)
    dossier = Dossier(environment=env or dossier_raw.get("environment", "test"), as_of=when,
                      sector=str(dossier_raw.get("sector", "")))
    ctx = Context(tuple(items), dossier, manifest, RunOptions(resources={"trust_anchors": anchors}))
    return evaluate(rules if rules is not None else pki_rules(), ctx)


_RULES: list[Rule] = []


def pki_rules() -> list[Rule]:
    if not _RULES:
        _RULES.extend(load_rule(p, REPO / "rules") for p in sorted(RULES.glob("*.yaml")))
    return _RULES


def by_rule(results: list[Result], rule_id: str, evidence: str | None = None) -> list[Result]:
    return [r for r in results if r.rule_id == rule_id and (evidence is None or r.evidence == evidence)]
