"""The INS domain as pure functions: matricule layout, key, OIDs, trait character set.

Everything here follows shared domain/ins.md §1 and §3 (confirmed facts).  No rule
logic: predicates call these functions and decide what a finding is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

OID_NIR = "1.2.250.1.213.1.4.8"
OID_NIA = "1.2.250.1.213.1.4.9"
OID_NIR_TEST = "1.2.250.1.213.1.4.10"
OID_NIR_DEMO = "1.2.250.1.213.1.4.11"
OID_INS_C = "1.2.250.1.213.1.4.2"

INS_OIDS = frozenset({OID_NIR, OID_NIA, OID_NIR_TEST, OID_NIR_DEMO})
PRODUCTION_OIDS = frozenset({OID_NIR, OID_NIA})

# 13 characters: sex, YY, MM, department (2 digits, 2A/2B), 3 chars, 3-digit order.
_LAYOUT = re.compile(r"^([12])(\d{2})(\d{2})(\d{2}|2A|2B)(\d{3})(\d{3})(\d{2})$")
_INSI_CHARS = re.compile(r"[A-Z' -]+")


@dataclass(frozen=True)
class Layout:
    """The parts of a 15-character matricule INS (only when its layout is valid)."""

    sex: str  # '1' or '2'
    year: str  # 2 digits
    month: str  # 2 digits: 01-12, or 20-99 when unknown
    department: str  # 2 characters: 01-95, 2A, 2B, 97, 98, 99
    commune: str  # 3 characters (commune or country code)
    order: str
    key: str

    @property
    def cog(self) -> str:
        """Birth place code as the matricule encodes it (department + commune)."""
        return self.department + self.commune

    @property
    def month_known(self) -> bool:
        return 1 <= int(self.month) <= 12

    @property
    def born_abroad(self) -> bool:
        return self.department == "99"


def layout_problem(matricule: str) -> str:
    """Why a matricule does not have the INS layout ('' when it has)."""
    value = matricule or ""
    if len(value) != 15:
        return f"length {len(value)} instead of 15"
    if value[0] not in "12":
        if value[0] in "78":
            return "sex digit 7/8: provisional number (NNP), not an INS"
        if value[0] in "56":
            return "sex digit 5/6: migrant number, not an INS"
        return f"sex digit {value[0]!r} is not 1 or 2"
    if not value[1:5].isdigit():
        return "year or month is not numeric"
    month = int(value[3:5])
    if month == 0 or 13 <= month <= 19:
        return f"month {value[3:5]} is neither 01-12 nor 20-99"
    dept = value[5:7]
    if dept not in ("2A", "2B") and not dept.isdigit():
        return f"department {dept!r} is not numeric, 2A or 2B"
    if dept == "00" or dept == "96":
        return f"department {dept} does not exist"
    if not value[7:].isdigit():
        return "commune, order number or key is not numeric"
    return ""


def parse_layout(matricule: str) -> Layout | None:
    if layout_problem(matricule):
        return None
    match = _LAYOUT.match(matricule)
    if match is None:
        return None
    return Layout(*match.groups())


def compute_key(first13: str) -> int | None:
    """key = 97 - (N mod 97), with 2A -> 19 and 2B -> 18 (Corsica); None if not numeric."""
    if len(first13) != 13:
        return None
    corsica = {"2A": "19", "2B": "18"}.get(first13[5:7].upper())
    digits = first13[:5] + corsica + first13[7:] if corsica else first13
    if not digits.isdigit():
        return None
    return 97 - (int(digits) % 97)


def key_verifies(matricule: str) -> bool:
    if len(matricule) != 15 or not matricule[13:].isdigit():
        return False
    expected = compute_key(matricule[:13])
    return expected is not None and expected == int(matricule[13:])


def expected_key(matricule: str) -> str:
    """The key the first 13 characters call for, on 2 digits ('' when not computable)."""
    key = compute_key(matricule[:13]) if len(matricule) >= 13 else None
    return "" if key is None else f"{key:02d}"


def oid_problem(oid: str, environment: str) -> str:
    """Why an OID is not acceptable for an INS in this environment ('' when it is)."""
    if oid == OID_INS_C:
        return "obsolete INS-C OID"
    if oid not in INS_OIDS:
        return "not an INS OID"
    if environment == "production" and oid not in PRODUCTION_OIDS:
        return "test or demonstration INS OID in production evidence"
    return ""


def insi_charset_problem(value: str) -> str:
    """Why a name/first name breaks the INSi character set ('' when it complies).

    Upper-case A-Z, space, apostrophe, hyphen and double hyphen; no lower case, accent
    or ligature; not starting with a blank or a hyphen (domain/ins.md §3).
    """
    if not value:
        return ""
    if _INSI_CHARS.fullmatch(value) and value[0] not in " -" and "---" not in value:
        return ""  # the common case, decided by one compiled regex
    if value[0] in " -":
        return "starts with a blank or a hyphen"
    bad = sorted({c for c in value if not ("A" <= c <= "Z" or c in " '-")})
    if bad:
        return "characters outside the INSi set: " + " ".join(repr(c) for c in bad)
    if "---" in value:
        return "more than two hyphens in a row"
    return ""


def normalise_name(value: str) -> str:
    """Fold a name the way INSi writes it: upper case, accents and ligatures removed,
    hyphens and apostrophes kept, blanks collapsed.  Two spellings that fold to the same
    text name the same person for comparison purposes."""
    text = value.replace("Œ", "OE").replace("œ", "oe").replace("Æ", "AE").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("\u2019", "'").replace("\u2010", "-").replace("\u2011", "-")
    return " ".join(stripped.upper().split())


def normalise_sex(value: str) -> str:
    v = value.strip().upper()
    return {"1": "M", "2": "F", "H": "M"}.get(v, v)


def normalise_date(value: str) -> str:
    """YYYY-MM-DD from YYYY-MM-DD or the HL7 YYYYMMDD[...] form ('' when neither)."""
    v = value.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", v):
        return v[:10]
    if re.match(r"^\d{8}", v):
        return f"{v[:4]}-{v[4:6]}-{v[6:8]}"
    return v


def parse_cx(value: str) -> tuple[str, str]:
    """(matricule, OID) from an HL7 CX value ``<id>^^^&<OID>&ISO^NH``; ('', '') when the
    value is not in CX form, '' for an absent OID.  The one tolerant CX reader of the
    tool (XDS-PATIENTID checks the strict form with evidence.xds.CxId)."""
    value = value.strip()
    if "^" not in value:
        return "", ""
    parts = value.split("^")
    oid = ""
    if len(parts) >= 4:
        authority = parts[3].split("&")
        if len(authority) >= 2:
            oid = authority[1].strip()
    return parts[0].strip(), oid
