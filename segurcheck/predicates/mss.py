"""Predicates of the MSS rules (MSS/CONF.14-16, 23-25): pure look-ups on parsed facts.

The facts come from ``evidence/mss.py`` (a message with its attachments analysed) and
``evidence/xdm.py`` (an archive with its METADATA and documents).  Patient identifiers
that appear in observed values are masked unless ``--show-identities`` is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..engine.context import Context
from ..engine.vocabulary import Subject, Verdict, predicate
from ..evidence.mss import MssFacts
from ..evidence.xdm import INS_OIDS, XdmFacts
from ..ins import parse_cx
from ..masking import mask_matricule, mask_text

_SUBJECT_REST = re.compile(r"^XDM/1\.0/DDM\+\s*\S.*\s\S+\s\S+\s\d{2}/\d{2}/\d{4}\s*$")
_SPLIT = re.compile(r"[,;\s]+")


def _show(ctx: Context, matricule: str) -> str:
    return matricule if ctx.options.show_identities else mask_matricule(matricule)


def _message(subject: Subject) -> MssFacts | None:
    return subject.value if isinstance(subject.value, MssFacts) else None


def _unparsed() -> Verdict:
    return Verdict.error(error="the message could not be parsed (see MSS-PARSE)")


@predicate("mss_parsed")
def mss_parsed(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """MSS-PARSE: the message reads as RFC 5322/MIME without a broken MIME tree."""
    facts = _message(subject)
    problems = subject.item.problems if subject.item is not None else ()
    if facts is None:
        detail = "; ".join(p.message for p in problems) or "unreadable"
        return Verdict.fail(problem=detail[:300])
    if facts.fatal:
        detail = "; ".join(p.message for p in facts.problems)
        return Verdict.fail(problem=detail[:300])
    return Verdict.ok(attachments=len(facts.attachments))


@predicate("mss_carries_health_documents")
def mss_carries_health_documents(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """Guard: the message transmits health documents (an XDM archive or a bare CDA)."""
    facts = _message(subject)
    if facts is None:
        return _unparsed()
    if facts.is_mdn:
        return Verdict.na(reason="disposition notification (MDN)")
    return Verdict.check(facts.carries_health_documents, reason="no health document attached")


@predicate("mss_has_cda_in_xdm")
def mss_has_cda_in_xdm(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """Guard: an IHE_XDM archive holding at least one CDA is attached."""
    facts = _message(subject)
    if facts is None:
        return _unparsed()
    return Verdict.check(bool(facts.cdas_in_xdm), reason="no CDA inside an IHE_XDM attachment")


@predicate("mss_xdm_complete")
def mss_xdm_complete(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """MSS-XDM: an IHE_XDM.ZIP with README.TXT, INDEX.HTM, METADATA.XML and every
    document the METADATA names (MSS/CONF.23-24)."""
    facts = _message(subject)
    if facts is None:
        return _unparsed()
    archives = facts.xdm_archives
    if not archives:
        names = ", ".join(a.name for a in facts.attachments if a.kind == "cda") or "-"
        return Verdict.fail(missing="IHE_XDM.ZIP", detail=f"health document(s) sent outside an XDM archive: {names}")
    missing: list[str] = []
    for archive in archives:
        missing.extend(_archive_gaps(archive))
    if missing:
        return Verdict.fail(missing=", ".join(missing), detail="; ".join(missing))
    return Verdict.ok(subset=", ".join(a.subset for a in archives))


def _archive_gaps(archive: XdmFacts) -> Iterable[str]:
    if not archive.has_readme:
        yield "README.TXT"
    if not archive.has_index:
        yield "INDEX.HTM"
    if not archive.metadata_name:
        yield "IHE_XDM/<subset>/METADATA.XML"
    elif archive.metadata is None:
        yield f"{archive.metadata_name} (unreadable)"
    elif archive.metadata.namespace_broken:
        # read here by repairing it, but a receiver's strict parser rejects it
        yield f"{archive.metadata_name} (not namespace-well-formed XML)"
    for check in archive.checks:
        if not check.document:
            yield f"{check.entry.uri or check.entry.id} (named by METADATA, absent)"
    if archive.metadata is not None and not archive.cdas:
        yield "CDA document"


@predicate("xdm_integrity")
def xdm_integrity(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """MSS-XDM-INTEGRITY: METADATA size, SHA-1 hash, mimeType and patientId agree with
    each archived document (and its CDA recordTarget INS)."""
    archive = subject.value
    if not isinstance(archive, XdmFacts):
        return Verdict.error(error="the archive could not be read")
    if archive.metadata is None:
        return Verdict.error(error="no readable METADATA.XML (see MSS-XDM)")
    issues: list[str] = []
    location = ""
    set_pid = parse_cx(archive.metadata.submission_patient_id)
    for check in archive.checks:
        entry = check.entry
        if not check.document:
            continue
        label = entry.id or entry.uri
        before = len(issues)
        if entry.size.strip() != str(check.actual_size):
            issues.append(f"{label}: size {entry.size or '(none)'} declared, {check.actual_size} archived")
        if entry.hash.strip().lower() != check.actual_sha1:
            issues.append(f"{label}: hash {entry.hash or '(none)'} declared, {check.actual_sha1} computed")
        if check.cda is not None:
            expected = "application/xslt+xml" if check.cda.stylesheet else "text/xml"
            if entry.mime_type != expected:
                issues.append(f"{label}: mimeType {entry.mime_type or '(none)'}, expected {expected}")
            pid = parse_cx(entry.patient_id)
            if check.cda.ins and pid != (check.cda.ins, check.cda.ins_oid):
                issues.append(
                    f"{label}: patientId {_show(ctx, pid[0]) or '(none)'} differs from the CDA INS "
                    f"{_show(ctx, check.cda.ins)}"
                )
        elif check.is_pdf and entry.mime_type != "application/pdf":
            issues.append(f"{label}: mimeType {entry.mime_type or '(none)'}, expected application/pdf")
        if entry.patient_id and set_pid[0] and parse_cx(entry.patient_id) != set_pid:
            issues.append(f"{label}: patientId differs from the SubmissionSet patientId")
        if len(issues) > before and not location:
            location = f"{archive.metadata_name}#{entry.location}"
    if issues:
        return Verdict.fail(location, mismatches="; ".join(issues), count=len(issues))
    return Verdict.ok(documents=len(archive.checks))


@predicate("mss_pdfa")
def mss_pdfa(subject: Subject, ctx: Context, require_one_per_cda: bool = True, **_: Any) -> Verdict:
    """MSS-PDFA: the documents are also attached as PDF declaring PDF/A-1 (XMP pdfaid)."""
    facts = _message(subject)
    if facts is None:
        return _unparsed()
    pdfs = facts.pdfs
    cdas = len(facts.cdas_in_xdm)
    if not pdfs:
        return Verdict.fail(detail="no PDF attachment", cdas=cdas, pdfa1=0)
    not_a1 = [f"{a.name} ({'PDF/A-' + a.pdfa.part if a.pdfa and a.pdfa.part else 'no pdfaid'})"
              for a in pdfs if a.pdfa is None or not a.pdfa.pdfa1]
    good = len(pdfs) - len(not_a1)
    if not_a1:
        return Verdict.fail(detail="not declared PDF/A-1: " + ", ".join(not_a1), cdas=cdas, pdfa1=good)
    if require_one_per_cda and good < cdas:
        return Verdict.fail(detail=f"{good} PDF/A-1 for {cdas} CDA document(s)", cdas=cdas, pdfa1=good)
    return Verdict.ok(cdas=cdas, pdfa1=good)


def _header_cdas(subject: Subject, ctx: Context, facts: MssFacts) -> tuple[list[tuple[str, bool]], str]:
    """(code, qualified INS) for each CDA inside the message's XDM archives.

    Prefers the facts of the CDA parser (the nested CDA items the walker parsed,
    read through their ``code`` and ``identities``); falls back to the XDM reader's
    own minimal CDA reading when those items are not there.  Qualified = the CDA
    recordTarget carries an INS (matricule + INS OID) with birth name, first first
    name, birth date and sex (MSS/CONF.14), and that INS is a METADATA patientId.
    """
    found: list[tuple[str, bool]] = []
    for attachment in facts.attachments:
        archive = attachment.xdm
        if archive is None:
            continue
        metadata_ids = {parse_cx(v) for v in archive.patient_ids}
        for document in archive.documents:
            if document.cda is None:
                continue
            item = ctx.item(f"{subject.evidence}!{attachment.name}!{document.name}")
            parsed = item.facts if item is not None else None
            if parsed is not None and hasattr(parsed, "code") and hasattr(parsed, "identities"):
                qualified = any(
                    o.source == "cda-recordTarget" and o.oid in INS_OIDS and (o.matricule, o.oid) in metadata_ids
                    and o.traits is not None and all((o.traits.birth_name, o.traits.first_name,
                                                      o.traits.birth_date, o.traits.sex))
                    for o in parsed.identities
                )
                found.append((str(parsed.code), qualified))
            else:
                cda = document.cda
                found.append((cda.code, cda.qualified and (cda.ins, cda.ins_oid) in metadata_ids))
    origin = "CDA parser" if any(
        ctx.item(f"{subject.evidence}!{a.name}!{d.name}") is not None
        for a in facts.attachments if a.xdm is not None for d in a.xdm.documents if d.cda is not None
    ) else "XDM reader"
    return found, origin


@predicate("mss_header_ins")
def mss_header_ins(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """MSS-HEADER-INS (MSS/CONF.14): X-MSS-INS is O exactly when a qualified INS is in
    the XDM, N when a CDA is there without one, and absent when no CDA-in-XDM."""
    facts = _message(subject)
    if facts is None:
        return _unparsed()
    where = "header:X-MSS-INS"
    values = facts.header("X-MSS-INS")
    shown = " | ".join(values) or "(absent)"
    cdas, origin = _header_cdas(subject, ctx, facts)
    if not cdas:
        return Verdict.check(not values, where, value=shown, expected="(absent: no CDA in an XDM archive)")
    expected = "O" if any(qualified for _, qualified in cdas) else "N"
    if len(values) != 1 or values[0] not in ("O", "N"):
        return Verdict.fail(where, value=shown, expected=expected, read_by=origin)
    return Verdict.check(values[0] == expected, where, value=values[0], expected=expected, read_by=origin)


@predicate("mss_header_codecda")
def mss_header_codecda(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """MSS-HEADER-CODECDA (MSS/CONF.15): X-MSS-CODECDA names the code of each CDA in the
    XDM (multi-valued when several) and is absent without CDA."""
    facts = _message(subject)
    if facts is None:
        return _unparsed()
    where = "header:X-MSS-CODECDA"
    values = facts.header("X-MSS-CODECDA")
    found = {v for raw in values for v in _SPLIT.split(raw) if v}
    cdas, _origin = _header_cdas(subject, ctx, facts)
    expected = {code for code, _ in cdas if code}
    shown = ", ".join(sorted(found)) or "(absent)"
    if not cdas:
        return Verdict.check(not values, where, value=shown, expected="(absent: no CDA in an XDM archive)")
    return Verdict.check(bool(values) and found == expected, where, value=shown, expected=", ".join(sorted(expected)))


@predicate("mss_header_nil")
def mss_header_nil(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """MSS-HEADER-NIL (MSS/CONF.16): X-MSS-NIL on every message, equal to the product
    reference of the manifest when one is given."""
    facts = _message(subject)
    if facts is None:
        return _unparsed()
    where = "header:X-MSS-NIL"
    values = [v for v in facts.header("X-MSS-NIL") if v]
    expected = ctx.dossier.product_ref or "(any non-empty value)"
    if not values:
        return Verdict.fail(where, value="(absent)", expected=expected)
    if len(set(values)) > 1:
        return Verdict.fail(where, value=" | ".join(values), expected=expected)
    if ctx.dossier.product_ref and values[0] != ctx.dossier.product_ref:
        return Verdict.fail(where, value=values[0], expected=expected)
    return Verdict.ok(where, value=values[0], expected=expected)


def _masked_subject(facts: MssFacts, ctx: Context) -> str:
    """The subject names the patient (MSS/CONF.25): mask their traits unless asked."""
    if ctx.options.show_identities:
        return facts.subject
    secrets: list[str] = []
    for cda in facts.cdas_in_xdm:
        t = cda.traits
        secrets += [t.birth_name, t.first_name, *t.given_list.split(), t.birth_date, cda.ins]
        if len(t.birth_date) == 10:
            year, month, day = t.birth_date.split("-")
            secrets.append(f"{day}/{month}/{year}")
    return mask_text(facts.subject, secrets)


@predicate("mss_subject")
def mss_subject(subject: Subject, ctx: Context, prefix: str = "XDM/1.0/DDM", **_: Any) -> Verdict:
    """MSS-SUBJECT (MSS/CONF.25): the subject starts with ``XDM/1.0/DDM``; the rest of
    the pattern (label, name, first name, birth date) is unconfirmed and only noted."""
    facts = _message(subject)
    if facts is None:
        return _unparsed()
    text = _masked_subject(facts, ctx)
    note = ""
    if not _SUBJECT_REST.match(facts.subject):
        note = "the rest does not look like '+<label> <NAME> <first name> <dd/mm/yyyy>'"
    return Verdict.check(facts.subject.startswith(prefix), "header:Subject", subject=text[:200] or "(empty)",
                         prefix=prefix, note=note)


def _patients(facts: MssFacts) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for archive in facts.xdm_archives:
        for value in archive.patient_ids:
            matricule, _ = parse_cx(value)
            if matricule:
                found.setdefault(matricule, []).append("METADATA patientId")
        for cda in archive.cdas:
            if cda.ins:
                found.setdefault(cda.ins, []).append("CDA recordTarget")
    for attachment in facts.attachments:
        if attachment.cda is not None and attachment.cda.ins:
            found.setdefault(attachment.cda.ins, []).append("attached CDA")
    for mailbox in facts.patient_mailboxes:
        found.setdefault(mailbox.split("@")[0].upper(), []).append("patient mailbox")
    return found


@predicate("mss_one_patient")
def mss_one_patient(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """MSS-ONE-PATIENT (MSS/CONF.23): one message, one patient (METADATA patientIds,
    CDA recordTargets and patient mailboxes name the same matricule)."""
    facts = _message(subject)
    if facts is None:
        return _unparsed()
    patients = _patients(facts)
    if not patients:
        return Verdict.na(reason="no patient identifier in the message")
    shown = ", ".join(f"{_show(ctx, m)} ({'/'.join(sorted(set(w)))})" for m, w in sorted(patients.items()))
    return Verdict.check(len(patients) == 1, patients=shown, count=len(patients))


@predicate("mss_trust_domain")
def mss_trust_domain(subject: Subject, ctx: Context, domains: list[str] | None = None, **_: Any) -> Verdict:
    """MSS-TRUST-DOMAIN: sender and recipients are inside the MSSanté trust space
    (``mssante.fr`` by default; a strict whitelist is unconfirmed, hence a parameter)."""
    facts = _message(subject)
    if facts is None:
        return _unparsed()
    allowed = [d.lower().lstrip(".") for d in (domains or ["mssante.fr"])]
    outside = []
    for address in (facts.sender, *facts.recipients):
        domain = address.rsplit("@", 1)[-1].lower() if "@" in address else ""
        if address and not any(domain == d or domain.endswith("." + d) for d in allowed):
            outside.append(address)
    return Verdict.check(not outside, outside=", ".join(outside) or "-", domains=", ".join(allowed))
