"""TEST or production: the signals of domain/pki.md, most reliable first.

1. the issuer DN (``OU=IGC-SANTE TEST``, CN starting ``TEST ``, legacy ``O=GIP-CPS-TEST``);
2. the known anchor the chain ends at;
3. the product-category extension 1.2.250.1.71.1.2.5 (high bit set = TEST);
4. the certificate policy arc 1.2.250.1.213.1.7.1 (production) / .7.2 (TEST);
5. CPS and CRL URLs (``PC%20TEST``, ``-TEST.crl``).
The subject is never used: it is not a reliable signal.
"""

from __future__ import annotations

from dataclasses import dataclass

from .certinfo import CertInfo

PRODUCTION = "production"
TEST = "test"
UNKNOWN = ""

IGC_POLICY_PROD = "1.2.250.1.213.1.7.1"
IGC_POLICY_TEST = "1.2.250.1.213.1.7.2"


@dataclass(frozen=True)
class EnvClass:
    environment: str  # production | test | "" when no signal speaks
    signal: str  # which signal decided, in words (English, stable)


# An OU attribute (2.5.4.11) whose UTF8String / PrintableString value is exactly the
# IGC-Santé marker, as DER: lets the usual certificates be classified from the raw
# issuer bytes, without decoding the name.
_OU_TEST = tuple(b"\x55\x04\x0b" + t + b"\x0eIGC-SANTE TEST" for t in (b"\x0c", b"\x13"))
_OU_PROD = tuple(b"\x55\x04\x0b" + t + b"\x09IGC-SANTE" for t in (b"\x0c", b"\x13"))


def _issuer_signal(info: CertInfo) -> str:
    raw = info.issuer_der
    if any(marker in raw for marker in _OU_TEST):
        return TEST
    ous = {ou.upper() for ou in info.issuer_ou}
    orgs = {o.upper() for o in info.issuer_o}
    cn = info.issuer_cn.upper()
    if "IGC-SANTE TEST" in ous or (cn.startswith("TEST ") and "IGC-SANTE" in cn) or "GIP-CPS-TEST" in orgs:
        return TEST
    if "IGC-SANTE" in ous or "GIP-CPS" in orgs:
        return PRODUCTION
    return UNKNOWN


def classify(info: CertInfo, anchor_environment: str = "") -> EnvClass:
    """Environment of one certificate; ``anchor_environment`` is the environment of
    the known anchor its chain reached ('' when none)."""
    issuer = _issuer_signal(info)
    if issuer:
        return EnvClass(issuer, "issuer DN")
    if anchor_environment:
        return EnvClass(anchor_environment, "trust anchor")
    if info.product_category is not None:
        return EnvClass(TEST if info.product_category & 0x80 else PRODUCTION, "product category 1.2.250.1.71.1.2.5")
    for policy in info.policies:
        if policy.startswith(IGC_POLICY_TEST + ".") or policy == IGC_POLICY_TEST:
            return EnvClass(TEST, f"policy {policy}")
        if policy.startswith(IGC_POLICY_PROD + ".") or policy == IGC_POLICY_PROD:
            return EnvClass(PRODUCTION, f"policy {policy}")
    for url in (*info.cps_uris, *info.crl_uris):
        upper = url.upper()
        if "PC%20TEST" in upper or upper.endswith("-TEST.CRL"):
            return EnvClass(TEST, f"URL {url}")
    for url in (*info.cps_uris, *info.crl_uris):
        if "IGC-SANTE.ESANTE.GOUV.FR" in url.upper():
            return EnvClass(PRODUCTION, f"URL {url}")
    return EnvClass(UNKNOWN, "no signal")


def is_legacy(info: CertInfo) -> bool:
    """Issued by the former GIP-CPS PKI (O=GIP-CPS*, OU=AC-CLASSE-*, policy arc
    1.2.250.1.71 used as a certificate policy)."""
    if any(o.upper().startswith("GIP-CPS") for o in info.issuer_o):
        return True
    if any(ou.upper().startswith("AC-CLASSE") for ou in info.issuer_ou):
        return True
    if _issuer_signal(info):  # issued by an IGC-Santé CA: not the former PKI
        return False
    return any(p == "1.2.250.1.71" or p.startswith("1.2.250.1.71.") for p in info.policies)
