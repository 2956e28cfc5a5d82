"""Predicates of the DMP rules: XDS metadata (ITI-41), RegistryResponse, VIHF token.

They judge the facts of ``evidence/xds.py``; the embedded CDA's facts are carried in
each ``XdsDocument`` so XDS-CDA-MATCH needs no second look at any file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from ..engine.context import Context
from ..engine.vocabulary import Subject, Verdict, predicate
from ..evidence.cda import INS_OIDS
from ..evidence.ebrim import RegistryObject
from ..evidence.xds import CxId, Vihf, XdsResponseFacts, XdsSubmissionFacts
from ..masking import mask_matricule
from ..model import Kind
from ..valuesets import value_set

RESOURCE_ID = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"
N1_FORMAT = "urn:ihe:iti:xds-sd:pdf:2008"


def _shown(value: str, ctx: Context) -> str:
    """A patient identifier (CX or bare) as it may appear in a message: its id part
    masked unless the user asked to see identities (BUNDLE.md)."""
    if ctx.options.show_identities or not value:
        return value
    head, sep, rest = value.partition("^")
    return mask_matricule(head) + sep + rest


def _submission(subject: Subject) -> XdsSubmissionFacts | None:
    facts = subject.item.facts if subject.item is not None else subject.value
    return facts if isinstance(facts, XdsSubmissionFacts) else None


def _na() -> Verdict:
    return Verdict.na(reason="submission not parsed")


def _objects(facts: XdsSubmissionFacts) -> Iterable[tuple[str, RegistryObject]]:
    for submission_set in facts.metadata.submission_sets:
        yield "SubmissionSet", submission_set
    for entry in facts.metadata.entries:
        yield "DocumentEntry", entry


@predicate("xds_patient_id_form")
def xds_patient_id_form(subject: Subject, ctx: Context, *, oids: list[str] | None = None, **_: Any) -> Verdict:
    """Every patientId is ``<15-char INS>^^^&<INS OID>&ISO^NH``."""
    facts = _submission(subject)
    if facts is None:
        return _na()
    accepted = set(oids or INS_OIDS)
    bad: list[str] = []
    location = ""
    for label, obj in _objects(facts):
        cx = CxId.parse(obj.patient_id)
        ok = (cx is not None and len(cx.id) == 15 and cx.oid in accepted and cx.oid_type == "ISO"
              and cx.type_code == "NH")
        if not ok:
            bad.append(f"{label} {obj.id}: {_shown(obj.patient_id, ctx) or '(absent)'}")
            location = location or obj.location
    return Verdict.check(not bad, location, values="; ".join(bad) or "-")


def _present(obj: RegistryObject, name: str, mime_type: str = "") -> bool:
    if name == "mimeType":
        return bool(mime_type)
    if name in ("patientId", "uniqueId", "sourceId"):
        return bool(obj.identifiers.get(name))
    if name == "author":
        return any(a.person or a.institutions for a in obj.authors)
    if name == "authorPerson":
        return any(a.person for a in obj.authors)
    if name == "authorInstitution":
        return any(a.institutions for a in obj.authors)
    if name == "title":
        return bool(obj.title)
    return bool(obj.codes.get(name)) or any(v for v in obj.slots.get(name, ()))


@predicate("xds_metadata_complete")
def xds_metadata_complete(subject: Subject, ctx: Context, *, entry_attributes: list[str] | None = None,
                          set_attributes: list[str] | None = None, **_: Any) -> Verdict:
    """Each DocumentEntry and SubmissionSet carries the required attributes."""
    facts = _submission(subject)
    if facts is None:
        return _na()
    missing: list[str] = []
    location = ""
    if not facts.metadata.entries:
        missing.append("no DocumentEntry")
    for label, obj in _objects(facts):
        wanted = set_attributes if label == "SubmissionSet" else entry_attributes
        mime = getattr(obj, "mime_type", "")
        lacking = [name for name in wanted or () if not _present(obj, name, mime)]
        if lacking:
            missing.append(f"{label} {obj.id}: {', '.join(lacking)}")
            location = location or obj.location
    return Verdict.check(not missing, location, missing="; ".join(missing) or "-")


@predicate("xds_codes_in_valuesets")
def xds_codes_in_valuesets(subject: Subject, ctx: Context, *, sets: dict[str, str] | None = None,
                           presence_only: list[str] | None = None, **_: Any) -> Verdict:
    """Coded attributes in their shipped value set; attributes whose set is not shipped
    (classCode: J06/J57) are only required to be present."""
    facts = _submission(subject)
    if facts is None:
        return _na()
    outside: list[str] = []
    location = ""
    for entry in facts.metadata.entries:
        for attribute, set_id in (sets or {}).items():
            vs = value_set(set_id)
            if vs is None:
                return Verdict.error(entry.location, error=f"value set {set_id} is not shipped")
            if attribute == "authorSpecialty":
                codes = [(s.split("^")[0], s.split("^")[2] if s.count("^") >= 2 else "")
                         for a in entry.authors for s in a.specialties]
                scheme_of = [c for c in codes]
            else:
                scheme_of = [(c.code, c.scheme) for c in entry.codes.get(attribute, ())]
            for code, scheme in scheme_of:
                system = scheme.split("&")[1] if "&" in scheme else scheme
                if vs.contains(code, system) or (not system and vs.contains(code)):
                    continue
                systems = sorted(sys for c, sys in vs.codes if c == code)
                detail = f" (its code system is {', '.join(systems)})" if systems else ""
                outside.append(f"{entry.id} {attribute} {code}@{system or '?'} not in {vs.label()}{detail}")
                location = location or entry.location
        for attribute in presence_only or ():
            if not entry.codes.get(attribute):
                outside.append(f"{entry.id} {attribute} absent (its value set is not shipped: presence only)")
                location = location or entry.location
    return Verdict.check(not outside, location, outside="; ".join(outside) or "-")


def _utc(ts: str) -> tuple[str, int]:
    """HL7/XDS timestamp -> UTC digits (YYYYMMDDhhmmss truncated to its precision)."""
    match = re.match(r"^(\d{4,14})(?:\.\d+)?([+-]\d{4})?$", ts.strip())
    if match is None:
        return ts.strip(), 0
    digits, offset = match.group(1), match.group(2)
    if offset is None or len(digits) < 12:
        return digits, len(digits)
    padded = digits.ljust(14, "0")
    moment = dt.datetime.strptime(padded, "%Y%m%d%H%M%S")
    sign = 1 if offset[0] == "+" else -1
    moment -= sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
    return moment.strftime("%Y%m%d%H%M%S")[: len(digits)], len(digits)


def _same_time(xds: str, cda: str) -> bool:
    a, la = _utc(xds)
    b, lb = _utc(cda)
    size = min(la, lb) or min(len(a), len(b))
    return bool(a) and a[:size] == b[:size]


@predicate("xds_matches_cda")
def xds_matches_cda(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """Metadata agree with the submitted documents: hash and size for every document,
    and for CDAs patientId, typeCode, uniqueId, confidentialityCode, creationTime."""
    facts = _submission(subject)
    if facts is None:
        return _na()
    if not facts.documents:
        return Verdict.na(reason="no document in the submission")
    diffs: list[str] = []
    location = ""
    for document in facts.documents:
        entry = facts.metadata.entry(document.id)
        if entry is None:
            diffs.append(f"document {document.id} has no DocumentEntry")
            location = location or document.location
            continue
        found: list[str] = []
        if document.source == "missing":
            found.append("content missing")
        else:
            if entry.slot("hash") and entry.slot("hash").lower() != document.sha1:
                found.append(f"hash {entry.slot('hash')} != SHA-1 of the content {document.sha1}")
            if entry.slot("size") and entry.slot("size") != str(document.size):
                found.append(f"size {entry.slot('size')} != {document.size} bytes")
        cda = document.cda
        if cda is not None:
            cx = CxId.parse(entry.patient_id)
            ins = cda.ins
            if ins is not None and (cx is None or (cx.id, cx.oid) != (ins.matricule, ins.oid)):
                found.append("patientId differs from the CDA recordTarget INS")
            type_code = entry.code("typeCode")
            if type_code is None or type_code.code != cda.code:
                found.append(f"typeCode {type_code.code if type_code else '(absent)'} != CDA code {cda.code}")
            if entry.unique_id and entry.unique_id not in (cda.unique_id, cda.id_root):
                found.append(f"uniqueId {entry.unique_id} != CDA id {cda.unique_id}")
            confidentiality = entry.codes.get("confidentialityCode", ())
            if not confidentiality or confidentiality[0].code != cda.confidentiality_code:
                first = confidentiality[0].code if confidentiality else "(absent)"
                found.append(f"first confidentialityCode {first} != CDA {cda.confidentiality_code}")
            creation = entry.slot("creationTime")
            if creation and cda.effective_time and not _same_time(creation, cda.effective_time):
                found.append(f"creationTime {creation} != CDA effectiveTime {cda.effective_time}")
            for slot, value in (("serviceStartTime", cda.service_start), ("serviceStopTime", cda.service_stop)):
                if entry.slot(slot) and value and not _same_time(entry.slot(slot), value):
                    found.append(f"{slot} {entry.slot(slot)} != CDA serviceEvent {value}")
            format_code = entry.code("formatCode")
            if cda.body == "nonXMLBody" and format_code is not None and format_code.code != N1_FORMAT:
                found.append(f"formatCode {format_code.code} for a level-1 document (expected {N1_FORMAT})")
            wanted_mime = "application/xslt+xml" if cda.auto_presentable else "text/xml"
            if entry.mime_type and entry.mime_type != wanted_mime:
                found.append(f"mimeType {entry.mime_type} (expected {wanted_mime})")
        if found:
            diffs.append(f"{document.id}: " + ", ".join(found))
            location = location or entry.location
    return Verdict.check(not diffs, location, differences="; ".join(diffs) or "-")


def _responses(ctx: Context) -> list[tuple[str, XdsResponseFacts]]:
    return [(i.path, i.facts) for i in ctx.of_kind(Kind.XDS_RESPONSE) if isinstance(i.facts, XdsResponseFacts)]


@predicate("xds_response_success")
def xds_response_success(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    """A response says Success; a submission has a response (by wsa:RelatesTo, else one
    response without RelatesTo in the same folder)."""
    facts = subject.item.facts if subject.item is not None else None
    if isinstance(facts, XdsResponseFacts):
        detail = "; ".join(facts.errors) or "-"
        return Verdict.check(facts.success, facts.location, status=facts.status or "(none)", errors=detail)
    if not isinstance(facts, XdsSubmissionFacts):
        return _na()
    responses = _responses(ctx)
    linked = [r for _, r in responses if facts.message_id and r.relates_to == facts.message_id]
    if not linked and subject.item is not None:
        folder = subject.item.path.split("!")[0].rpartition("/")[0]
        linked = [r for p, r in responses if not r.relates_to and p.split("!")[0].rpartition("/")[0] == folder]
    if not linked:
        return Verdict.fail(status="none", errors=f"no RegistryResponse relates to {facts.message_id or 'it'}")
    worst = next((r for r in linked if not r.success), linked[0])
    return Verdict.check(worst.success, worst.location, status=worst.status, errors="; ".join(worst.errors) or "-")


def _vihf(subject: Subject) -> tuple[XdsSubmissionFacts | None, Vihf | None]:
    facts = _submission(subject)
    return facts, facts.vihf if facts is not None else None


@predicate("vihf_attributes")
def vihf_attributes(subject: Subject, ctx: Context, *, required: list[str] | None = None,
                    versions: list[str] | None = None, expected: dict[str, str] | None = None,
                    patterns: dict[str, str] | None = None, **_: Any) -> Verdict:
    facts, vihf = _vihf(subject)
    if facts is None:
        return _na()
    if vihf is None:
        return Verdict.fail(defects="no VIHF assertion in wsse:Security")
    defects: list[str] = []
    if not vihf.name_id:
        defects.append("Subject/NameID absent")
    if not vihf.issuer:
        defects.append("Issuer absent")
    for name in required or ():
        if not any(v.strip() for v in vihf.attributes.get(name, ())):
            defects.append(f"{name} absent or empty")
    if vihf.version and vihf.version not in (versions or ["3.0", "4.0"]):
        defects.append(f"VIHF_Version {vihf.version} not in {', '.join(versions or [])}")
    for name, value in (expected or {}).items():
        if vihf.first(name) and vihf.first(name) != value:
            defects.append(f"{name} is {vihf.first(name)}, expected {value}")
    for name, pattern in (patterns or {}).items():
        if vihf.first(name) and not re.fullmatch(pattern, vihf.first(name)):
            defects.append(f"{name} {vihf.first(name)!r} has not the expected form")
    return Verdict.check(not defects, vihf.location, defects="; ".join(defects) or "-", version=vihf.version)


@predicate("vihf_patient_matches")
def vihf_patient_matches(subject: Subject, ctx: Context, **_: Any) -> Verdict:
    facts, vihf = _vihf(subject)
    if facts is None:
        return _na()
    if vihf is None:
        return Verdict.na(reason="no VIHF assertion")
    resource = CxId.parse(vihf.first(RESOURCE_ID))
    patient_ids = {CxId.parse(o.patient_id) for _, o in _objects(facts)} - {None}
    wanted = {(c.id, c.oid) for c in patient_ids if c is not None}
    got = (resource.id, resource.oid) if resource is not None else None
    return Verdict.check(got is not None and wanted == {got}, vihf.location,
                         resource_id=_shown(vihf.first(RESOURCE_ID), ctx) or "(absent)",
                         patient_ids=", ".join(sorted(f"{_shown(a, ctx)}/{b}" for a, b in wanted)) or "(none)")


@predicate("vihf_real_user")
def vihf_real_user(subject: Subject, ctx: Context, *, id_pattern: str = "8[0-9]{11}|0[0-9]{9}",
                   generic_ids: list[str] | None = None, **_: Any) -> Verdict:
    """NameID is a personal RPPS (8+11 digits) or ADELI (0+9) id, not a generic account."""
    facts, vihf = _vihf(subject)
    if facts is None:
        return _na()
    if vihf is None:
        return Verdict.na(reason="no VIHF assertion")
    user = vihf.name_id
    reasons: list[str] = []
    if not re.fullmatch(id_pattern, user):
        reasons.append("not of the RPPS (8+11 digits) or ADELI (0+9 digits) form")
    if user in set(generic_ids or ()):
        reasons.append("listed as a generic account")
    if len(user) > 2 and len(set(user[1:])) == 1:
        reasons.append("a placeholder made of one repeated digit")
    return Verdict.check(not reasons, vihf.location, user=user or "(absent)", reason="; ".join(reasons) or "-")


@predicate("vihf_signed_by_org")
def vihf_signed_by_org(subject: Subject, ctx: Context, *, issuer_markers: list[str] | None = None,
                       **_: Any) -> Verdict:
    facts, vihf = _vihf(subject)
    if facts is None:
        return _na()
    if vihf is None:
        return Verdict.fail(reason="no VIHF assertion, hence no signature")
    check = vihf.signature
    if check.status == "unverifiable":
        return Verdict.error(vihf.location, error=check.reason)
    if check.status != "valid":
        return Verdict.fail(vihf.location, reason=check.reason, signer=vihf.signer_subject or "-")
    markers = issuer_markers or ["IGC-SANTE", "ORGANISATIONS"]
    upper = vihf.signer_issuer.upper()
    missing = [m for m in markers if m.upper() not in upper]
    reasons = [f"the signer's issuer ({vihf.signer_issuer}) lacks {', '.join(missing)}"] if missing else []
    if not vihf.signer_can_sign:
        reasons.append("the signer certificate is not meant for signing (KeyUsage or CA)")
    return Verdict.check(not reasons, vihf.location, signer=vihf.signer_subject, issuer=vihf.signer_issuer,
                         reason="; ".join(reasons) or "-")


@predicate("dmp_ins_qualified")
def dmp_ins_qualified(subject: Subject, ctx: Context, *, oids: list[str] | None = None, **_: Any) -> Verdict:
    """The submission targets an INS (INS OID), its CDA carries every strict trait, and no
    other evidence says this INS's identity is not qualified."""
    facts = _submission(subject)
    if facts is None:
        return _na()
    accepted = set(oids or INS_OIDS)
    reasons: list[str] = []
    matricules = set()
    for label, obj in _objects(facts):
        cx = CxId.parse(obj.patient_id)
        if cx is None or cx.oid not in accepted:
            reasons.append(f"{label} {obj.id} patientId is not an INS ({_shown(obj.patient_id, ctx) or 'absent'})")
        else:
            matricules.add(cx.id)
    for document in facts.documents:
        cda = document.cda
        if cda is None:
            continue
        traits = cda.traits
        lacking = [] if traits is None else [n for n in ("birth_name", "first_name", "given_list", "sex",
                                                          "birth_date", "birth_place") if not getattr(traits, n)]
        if traits is None or lacking:
            reasons.append(f"{document.id}: CDA lacks strict traits {', '.join(lacking) or 'all'}")
    for item in ctx.items:
        for occurrence in getattr(item.facts, "identities", ()) or ():
            status = getattr(occurrence, "identity_status", "")
            if occurrence.matricule in matricules and status and status != "QUAL":
                reasons.append(f"{item.path} gives identity status {status}")
    return Verdict.check(not reasons, "", reason="; ".join(reasons) or "-")
