"""Every string of the HTML/PDF report, in French (default) and English.

Templates never hold prose: they call ``t(key)``.  A missing key is a bug caught by
the tests (each key must exist in both languages), never a silently empty label.
"""

from __future__ import annotations

from collections.abc import Callable

STRINGS: dict[str, tuple[str, str]] = {
    "doc_title": ("Rapport de pré-dépôt Ségur", "Ségur pre-submission report"),
    "generated_by": ("Produit par", "Produced by"),
    "dossier": ("Dossier", "Dossier"),
    "publisher": ("Éditeur", "Publisher"),
    "software": ("Logiciel", "Software"),
    "version": ("Version", "Version"),
    "product_ref": ("Référence produit", "Product reference"),
    "sector": ("Secteur", "Sector"),
    "environment": ("Environnement", "Environment"),
    "as_of": ("Évalué au", "Judged as of"),
    "verdict": ("Verdict", "Verdict"),
    "verdict_ready": ("Prêt pour le dépôt", "Ready to file"),
    "verdict_not_ready": ("Pas prêt", "Not ready"),
    "verdict_incomplete": ("Incomplet", "Incomplete"),
    "verdict_ready_help": (
        "Aucun échec bloquant, rien ne reste à juger.",
        "No blocking failure, nothing left to judge.",
    ),
    "verdict_not_ready_help": (
        "Au moins un échec bloquant doit être corrigé avant le dépôt.",
        "At least one blocking failure must be fixed before filing.",
    ),
    "verdict_incomplete_help": (
        "Aucun échec bloquant, mais des preuves attendent un jugement humain ou des contrôles n'ont pu aboutir.",
        "No blocking failure, but proofs await a human judgement or some checks could not run.",
    ),
    "blocking_count": ("Échecs bloquants", "Blocking failures"),
    "colon": ("\u00a0:", ":"),
    "tool": ("Outil", "Tool"),
    "rulepack": ("Jeu de règles", "Rule pack"),
    "bundle": ("Dossier de preuves", "Evidence bundle"),
    "files": ("fichiers", "files"),
    "sha256": ("SHA-256", "SHA-256"),
    "summary": ("Synthèse", "Summary"),
    "counts_by_area": ("Résultats par domaine et par statut", "Results by area and status"),
    "area": ("Domaine", "Area"),
    "total": ("Total", "Total"),
    "status_pass": ("Conforme", "Passed"),
    "status_fail": ("Échec", "Failed"),
    "status_waived": ("Dérogé", "Waived"),
    "status_manual": ("À juger", "To judge"),
    "status_not_applicable": ("Non applicable", "Not applicable"),
    "status_error": ("Erreur", "Error"),
    "sev_blocking": ("Bloquant", "Blocking"),
    "sev_major": ("Majeur", "Major"),
    "sev_minor": ("Mineur", "Minor"),
    "sev_info": ("Info", "Info"),
    "severity": ("Gravité", "Severity"),
    "failures": ("Échecs à corriger", "Failures to fix"),
    "no_failures": ("Aucun échec.", "No failure."),
    "requirement": ("Exigence", "Requirement"),
    "requirements": ("Exigences", "Requirements"),
    "no_requirement": ("Sans exigence DSR", "No DSR requirement"),
    "evidence": ("Pièce", "Evidence"),
    "location": ("Emplacement", "Location"),
    "dossier_level": ("(dossier entier)", "(whole dossier)"),
    "why": ("Pourquoi", "Why"),
    "observed": ("Valeurs constatées", "Values seen"),
    "decided_by": ("Condition décisive", "Deciding condition"),
    "remediation": ("Correction", "How to fix"),
    "references": ("Références", "References"),
    "fingerprint": ("Empreinte", "Fingerprint"),
    "rule": ("Règle", "Rule"),
    "message": ("Constat", "Finding"),
    "baseline_new": ("nouveau", "new"),
    "baseline_known": ("déjà connu", "already known"),
    "findings_of_rule": ("constats de cette règle", "findings of this rule"),
    "waived": ("Dérogations", "Waived"),
    "waiver_reason": ("Motif", "Reason"),
    "waiver_owner": ("Responsable", "Owner"),
    "waiver_expires": ("Échéance", "Expires"),
    "waiver_ticket": ("Ticket", "Ticket"),
    "manual": ("À juger par une personne", "To be judged by a person"),
    "manual_help": (
        "Preuves fournies que l'outil ne peut pas juger : ouvrez chaque fichier et vérifiez qu'il montre le scénario attendu.",
        "Proofs the tool cannot judge: open each file and check it shows the expected scenario.",
    ),
    "proof_files": ("Fichiers de preuve", "Proof files"),
    "passed": ("Contrôles réussis", "Passed checks"),
    "not_applicable": ("Non applicables", "Not applicable"),
    "errors": ("Évaluations impossibles", "Could not be evaluated"),
    "errors_help": (
        "Ces contrôles n'ont pas pu aboutir : ils ne comptent jamais comme réussis.",
        "These checks could not run: they never count as passed.",
    ),
    "annex": ("Annexes", "Annexes"),
    "coverage": ("Couverture des exigences", "Requirement coverage"),
    "coverage_help": (
        "Chaque exigence du secteur, la règle ou la preuve qui la couvre et son état.",
        "Each requirement of the sector, the rule or proof covering it, and its state.",
    ),
    "coverage_none": (
        "Aucun référentiel de secteur n'a été appliqué (secteur inconnu ou absent).",
        "No sector pack was applied (unknown or missing sector).",
    ),
    "nature": ("Nature", "Nature"),
    "nature_mandatory": ("Obligatoire", "Mandatory"),
    "nature_recommended": ("Recommandée", "Recommended"),
    "nature_unspecified": ("Non précisée", "Unspecified"),
    "rules": ("Règles", "Rules"),
    "proofs": ("Preuves", "Proofs"),
    "status": ("État", "Status"),
    "note": ("Note", "Note"),
    "cov_fail": ("Échec", "Failed"),
    "cov_error": ("Erreur", "Error"),
    "cov_proof_missing": ("Preuve manquante", "Proof missing"),
    "cov_manual": ("À juger", "To judge"),
    "cov_waived": ("Dérogé", "Waived"),
    "cov_not_evaluated": ("Non évalué", "Not evaluated"),
    "cov_not_applicable": ("Non applicable", "Not applicable"),
    "cov_pass": ("Vérifié", "Verified"),
    "cov_not_covered": ("Non couvert par l'outil", "Not covered by the tool"),
    "cov_question": ("Chaque exigence du secteur est-elle couverte ?", "Is every requirement of the sector covered?"),
    "cov_answer_yes": (
        "Oui\u00a0: aucune exigence en échec ni sans preuve obligatoire.",
        "Yes: no requirement failing or missing a mandatory proof.",
    ),
    "cov_answer_no": (
        "Non\u00a0: exigences en échec ou sans preuve obligatoire\u00a0:",
        "No: requirements failing or missing a mandatory proof:",
    ),
    "cov_covered": ("vérifiées ou preuve fournie", "verified or proof supplied"),
    "cov_gaps": ("en échec ou preuve manquante", "failing or proof missing"),
    "cov_outside": ("non couvertes par l'outil", "not covered by the tool"),
    "cov_other": ("non applicables ou non évaluées", "not applicable or not evaluated"),
    "cov_of": ("sur", "of"),
    "inventory": ("Inventaire des pièces", "Evidence inventory"),
    "path": ("Chemin", "Path"),
    "kind": ("Nature de pièce", "Kind"),
    "size": ("Taille", "Size"),
    "problems": ("Problèmes", "Problems"),
    "run_environment": ("Environnement d'exécution", "Run environment"),
    "python": ("Python", "Python"),
    "platform": ("Plateforme", "Platform"),
    "language": ("Langue", "Language"),
    "notices": ("Avertissements", "Notices"),
    "contents": ("Sommaire", "Contents"),
    "page": ("Page", "Page"),
    "filter": ("Filtrer", "Filter"),
    "filter_placeholder": ("règle, pièce, exigence…", "rule, evidence, requirement…"),
    "identities_masked": (
        "Les identités de patients sont masquées.",
        "Patient identities are masked.",
    ),
    "fixed": ("Corrigés depuis la référence", "Fixed since the baseline"),
    "dsr_warning": (
        "Identifiants d'exigences issus des données de travail de l'ANS (vague 2, 2023) : le DSR publié du secteur fait foi.",
        "Requirement IDs from ANS working data (wave 2, 2023): the published DSR of the sector prevails.",
    ),
    "show_all": ("Tout afficher", "Show all"),
    "count_shown": ("résultats", "results"),
    "none": ("Aucun.", "None."),
}

LANGS = ("fr", "en")


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)`` for one language; unknown keys raise so templates cannot drift."""
    index = 1 if lang == "en" else 0

    def t(key: str) -> str:
        return STRINGS[key][index]

    return t
