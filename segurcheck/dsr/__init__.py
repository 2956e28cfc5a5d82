"""Sector packs: the DSR requirements of a sector and how the tool covers each.

A pack (``rules/dsr/<SECTOR>/requirements.yaml``) answers the reviewer's first
question, "is every requirement covered by a passing check or a proof?": each
requirement names the rules that verify it automatically, the human-judged proof
kinds it needs, or says why the tool cannot cover it.  Requirement IDs come from the
ANS data only; the summaries are the tool's own words.
"""

from __future__ import annotations

from .coverage import CoverageStatus, attach_coverage, attach_sector_coverage, coverage
from .pack import PackError, PackRequirement, SectorPack, available_sectors, load_sector_pack

__all__ = [
    "CoverageStatus",
    "PackError",
    "PackRequirement",
    "SectorPack",
    "attach_coverage",
    "attach_sector_coverage",
    "available_sectors",
    "coverage",
    "load_sector_pack",
]
