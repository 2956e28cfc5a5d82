"""Trust anchors: the IGC-Santé CAs the tool knows by fingerprint, and user ones.

The tool ships *facts* (SHA-256 fingerprints and names, ``data/trust_anchors.json``),
not CA files: a certificate whose fingerprint is listed is recognised wherever it
appears (bundle or ``--trust DIR``).  ``load_trust_dir`` reads a user directory once,
before evaluation, so predicates stay free of I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..resources import data_dir
from .certinfo import CertInfo, read_certificates


@dataclass(frozen=True)
class TrustAnchor:
    """A CA accepted as the end of a chain."""

    fingerprint: str
    name: str
    environment: str  # production | test | "" (user anchors: unknown)
    role: str  # root | intermediate | user
    short: str = ""
    cert: CertInfo | None = None  # the certificate when known (user anchors)


@cache
def shipped_anchors() -> tuple[TrustAnchor, ...]:
    """The IGC-Santé production and TEST CAs recognised by fingerprint."""
    raw = json.loads((data_dir() / "trust_anchors.json").read_text(encoding="utf-8"))
    return tuple(
        TrustAnchor(
            fingerprint=a["fingerprint"].upper(),
            name=a["name"],
            environment=a["environment"],
            role=a["role"],
            short=a.get("short", ""),
        )
        for a in raw["anchors"]
    )


@cache
def anchor_by_name() -> dict[str, TrustAnchor]:
    """Shipped anchors by CA common name (to name the missing CA in messages)."""
    return {a.name: a for a in shipped_anchors()}


_MAX_TRUST_FILE = 1 << 20


def load_trust_dir(path: Path) -> tuple[TrustAnchor, ...]:
    """Every certificate found in the files of ``path`` (recursively) as an anchor.

    Files that hold no certificate are skipped silently: a trust directory may hold
    READMEs or CRLs.  Raises ``NotADirectoryError`` when ``path`` is not a directory
    (the CLI turns that into exit status 2).
    """
    if not path.is_dir():
        raise NotADirectoryError(f"{path}: not a directory")
    found: dict[str, TrustAnchor] = {}
    for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()):
        if file.stat().st_size > _MAX_TRUST_FILE:
            continue
        outcome = read_certificates(file.read_bytes())
        for info in outcome.certs:
            found.setdefault(
                info.fingerprint,
                TrustAnchor(info.fingerprint, info.subject_cn or info.subject, "", "user", cert=info),
            )
    return tuple(found.values())
