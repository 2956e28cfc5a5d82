"""Chain building: from each certificate up to a trust anchor, verifying every link.

Issuers are looked up by name among every certificate the bundle holds (any file,
any nesting) plus the user's trust directory.  A link counts only when the
issuer's key verifies the child's signature (``cryptography``'s
``verify_directly_issued_by``), so a look-alike CA with the right name but another
key never makes a chain trusted.  The chain ends at a certificate whose SHA-256 is
a known anchor (shipped IGC-Santé CAs, or the user's).  Results are memoised per
certificate and per (child, issuer) pair: a bundle of a thousand certificates under
one CA verifies each signature once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import SignatureAlgorithmOID

from .anchors import TrustAnchor
from .certinfo import CertInfo

MAX_DEPTH = 8

TRUSTED = "trusted"
ISSUER_MISSING = "issuer-missing"
BAD_SIGNATURE = "bad-signature"
UNKNOWN_ROOT = "unknown-root"
TOO_DEEP = "too-deep"


@dataclass(frozen=True)
class ChainResult:
    """What chain building concluded for one certificate."""

    status: str  # trusted | issuer-missing | bad-signature | unknown-root | too-deep
    path: tuple[CertInfo, ...]  # from the certificate up to where building stopped
    anchor: TrustAnchor | None
    signature_ok: bool | None  # own signature vs its issuer (None: no issuer to check with)
    issuer: CertInfo | None  # the issuer whose key verified the signature
    stop: CertInfo  # the certificate where building stopped (missing issuer, bad link...)
    detail: str = ""

    @property
    def trusted(self) -> bool:
        return self.status == TRUSTED


class ChainBuilder:
    """Builds and memoises chains over a fixed pool of certificates."""

    def __init__(self, pool: Iterable[CertInfo], anchors: Iterable[TrustAnchor]):
        self.anchors: dict[str, TrustAnchor] = {}
        for anchor in anchors:
            self.anchors.setdefault(anchor.fingerprint.upper(), anchor)
        self.by_fp: dict[str, CertInfo] = {}
        for info in pool:
            self.by_fp.setdefault(info.fingerprint, info)
        for anchor in self.anchors.values():
            if anchor.cert is not None:
                self.by_fp.setdefault(anchor.cert.fingerprint, anchor.cert)
        # Issuers are found by the exact DER of their subject (the usual case), then by
        # RFC 5280 name comparison for encodings that differ (built only if needed).
        self.by_subject: dict[bytes, list[CertInfo]] = {}
        for info in self.by_fp.values():
            self.by_subject.setdefault(info.subject_der, []).append(info)
        self._by_name: dict[x509.Name, list[CertInfo]] | None = None
        self._links: dict[tuple[str, str], bool] = {}
        self._chains: dict[str, ChainResult] = {}

    def named(self, raw: bytes, name: Callable[[], x509.Name] | None) -> list[CertInfo]:
        """Certificates whose subject is ``raw`` (DER) or, failing that, equals ``name()``
        (decoded only on a miss: building a ``Name`` costs more than the look-up)."""
        found = self.by_subject.get(raw)
        if found or name is None:
            return found or []
        if self._by_name is None:
            self._by_name = {}
            for info in self.by_fp.values():
                self._by_name.setdefault(info.cert.subject, []).append(info)
        return self._by_name.get(name(), [])

    def verifies(self, child: CertInfo, issuer: CertInfo) -> bool:
        """Does ``issuer``'s key verify ``child``'s signature? (memoised)."""
        key = (child.fingerprint, issuer.fingerprint)
        cached = self._links.get(key)
        if cached is None:
            cached = verify_signature(child, issuer)
            self._links[key] = cached
        return cached

    def issuers(self, info: CertInfo) -> list[CertInfo]:
        """Candidate issuers: same name as the child's issuer, AKI/SKI agreeing."""
        found = self.named(info.issuer_der, lambda: info.cert.issuer)
        if len(found) > 1 and info.aki:
            return [c for c in found if not (c.ski and info.aki != c.ski)]
        return found

    def chain(self, info: CertInfo) -> ChainResult:
        return self._chain(info, ())

    def _chain(self, info: CertInfo, seen: tuple[str, ...]) -> ChainResult:
        cached = self._chains.get(info.fingerprint)
        if cached is not None:
            return cached
        result = self._build(info, seen)
        self._chains[info.fingerprint] = result
        return result

    def _build(self, info: CertInfo, seen: tuple[str, ...]) -> ChainResult:
        anchor = self.anchors.get(info.fingerprint)
        signature_ok: bool | None = None
        issuer: CertInfo | None = None
        candidates = self.issuers(info)
        if info.self_issued:
            own = [c for c in candidates if c.fingerprint == info.fingerprint] or [info]
            signature_ok = self.verifies(info, own[0])
            issuer = info if signature_ok else None
        else:
            for candidate in candidates:
                if candidate.fingerprint == info.fingerprint or candidate.fingerprint in seen:
                    continue
                if self.verifies(info, candidate):
                    signature_ok, issuer = True, candidate
                    break
                signature_ok = False
        if anchor is not None:
            # A known intermediate is enough, but name the root when the bundle has it.
            if issuer is not None and issuer is not info and len(seen) < MAX_DEPTH:
                upper = self._chain(issuer, (*seen, info.fingerprint))
                if upper.trusted:
                    return ChainResult(TRUSTED, (info, *upper.path), upper.anchor, signature_ok, issuer, upper.stop)
            return ChainResult(TRUSTED, (info,), anchor, signature_ok, issuer, info)
        if info.self_issued:
            detail = "self-signed certificate that is not a known anchor"
            return ChainResult(UNKNOWN_ROOT, (info,), None, signature_ok, issuer, info, detail)
        if issuer is None:
            status = BAD_SIGNATURE if signature_ok is False else ISSUER_MISSING
            return ChainResult(status, (info,), None, signature_ok, None, info, info.issuer_cn)
        if len(seen) >= MAX_DEPTH:
            return ChainResult(TOO_DEEP, (info,), None, signature_ok, issuer, info)
        upper = self._chain(issuer, (*seen, info.fingerprint))
        return ChainResult(
            upper.status, (info, *upper.path), upper.anchor, signature_ok, issuer, upper.stop, upper.detail
        )


_PKCS1 = {
    SignatureAlgorithmOID.RSA_WITH_SHA1,
    SignatureAlgorithmOID.RSA_WITH_SHA224,
    SignatureAlgorithmOID.RSA_WITH_SHA256,
    SignatureAlgorithmOID.RSA_WITH_SHA384,
    SignatureAlgorithmOID.RSA_WITH_SHA512,
    SignatureAlgorithmOID.RSA_WITH_MD5,
}


def verify_raw(
    key: object, signature: bytes, tbs: bytes, oid: x509.ObjectIdentifier, algorithm: object
) -> bool | None:
    """Verify ``signature`` over ``tbs`` for the common algorithms; ``None`` when the
    algorithm is not handled here (the caller asks ``cryptography`` instead)."""
    try:
        if isinstance(key, rsa.RSAPublicKey) and oid in _PKCS1 and isinstance(algorithm, hashes.HashAlgorithm):
            key.verify(signature, tbs, padding.PKCS1v15(), algorithm)
            return True
        if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(algorithm, hashes.HashAlgorithm):
            key.verify(signature, tbs, ec.ECDSA(algorithm))
            return True
    except InvalidSignature:
        return False
    except Exception:  # unsupported parameters: let cryptography decide
        return None
    return None


def verify_signature(child: CertInfo, issuer: CertInfo) -> bool:
    """Does ``issuer``'s public key verify ``child``'s signature?"""
    try:
        if child.parts is not None:
            cert = child.cert
            try:
                algorithm = cert.signature_hash_algorithm
            except Exception:  # unsupported algorithm
                algorithm = None
            direct = verify_raw(issuer.cert.public_key(), cert.signature, child.parts.tbs,
                                cert.signature_algorithm_oid, algorithm)
            if direct is not None:
                return direct
        child.cert.verify_directly_issued_by(issuer.cert)
    except (InvalidSignature, ValueError, TypeError):
        return False
    except Exception:  # unsupported algorithm and the like: not a verified link
        return False
    return True
