"""A small stand-in for the lead's bundle pipeline, enough to run the PKI rules.

It classifies files the way BUNDLE.md says (PEM labels, DER tries) for the PKI kinds
only, parses them with the registered parsers, reads ``segur.yaml`` into a simple
object exposing ``certificates``, and evaluates the rules of ``rules/pki``.  When the
lead's pipeline lands, tests can switch to it; the rule semantics do not change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509

from segurcheck.engine.context import Context, RunOptions
from segurcheck.engine.evaluate import evaluate
from segurcheck.engine.rules import Rule, load_rule
from segurcheck.engine.vocabulary import load_plugins
from segurcheck.evidence.base import Child, Source, parser_for
from segurcheck.model import Dossier, EvidenceItem, Kind, Result
from segurcheck.pki.anchors import TrustAnchor
from segurcheck.pki.certinfo import cert_info

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules" / "pki"
BUNDLES = REPO / "fixtures" / "bundles"


def sniff(data: bytes) -> Kind:
    if b"-----BEGIN " in data:
        if b"PRIVATE KEY-----" in data and b"CERTIFICATE-----" not in data:
            return Kind.PRIVATE_KEY
        if b"X509 CRL-----" in data:
            return Kind.CRL
        return Kind.CERTIFICATE
    try:
        x509.load_der_x509_certificate(data)
        return Kind.CERTIFICATE
    except ValueError:
        pass
    try:
        x509.load_der_x509_crl(data)
        return Kind.CRL
    except ValueError:
        pass
    return Kind.UNKNOWN


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
