"""A fast, read-only walk over a CRL's revokedCertificates, for indexing.

Iterating a 10,000-entry CRL through ``cryptography`` builds a Python object per
entry (about 1.7 µs each); this walk only slices the DER once per entry (serial
bytes -> offset of the entry), and decodes the revocation date of the few entries a
look-up actually hits.  The CRL has already been parsed (and its signature
verified) by ``cryptography``; on any structure this walk does not expect it gives
up and the caller falls back to ``cryptography``'s own iteration.
"""

from __future__ import annotations

import datetime as dt


class ScanError(ValueError):
    """The DER is not laid out as this walk expects (caller falls back)."""


def _header(der: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the element at ``pos``."""
    if pos + 2 > len(der):
        raise ScanError("truncated")
    tag = der[pos]
    first = der[pos + 1]
    if first < 0x80:
        start, length = pos + 2, first
    else:
        n = first & 0x7F
        if n == 0 or n > 4:
            raise ScanError("unsupported length")
        start = pos + 2 + n
        length = int.from_bytes(der[pos + 2 : start], "big")
    end = start + length
    if end > len(der):
        raise ScanError("element overruns the CRL")
    return tag, start, end


def revoked_offsets(der: bytes) -> dict[bytes, int]:
    """Serial INTEGER content bytes -> offset of its revokedCertificates entry."""
    _, list_start, _ = _header(der, 0)  # CertificateList
    tag, pos, tbs_end = _header(der, list_start)  # TBSCertList
    if tag != 0x30:
        raise ScanError("no TBSCertList")
    tag, _, end = _header(der, pos)
    if tag == 0x02:  # version
        pos = end
        tag, _, end = _header(der, pos)
    for expected in (0x30, 0x30):  # signature AlgorithmIdentifier, issuer Name
        tag, _, end = _header(der, pos)
        if tag != expected:
            raise ScanError("unexpected TBSCertList layout")
        pos = end
    tag, _, end = _header(der, pos)  # thisUpdate
    if tag not in (0x17, 0x18):
        raise ScanError("no thisUpdate")
    pos = end
    if pos < tbs_end:
        tag, _, end = _header(der, pos)
        if tag in (0x17, 0x18):  # nextUpdate
            pos = end
    found: dict[bytes, int] = {}
    if pos >= tbs_end or der[pos] != 0x30:
        return found  # no revoked certificates
    _, pos, list_end = _header(der, pos)
    while pos < list_end:
        entry = pos
        if der[pos] != 0x30:
            raise ScanError("entry is not a SEQUENCE")
        first = der[pos + 1]
        if first < 0x80:
            start, length = pos + 2, first
        else:
            n = first & 0x7F
            start = pos + 2 + n
            length = int.from_bytes(der[pos + 2 : start], "big")
        if der[start] != 0x02 or der[start + 1] >= 0x80:
            raise ScanError("unexpected serial encoding")
        serial_end = start + 2 + der[start + 1]
        found[der[start + 2 : serial_end]] = entry
        pos = start + length
    if pos != list_end:
        raise ScanError("entries overrun their list")
    return found


def serial_bytes(serial: int) -> bytes:
    """DER INTEGER content of a serial number (minimal two's complement)."""
    return serial.to_bytes((serial.bit_length() + 8) // 8, "big", signed=True)


def entry_date(der: bytes, offset: int) -> dt.datetime:
    """Revocation date of the entry at ``offset`` (UTCTime or GeneralizedTime)."""
    _, start, _ = _header(der, offset)
    _, _, serial_end = _header(der, start)
    tag, t_start, t_end = _header(der, serial_end)
    text = der[t_start:t_end].decode("ascii")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.1 windowing)
        year = int(text[:2])
        parsed = dt.datetime.strptime(("19" if year >= 50 else "20") + text, "%Y%m%d%H%M%SZ")
    elif tag == 0x18:
        parsed = dt.datetime.strptime(text, "%Y%m%d%H%M%SZ")
    else:
        raise ScanError("no revocationDate")
    return parsed.replace(tzinfo=dt.UTC)
