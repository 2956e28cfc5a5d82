"""Certificate uses and what each requires (KeyUsage / EKU / issuing CA / naming).

Uses come from the manifest (``certificates: [{file, use}]``) or are implied by where
a certificate appears: the signer of a DMP VIHF token signs for the organisation
(``vihf-signature``), the signer of an INSi SAML assertion is a health
professional's card (``insi-cps``).  The per-use profiles are observed practice
(domain/pki.md), not the normative ANS gabarits: rules take them as parameters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .certinfo import CertInfo

USES = ("insi", "insi-cps", "dmp-tls", "vihf-signature", "mss-tls", "server-tls", "signature")

# any_ku: at least one of these KeyUsage bits; all_eku: every one of these EKUs when
# the certificate carries an EKU extension (anyExtendedKeyUsage satisfies them).
DEFAULT_PROFILES: dict[str, dict[str, Any]] = {
    "insi": {"any_ku": ["digital_signature"], "all_eku": ["clientAuth"], "profile": "ORG AUTH_CLI"},
    "insi-cps": {"any_ku": ["digital_signature", "content_commitment"], "all_eku": [], "profile": "CPS/CPE card"},
    "dmp-tls": {"any_ku": ["digital_signature"], "all_eku": ["clientAuth"], "profile": "ORG AUTH_CLI"},
    "mss-tls": {"any_ku": ["digital_signature"], "all_eku": ["clientAuth"], "profile": "ORG AUTH_CLI"},
    "vihf-signature": {
        "any_ku": ["digital_signature", "content_commitment"],
        "all_eku": [],
        "profile": "ORG SIGN",
    },
    "server-tls": {
        "any_ku": ["digital_signature", "key_encipherment"],
        "all_eku": ["serverAuth"],
        "profile": "SERV SSL",
    },
    "signature": {"any_ku": ["digital_signature", "content_commitment"], "all_eku": [], "profile": "SIGN"},
}

KU_LABELS = {
    "digital_signature": "digitalSignature",
    "content_commitment": "nonRepudiation",
    "key_encipherment": "keyEncipherment",
    "data_encipherment": "dataEncipherment",
    "key_agreement": "keyAgreement",
    "key_cert_sign": "keyCertSign",
    "crl_sign": "cRLSign",
    "encipher_only": "encipherOnly",
    "decipher_only": "decipherOnly",
}


@dataclass(frozen=True)
class UseVerdict:
    ok: bool
    problems: tuple[str, ...]
    profile: str


def check_use(info: CertInfo, use: str, profiles: Mapping[str, Mapping[str, Any]] | None = None) -> UseVerdict:
    """Do KeyUsage/EKU (and CA-ness) fit ``use``?  Problems are English phrases."""
    table = profiles or DEFAULT_PROFILES
    profile = table.get(use)
    if profile is None:
        return UseVerdict(False, (f"unknown use {use!r}",), "")
    problems: list[str] = []
    if info.is_ca:
        problems.append("it is a CA certificate, not an end-entity one")
    any_ku: Sequence[str] = profile.get("any_ku", ())
    if any_ku and info.key_usage and not set(any_ku) & set(info.key_usage):
        wanted = " or ".join(KU_LABELS.get(k, k) for k in any_ku)
        problems.append(f"KeyUsage lacks {wanted}")
    ekus = set(info.ext_key_usage)
    if ekus and "anyExtendedKeyUsage" not in ekus:
        for needed in profile.get("all_eku", ()):
            if needed not in ekus:
                problems.append(f"ExtendedKeyUsage lacks {needed}")
    return UseVerdict(not problems, tuple(problems), str(profile.get("profile", "")))


def ku_text(info: CertInfo) -> str:
    return ", ".join(KU_LABELS.get(k, k) for k in info.key_usage) or "-"


def eku_text(info: CertInfo) -> str:
    return ", ".join(info.ext_key_usage) or "-"


INSI_NAMES = ("INSI-AUTO", "INSI-MANU")
INSI_ISSUERS = ("AC IGC-SANTE ELEMENTAIRE ORGANISATIONS", "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS")


def insi_name_problems(
    info: CertInfo, names: Sequence[str] = INSI_NAMES, issuers: Sequence[str] = INSI_ISSUERS
) -> tuple[str, ...]:
    """Why a certificate cannot authenticate to INSi ('' tuple when it can)."""
    problems: list[str] = []
    if info.subject_cn not in names:
        problems.append(f"CN is {info.subject_cn or '(none)'}, not {' or '.join(names)}")
    if info.issuer_cn not in issuers:
        problems.append(f"issued by {info.issuer_cn or '(unknown)'}, not {' / '.join(issuers)}")
    return tuple(problems)


# Structure identifiers: 1 + FINESS (9, may hold a letter: 2A/2B, B), 3 + SIRET (14 digits);
# also seen: 0 + ADELI cabinet, 2 + SIREN, 4 + RPPS cabinet.
STRUCTURE_ID = re.compile(r"^(1[0-9AB]{9}|3[0-9]{14})$")
ORGANISATION_CAS = ("ORGANISATIONS",)


def is_organisation_cert(info: CertInfo) -> bool:
    """End-entity issued by an IGC-Santé ORGANISATIONS CA (TEST or production)."""
    return (not info.is_ca) and info.issuer_cn.upper().endswith(ORGANISATION_CAS)


def structure_ids(info: CertInfo) -> tuple[str, ...]:
    return tuple(ou for ou in info.subject_ou if STRUCTURE_ID.match(ou))
