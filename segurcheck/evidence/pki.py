"""Parsers of the PKI kinds: certificates, CRLs and (detected, never decoded) keys.

A certificate file may hold several certificates (PEM bundle, PKCS#7 chain): the
facts keep them all, in file order, and the PKI rules judge each one separately
(subject key = its SHA-256 fingerprint).  The item identity is built from the
certificate fingerprints, so PEM and DER copies of one certificate, or a re-wrapped
PEM, keep the same result fingerprints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..model import Kind, Problem
from ..pki.certinfo import CertInfo, CrlInfo, key_labels, read_certificates, read_crls
from .base import Parsed, Source, parser


@dataclass(frozen=True)
class CertificateFacts:
    certs: tuple[CertInfo, ...]
    key_labels: tuple[str, ...] = ()  # private-key PEM blocks found beside them (content never read)


@dataclass(frozen=True)
class CrlFacts:
    crls: tuple[CrlInfo, ...]


@dataclass(frozen=True)
class PrivateKeyFacts:
    """What kind of key container it is; the key itself is never decoded or kept."""

    form: str  # "PEM PRIVATE KEY", "PEM RSA PRIVATE KEY", "PEM ENCRYPTED PRIVATE KEY", "PKCS#12"...
    encrypted: bool | None  # None when it cannot be told without a password
    blocks: int = 1


def _identity(prefix: str, fingerprints: list[str]) -> str:
    return hashlib.sha256((prefix + "\n" + "\n".join(fingerprints)).encode()).hexdigest()


@parser(Kind.CERTIFICATE)
def parse_certificate(source: Source) -> Parsed:
    outcome = read_certificates(source.data)
    problems = [Problem(p) for p in outcome.problems]
    if not outcome.certs:
        return Parsed(facts=None, problems=problems or [Problem("no certificate could be read")])
    facts = CertificateFacts(outcome.certs, outcome.key_labels)
    identity = _identity("certificate", [c.fingerprint for c in facts.certs])
    return Parsed(facts=facts, problems=problems, identity=identity)


@parser(Kind.CRL)
def parse_crl(source: Source) -> Parsed:
    crls, problems = read_crls(source.data)
    found = [Problem(p) for p in problems]
    if not crls:
        return Parsed(facts=None, problems=found or [Problem("no CRL could be read")])
    return Parsed(facts=CrlFacts(crls), problems=found, identity=_identity("crl", [c.fingerprint for c in crls]))


@parser(Kind.PRIVATE_KEY)
def parse_private_key(source: Source) -> Parsed:
    data = source.data
    labels = key_labels(data) if b"-----BEGIN " in data else ()
    if labels:
        encrypted = any("ENCRYPTED" in label for label in labels) or b"Proc-Type: 4,ENCRYPTED" in data
        form = "PEM " + labels[0]
        facts = PrivateKeyFacts(form, encrypted, len(labels))
    else:
        facts = PrivateKeyFacts("PKCS#12", None)
    # Identity: a one-way digest, so fingerprints are stable without exposing anything.
    return Parsed(facts=facts, identity=_identity("private-key", [source.sha256]))
