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
from .crlscan import ScanError, entry_date, revoked_offsets, serial_bytes


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
        # (signer fingerprint, serial DER bytes) -> (CRL, offset of its entry)
        self._index: dict[tuple[str, bytes], tuple[CrlInfo, int]] = {}
        self._dates: dict[str, dict[int, dt.datetime]] = {}  # fallback CRLs, decoded by cryptography
        for crl in crls:
            if crl.fingerprint in self.checks:
                continue
            check = _check(crl, chains)
            self.checks[crl.fingerprint] = check
            if check.signer is not None:
                self._add(crl, check.signer.fingerprint)

    def _add(self, crl: CrlInfo, signer: str) -> None:
        try:
            offsets = revoked_offsets(crl.der)
        except (ScanError, IndexError, ValueError):
            offsets = None
        if offsets is None or len(offsets) != crl.entries:
            # Unusual layout or duplicate serials: let cryptography decode every entry.
            assert crl.crl is not None
            dates = {entry.serial_number: entry.revocation_date_utc for entry in crl.crl}
            self._dates[crl.fingerprint] = dates
            offsets = {serial_bytes(serial): -1 for serial in dates}
        for serial, offset in offsets.items():
            self._index.setdefault((signer, serial), (crl, offset))

    def lookup(self, issuer: CertInfo, serial: int) -> Revocation | None:
        hit = self._index.get((issuer.fingerprint, serial_bytes(serial)))
        if hit is None:
            return None
        crl, offset = hit
        if offset < 0:
            return Revocation(crl, self._dates[crl.fingerprint][serial])
        try:
            return Revocation(crl, entry_date(crl.der, offset))
        except (ScanError, ValueError, IndexError):
            assert crl.crl is not None
            entry = crl.crl.get_revoked_certificate_by_serial_number(serial)
            return Revocation(crl, entry.revocation_date_utc) if entry is not None else None

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
