"""The one immutable model every part of segurcheck shares.

Parsers produce ``EvidenceItem`` values, rules produce ``Result`` values, and the
``Report`` gathers them.  Every output format (JSON, SARIF, JUnit, HTML, PDF,
terminal) is a view of a ``Report``, which is why they can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """How much a failure weighs.  Only ``blocking`` failures drive exit code 1."""

    BLOCKING = "blocking"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Smaller is more serious; used to sort findings."""
        return list(Severity).index(self)


class Status(str, Enum):
    """Outcome of one evaluation (BUNDLE.md).  ``error`` never counts as a pass."""

    PASS = "pass"
    FAIL = "fail"
    WAIVED = "waived"
    MANUAL = "manual"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"


class Kind(str, Enum):
    """Evidence kinds recognised by content (BUNDLE.md), plus the manifest itself."""

    CERTIFICATE = "certificate"
    CRL = "crl"
    PRIVATE_KEY = "private-key"
    INSI_REQUEST = "insi-request"
    INSI_RESPONSE = "insi-response"
    INSI_FAULT = "insi-fault"
    CDA = "cda"
    XDS_SUBMISSION = "xds-submission"
    XDS_RESPONSE = "xds-response"
    XDM_METADATA = "xdm-metadata"
    XDM_ARCHIVE = "xdm-archive"
    MSS_MESSAGE = "mss-message"
    USAGE_EXPORT = "usage-export"
    PROOF = "proof"
    MANIFEST = "manifest"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LocalText:
    """A text in French and English; French is the default language of the tool."""

    fr: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr

    @staticmethod
    def same(text: str) -> LocalText:
        return LocalText(text, text)


@dataclass(frozen=True)
class Problem:
    """Something a parser could not make sense of: becomes a finding, never a crash."""

    message: str
    location: str = ""


@dataclass(frozen=True)
class EvidenceItem:
    """One file of the bundle (or one item nested in a file), classified and parsed.

    ``path`` is the POSIX path inside the bundle, ``!`` separating nesting levels.
    ``identity`` is a content-based key (independent of the path and of XML
    formatting) used to build fingerprints that survive renames and reformatting.
    ``facts`` holds the typed facts the kind's parser extracted (a dataclass of the
    kind's module, or ``None`` when parsing failed: then ``problems`` says why).
    """

    path: str
    kind: Kind
    size: int
    sha256: str
    identity: str
    facts: Any = None
    problems: tuple[Problem, ...] = ()
    parent: str | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit("!", 1)[-1].rsplit("/", 1)[-1]

    @property
    def parsed(self) -> bool:
        return self.facts is not None


@dataclass(frozen=True)
class Dossier:
    """Who and what the dossier is about, after manifest and command-line overrides."""

    publisher: str = ""
    software: str = ""
    version: str = ""
    product_ref: str = ""
    sector: str = ""
    environment: str = "test"
    as_of: dt.date = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Waiver:
    """An accountable exception (issue 7): who accepted which finding, why, until when."""

    rule: str
    reason: str
    owner: str
    expires: dt.date
    evidence: str = ""
    fingerprint: str = ""
    ticket: str = ""
    line: int = 0


@dataclass(frozen=True)
class Result:
    """One evaluation of one rule on one subject.

    ``observed`` holds the values the rule saw (already masked when they are patient
    identities) and feeds both the message placeholders and the report's "why" block.
    """

    rule_id: str
    status: Status
    severity: Severity
    evidence: str
    location: str
    title: LocalText
    message: LocalText
    remediation: LocalText
    requirements: tuple[str, ...]
    references: tuple[str, ...]
    fingerprint: str
    area: str
    observed: Mapping[str, str] = field(default_factory=dict)
    condition: str = ""
    waiver: Waiver | None = None
    waiver_note: str = ""
    baseline: str = ""  # "new" | "known" | "" when no baseline was given

    @property
    def blocking(self) -> bool:
        return self.status is Status.FAIL and self.severity is Severity.BLOCKING


@dataclass(frozen=True)
class EvidenceSummary:
    """A line of the report's evidence inventory."""

    path: str
    kind: Kind
    size: int
    sha256: str
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class RequirementCoverage:
    """One row of the requirement coverage matrix (issue 6)."""

    requirement: str
    summary: LocalText
    nature: str
    rules: tuple[str, ...]
    proofs: tuple[str, ...]
    status: str
    note: LocalText = LocalText("", "")


@dataclass(frozen=True)
class ProofRef:
    """A proof the manifest declares: which files prove which requirement."""

    requirement: str
    files: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Report:
    """Everything a run concluded.  Built once, then only viewed or re-labelled."""

    tool_version: str
    rulepack_version: str
    rulepack_sha256: str
    dossier: Dossier
    bundle_sha256: str
    bundle_files: int
    results: tuple[Result, ...]
    evidence: tuple[EvidenceSummary, ...] = ()
    coverage: tuple[RequirementCoverage, ...] = ()
    fixed: tuple[Mapping[str, str], ...] = ()
    notices: tuple[LocalText, ...] = ()
    lang: str = "fr"
    proofs: tuple[ProofRef, ...] = ()

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def counts(self) -> dict[str, int]:
        return {s.value: self.count(s) for s in Status}

    @property
    def blocking(self) -> int:
        """Blocking failures of the dossier (waived ones excluded), known or new."""
        return sum(1 for r in self.results if r.blocking)

    @property
    def gating_blocking(self) -> int:
        """Blocking failures that drive the exit status: those a baseline already
        knew are left out, so CI fails only on regressions."""
        return sum(1 for r in self.results if r.blocking and r.baseline != "known")

    @property
    def verdict(self) -> str:
        """``not_ready`` on any blocking failure; ``incomplete`` when something could
        not be judged: errors, proofs awaiting a human, no evidence at all, or no
        sector pack to measure the requirement coverage against (an absent or invalid
        manifest); else ``ready``."""
        if self.blocking:
            return "not_ready"
        if any(r.status in (Status.ERROR, Status.MANUAL) for r in self.results):
            return "incomplete"
        if not self.evidence or not self.coverage:
            return "incomplete"
        return "ready"
