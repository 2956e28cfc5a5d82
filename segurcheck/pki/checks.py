"""Each PKI check as a small pure function: (facts, assessment, date...) -> Check.

The rule predicates wrap these, and ``segurcheck cert`` prints them, so one
certificate gets the same judgement from both.  ``values`` feed the messages: every
check returns the certificate description (see ``describe.cert_values``) plus what
it saw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import chain as chain_mod
from .anchors import anchor_by_name
from .assess import PkiAssessment
from .certinfo import CertInfo, CrlInfo
from .describe import describe_crl, env_label
from .env import is_legacy
from .uses import (
    INSI_ISSUERS,
    INSI_NAMES,
    check_use,
    eku_text,
    insi_name_problems,
    is_organisation_cert,
    ku_text,
    structure_ids,
)

PASS = "pass"
FAIL = "fail"
NA = "not_applicable"


@dataclass(frozen=True)
class Check:
    status: str
    values: Mapping[str, str] = field(default_factory=dict)


def _na(values: Mapping[str, str], reason_en: str, reason_fr: str) -> Check:
    """Not applicable, saying why in both languages (``reason`` / ``reason_fr``)."""
    return Check(NA, {**values, "reason": reason_en, "reason_fr": reason_fr})


def _values(info: CertInfo, a: PkiAssessment, **more: object) -> dict[str, str]:
    values = a.values(info)
    values.update({k: "" if v is None else str(v) for k, v in more.items()})
    return values


def expired(info: CertInfo, a: PkiAssessment, as_of: dt.date) -> Check:
    days = (as_of - info.not_after.date()).days
    return Check(FAIL if days > 0 else PASS, _values(info, a, days_expired=max(days, 0), as_of=as_of))


def not_yet_valid(info: CertInfo, a: PkiAssessment, as_of: dt.date) -> Check:
    days = (info.not_before.date() - as_of).days
    return Check(FAIL if days > 0 else PASS, _values(info, a, days_early=max(days, 0), as_of=as_of))


def expires_soon(info: CertInfo, a: PkiAssessment, as_of: dt.date, days: int = 90) -> Check:
    left = (info.not_after.date() - as_of).days
    values = _values(info, a, days_left=left, window=days, as_of=as_of)
    if left < 0 or info.not_before.date() > as_of:
        return _na(values, "not valid at the as-of date", "certificat non valide à la date d'évaluation")
    return Check(FAIL if left <= days else PASS, values)


def _missing_ca_hint(chain: chain_mod.ChainResult) -> str:
    known = anchor_by_name().get(chain.stop.issuer_cn)
    if known is not None:
        return f"{known.name} ({known.short}, SHA-256 {known.fingerprint[:16]}…)"
    return chain.stop.issuer_cn or chain.stop.issuer


def untrusted(info: CertInfo, a: PkiAssessment) -> Check:
    result = a.chain(info)
    path = " > ".join(c.subject_cn or c.subject for c in result.path)
    if result.trusted:
        anchor = result.anchor
        assert anchor is not None
        return Check(PASS, _values(info, a, anchor=anchor.name, chain=path))
    reasons = {
        chain_mod.ISSUER_MISSING: f"the issuer certificate {_missing_ca_hint(result)} is not in the bundle",
        chain_mod.BAD_SIGNATURE: f"the signature of {result.stop.subject_cn} does not verify with any "
        f"certificate named {result.stop.issuer_cn}",
        chain_mod.UNKNOWN_ROOT: f"the chain ends at {result.stop.subject_cn or result.stop.subject}, "
        "a self-signed certificate that is neither an IGC-Santé CA nor a --trust anchor",
        chain_mod.TOO_DEEP: "the chain is longer than the tool follows",
    }
    return Check(FAIL, _values(info, a, chain=path, reason=reasons.get(result.status, result.status),
                               missing_ca=_missing_ca_hint(result)))


def signature(info: CertInfo, a: PkiAssessment) -> Check:
    result = a.chain(info)
    if result.signature_ok is None:
        reason = f"issuer certificate {info.issuer_cn or info.issuer} absent: signature not checkable"
        return _na(_values(info, a), reason, f"certificat de l'émetteur {info.issuer_cn or info.issuer} absent : "
                   "signature impossible à vérifier")
    issuer = result.issuer.subject_cn if result.issuer is not None else info.issuer_cn
    return Check(PASS if result.signature_ok else FAIL, _values(info, a, signer=issuer))


def revoked(info: CertInfo, a: PkiAssessment, as_of: dt.date) -> Check:
    result = a.chain(info)
    if result.issuer is None or info.self_issued:
        return _na(_values(info, a), "no verified issuer to match CRLs with",
                   "pas d'émetteur vérifié auquel rattacher une CRL")
    crls = a.crls.crls_of(result.issuer)
    if not crls:
        return _na(_values(info, a), f"no CRL of {result.issuer.subject_cn} with a valid signature in the bundle",
                   f"aucune CRL de {result.issuer.subject_cn} à la signature valide dans le dossier")
    hit = a.crls.lookup(result.issuer, info.serial)
    consulted = "; ".join(describe_crl(c.crl) for c in crls)
    if hit is None or hit.date.date() > as_of:
        return Check(PASS, _values(info, a, crls=consulted))
    return Check(FAIL, _values(info, a, crls=consulted, revoked_on=hit.date.isoformat(sep=" "),
                               crl=describe_crl(hit.crl)))


def env_mismatch(info: CertInfo, a: PkiAssessment, dossier_env: str) -> Check:
    found = a.environment(info)
    values = _values(info, a, signal=found.signal, dossier_env=env_label(dossier_env),
                     cert_env=env_label(found.environment))
    if not found.environment:
        return _na(values, "no TEST/production signal (not an IGC-Santé certificate)",
                   "aucun indice TEST/production (pas un certificat IGC-Santé)")
    return Check(PASS if found.environment == dossier_env else FAIL, values)


def legacy(info: CertInfo, a: PkiAssessment) -> Check:
    return Check(FAIL if is_legacy(info) else PASS, _values(info, a))


def weak_crypto(info: CertInfo, a: PkiAssessment, min_rsa_bits: int = 2048,
                weak_hashes: Sequence[str] = ("sha1", "md5")) -> Check:
    problems: list[str] = []
    if info.key_type in ("RSA", "DSA") and info.key_bits < min_rsa_bits:
        problems.append(f"{info.key_type} {info.key_bits} bits (< {min_rsa_bits})")
    if info.signature_hash in weak_hashes and not info.self_issued:
        problems.append(f"{info.signature_hash.upper()} signature")
    return Check(FAIL if problems else PASS, _values(info, a, weakness="; ".join(problems),
                                                        key=f"{info.key_type} {info.key_bits}",
                                                        hash=info.signature_hash or "-"))


def usage(info: CertInfo, a: PkiAssessment, uses: Sequence[tuple[str, str]],
          profiles: Mapping[str, Mapping[str, Any]] | None = None) -> Check:
    """``uses`` = (use, where it comes from) pairs for this certificate."""
    if not uses:
        return _na(_values(info, a), "no declared or implied use", "aucun usage déclaré ni déduit")
    problems: list[str] = []
    profile_names: list[str] = []
    for use, origin in uses:
        verdict = check_use(info, use, profiles)
        profile_names.append(f"{use}: {verdict.profile or '?'}")
        problems.extend(f"{use} ({origin}): {p}" for p in verdict.problems)
    values = _values(info, a, use=", ".join(u for u, _ in uses), profile="; ".join(profile_names),
                     ku=ku_text(info), eku=eku_text(info), problems="; ".join(problems))
    return Check(FAIL if problems else PASS, values)


def insi_name(info: CertInfo, a: PkiAssessment, uses: Sequence[str],
              names: Sequence[str] = INSI_NAMES, issuers: Sequence[str] = INSI_ISSUERS) -> Check:
    if "insi" not in uses:
        return _na(_values(info, a), "not used for INSi authentication", "certificat non utilisé pour INSi")
    problems = insi_name_problems(info, names, issuers)
    return Check(FAIL if problems else PASS, _values(info, a, problems="; ".join(problems)))


def structure_id(info: CertInfo, a: PkiAssessment) -> Check:
    if not is_organisation_cert(info):
        return _na(_values(info, a), "not an organisation end-entity certificate",
                   "pas un certificat d'organisation final")
    found = structure_ids(info)
    return Check(PASS if found else FAIL, _values(info, a, ou=", ".join(info.subject_ou) or "(none)",
                                                  structure_id=", ".join(found)))


def crl_stale(crl: CrlInfo, a: PkiAssessment, as_of: dt.date) -> Check:
    check = a.crls.checks.get(crl.fingerprint)
    problems: list[str] = []
    if crl.next_update is not None and crl.next_update.date() < as_of:
        problems.append(f"nextUpdate {crl.next_update.date().isoformat()} is before {as_of.isoformat()}")
    if check is not None and check.signature_ok is False:
        problems.append("its signature does not verify with the issuer's certificate")
    signer = "not checked (issuer certificate absent)"
    if check is not None and check.signer is not None:
        signer = f"verified with {check.signer.subject_cn}"
    values = {"crl": describe_crl(crl), "issuer_cn": crl.issuer_cn, "number": str(crl.number),
              "next_update": crl.next_update.date().isoformat() if crl.next_update else "-",
              "signature": signer, "problems": "; ".join(problems), "fingerprint": crl.fingerprint}
    return Check(FAIL if problems else PASS, values)
