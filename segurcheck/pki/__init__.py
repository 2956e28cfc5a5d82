"""IGC-Santé PKI logic: reading, trust anchors, chains, environments, CRLs, checks."""

from .anchors import TrustAnchor, load_trust_dir, shipped_anchors
from .assess import PkiAssessment, build_assessment
from .certinfo import CertInfo, CrlInfo, read_certificates, read_crls

__all__ = [
    "CertInfo",
    "CrlInfo",
    "PkiAssessment",
    "TrustAnchor",
    "build_assessment",
    "load_trust_dir",
    "read_certificates",
    "read_crls",
    "shipped_anchors",
]
