"""Entry point the CLI uses for ``--trust DIR`` (see ``anchors.load_trust_dir``)."""

from __future__ import annotations

from .anchors import TrustAnchor, load_trust_dir

__all__ = ["TrustAnchor", "load_trust_dir"]
