"""CRLs: signature checked against the issuer, then indexed once for O(1) look-ups.

A CRL counts only when a certificate of the pool whose subject is the CRL issuer
verifies its signature; its entries are then indexed by (issuer fingerprint,
serial), so looking a certificate up costs the same whatever the CRL sizes.  A CRL
past its nextUpdate still proves a revocation it lists (revocation is final): only
its freshness is reported (PKI-CRL-STALE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .certinfo import CertInfo, CrlInfo
from .chain import ChainBuilder


@dataclass(frozen=True)
class CrlCheck:
    """What was concluded about one CRL."""

    crl: CrlInfo
    signer: CertInfo | None  # the CA certificate whose key verified it
    signature_ok: bool | None  # None: no certificate of the issuer to check with


@dataclass(frozen=True)
class Revocation:
    crl: CrlInfo
    date: dt.datetime


class CrlIndex:
    def __init__(self, crls: Iterable[CrlInfo], chains: ChainBuilder):
        self.checks: dict[str, CrlCheck] = {}
        self._index: dict[tuple[str, int], Revocation] = {}
        for crl in crls:
            if crl.fingerprint in self.checks:
                continue
            check = _check(crl, chains)
            self.checks[crl.fingerprint] = check
            if check.signer is None:
                continue
            signer = check.signer.fingerprint
            for serial, date in crl.revoked.items():
                known = self._index.get((signer, serial))
                if known is None or date < known.date:
                    self._index[(signer, serial)] = Revocation(crl, date)

    def lookup(self, issuer: CertInfo, serial: int) -> Revocation | None:
        return self._index.get((issuer.fingerprint, serial))

    def crls_of(self, issuer: CertInfo) -> list[CrlCheck]:
        """Verified CRLs signed by ``issuer`` (to say which CRLs were consulted)."""
        return [c for c in self.checks.values() if c.signer is not None and c.signer.fingerprint == issuer.fingerprint]


def _check(crl: CrlInfo, chains: ChainBuilder) -> CrlCheck:
    if crl.crl is None:
        return CrlCheck(crl, None, None)
    candidates = chains.by_subject.get(crl.crl.issuer, [])
    tried = False
    for candidate in candidates:
        if crl.aki and candidate.ski and crl.aki != candidate.ski:
            continue
        if candidate.cert is None:
            continue
        tried = True
        try:
            ok = crl.crl.is_signature_valid(candidate.cert.public_key())  # type: ignore[arg-type]
        except Exception:  # unsupported key type or malformed signature
            ok = False
        if ok:
            return CrlCheck(crl, candidate, True)
    return CrlCheck(crl, None, False if tried else None)
