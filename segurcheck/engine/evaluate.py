"""The evaluator: rules x subjects -> results.  Pure: no I/O, no printing, no clock.

A predicate that raises does not crash the run: its subject gets an ``error`` result
naming the exception (never a traceback, never the evidence content).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..model import LocalText, Result, Severity, Status
from .context import Context
from .rules import Rule
from .vocabulary import PREDICATES, SUBJECTS, Subject, Verdict

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

_DEFAULT_MESSAGES: dict[Status, LocalText] = {
    Status.PASS: LocalText("Conforme.", "Compliant."),
    Status.NOT_APPLICABLE: LocalText(
        "Non applicable : {reason}", "Not applicable: {reason}"
    ),
    Status.ERROR: LocalText(
        "Impossible d'évaluer : {error}", "Could not be evaluated: {error}"
    ),
    Status.MANUAL: LocalText(
        "À juger par une personne : {reason}", "To be judged by a person: {reason}"
    ),
}


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace ``{name}`` placeholders; unknown ones are left visible, never an error."""
    if "{" not in template:  # most pass messages: skip the regex (runs for every result)
        return template
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def fingerprint(rule_id: str, identity: str, key: str) -> str:
    """Stable across runs, line shifts, renames and XML reformatting: built from the
    rule, the evidence's content identity and the subject key, never from the path."""
    return hashlib.sha256(f"{rule_id}\n{identity}\n{key}".encode()).hexdigest()[:32]


def _evaluate_condition(condition: Any, subject: Subject, ctx: Context, params: Mapping[str, Any]) -> tuple[Verdict, str]:
    """Return the verdict and the name of the condition that decided it."""
    if isinstance(condition, str):
        condition = {"predicate": condition}
    if "predicate" in condition:
        name = condition["predicate"]
        extra = condition.get("args")
        args = {**params, **extra} if extra else params
        return PREDICATES[name](subject, ctx, **args), name
    if "not" in condition:
        verdict, name = _evaluate_condition(condition["not"], subject, ctx, params)
        flipped = {Status.PASS: Status.FAIL, Status.FAIL: Status.PASS}.get(verdict.status, verdict.status)
        return Verdict(flipped, verdict.observed, verdict.location), f"not {name}"
    if "all" in condition:
        observed: dict[str, str] = {}
        location = ""
        names = []
        for sub in condition["all"]:
            verdict, name = _evaluate_condition(sub, subject, ctx, params)
            observed.update(verdict.observed)
            location = verdict.location or location
            names.append(name)
            if verdict.status is not Status.PASS:
                return Verdict(verdict.status, observed, location), name
        return Verdict(Status.PASS, observed, location), " and ".join(names)
    observed = {}
    failures: list[Verdict] = []
    last = ""
    for sub in condition["any"]:
        verdict, name = _evaluate_condition(sub, subject, ctx, params)
        observed.update(verdict.observed)
        last = name
        if verdict.status is Status.PASS:
            return Verdict(Status.PASS, observed, verdict.location), name
        failures.append(verdict)
    worst = next((v for v in failures if v.status is Status.FAIL), failures[-1])
    return Verdict(worst.status, observed, worst.location), last


def _safe(condition: Any, subject: Subject, ctx: Context, params: Mapping[str, Any]) -> tuple[Verdict, str]:
    try:
        return _evaluate_condition(condition, subject, ctx, params)
    except Exception as exc:  # a rule bug or an odd input must not stop the run
        return Verdict.error(error=f"{type(exc).__name__}: {exc}"[:300]), "exception"


def _rule_params(rule: Rule, ctx: Context) -> tuple[Severity, dict[str, Any]]:
    overrides = ctx.options.config.get("rules", {}).get(rule.id, {}) if ctx.options.config else {}
    severity = Severity(overrides.get("severity", rule.severity.value))
    return severity, {**rule.params, **overrides.get("params", {})}


def _scope_reason(rule: Rule, ctx: Context) -> LocalText | None:
    dossier = ctx.dossier
    if rule.sectors and dossier.sector and dossier.sector not in rule.sectors:
        return LocalText(f"secteur {dossier.sector} hors du périmètre de la règle", f"sector {dossier.sector} outside the rule's scope")
    if rule.environments and dossier.environment not in rule.environments:
        return LocalText(
            f"environnement {dossier.environment} hors du périmètre de la règle",
            f"environment {dossier.environment} outside the rule's scope",
        )
    return None


def _make(rule: Rule, severity: Severity, subject: Subject, verdict: Verdict, decided_by: str) -> Result:
    values = verdict.observed  # already a fresh dict of strings (Verdict._strs)
    template = rule.message_for(verdict.status) or _DEFAULT_MESSAGES.get(verdict.status, rule.message)
    message = template if not values else LocalText(fill(template.fr, values), fill(template.en, values))
    identity = subject.item.identity if subject.item is not None else ""
    return Result(
        rule_id=rule.id,
        status=verdict.status,
        severity=severity,
        evidence=subject.evidence,
        location=verdict.location or subject.location,
        title=rule.title,
        message=message,
        remediation=rule.remediation,
        requirements=rule.requirements,
        references=rule.references,
        fingerprint=fingerprint(rule.id, identity, subject.key),
        area=rule.area,
        observed=values,
        condition=decided_by,
    )


def evaluate_rule(rule: Rule, ctx: Context) -> list[Result]:
    severity, params = _rule_params(rule, ctx)
    dossier_subject = Subject(evidence="", key="scope")
    reason = _scope_reason(rule, ctx)
    if reason is not None:
        verdict = Verdict.na()
        result = _make(rule, severity, dossier_subject, verdict, "scope")
        message = LocalText(f"Non applicable : {reason.fr}", f"Not applicable: {reason.en}")
        return [_replace_message(result, message)]
    subject_params = {**rule.subject_params, "kinds": rule.kinds}
    try:
        found = list(SUBJECTS[rule.subjects](ctx, subject_params))
    except Exception as exc:
        verdict = Verdict.error(error=f"{type(exc).__name__}: {exc}"[:300])
        return [_make(rule, severity, dossier_subject, verdict, "subjects")]
    if not found:
        kinds = ", ".join(rule.kinds) or "-"
        verdict = Verdict.na(reason=kinds)
        result = _make(rule, severity, dossier_subject, verdict, "subjects")
        message = LocalText(
            f"Non applicable : aucune pièce concernée ({kinds}) dans le dossier.",
            f"Not applicable: no evidence of the concerned kinds ({kinds}) in the bundle.",
        )
        return [_replace_message(result, message)]
    results = []
    for subject in found:
        if rule.when is not None:
            guard, name = _safe(rule.when, subject, ctx, params)
            if guard.status is not Status.PASS:
                status = guard.status if guard.status is Status.ERROR else Status.NOT_APPLICABLE
                observed = {"reason": name, **guard.observed}
                results.append(_make(rule, severity, subject, Verdict(status, observed, guard.location), f"when {name}"))
                continue
        verdict, name = _safe(rule.check, subject, ctx, params)
        results.append(_make(rule, severity, subject, verdict, name))
    return results


def _replace_message(result: Result, message: LocalText) -> Result:
    from dataclasses import replace

    return replace(result, message=message)


def evaluate(rules: Iterable[Rule], ctx: Context) -> list[Result]:
    """Every rule on every subject, in rule order then subject order."""
    results: list[Result] = []
    for rule in rules:
        results.extend(evaluate_rule(rule, ctx))
    return results
