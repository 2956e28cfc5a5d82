"""PKI vocabulary: subjects (each certificate, each CRL), the shared analysis, and one
predicate per PKI-* rule.  The logic lives in ``segurcheck.pki.checks``; this module
only adapts it to the engine (subjects, verdicts, uses from the manifest/context).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..engine.context import Context
from ..engine.vocabulary import Subject, Verdict, analysis, predicate, subjects
from ..evidence.pki import CertificateFacts, CrlFacts, PrivateKeyFacts
from ..model import Kind, Status
from ..pki import checks
from ..pki.assess import PkiAssessment, build_assessment
from ..pki.certinfo import CertInfo, CrlInfo
from ..pki.uses import INSI_ISSUERS, INSI_NAMES

# Where a nested certificate sits tells what it is used for.
IMPLIED_USES: dict[Kind, tuple[str, str]] = {
    Kind.XDS_SUBMISSION: ("vihf-signature", "signer of the DMP VIHF token"),
    Kind.INSI_REQUEST: ("insi-cps", "signer of the INSi SAML assertion"),
}


def _certs_of(ctx: Context) -> Iterable[CertInfo]:
    for item in ctx.of_kind(Kind.CERTIFICATE):
        if isinstance(item.facts, CertificateFacts):
            yield from item.facts.certs


def _crls_of(ctx: Context) -> Iterable[CrlInfo]:
    for item in ctx.of_kind(Kind.CRL):
        if isinstance(item.facts, CrlFacts):
            yield from item.facts.crls


@analysis("pki")
def pki_assessment(ctx: Context) -> PkiAssessment:
    """Chains, environments and the CRL index of the whole bundle, built once."""
    anchors = ctx.resource("trust_anchors") or ()
    return build_assessment(_certs_of(ctx), _crls_of(ctx), anchors)


@subjects("certificates")
def each_certificate(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    """One subject per certificate (a PEM bundle or a .p7b gives several)."""
    for item in ctx.of_kind(Kind.CERTIFICATE):
        if not isinstance(item.facts, CertificateFacts):
            continue
        many = len(item.facts.certs) > 1
        for info in item.facts.certs:
            location = f"certificate #{info.index + 1} (CN={info.subject_cn})" if many else ""
            yield Subject(evidence=item.path, key=info.fingerprint, location=location, value=info, item=item)


@subjects("crls")
def each_crl(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    """One subject per CRL (a PEM file may hold several)."""
    for item in ctx.of_kind(Kind.CRL):
        if not isinstance(item.facts, CrlFacts):
            continue
        many = len(item.facts.crls) > 1
        for crl in item.facts.crls:
            location = f"CRL #{crl.index + 1} ({crl.issuer_cn})" if many else ""
            yield Subject(evidence=item.path, key=crl.fingerprint, location=location, value=crl, item=item)


def _verdict(check: checks.Check, location: str = "") -> Verdict:
    status = {checks.PASS: Status.PASS, checks.FAIL: Status.FAIL}.get(check.status, Status.NOT_APPLICABLE)
    return Verdict(status, dict(check.values), location)


def _info(subject: Subject) -> CertInfo:
    if not isinstance(subject.value, CertInfo):
        raise TypeError("PKI certificate predicates need the 'certificates' subjects")
    return subject.value


def _as_of(ctx: Context) -> dt.date:
    value = ctx.as_of
    return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[no-any-return]


def uses_of(subject: Subject, ctx: Context) -> list[tuple[str, str]]:
    """Declared uses (manifest ``certificates``) and the use implied by the container."""
    found: list[tuple[str, str]] = []
    item = subject.item
    if item is None:
        return found
    top = item.path.split("!", 1)[0]
    manifest = ctx.manifest
    for entry in getattr(manifest, "certificates", ()) or ():
        declared = str(getattr(entry, "file", "")).removeprefix("./")
        use = str(getattr(entry, "use", ""))
        if use and declared in (item.path, top):
            found.append((use, "declared in segur.yaml"))
    parent_path = item.parent
    while parent_path:
        parent = ctx.item(parent_path)
        if parent is None:
            break
        implied = IMPLIED_USES.get(parent.kind)
        if implied is not None:
            found.append(implied)
            break
        parent_path = parent.parent
    seen: set[str] = set()
    unique = []
    for use, origin in found:
        if use not in seen:
            seen.add(use)
            unique.append((use, origin))
    return unique


@predicate("pki_parses")
def pki_parses(subject: Subject, ctx: Context) -> Verdict:
    """The certificate/CRL file was read completely."""
    item = subject.item
    if item is None:
        return Verdict.na(reason="no evidence item")
    problems = "; ".join(p.message for p in item.problems)
    if item.facts is None:
        return Verdict.fail(problems=problems or "unreadable")
    count = len(item.facts.certs) if isinstance(item.facts, CertificateFacts) else (
        len(item.facts.crls) if isinstance(item.facts, CrlFacts) else 0)
    return Verdict.check(not item.problems, problems=problems, count=count)


@predicate("pki_no_private_key")
def pki_no_private_key(subject: Subject, ctx: Context) -> Verdict:
    """No private key material: neither a key file nor a key block beside certificates."""
    item = subject.item
    if item is None:
        return Verdict.na(reason="no evidence item")
    facts = item.facts
    if item.kind is Kind.PRIVATE_KEY:
        form = facts.form if isinstance(facts, PrivateKeyFacts) else "private key"
        encrypted = facts.encrypted if isinstance(facts, PrivateKeyFacts) else None
        return Verdict.fail(form=form, encrypted={None: "?", True: "yes/oui", False: "no/non"}[encrypted])
    if isinstance(facts, CertificateFacts) and facts.key_labels:
        protected = all("ENCRYPTED" in k for k in facts.key_labels)
        return Verdict.fail(form="PEM " + ", ".join(facts.key_labels), encrypted="yes/oui" if protected else "no/non")
    return Verdict.ok()


@predicate("pki_not_expired")
def pki_not_expired(subject: Subject, ctx: Context) -> Verdict:
    return _verdict(checks.expired(_info(subject), ctx.analysis("pki"), _as_of(ctx)))


@predicate("pki_already_valid")
def pki_already_valid(subject: Subject, ctx: Context) -> Verdict:
    return _verdict(checks.not_yet_valid(_info(subject), ctx.analysis("pki"), _as_of(ctx)))


@predicate("pki_not_expiring")
def pki_not_expiring(subject: Subject, ctx: Context, days: int = 90, **_: Any) -> Verdict:
    return _verdict(checks.expires_soon(_info(subject), ctx.analysis("pki"), _as_of(ctx), int(days)))


@predicate("pki_trusted")
def pki_trusted(subject: Subject, ctx: Context) -> Verdict:
    return _verdict(checks.untrusted(_info(subject), ctx.analysis("pki")))


@predicate("pki_signature_valid")
def pki_signature_valid(subject: Subject, ctx: Context) -> Verdict:
    return _verdict(checks.signature(_info(subject), ctx.analysis("pki")))


@predicate("pki_not_revoked")
def pki_not_revoked(subject: Subject, ctx: Context) -> Verdict:
    return _verdict(checks.revoked(_info(subject), ctx.analysis("pki"), _as_of(ctx)))


@predicate("pki_env_matches")
def pki_env_matches(subject: Subject, ctx: Context) -> Verdict:
    return _verdict(checks.env_mismatch(_info(subject), ctx.analysis("pki"), ctx.environment))


@predicate("pki_not_legacy")
def pki_not_legacy(subject: Subject, ctx: Context) -> Verdict:
    return _verdict(checks.legacy(_info(subject), ctx.analysis("pki")))


@predicate("pki_strong_crypto")
def pki_strong_crypto(subject: Subject, ctx: Context, min_rsa_bits: int = 2048,
                      weak_hashes: Sequence[str] = ("sha1", "md5"), **_: Any) -> Verdict:
    return _verdict(checks.weak_crypto(_info(subject), ctx.analysis("pki"), int(min_rsa_bits), tuple(weak_hashes)))


@predicate("pki_usage_fits")
def pki_usage_fits(subject: Subject, ctx: Context, profiles: Mapping[str, Mapping[str, Any]] | None = None,
                   **_: Any) -> Verdict:
    return _verdict(checks.usage(_info(subject), ctx.analysis("pki"), uses_of(subject, ctx), profiles or None))


@predicate("pki_insi_name")
def pki_insi_name(subject: Subject, ctx: Context, names: Sequence[str] = INSI_NAMES,
                  issuers: Sequence[str] = INSI_ISSUERS, **_: Any) -> Verdict:
    uses = [use for use, _ in uses_of(subject, ctx)]
    return _verdict(checks.insi_name(_info(subject), ctx.analysis("pki"), uses, tuple(names), tuple(issuers)))


@predicate("pki_structure_id")
def pki_structure_id(subject: Subject, ctx: Context) -> Verdict:
    return _verdict(checks.structure_id(_info(subject), ctx.analysis("pki")))


@predicate("pki_crl_fresh")
def pki_crl_fresh(subject: Subject, ctx: Context) -> Verdict:
    if not isinstance(subject.value, CrlInfo):
        raise TypeError("pki_crl_fresh needs the 'crls' subjects")
    return _verdict(checks.crl_stale(subject.value, ctx.analysis("pki"), _as_of(ctx)))
