"""A fast, read-only index of a CRL's revokedCertificates.

Iterating a 10,000-entry CRL through ``cryptography`` builds a Python object per
entry (about 1.7 µs each); here the usual layout is split at C speed and only
sliced (serial bytes -> date element), and the date of the few entries a look-up
actually hits is decoded.  Other layouts take an element-by-element walk.  The CRL has already been parsed (and its signature
verified) by ``cryptography``; on any structure this walk does not expect it gives
up and the caller falls back to ``cryptography``'s own iteration.
"""

from __future__ import annotations

import datetime as dt

from .der import DerError, header


class ScanError(DerError):
    """The DER is not laid out as this walk expects (caller falls back)."""


_header = header


def _revoked_region(der: bytes) -> tuple[int, int]:
    """(start, end) of the revokedCertificates content; (0, 0) when there is none."""
    _, list_start, _ = _header(der, 0)  # CertificateList
    tag, pos, tbs_end = _header(der, list_start)  # TBSCertList
    if tag != 0x30:
        raise ScanError("no TBSCertList")
    tag, _, end = _header(der, pos)
    if tag == 0x02:  # version
        pos = end
    for _ in range(2):  # signature AlgorithmIdentifier, issuer Name
        tag, _, end = _header(der, pos)
        if tag != 0x30:
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
    if pos >= tbs_end or der[pos] != 0x30:
        return 0, 0
    _, start, end = _header(der, pos)
    return start, end


_SEP = b"\x17\x0d"  # UTCTime tag and length: what precedes every usual revocationDate


def _split_index(region: bytes) -> dict[bytes, bytes] | None:
    """Fast path for the usual layout (no entry extensions, UTCTime dates).

    The region is split on the UTCTime header at C speed; a piece then holds the
    previous entry's date and the next entry's header and serial.  A serial that
    happens to contain the separator breaks its piece in two: such runs of
    ill-shaped pieces are glued back and walked element by element.  ``None`` when
    the layout is another one (entry extensions, GeneralizedTime dates).
    """
    pieces = region.split(_SEP)
    if len(pieces) < 2:
        return None
    first, last = pieces[0], pieces[-1]
    if len(last) != 13 or len(first) < 4 or first[0] != 0x30 or len(first) != 4 + first[3]:
        return None
    middle = pieces[1:-1]
    shaped = [len(p) > 16 and len(p) == 17 + p[16] and p[13] == 0x30 and p[15] == 0x02 for p in middle]
    serials = [first[4:], *(p[17:] for p in middle)]
    dates = [_SEP + p[:13] for p in pieces[1:]]
    if all(shaped):
        return dict(zip(serials, dates, strict=True))
    found: dict[bytes, bytes] = {}
    k = 0
    count = len(middle)
    while k < count:
        if shaped[k]:
            found[serials[k + 1]] = dates[k + 1]
            k += 1
            continue
        end = k
        while end < count and not shaped[end]:
            end += 1
        if end == count:  # an ill-shaped run reaching the last piece: not this layout
            return None
        # pieces[k+1 .. end] (1-based in ``pieces``) are ill-shaped; the piece after the
        # run starts with the date of the run's last entry.
        glued = _SEP.join(middle[k:end])[13:] + _SEP + middle[end][:13]
        found.update(_walk(glued, 0, len(glued)))
        k = end
    found[serials[0]] = dates[0]
    return found


def _walk(der: bytes, pos: int, list_end: int) -> dict[bytes, bytes]:
    """Element-by-element walk of revoked entries: serial -> date element."""
    found: dict[bytes, bytes] = {}
    while pos < list_end:
        if der[pos] != 0x30:
            raise ScanError("entry is not a SEQUENCE")
        first = der[pos + 1]
        if first < 0x80:
            start, end = pos + 2, pos + 2 + first
        else:
            _, start, end = _header(der, pos)
        if der[start] != 0x02 or der[start + 1] >= 0x80:
            raise ScanError("unexpected serial encoding")
        serial_end = start + 2 + der[start + 1]
        time_len = der[serial_end + 1]
        if der[serial_end] not in (0x17, 0x18) or time_len >= 0x80:
            raise ScanError("no revocationDate")
        found[der[start + 2 : serial_end]] = der[serial_end : serial_end + 2 + time_len]
        pos = end
    if pos != list_end:
        raise ScanError("entries overrun their list")
    return found


_walk_index = _walk


def revoked_index(der: bytes) -> dict[bytes, bytes]:
    """Serial INTEGER content bytes -> revocationDate element (tag, length, content)."""
    start, end = _revoked_region(der)
    if start == end:
        return {}
    fast = _split_index(der[start:end])
    return fast if fast is not None else _walk(der, start, end)


def revoked_offsets(der: bytes) -> dict[bytes, bytes]:
    """Kept for readability of callers and tests: same as ``revoked_index``."""
    return revoked_index(der)


def serial_bytes(serial: int) -> bytes:
    """DER INTEGER content of a serial number (minimal two's complement)."""
    return serial.to_bytes((serial.bit_length() + 8) // 8, "big", signed=True)


def time_value(element: bytes) -> dt.datetime:
    """A UTCTime or GeneralizedTime element (tag, length, content) as a UTC datetime."""
    tag, start, end = _header(element, 0)
    text = element[start:end].decode("ascii")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.1 windowing)
        year = int(text[:2])
        parsed = dt.datetime.strptime(("19" if year >= 50 else "20") + text, "%Y%m%d%H%M%SZ")
    elif tag == 0x18:
        parsed = dt.datetime.strptime(text, "%Y%m%d%H%M%SZ")
    else:
        raise ScanError("no revocationDate")
    return parsed.replace(tzinfo=dt.UTC)
