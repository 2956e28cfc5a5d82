"""Triage for reviewers: check many dossiers in parallel and rank them by readiness.

``runner`` orchestrates worker processes, ``worker`` checks one dossier, ``cache``
skips dossiers whose bundle and rule pack did not change, ``overview`` writes the
ranked HTML and CSV overview.
"""

from .runner import TriageSettings, TriageSummary, run_triage

__all__ = ["TriageSettings", "TriageSummary", "run_triage"]
