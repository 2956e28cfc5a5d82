"""The two subjects functions every pack uses: each evidence item of the rule's
kinds (the default), and the dossier itself (dossier-level rules)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..engine.context import Context
from ..engine.vocabulary import Subject, subjects
from ..model import Kind


@subjects("evidence")
def each_item(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    """Default subjects: every evidence item of the rule's kinds."""
    kinds = [Kind(k) for k in params.get("kinds", ()) if k != "dossier"]
    for item in ctx.of_kind(*kinds):
        yield Subject(evidence=item.path, key="", value=item.facts, item=item)


@subjects("dossier")
def the_dossier(ctx: Context, params: Mapping[str, Any]) -> Iterable[Subject]:
    """One subject for dossier-level rules."""
    yield Subject(evidence="", key="dossier", value=ctx.dossier)
