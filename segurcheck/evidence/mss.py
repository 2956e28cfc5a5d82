"""MSSanté messages (.eml, RFC 5322/MIME): headers, attachments, MDN reports.

The facts hold what the MSS rules (MSS/CONF.14-16, 21, 23-25) look at: the decoded
subject and addresses, every ``X-MSS-*`` header occurrence, each attachment classified
by content (IHE_XDM archive, PDF with its PDF/A claim, bare CDA), and whether the
message is a disposition notification (RFC 8098).  The XDM attachment is analysed here
too (shared, cached, with ``xdm.analyse_xdm``) so the header rules are pure look-ups;
it is also handed back as a child so its own rules and the identity ledger see it.
"""

from __future__ import annotations

import email.errors
import re
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses

from ..claims import IdentityOccurrence, SoftwareClaim
from ..model import Kind, Problem
from ..pdfa import PdfaClaim, pdfa_claim
from .base import Child, Parsed, Source, parser
from .xdm import CdaSummary, XdmFacts, analyse_xdm, is_xdm, read_cda

PATIENT_DOMAIN = "patient.mssante.fr"
# Defects after which the MIME tree cannot be trusted (MSS-PARSE).
_FATAL_DEFECTS = (
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.CloseBoundaryNotFoundDefect,
    email.errors.MultipartInvariantViolationDefect,
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.MissingHeaderBodySeparatorDefect,
)
_VERSION = re.compile(r"^(?P<name>.*?)[\s/_-]+v?(?P<version>\d+(?:\.[0-9A-Za-z-]+)*)\b")
_MDN_CODE = re.compile(r"\b(90[0-6])\b")


@dataclass(frozen=True)
class Attachment:
    """One attached file, classified by its content (never by its name alone)."""

    name: str
    content_type: str
    size: int
    kind: str  # xdm | pdf | cda | other
    pdfa: PdfaClaim | None = None
    xdm: XdmFacts | None = None
    cda: CdaSummary | None = None


@dataclass(frozen=True)
class MssFacts:
    message_id: str
    subject: str
    sender: str
    recipients: tuple[str, ...]  # To, Cc and Bcc addresses, lower-cased
    headers: dict[str, tuple[str, ...]]  # X-MSS-* (upper-cased names) -> occurrences
    content_type: str
    charset: str
    is_mdn: bool
    mdn_disposition: str
    mdn_codes: tuple[str, ...]
    disposition_requested: bool
    attachments: tuple[Attachment, ...]
    problems: tuple[Problem, ...]
    fatal: bool
    identities: tuple[IdentityOccurrence, ...] = ()
    software: tuple[SoftwareClaim, ...] = ()

    def header(self, name: str) -> tuple[str, ...]:
        return self.headers.get(name.upper(), ())

    @property
    def xdm_archives(self) -> tuple[XdmFacts, ...]:
        return tuple(a.xdm for a in self.attachments if a.xdm is not None)

    @property
    def cdas_in_xdm(self) -> tuple[CdaSummary, ...]:
        return tuple(c for x in self.xdm_archives for c in x.cdas)

    @property
    def pdfs(self) -> tuple[Attachment, ...]:
        return tuple(a for a in self.attachments if a.kind == "pdf")

    @property
    def carries_health_documents(self) -> bool:
        """An XDM archive, a bare CDA, or a PDF next to them: MSS/CONF.23 applies."""
        return any(a.kind in ("xdm", "cda") for a in self.attachments)

    @property
    def patient_mailboxes(self) -> tuple[str, ...]:
        return tuple(r for r in self.recipients if r.endswith("@" + PATIENT_DOMAIN))


def decode(value: object) -> str:
    """An RFC 2047 encoded header as text; undecodable parts kept as they are."""
    if value is None:
        return ""
    raw = str(value)
    if "=?" not in raw:
        return raw.strip()
    try:
        return str(make_header(decode_header(raw))).strip()
    except (email.errors.HeaderParseError, UnicodeError, LookupError, ValueError):
        return raw.strip()


def software_claim(value: str, where: str) -> SoftwareClaim | None:
    """``MediDPI/4.2.1``, ``MediDPI 4.2.1 (build 7)`` -> name and version."""
    value = value.strip()
    if not value:
        return None
    found = _VERSION.match(value)
    if found and found.group("name").strip():
        return SoftwareClaim(found.group("name").strip(), found.group("version"), where, "mss-" + where.lower())
    return SoftwareClaim(value, "", where, "mss-" + where.lower())


def _classify(part: Message, name: str, payload: bytes) -> Attachment:
    ctype = part.get_content_type()
    if payload[:2] == b"PK" and is_xdm(payload):
        return Attachment(name, ctype, len(payload), "xdm", xdm=analyse_xdm(payload))
    if payload.lstrip()[:5] == b"%PDF-":
        return Attachment(name, ctype, len(payload), "pdf", pdfa=pdfa_claim(payload))
    if payload.lstrip()[:1] == b"<":
        cda = read_cda(payload)
        if cda is not None:
            return Attachment(name, ctype, len(payload), "cda", cda=cda)
    return Attachment(name, ctype, len(payload), "other")


def _mdn(message: Message) -> tuple[bool, str, tuple[str, ...]]:
    if message.get_content_type() != "multipart/report":
        return False, "", ()
    if str(message.get_param("report-type") or "").lower() != "disposition-notification":
        return False, "", ()
    disposition = ""
    codes: list[str] = []
    for part in message.walk():
        if part.get_content_type() != "message/disposition-notification":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        raw = "\n".join(str(b) for b in blocks) if blocks else str(payload)
        for block in blocks:
            if isinstance(block, Message) and block.get("Disposition"):
                disposition = decode(block.get("Disposition"))
        if not disposition:
            found = re.search(r"^Disposition:\s*(.+)$", raw, re.M | re.I)
            disposition = found.group(1).strip() if found else ""
        codes.extend(_MDN_CODE.findall(raw))
    return True, disposition, tuple(dict.fromkeys(codes))


def read_message(data: bytes) -> tuple[MssFacts | None, list[Problem], list[Child]]:
    try:
        message = BytesParser(policy=compat32).parsebytes(data)
    except (email.errors.MessageError, UnicodeError, ValueError, LookupError) as exc:
        return None, [Problem(f"the message cannot be parsed as RFC 5322/MIME: {exc}")], []
    if not message.keys():
        return None, [Problem("no RFC 5322 header found")], []
    problems: list[Problem] = []
    fatal = False
    attachments: list[Attachment] = []
    kids: list[Child] = []
    used: set[str] = set()
    for index, part in enumerate(message.walk()):
        for defect in part.defects:
            problems.append(Problem(f"MIME defect: {type(defect).__name__}", f"part {index}"))
            fatal = fatal or isinstance(defect, _FATAL_DEFECTS)
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        filename = decode(part.get_filename()) if part.get_filename() else ""
        disposition = str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        if not filename and disposition != "attachment" and part.get_content_maintype() == "text":
            continue
        try:
            payload = part.get_payload(decode=True)
        except (ValueError, TypeError, AssertionError) as exc:
            problems.append(Problem(f"attachment cannot be decoded: {exc}", filename or f"part {index}"))
            continue
        if not isinstance(payload, bytes):
            continue
        name = (filename or f"part-{index}").replace("/", "_").replace("!", "_")
        if name in used:
            name = f"{index}-{name}"
        used.add(name)
        attachment = _classify(part, name, payload)
        attachments.append(attachment)
        kids.append(Child(name, payload, Kind.XDM_ARCHIVE if attachment.kind == "xdm" else None))
    headers: dict[str, tuple[str, ...]] = {}
    for key, value in message.items():
        if key.upper().startswith("X-MSS-"):
            headers[key.upper()] = (*headers.get(key.upper(), ()), decode(value).strip())
    recipients: list[str] = []
    identities: list[IdentityOccurrence] = []
    for field in ("To", "Cc", "Bcc"):
        for _, addr in getaddresses([decode(v) for v in message.get_all(field, [])]):
            if not addr:
                continue
            recipients.append(addr.lower())
            if addr.lower().endswith("@" + PATIENT_DOMAIN):
                occurrence = IdentityOccurrence(addr.split("@")[0], "", f"header:{field}", "mss-address")
                identities.append(occurrence)
    senders = getaddresses([decode(message.get("From"))])
    is_mdn, mdn_disposition, mdn_codes = _mdn(message)
    software = tuple(
        claim
        for field in ("X-Mailer", "User-Agent")
        if (claim := software_claim(decode(message.get(field)), field)) is not None
    )
    facts = MssFacts(
        message_id=decode(message.get("Message-ID")),
        subject=decode(message.get("Subject")),
        sender=senders[0][1].lower() if senders else "",
        recipients=tuple(recipients),
        headers=headers,
        content_type=message.get_content_type(),
        charset=str(message.get_content_charset() or ""),
        is_mdn=is_mdn,
        mdn_disposition=mdn_disposition,
        mdn_codes=mdn_codes,
        disposition_requested=message.get("Disposition-Notification-To") is not None,
        attachments=tuple(attachments),
        problems=tuple(problems),
        fatal=fatal,
        identities=tuple(identities),
        software=software,
    )
    return facts, problems, kids


@parser(Kind.MSS_MESSAGE)
def parse_mss_message(source: Source) -> Parsed:
    try:
        facts, problems, kids = read_message(source.data)
    except (email.errors.MessageError, UnicodeError, LookupError, ValueError, TypeError, AttributeError, IndexError) as exc:
        # the stdlib email package raises odd errors on some corrupted inputs
        problem = Problem(f"the message cannot be parsed as RFC 5322/MIME: {type(exc).__name__}: {exc}"[:300])
        return Parsed(facts=None, problems=[problem], identity=source.sha256)
    identity = source.sha256
    if facts is not None and facts.message_id:
        identity = "message-id:" + facts.message_id.strip("<>")
    return Parsed(facts=facts, problems=problems, children=kids, identity=identity)
