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

from cryptography import x509

from .certinfo import CertInfo, CrlInfo
from .chain import ChainBuilder, verify_raw
from .crlscan import ScanError, revoked_index, serial_bytes, time_value
from .der import DerError, SignedParts, crl_parts


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
    """Verified CRLs per signing CA; each CRL's entries are indexed on first look-up."""

    def __init__(self, crls: Iterable[CrlInfo], chains: ChainBuilder):
        self.checks: dict[str, CrlCheck] = {}
        self._by_signer: dict[str, list[CrlInfo]] = {}
        self._offsets: dict[str, dict[bytes, bytes]] = {}  # CRL fingerprint -> serial -> date element
        self._dates: dict[str, dict[int, dt.datetime]] = {}  # fallback CRLs, decoded by cryptography
        for crl in crls:
            if crl.fingerprint in self.checks:
                continue
            check = _check(crl, chains)
            self.checks[crl.fingerprint] = check
            if check.signer is not None:
                self._by_signer.setdefault(check.signer.fingerprint, []).append(crl)

    def _entries(self, crl: CrlInfo) -> dict[bytes, bytes]:
        offsets = self._offsets.get(crl.fingerprint)
        if offsets is None:
            try:
                offsets = revoked_index(crl.der)
            except (ScanError, IndexError, ValueError):
                offsets = None
            if offsets is None or len(offsets) != crl.entries:
                # Unusual layout or duplicate serials: let cryptography decode every entry.
                assert crl.crl is not None
                dates = {entry.serial_number: entry.revocation_date_utc for entry in crl.crl}
                self._dates[crl.fingerprint] = dates
                offsets = {serial_bytes(serial): b"" for serial in dates}
            self._offsets[crl.fingerprint] = offsets
        return offsets

    def lookup(self, issuer: CertInfo, serial: int) -> Revocation | None:
        """The earliest revocation of ``serial`` in the verified CRLs of ``issuer``."""
        key = serial_bytes(serial)
        found: Revocation | None = None
        for crl in self._by_signer.get(issuer.fingerprint, ()):
            offset = self._entries(crl).get(key)
            if offset is None:
                continue
            revocation = self._revocation(crl, offset, serial)
            if revocation is not None and (found is None or revocation.date < found.date):
                found = revocation
        return found

    def _revocation(self, crl: CrlInfo, element: bytes, serial: int) -> Revocation | None:
        if not element:
            return Revocation(crl, self._dates[crl.fingerprint][serial])
        try:
            return Revocation(crl, time_value(element))
        except (ScanError, ValueError, IndexError):
            assert crl.crl is not None
            entry = crl.crl.get_revoked_certificate_by_serial_number(serial)
            return Revocation(crl, entry.revocation_date_utc) if entry is not None else None

    def crls_of(self, issuer: CertInfo) -> list[CrlCheck]:
        """Verified CRLs signed by ``issuer`` (to say which CRLs were consulted)."""
        return [self.checks[c.fingerprint] for c in self._by_signer.get(issuer.fingerprint, ())]


def _check(crl: CrlInfo, chains: ChainBuilder) -> CrlCheck:
    if crl.crl is None:
        return CrlCheck(crl, None, None)
    try:
        parts: SignedParts | None = crl_parts(crl.der)
    except DerError:
        parts = None
    source = crl.crl
    candidates = chains.named(parts.issuer if parts else b"", lambda: source.issuer)
    tried = False
    for candidate in candidates:
        if crl.aki and candidate.ski and crl.aki != candidate.ski:
            continue
        tried = True
        if _crl_signed_by(crl.crl, parts, candidate):
            return CrlCheck(crl, candidate, True)
    return CrlCheck(crl, None, False if tried else None)


def _crl_signed_by(crl: x509.CertificateRevocationList, parts: SignedParts | None, issuer: CertInfo) -> bool:
    key = issuer.cert.public_key()
    if parts is not None:
        try:
            algorithm = crl.signature_hash_algorithm
        except Exception:  # unsupported algorithm
            algorithm = None
        direct = verify_raw(key, crl.signature, parts.tbs, crl.signature_algorithm_oid, algorithm)
        if direct is not None:
            return direct
    try:
        return bool(crl.is_signature_valid(key))  # type: ignore[arg-type]
    except Exception:  # unsupported key type or malformed signature
        return False
