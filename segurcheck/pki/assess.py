"""The bundle-wide PKI picture: chains, environments and the CRL index, built once.

Both the rule predicates (through a registered analysis) and ``segurcheck cert``
use it, so a certificate is judged the same way wherever it is looked at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .anchors import TrustAnchor, shipped_anchors
from .certinfo import CertInfo, CrlInfo
from .chain import ChainBuilder, ChainResult
from .describe import cert_values
from .env import EnvClass, classify
from .revocation import CrlIndex


@dataclass
class PkiAssessment:
    builder: ChainBuilder
    crls: CrlIndex
    _env: dict[str, EnvClass] = field(default_factory=dict)
    _values: dict[str, dict[str, str]] = field(default_factory=dict)

    def values(self, info: CertInfo) -> dict[str, str]:
        """The description values of a certificate (computed once, copied out)."""
        found = self._values.get(info.fingerprint)
        if found is None:
            found = self._values[info.fingerprint] = cert_values(info, self.environment(info).environment)
        return dict(found)

    def chain(self, info: CertInfo) -> ChainResult:
        return self.builder.chain(info)

    def environment(self, info: CertInfo) -> EnvClass:
        found = self._env.get(info.fingerprint)
        if found is None:
            anchor = self.builder.anchors.get(info.fingerprint)
            if anchor is not None and anchor.environment:
                found = EnvClass(anchor.environment, "known CA fingerprint")
            else:
                chain = self.chain(info)
                anchor_env = chain.anchor.environment if chain.anchor is not None else ""
                found = classify(info, anchor_env)
            self._env[info.fingerprint] = found
        return found


def build_assessment(
    certs: Iterable[CertInfo],
    crls: Iterable[CrlInfo] = (),
    user_anchors: Iterable[TrustAnchor] = (),
) -> PkiAssessment:
    builder = ChainBuilder(certs, (*shipped_anchors(), *user_anchors))
    return PkiAssessment(builder, CrlIndex(crls, builder))
