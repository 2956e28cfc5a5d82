"""Parsers of INSi SOAP 1.2 messages: requests, responses (RESULTAT) and faults.

The facts keep what the INSi rules judge (headers, traits, returned INS, CR, fault
codes), the identities every INS rule shares, the software the request names
(ContexteLPS), and the serialised header blocks and body so that INSI-STRUCTURE can
validate them against the user's XSDs without re-reading the file.  A SAML assertion's
certificate becomes a nested certificate item.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from lxml import etree

from ..claims import IdentityOccurrence, SoftwareClaim, Traits
from ..model import Kind, Problem
from .base import Child, Parsed, Source, parser
from .insi_schemas import load_insi_schemas, schema_errors
from .xml import XmlError, local_name, namespace, parse_xml, path_of

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
NS_RECSANS = "http://www.cnamts.fr/INSiRecSans"
NS_RECVIT = "http://www.cnamts.fr/INSiRecVit"
NS_RESULTAT = "http://www.cnamts.fr/INSiResultat"
NS_CTXLPS = "urn:siram:lps:ctxlps"
NS_CTXBAM = "urn:siram:bam:ctxbam"
NS_SIRAM = "urn:siram"

ACTIONS = {
    "RECVITALE": "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale",
    "RECSANSVITALE": "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite",
}
BODY_NAMESPACES = {"RECVITALE": NS_RECVIT, "RECSANSVITALE": NS_RECSANS, "RESULTAT": NS_RESULTAT}


# Fast tree helpers.  INSi traces come by tens of thousands in a dossier: these do
# the same as the generic helpers of ``xml.py`` with lxml's C-level tag filters.


_BETWEEN_TAGS = re.compile(rb">\s+<")


def child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return next(element.iterchildren(f"{{*}}{name}"), None)


def children(element: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if element is None else list(element.iterchildren(f"{{*}}{name}"))


def texts(element: etree._Element | None) -> dict[str, str]:
    """Local name -> text of the direct children (first of each name), in one pass."""
    found: dict[str, str] = {}
    if element is None:
        return found
    for node in element:
        tag = node.tag
        if isinstance(tag, str):
            found.setdefault(tag.rpartition("}")[2], text(node))
    return found


def descendants(element: etree._Element, name: str) -> list[etree._Element]:
    return list(element.iter(f"{{*}}{name}"))


def text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    if len(element) == 0:
        return (element.text or "").strip()
    return "".join(str(t) for t in element.itertext()).strip()


def content_identity(root: etree._Element) -> str:
    """Digest of the canonical (C14N) form with whitespace between tags removed: stays
    the same when a trace is re-indented or its attributes reordered, at a fraction of
    the cost of the generic identity (INSi traces come by tens of thousands)."""
    canonical = etree.tostring(root, method="c14n", with_comments=False)
    return hashlib.sha256(_BETWEEN_TAGS.sub(b"><", canonical).strip()).hexdigest()


@dataclass(frozen=True)
class XmlPart:
    """A header block or body element, serialised, for optional XSD validation."""

    name: str
    namespace: str
    location: str
    xml: bytes


@dataclass(frozen=True)
class StructureIssue:
    """A required part of an INSi message that is missing or malformed."""

    part: str
    location: str
    detail: str


@dataclass(frozen=True)
class ContexteLps:
    version: str = ""
    nature: str = ""
    id: str = ""
    temps: str = ""
    idam: str = ""
    lps_version: str = ""
    instance: str = ""
    nom: str = ""
    location: str = ""


@dataclass(frozen=True)
class InsValue:
    """One INSACTIF or INSHISTO block of a response."""

    matricule: str  # NumIdentifiant + Cle as carried
    oid: str
    date_deb: str
    date_fin: str
    location: str
    historical: bool


@dataclass(frozen=True)
class InsiFacts:
    """Facts of one INSi message; ``operation`` is RECSANSVITALE, RECVITALE, RESULTAT
    or FAULT (the kind says the same thing at a coarser grain)."""

    operation: str
    message_id: str = ""
    relates_to: str = ""
    action: str = ""
    lps: ContexteLps | None = None
    bam_version: str | None = None  # None when the ContexteBAM is absent
    security: bool = False
    saml: bool = False
    traits: Traits | None = None  # request traits, or TIQ of a response
    traits_location: str = ""
    code_cr: str = ""
    libelle_cr: str = ""
    actif: InsValue | None = None
    histo: tuple[InsValue, ...] = ()
    fault_code: str = ""
    fault_subcode: str = ""
    fault_reason: str = ""
    error_code: str = ""
    error_severity: str = ""
    error_text: str = ""
    error_message_id: str = ""
    fault_location: str = ""
    issues: tuple[StructureIssue, ...] = ()
    raw: bytes = b""  # the message, for optional XSD validation (see message_parts)
    identities: tuple[IdentityOccurrence, ...] = ()
    software: tuple[SoftwareClaim, ...] = ()
    names: tuple[tuple[str, str, str], ...] = field(default=())  # (field, value, location) for charset


def _envelope(root: etree._Element) -> tuple[etree._Element | None, etree._Element | None]:
    if local_name(root) != "Envelope":
        return None, None
    return child(root, "Header"), child(root, "Body")


def _serialise(element: etree._Element) -> bytes:
    return etree.tostring(element)


def message_parts(raw: bytes) -> tuple[XmlPart, ...]:
    """Header blocks, body element and fault detail of a message, serialised one by
    one, for XSD validation (only computed when the user supplies the schemas)."""
    try:
        root = parse_xml(raw)
    except XmlError:
        return ()
    parts: list[XmlPart] = []
    for name in ("Header", "Body"):
        container = child(root, name)
        if container is None:
            continue
        for element in container:
            if isinstance(element.tag, str):
                parts.append(XmlPart(local_name(element), namespace(element), path_of(element), _serialise(element)))
                if local_name(element) == "Fault":
                    for erreur in descendants(element, "Erreur"):
                        parts.append(XmlPart("Erreur", namespace(erreur), path_of(erreur), _serialise(erreur)))
    return tuple(parts)


def _header_text(header: etree._Element | None, name: str) -> str:
    return text(child(header, name)) if header is not None else ""


def _lps(header: etree._Element | None) -> ContexteLps | None:
    block = child(header, "ContexteLPS") if header is not None else None
    if block is None:
        return None
    own = texts(block)
    lps = texts(child(block, "LPS"))
    return ContexteLps(
        version=block.get("Version", ""),
        nature=block.get("Nature", ""),
        id=own.get("Id", ""),
        temps=own.get("Temps", ""),
        idam=lps.get("IDAM", ""),
        lps_version=lps.get("Version", ""),
        instance=lps.get("Instance", ""),
        nom=lps.get("Nom", ""),
        location=path_of(block),
    )


def _certificates(header: etree._Element | None) -> tuple[list[Child], list[Problem]]:
    found: list[Child] = []
    problems: list[Problem] = []
    if header is None:
        return found, problems
    for index, element in enumerate(descendants(header, "X509Certificate"), start=1):
        raw = "".join(text(element).split())
        try:
            der = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            problems.append(Problem("X509Certificate is not valid base64", path_of(element)))
            continue
        if der:
            found.append(Child(f"saml-certificate-{index}.der", der, kind=Kind.CERTIFICATE))
    return found, problems


def _request_traits(body_el: etree._Element) -> Traits:
    found = texts(body_el)
    prenom = found.get("Prenom", "")
    return Traits(
        birth_name=found.get("NomNaissance", ""),
        first_name=prenom,
        given_list=prenom,
        sex=found.get("Sexe", ""),
        birth_date=found.get("DateNaissance", ""),
        birth_place=found.get("LieuNaissance", ""),
    )


def _names(element: etree._Element, base: str, fields: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """(field, value, location) of the name elements (each occurs once by the schema)."""
    out = []
    for name in fields:
        found = child(element, name)
        if found is not None:
            out.append((name, text(found), f"{base}/{name}"))
    return tuple(out)


def _request_issues(
    operation: str,
    header: etree._Element | None,
    lps: ContexteLps | None,
    bam: etree._Element | None,
    action: str,
    message_id: str,
) -> list[StructureIssue]:
    issues: list[StructureIssue] = []
    where = path_of(header) if header is not None else "/Envelope"
    if header is None:
        issues.append(StructureIssue("Header", "/Envelope", "no SOAP Header"))
    if header is not None and child(header, "ContexteLGC") is not None:
        issues.append(StructureIssue("ContexteLPS", where, "a ContexteLGC block was sent: the INSi header is named ContexteLPS"))
    if lps is None:
        issues.append(StructureIssue("ContexteLPS", where, "no ContexteLPS header"))
    else:
        if lps.version != "01_00":
            issues.append(StructureIssue("ContexteLPS", lps.location, f"Version {lps.version!r} instead of 01_00"))
        for label, value in (
            ("LPS/IDAM", lps.idam),
            ("LPS/Version", lps.lps_version),
            ("LPS/Nom", lps.nom),
            ("Id", lps.id),
            ("Temps", lps.temps),
        ):
            if not value:
                issues.append(StructureIssue("ContexteLPS", lps.location, f"{label} is empty or absent"))
    if bam is None:
        issues.append(StructureIssue("ContexteBAM", where, "no ContexteBAM header"))
    elif bam.get("Version", "") != "01_02":
        issues.append(StructureIssue("ContexteBAM", path_of(bam), f"Version {bam.get('Version', '')!r} instead of 01_02"))
    if not message_id:
        issues.append(StructureIssue("wsa:MessageID", where, "no wsa:MessageID"))
    if not action:
        issues.append(StructureIssue("wsa:Action", where, "no wsa:Action"))
    elif action != ACTIONS[operation]:
        issues.append(StructureIssue("wsa:Action", where, f"wsa:Action {action!r} does not name the {operation} operation"))
    return issues


def _ins_value(block: etree._Element, historical: bool) -> InsValue:
    ident = child(block, "IdIndividu")
    num = text(child(ident, "NumIdentifiant")) if ident is not None else ""
    cle = text(child(ident, "Cle")) if ident is not None else ""
    return InsValue(
        num + cle,
        text(child(block, "OID")),
        text(child(block, "DateDeb")),
        text(child(block, "DateFin")),
        path_of(block),
        historical,
    )


def _tiq(tiq: etree._Element) -> Traits:
    found = texts(tiq)
    liste = " ".join(found.get("ListePrenom", "").split())
    prenom = found.get("Prenom", "") or (liste.split(" ")[0] if liste else "")
    return Traits(
        birth_name=found.get("NomNaissance", ""),
        first_name=prenom,
        given_list=liste or prenom,
        sex=found.get("Sexe", ""),
        birth_date=found.get("DateNaissance", ""),
        birth_place=found.get("LieuNaissance", ""),
    )


def _response(body_el: etree._Element, base: dict[str, object]) -> InsiFacts:
    issues: list[StructureIssue] = []
    cr = child(body_el, "CR")
    code = text(child(cr, "CodeCR")) if cr is not None else ""
    libelle = text(child(cr, "LibelleCR")) if cr is not None else ""
    if cr is None or not code:
        issues.append(StructureIssue("CR", path_of(body_el), "no CR/CodeCR"))
    individu = child(body_el, "INDIVIDU")
    actif = histo = None
    traits = None
    traits_location = ""
    names: tuple[tuple[str, str, str], ...] = ()
    histos: list[InsValue] = []
    if individu is not None:
        actif_el = child(individu, "INSACTIF")
        actif = _ins_value(actif_el, False) if actif_el is not None else None
        histos = [_ins_value(h, True) for h in children(individu, "INSHISTO")]
        tiq = child(individu, "TIQ")
        if tiq is not None:
            traits = _tiq(tiq)
            traits_location = path_of(tiq)
            names = _names(tiq, traits_location, ("NomNaissance", "Prenom", "ListePrenom"))
    if code == "00":
        if actif is None:
            issues.append(StructureIssue("INSACTIF", path_of(body_el), "CR 00 without INDIVIDU/INSACTIF"))
        if traits is None:
            issues.append(StructureIssue("TIQ", path_of(body_el), "CR 00 without INDIVIDU/TIQ"))
    identities: list[IdentityOccurrence] = []
    if actif is not None:
        identities.append(IdentityOccurrence(actif.matricule, actif.oid, actif.location, "insi-actif", traits))
    for value in histos:
        identities.append(IdentityOccurrence(value.matricule, value.oid, value.location, "insi-histo", traits))
    del histo
    return InsiFacts(
        operation="RESULTAT",
        code_cr=code,
        libelle_cr=libelle,
        actif=actif,
        histo=tuple(histos),
        traits=traits,
        traits_location=traits_location,
        issues=tuple(issues) + tuple(base.pop("issues", ())),  # type: ignore[arg-type]
        identities=tuple(identities),
        names=names,
        **base,  # type: ignore[arg-type]
    )


def _fault(fault: etree._Element, base: dict[str, object]) -> InsiFacts:
    code_el = child(fault, "Code")
    value = text(child(code_el, "Value")) if code_el is not None else ""
    sub = child(code_el, "Subcode") if code_el is not None else None
    subvalue = text(child(sub, "Value")) if sub is not None else ""
    reason_el = child(fault, "Reason")
    reason = text(child(reason_el, "Text")) if reason_el is not None else ""
    erreur = next(iter(descendants(fault, "Erreur")), None)
    issues: list[StructureIssue] = list(base.pop("issues", ()))  # type: ignore[call-overload]
    if not value:
        issues.append(StructureIssue("Fault/Code", path_of(fault), "no Code/Value"))
    if erreur is None:
        issues.append(StructureIssue("siram:Erreur", path_of(fault), "no Detail/siram:Erreur"))
    return InsiFacts(
        operation="FAULT",
        fault_code=value.rsplit(":", 1)[-1],
        fault_subcode=subvalue.rsplit(":", 1)[-1],
        fault_reason=reason,
        error_code=erreur.get("code", "") if erreur is not None else "",
        error_severity=erreur.get("severite", "") if erreur is not None else "",
        error_text=text(erreur),
        error_message_id=erreur.get("messageID", "") if erreur is not None else "",
        fault_location=path_of(fault),
        issues=tuple(issues),
        **base,  # type: ignore[arg-type]
    )


def parse_insi(source: Source) -> Parsed:
    """Parse any INSi message (the three kinds share the envelope logic)."""
    try:
        root = source.xml()
    except XmlError as exc:
        return Parsed(problems=[Problem(f"not well-formed XML: {exc}")])
    header, body = _envelope(root)
    if body is None:
        return Parsed(problems=[Problem("not a SOAP envelope with a Body", path_of(root))], identity=content_identity(root))
    body_el = next((c for c in body if isinstance(c.tag, str)), None)
    if body_el is None:
        return Parsed(problems=[Problem("empty SOAP Body", path_of(body))], identity=content_identity(root))
    certs, problems = _certificates(header)
    message_id = _header_text(header, "MessageID")
    relates_to = _header_text(header, "RelatesTo")
    action = _header_text(header, "Action")
    issues: list[StructureIssue] = []
    if namespace(root) != SOAP12:
        issues.append(StructureIssue("Envelope", "/Envelope", f"envelope namespace {namespace(root)!r} is not SOAP 1.2"))
    op = local_name(body_el)
    expected_ns = BODY_NAMESPACES.get(op)
    if expected_ns is not None and namespace(body_el) != expected_ns:
        issues.append(StructureIssue(op, path_of(body_el), f"namespace {namespace(body_el)!r} instead of {expected_ns}"))
    base: dict[str, object] = {
        "message_id": message_id,
        "relates_to": relates_to,
        "action": action,
        "raw": source.data,
        "security": header is not None and child(header, "Security") is not None,
        "saml": header is not None and bool(descendants(header, "Assertion")),
    }
    identity = content_identity(root)
    if op in ("RECSANSVITALE", "RECVITALE"):
        lps = _lps(header)
        bam = child(header, "ContexteBAM") if header is not None else None
        issues += _request_issues(op, header, lps, bam, action, message_id)
        traits = _request_traits(body_el) if op == "RECSANSVITALE" else None
        software = (
            (SoftwareClaim(lps.nom, lps.lps_version, lps.location, "insi-ContexteLPS"),) if lps and (lps.nom or lps.lps_version) else ()
        )
        body_path = path_of(body_el)
        occurrences = (IdentityOccurrence("", "", body_path, "insi-request", traits),) if traits else ()
        facts = InsiFacts(
            operation=op,
            lps=lps,
            bam_version=bam.get("Version", "") if bam is not None else None,
            traits=traits,
            traits_location=body_path,
            issues=tuple(issues),
            identities=occurrences,
            software=software,
            names=_names(body_el, body_path, ("NomNaissance", "Prenom")),
            **base,  # type: ignore[arg-type]
        )
    elif op == "RESULTAT":
        base["issues"] = issues
        facts = _response(body_el, base)
    elif op == "Fault":
        base["issues"] = issues
        facts = _fault(body_el, base)
    else:
        return Parsed(problems=[Problem(f"SOAP body {op!r} is not an INSi message", path_of(body_el))], identity=identity)
    return Parsed(facts=facts, problems=problems, children=certs, identity=identity)


@parser(Kind.INSI_REQUEST)
def parse_request(source: Source) -> Parsed:
    return parse_insi(source)


@parser(Kind.INSI_RESPONSE)
def parse_response(source: Source) -> Parsed:
    return parse_insi(source)


@parser(Kind.INSI_FAULT)
def parse_fault(source: Source) -> Parsed:
    return parse_insi(source)


__all__ = ["InsiFacts", "load_insi_schemas", "parse_insi", "schema_errors"]
