"""Small Report builders for the gate tests (no bundle needed)."""

from __future__ import annotations

import datetime as dt
import hashlib

from segurcheck.model import Dossier, LocalText, Report, Result, Severity, Status

AS_OF = dt.date(2026, 11, 29)


def result(rule: str, evidence: str, status: Status = Status.FAIL, severity: Severity = Severity.BLOCKING,
           area: str = "ins") -> Result:
    fp = hashlib.sha256(f"{rule}|{evidence}".encode()).hexdigest()[:32]
    return Result(
        rule_id=rule, status=status, severity=severity, evidence=evidence, location="/x",
        title=LocalText.same(rule), message=LocalText(f"{rule} échoue", f"{rule} fails on {evidence}"),
        remediation=LocalText.same("fix"), requirements=("DMP/CONF.03",), references=("test",),
        fingerprint=fp, area=area,
    )


def report(*results: Result, pack: str = "1", pack_sha: str = "a" * 64, bundle_sha: str = "b" * 64) -> Report:
    return Report(
        tool_version="0.1.0", rulepack_version=pack, rulepack_sha256=pack_sha,
        dossier=Dossier(publisher="ACME", software="MediDPI", version="4.2.1", sector="DPI", as_of=AS_OF),
        bundle_sha256=bundle_sha, bundle_files=3, results=tuple(results),
    )


def three_failures() -> Report:
    """The acceptance dossier: three blocking failures and a pass."""
    return report(
        result("INS-KEY", "cda/a.xml"),
        result("PKI-EXPIRED", "certs/old.pem", area="pki"),
        result("XDS-PATIENTID", "dmp/sub.xml", area="dmp"),
        result("INS-KEY", "cda/b.xml", status=Status.PASS),
    )
