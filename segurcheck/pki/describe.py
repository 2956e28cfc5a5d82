"""One-line, human descriptions of certificates and CRLs for messages and the CLI.

Every PKI finding carries these values (``observed``) so its message can say which
certificate it is about: subject CN, issuer CN, serial, validity, environment and
fingerprint.  Nothing here reads key material.
"""

from __future__ import annotations

from .certinfo import CertInfo, CrlInfo


def env_label(environment: str, lang: str = "en") -> str:
    if environment == "test":
        return "TEST"
    if environment == "production":
        return "production"
    return "inconnu" if lang == "fr" else "unknown"


def cert_values(info: CertInfo, environment: str = "") -> dict[str, str]:
    """Values every PKI message may use as placeholders."""
    cn = info.subject_cn or info.subject
    return {
        "cn": cn,
        "issuer_cn": info.issuer_cn or info.issuer,
        "serial": info.serial_hex,
        "not_before": info.not_before.date().isoformat(),
        "not_after": info.not_after.date().isoformat(),
        "env": env_label(environment),
        "fingerprint": info.fingerprint,
        "cert": describe(info, environment),
    }


def describe(info: CertInfo, environment: str = "") -> str:
    """``CN=x (issuer y, serial S, valid A..B, TEST, SHA-256 F…)``."""
    return (
        f"CN={info.subject_cn or info.subject} (issuer {info.issuer_cn or info.issuer}, serial {info.serial_hex}, "
        f"valid {info.not_before.date().isoformat()}..{info.not_after.date().isoformat()}, "
        f"{env_label(environment)}, SHA-256 {info.fingerprint[:16]}…)"
    )


def describe_crl(crl: CrlInfo) -> str:
    number = "?" if crl.number is None else str(crl.number)
    next_update = crl.next_update.date().isoformat() if crl.next_update else "-"
    return (
        f"CRL #{number} of {crl.issuer_cn or crl.issuer} (thisUpdate {crl.this_update.date().isoformat()}, "
        f"nextUpdate {next_update}, {crl.entries} entries)"
    )
