"""What a finding may show of a patient identity (BUNDLE.md: masked in every output
unless ``--show-identities`` or the identity is a known fictitious one).

Predicates pass every matricule and trait through ``reveal`` before putting it in
``Verdict.observed``, so every output format (built from the observed values) is masked.
"""

from __future__ import annotations

from typing import Any

from ..masking import mask_matricule, mask_trait


def showing(ctx: Any, fictitious: bool) -> bool:
    options = getattr(ctx, "options", None)
    return fictitious or bool(getattr(options, "show_identities", False))


def reveal(ctx: Any, value: str, fictitious: bool, kind: str = "trait") -> str:
    """``value`` in full when allowed, else masked (``kind``: matricule | trait)."""
    if not value or showing(ctx, fictitious):
        return value
    return mask_matricule(value) if kind == "matricule" else mask_trait(value)
