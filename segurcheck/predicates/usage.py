"""Predicates of the proof-of-use rules (USAGE-DMP, USAGE-MSS).

Counts come from the usage exports (already counted while streaming) and from the
exchanges found in the bundle itself: successful XDS responses for the DMP, MSS
messages carrying a CDA inside an IHE_XDM archive for MSS.  The minimums are rule
parameters (``minimum``, default 1) because no public threshold exists.
"""

from __future__ import annotations

from typing import Any

from ..engine.context import Context
from ..engine.vocabulary import Subject, Verdict, predicate
from ..evidence.mss import MssFacts
from ..evidence.usage import UsageFacts
from ..model import Kind


def _exports(ctx: Context) -> list[UsageFacts]:
    return [i.facts for i in ctx.of_kind(Kind.USAGE_EXPORT) if isinstance(i.facts, UsageFacts)]


def _xds_success(facts: Any) -> bool:
    """A RegistryResponse whose status is Success (read by duck typing: the XDS facts
    belong to the DMP area and may name the field ``status`` or ``success``)."""
    flag = getattr(facts, "success", None)
    if isinstance(flag, bool):
        return flag
    status = str(getattr(facts, "status", "") or "")
    return status.endswith(":Success") or status == "Success"


def _verdict(found: int, minimum: int, when_absent: str, evidence: bool, **observed: object) -> Verdict:
    if not evidence and when_absent == "not_applicable":
        return Verdict.na(reason="no usage export nor exchange in the bundle", found=found, minimum=minimum)
    return Verdict(Verdict.check(found >= minimum).status, {"found": str(found), "minimum": str(minimum),
                   **{k: str(v) for k, v in observed.items()}})


@predicate("usage_dmp_minimum")
def usage_dmp_minimum(
    subject: Subject, ctx: Context, minimum: int = 1, when_absent: str = "not_applicable", **_: Any
) -> Verdict:
    """USAGE-DMP: successful DMP submissions with a qualified INS reach the minimum.
    A successful XDS response counts as one: the DMP is fed only for qualified INS."""
    exports = _exports(ctx)
    from_exports = sum(e.count("dmp", "success", "QUAL") for e in exports)
    responses = [i for i in ctx.of_kind(Kind.XDS_RESPONSE) if i.facts is not None]
    from_responses = sum(1 for i in responses if _xds_success(i.facts))
    other = sum(e.count("dmp", "success") for e in exports) - from_exports
    return _verdict(
        from_exports + from_responses,
        int(minimum),
        when_absent,
        bool(exports or responses),
        from_exports=from_exports,
        from_responses=from_responses,
        not_qualified=other,
    )


@predicate("usage_mss_minimum")
def usage_mss_minimum(
    subject: Subject, ctx: Context, minimum: int = 1, when_absent: str = "not_applicable", **_: Any
) -> Verdict:
    """USAGE-MSS: MSS messages carrying a CDA in an IHE_XDM archive reach the minimum."""
    exports = _exports(ctx)
    from_exports = sum(e.count("mss", "success") for e in exports)
    messages = [i.facts for i in ctx.of_kind(Kind.MSS_MESSAGE) if isinstance(i.facts, MssFacts)]
    from_messages = sum(1 for m in messages if not m.is_mdn and m.cdas_in_xdm)
    return _verdict(
        from_exports + from_messages,
        int(minimum),
        when_absent,
        bool(exports or messages),
        from_exports=from_exports,
        from_messages=from_messages,
    )
