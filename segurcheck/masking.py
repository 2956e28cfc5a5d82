"""Masking of patient identities in every output (BUNDLE.md).

A matricule keeps its first 4 and last 2 characters (``2970*********78``), a name its
first 3 letters (``ADR*****``): enough for the publisher to find the record, not enough
to identify a patient.  Known fictitious identities are shown in full.
"""

from __future__ import annotations


def mask_matricule(value: str) -> str:
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def mask_trait(value: str) -> str:
    """Names, first names, birth dates, places: keep a short prefix only."""
    if not value:
        return value
    keep = 3 if len(value) > 4 else 1
    return value[:keep] + "*" * (len(value) - keep)


def mask_text(text: str, secrets: list[str]) -> str:
    """Replace each secret (matricule or trait) occurring in free text."""
    for secret in sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True):
        masked = mask_matricule(secret) if secret[:1].isdigit() else mask_trait(secret)
        text = text.replace(secret, masked)
    return text
