"""Realistic Reports built from the model directly, to exercise every part of the
HTML/PDF report (all statuses, severities, waivers, proofs, coverage)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace

from segurcheck.dsr import attach_coverage, load_sector_pack
from segurcheck.model import (
    Dossier,
    EvidenceSummary,
    Kind,
    LocalText,
    Problem,
    Report,
    Result,
    Severity,
    Status,
    Waiver,
)


@dataclass(frozen=True)
class Proof:
    requirement: str
    files: tuple[str, ...]
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class FakeManifest:
    present: bool = True
    proofs: tuple[Proof, ...] = field(default_factory=tuple)


def _fp(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def result(
    rule: str,
    status: Status,
    severity: Severity,
    evidence: str,
    area: str,
    title: tuple[str, str],
    message: tuple[str, str],
    *,
    location: str = "",
    requirements: tuple[str, ...] = (),
    observed: dict[str, str] | None = None,
    condition: str = "",
    remediation: tuple[str, str] = ("Corrigez la pièce puis relancez le contrôle.", "Fix the evidence and run the check again."),
    references: tuple[str, ...] = ("shared CHECKS.md",),
    waiver: Waiver | None = None,
    key: str = "",
) -> Result:
    return Result(
        rule_id=rule,
        status=status,
        severity=severity,
        evidence=evidence,
        location=location,
        title=LocalText(*title),
        message=LocalText(*message),
        remediation=LocalText(*remediation),
        requirements=requirements,
        references=references,
        fingerprint=_fp(rule, evidence, key, location),
        area=area,
        observed=observed or {},
        condition=condition,
        waiver=waiver,
    )


def base_results() -> list[Result]:
    R = result
    S, V = Status, Severity
    return [
        R("PKI-EXPIRED", S.FAIL, V.BLOCKING, "certs/insi-auto.pem", "pki",
          ("Certificat expiré", "Certificate expired"),
          ("Le certificat INSI-AUTO a expiré le 2026-09-15, avant la date d'évaluation 2026-11-29.",
           "Certificate INSI-AUTO expired on 2026-09-15, before the as-of date 2026-11-29."),
          observed={"not_after": "2026-09-15", "as_of": "2026-11-29", "subject": "CN=INSI-AUTO,OU=10001234567"},
          condition="cert_valid_at", requirements=("SSI/IE.43",),
          remediation=("Commandez un nouveau certificat de test IGC-Santé et rejouez les traces INSi.",
                       "Order a new IGC-Santé test certificate and replay the INSi traces.")),
        R("INS-KEY", S.FAIL, V.BLOCKING, "cda/cr-bio-01.xml", "ins",
          ("Clé INS invalide", "Invalid INS key"),
          ("La clé 12 du matricule 2970*********78 ne correspond pas à la clé calculée 78.",
           "Key 12 of matricule 2970*********78 does not match the computed key 78."),
          location="/ClinicalDocument/recordTarget/patientRole/id[2]",
          observed={"matricule": "2970*********78", "key": "12", "expected": "78"},
          condition="ins_key_valid", requirements=("DMP/HISTO.05",)),
        R("MSS-HEADER-NIL", S.FAIL, V.BLOCKING, "mss/envoi-01.eml", "mss",
          ("En-tête X-MSS-NIL absent", "X-MSS-NIL header missing"),
          ("Le courriel n'a pas d'en-tête X-MSS-NIL ; attendu : 123456.", "The email has no X-MSS-NIL header; expected: 123456."),
          observed={"x_mss_nil": "", "product_ref": "123456"}, condition="mss_header_nil", requirements=("MSS/CONF.16",)),
        R("MSS-SUBJECT", S.FAIL, V.MAJOR, "mss/envoi-01.eml", "mss",
          ("Objet de courriel non conforme", "Email subject not compliant"),
          ("L'objet « Compte rendu » ne commence pas par XDM/1.0/DDM.", "Subject 'Compte rendu' does not start with XDM/1.0/DDM."),
          observed={"subject": "Compte rendu"}, condition="mss_subject_prefix", requirements=("MSS/CONF.25",)),
        R("XDS-VALUESET", S.FAIL, V.MAJOR, "dmp/iti41-01.xml", "dmp",
          ("Code hors jeu de valeurs", "Code outside its value set"),
          ("healthcareFacilityTypeCode SA99 absent du JDV J02.", "healthcareFacilityTypeCode SA99 not in value set J02."),
          location="/Envelope/Body/ProvideAndRegisterDocumentSetRequest/SubmitObjectsRequest/RegistryObjectList/ExtrinsicObject/Classification[4]",
          observed={"attribute": "healthcareFacilityTypeCode", "code": "SA99", "value_set": "J02"}, condition="xds_code_in_valueset"),
        R("PKI-EXPIRES-SOON", S.FAIL, V.MINOR, "certs/dmp-tls.pem", "pki",
          ("Certificat bientôt expiré", "Certificate expires soon"),
          ("Le certificat expire dans 41 jours (2027-01-09).", "The certificate expires in 41 days (2027-01-09)."),
          observed={"days_left": "41", "threshold": "90"}, condition="cert_not_expiring"),
        R("DOSSIER-UNKNOWN-FILE", S.FAIL, V.INFO, "notes/lisez-moi.docx", "dossier",
          ("Fichier non reconnu", "Unrecognised file"),
          ("Ce fichier n'est ni une pièce reconnue ni une preuve citée.", "This file is neither recognised evidence nor a named proof."),
          observed={"kind": "unknown"}, condition="known_kind"),
        R("INSI-STRUCTURE", S.ERROR, V.MAJOR, "insi/req-03.xml", "insi",
          ("Message INSi incomplet", "Incomplete INSi message"),
          ("Impossible d'évaluer : XML mal formé ligne 12.", "Could not be evaluated: malformed XML line 12."),
          observed={"error": "XMLSyntaxError: line 12"}, condition="exception"),
        R("DOSSIER-PROOF-MISSING", S.MANUAL, V.BLOCKING, "", "dossier",
          ("Preuve obligatoire absente du manifeste", "Mandatory proof missing from the manifest"),
          ("Preuve de DMP/CONF.03 fournie (proofs/dmp-conf-03.mp4) : une personne doit la juger.",
           "Proof for DMP/CONF.03 supplied (proofs/dmp-conf-03.mp4): a person must judge it."),
          location="proofs[requirement=DMP/CONF.03]", requirements=("DMP/CONF.03",),
          observed={"requirement": "DMP/CONF.03", "files": "proofs/dmp-conf-03.mp4", "expected": "video or screenshots"},
          condition="proof_supplied", key="DMP/CONF.03"),
        R("DOSSIER-PROOF-MISSING", S.FAIL, V.BLOCKING, "", "dossier",
          ("Preuve obligatoire absente du manifeste", "Mandatory proof missing from the manifest"),
          ("L'exigence DMP/UX.11 demande une preuve (vidéo ou captures) et le manifeste n'en cite aucune.",
           "Requirement DMP/UX.11 needs a proof (video or screenshots) and the manifest names none."),
          location="proofs[requirement=DMP/UX.11]", requirements=("DMP/UX.11",),
          observed={"requirement": "DMP/UX.11", "files": "", "expected": "video or screenshots"},
          condition="proof_supplied", key="DMP/UX.11"),
        R("DOSSIER-PROOF-FILE", S.PASS, V.MAJOR, "proofs/dmp-conf-03.mp4", "dossier",
          ("Fichier de preuve absent ou illisible", "Proof file absent or unreadable"),
          ("La preuve s'ouvre (mp4).", "The proof opens (mp4)."), observed={"format": "mp4"}, condition="proof_file_readable"),
        R("INS-OID", S.WAIVED, V.BLOCKING, "cda/exemple-ans.xml", "ins",
          ("OID INS non admis", "INS OID not allowed"),
          ("OID 1.2.250.1.213.1.4.11 (démonstration) dans un dossier de test.",
           "OID 1.2.250.1.213.1.4.11 (demo) in a test dossier."),
          observed={"oid": "1.2.250.1.213.1.4.11"}, condition="ins_oid_allowed", requirements=("DMP/HISTO.05",),
          waiver=Waiver(
              "INS-OID", "exemple officiel de l'ANS conservé tel quel", "jane.doe@example.org", dt.date(2027, 3, 31), ticket="QUAL-123")),
        R("MSS-XDM", S.PASS, V.BLOCKING, "mss/envoi-01.eml", "mss", ("Archive IHE_XDM", "IHE_XDM archive"),
          ("Conforme.", "Compliant."), requirements=("MSS/CONF.23", "MSS/CONF.24"), condition="mss_has_xdm"),
        R("XDS-PATIENTID", S.PASS, V.BLOCKING, "dmp/iti41-01.xml", "dmp", ("patientId XDS", "XDS patientId"),
          ("Conforme.", "Compliant."), requirements=("DMP/HISTO.05",), condition="xds_patientid_ins"),
        R("VIHF-GENERIC-USER", S.PASS, V.BLOCKING, "dmp/iti41-01.xml", "dmp", ("Utilisateur VIHF générique", "Generic VIHF user"),
          ("Conforme.", "Compliant."), requirements=("DMP/AIRS.06",), condition="vihf_user_national_id"),
        R("USAGE-MSS", S.NOT_APPLICABLE, V.MAJOR, "", "usage", ("Preuve d'usage MSS", "MSS proof of use"),
          ("Non applicable : aucune pièce concernée (usage-export) dans le dossier.",
           "Not applicable: no evidence of the concerned kinds (usage-export) in the bundle."), condition="subjects"),
        R("PKI-WEAK-CRYPTO", S.PASS, V.MAJOR, "certs/insi-auto.pem", "pki", ("Cryptographie faible", "Weak cryptography"),
          ("Conforme.", "Compliant."), requirements=("SSI/GEN.13",), condition="cert_crypto_strong"),
    ]


EVIDENCE = (
    EvidenceSummary("certs/insi-auto.pem", Kind.CERTIFICATE, 1834, hashlib.sha256(b"a").hexdigest()),
    EvidenceSummary("certs/dmp-tls.pem", Kind.CERTIFICATE, 1790, hashlib.sha256(b"b").hexdigest()),
    EvidenceSummary("cda/cr-bio-01.xml", Kind.CDA, 48213, hashlib.sha256(b"c").hexdigest()),
    EvidenceSummary("dmp/iti41-01.xml", Kind.XDS_SUBMISSION, 120433, hashlib.sha256(b"d").hexdigest()),
    EvidenceSummary("mss/envoi-01.eml", Kind.MSS_MESSAGE, 302111, hashlib.sha256(b"e").hexdigest()),
    EvidenceSummary("insi/req-03.xml", Kind.UNKNOWN, 911, hashlib.sha256(b"f").hexdigest(), (Problem("XMLSyntaxError: line 12"),)),
    EvidenceSummary("proofs/dmp-conf-03.mp4", Kind.PROOF, 4_812_333, hashlib.sha256(b"g").hexdigest()),
)

MANIFEST = FakeManifest(proofs=(Proof("DMP/CONF.03", ("proofs/dmp-conf-03.mp4",), "suppression d'un document"),))


def sample_report(lang: str = "fr", results: list[Result] | None = None, sector: str = "DPI") -> Report:
    report = Report(
        tool_version="0.1.0",
        rulepack_version="2026.11",
        rulepack_sha256=hashlib.sha256(b"rules").hexdigest(),
        dossier=Dossier("ACME Santé", "MediDPI", "4.2.1", "123456", sector, "test", dt.date(2026, 11, 29)),
        bundle_sha256=hashlib.sha256(b"bundle").hexdigest(),
        bundle_files=len(EVIDENCE),
        results=tuple(results if results is not None else base_results()),
        evidence=EVIDENCE,
        lang=lang,
    )
    return attach_coverage(report, load_sector_pack(sector), MANIFEST)


def many_findings(n: int) -> Report:
    """A report with ``n`` results (a third failing) for benchmarks and scale tests."""
    base = base_results()
    out = []
    for i in range(n):
        r = base[i % len(base)]
        out.append(replace(r, evidence=f"lot{i // len(base):04d}/{r.evidence or 'dossier'}", fingerprint=_fp(r.fingerprint, str(i))))
    return replace(sample_report(), results=tuple(out))
