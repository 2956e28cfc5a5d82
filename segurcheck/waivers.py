"""Waivers: accountable exceptions to findings, applied after evaluation.

A waiver accepts the failures of one rule on one subject (an evidence path glob
and/or a result fingerprint) until a date, and says who accepted it and why.  The
waived result keeps its place in every output (status ``waived``, with the waiver),
so nothing disappears from a report.  Two kinds of waiver need attention and become
results of their own, visible in every output format:

* ``WAIVER-EXPIRED``: the waiver's date has passed; it no longer suppresses anything.
* ``WAIVER-STALE``: the waiver matches no failure (the finding is gone), like an
  unexpected pass: delete it before it silently hides a future regression.

Reviewer mode (``ignore=True``) evaluates as if no waiver existed but still shows,
on each result, what the waiver claimed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .model import LocalText, Report, Result, Severity, Status, Waiver
from .resources import schema

EXPIRED_RULE = "WAIVER-EXPIRED"
STALE_RULE = "WAIVER-STALE"
WAIVER_AREA = "waivers"


class WaiverError(Exception):
    """The waiver file cannot be trusted (unreadable, invalid): the CLI exits with 2."""


# --------------------------------------------------------------------------- loading


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text: an impossible date (2027-02-30) must become
    a validation error with its line, not a constructor crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line_of(node: yaml.Node | None, path: Sequence[str | int]) -> int:
    """The 1-based line of the deepest node reachable along ``path`` (YAML composition
    keeps marks, ``safe_load`` does not)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step), None)
            if found is None:
                break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            break
        line = node.start_mark.line + 1
    return line


def _first_alias(root: yaml.Node | None) -> int:
    """The line of the first node reached twice (an alias), 0 if none.  Refusing
    aliases keeps validation linear: a bundle could ship a "billion laughs" file."""
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return int(node.start_mark.line) + 1
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return 0


def _plain(value: Any) -> Any:
    """JSON Schema wants JSON types (string keys)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _key_path(path: Sequence[str | int]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(root)"


def parse_waivers(text: str, where: str = "waivers") -> tuple[Waiver, ...]:
    """Validate a waiver document; ``WaiverError`` names the file, line and key path."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        shared = _first_alias(node)
        if shared:
            raise WaiverError(f"{where}:{shared}: YAML anchors and aliases are not allowed in a waiver file")
        raw = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: still safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise WaiverError(f"{where}:{line}: not valid YAML: {problem}") from None
    data = _plain(raw)
    validator = jsonschema.Draft202012Validator(schema("waivers"), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: (_line_of(node, list(e.absolute_path)), e.message))
    if errors:
        error = errors[0]
        path = list(error.absolute_path)
        message = error.message
        if error.validator == "anyOf" and path[:1] == ["waivers"]:
            message = "a waiver must name its subject: 'evidence' (a path glob) and/or 'fingerprint'"
        elif error.validator == "pattern" and path[-1:] in (["reason"], ["owner"]):
            message = f"'{path[-1]}' must not be blank"
        raise WaiverError(f"{where}:{_line_of(node, path)}: {_key_path(path)}: {message}")
    waivers = []
    for index, entry in enumerate(data["waivers"]):
        line = _line_of(node, ["waivers", index])
        try:
            expires = dt.date.fromisoformat(entry["expires"])
        except ValueError:
            raise WaiverError(f"{where}:{line}: waivers[{index}].expires: not a calendar date") from None
        waivers.append(
            Waiver(
                rule=entry["rule"],
                reason=entry["reason"].strip(),
                owner=entry["owner"].strip(),
                expires=expires,
                evidence=entry.get("evidence", ""),
                fingerprint=entry.get("fingerprint", ""),
                ticket=entry.get("ticket", ""),
                line=line,
            )
        )
    return tuple(waivers)


def load_waivers(path: Path | str) -> tuple[Waiver, ...]:
    """Read and validate a waiver file (YAML, ``waivers.schema.json``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WaiverError(f"{path}: cannot read the waiver file: {exc}") from None
    return parse_waivers(text, path.name)


def looks_like_waivers(text: str) -> bool:
    """True for a YAML document shaped like a waiver file (used to spot waivers a
    publisher shipped inside a bundle, which are never applied silently)."""
    try:
        raw = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: still safe
    except (yaml.YAMLError, ValueError, RecursionError):
        return False
    entries = raw.get("waivers") if isinstance(raw, dict) else None
    return isinstance(entries, list) and any(isinstance(e, dict) and "rule" in e for e in entries)


# --------------------------------------------------------------------------- applying


def matches(waiver: Waiver, result: Result) -> bool:
    """Every criterion the waiver names must hold (rule, path glob, fingerprint)."""
    if waiver.rule != result.rule_id:
        return False
    if waiver.evidence and not fnmatchcase(result.evidence, waiver.evidence):
        return False
    return not (waiver.fingerprint and waiver.fingerprint != result.fingerprint)


def expired(waiver: Waiver, as_of: dt.date) -> bool:
    """A waiver is valid through its ``expires`` day and stops the day after."""
    return as_of > waiver.expires


def _subject(waiver: Waiver) -> str:
    parts = [f"evidence={waiver.evidence}"] if waiver.evidence else []
    if waiver.fingerprint:
        parts.append(f"fingerprint={waiver.fingerprint}")
    return ", ".join(parts)


def _waiver_result(rule_id: str, waiver: Waiver, severity: Severity, matched: int) -> Result:
    """A finding about a waiver itself, fingerprinted by what the waiver names (not its
    line), so a baseline or a diff follows it across edits of the file."""
    key = f"{rule_id}\n{waiver.rule}\n{waiver.evidence}\n{waiver.fingerprint}"
    observed = {
        "waived_rule": waiver.rule,
        "subject": _subject(waiver),
        "owner": waiver.owner,
        "expires": waiver.expires.isoformat(),
        "reason": waiver.reason,
        "ticket": waiver.ticket,
        "matched": str(matched),
        "line": str(waiver.line),
    }
    where = f"waivers line {waiver.line}"
    if rule_id == EXPIRED_RULE:
        title = LocalText("Dérogation expirée", "Expired waiver")
        message = LocalText(
            f"La dérogation à {waiver.rule} ({_subject(waiver)}) a expiré le {waiver.expires.isoformat()} "
            f"(ligne {waiver.line}, responsable {waiver.owner}) : les {matched} constat(s) qu'elle couvrait "
            "comptent de nouveau.",
            f"The waiver for {waiver.rule} ({_subject(waiver)}) expired on {waiver.expires.isoformat()} "
            f"(line {waiver.line}, owner {waiver.owner}): the {matched} finding(s) it covered count again.",
        )
        remediation = LocalText(
            "Corrigez les constats, ou faites renouveler la dérogation par son responsable avec une nouvelle date.",
            "Fix the findings, or have the waiver's owner renew it with a new date.",
        )
    else:
        title = LocalText("Dérogation sans objet", "Stale waiver")
        message = LocalText(
            f"La dérogation à {waiver.rule} ({_subject(waiver)}, ligne {waiver.line}) ne correspond plus à "
            "aucun échec : le constat a disparu.",
            f"The waiver for {waiver.rule} ({_subject(waiver)}, line {waiver.line}) matches no failure any "
            "more: the finding is gone.",
        )
        remediation = LocalText(
            "Supprimez cette dérogation pour qu'elle ne masque pas une régression future.",
            "Delete this waiver so that it cannot hide a future regression.",
        )
    return Result(
        rule_id=rule_id,
        status=Status.FAIL,
        severity=severity,
        evidence="",
        location=where,
        title=title,
        message=message,
        remediation=remediation,
        requirements=(),
        references=("segurcheck waiver file (BUNDLE.md, --waivers)",),
        fingerprint=hashlib.sha256(key.encode()).hexdigest()[:32],
        area=WAIVER_AREA,
        observed=observed,
        condition="waivers",
        waiver=waiver,
    )


def _note(waiver: Waiver, state: str) -> str:
    ticket = f", {waiver.ticket}" if waiver.ticket else ""
    return f"{state}: {waiver.reason} ({waiver.owner}, until {waiver.expires.isoformat()}{ticket})"


def apply_waivers(
    report: Report,
    waivers: Sequence[Waiver],
    as_of: dt.date,
    ignore: bool = False,
    expired_severity: Severity = Severity.MAJOR,
    stale_severity: Severity = Severity.MINOR,
) -> Report:
    """Re-label the failures the waivers cover; add a result per expired or stale waiver.

    Only ``fail`` results are waivable: an ``error`` means the evidence could not be
    judged, which no waiver can turn into an accepted failure.  The first waiver of
    the file that matches a result is the one shown.  With ``ignore`` (reviewer mode)
    nothing is suppressed, but each result still carries the waiver it would have used.
    """
    matched = [0] * len(waivers)
    results: list[Result] = []
    for result in report.results:
        if result.status is not Status.FAIL:
            results.append(result)
            continue
        index = next((i for i, w in enumerate(waivers) if matches(w, result)), None)
        if index is None:
            results.append(result)
            continue
        waiver = waivers[index]
        matched[index] += 1
        if ignore:
            results.append(replace(result, waiver=waiver, waiver_note=_note(waiver, "ignored (reviewer mode)")))
        elif expired(waiver, as_of):
            results.append(replace(result, waiver=waiver, waiver_note=_note(waiver, "waiver expired")))
        else:
            results.append(replace(result, status=Status.WAIVED, waiver=waiver, waiver_note=_note(waiver, "waived")))
    for waiver, count in zip(waivers, matched, strict=True):
        if expired(waiver, as_of):
            results.append(_waiver_result(EXPIRED_RULE, waiver, expired_severity, count))
        elif count == 0:
            results.append(_waiver_result(STALE_RULE, waiver, stale_severity, count))
    notices = report.notices
    if ignore and waivers:
        notices = (
            *notices,
            LocalText(
                f"Mode relecture : {len(waivers)} dérogation(s) ignorée(s) ; chaque échec concerné montre ce "
                "qu'elle affirmait.",
                f"Reviewer mode: {len(waivers)} waiver(s) ignored; each failure they cover shows what the "
                "waiver claimed.",
            ),
        )
    return replace(report, results=tuple(results), notices=notices)


# --------------------------------------------------------------------------- review aids

SAFETY_RULES = ("DOSSIER-REAL-PATIENT", "PKI-PRIVATE-KEY")
LONG_WAIVER_DAYS = 366


def suspicions(waiver: Waiver, as_of: dt.date) -> list[str]:
    """Why a reviewer should look twice at a waiver (empty when it looks ordinary)."""
    found = []
    if expired(waiver, as_of):
        found.append(f"expired on {waiver.expires.isoformat()}")
    if waiver.rule in SAFETY_RULES:
        found.append(f"waives {waiver.rule}, a safety rule (patient data or private keys)")
    if not waiver.fingerprint and waiver.evidence and set(waiver.evidence) <= {"*", "/", "?", "!"}:
        found.append(f"matches every evidence path ({waiver.evidence})")
    if (waiver.expires - as_of).days > LONG_WAIVER_DAYS:
        found.append(f"runs more than a year ({waiver.expires.isoformat()})")
    return found


@dataclass(frozen=True)
class BundledWaivers:
    """A waiver file found inside a bundle (publishers sometimes ship them)."""

    path: str
    waivers: tuple[Waiver, ...]
    error: str = ""


MAX_WAIVER_FILE = 1 << 20


def bundled_waivers(bundle_path: Path, report: Report) -> list[BundledWaivers]:
    """Find waiver files among the bundle's unrecognised files, by content.

    They are never applied silently: the caller shows them (reviewer mode) and the
    report gets a notice naming each file.
    """
    from .bundle import open_bundle

    candidates = {e.path for e in report.evidence if e.kind.value == "unknown" and "!" not in e.path
                  and 0 < e.size <= MAX_WAIVER_FILE}
    if not candidates:
        return []
    found = []
    with open_bundle(bundle_path) as bundle:
        for entry in sorted(bundle.entries, key=lambda e: e.path):
            if entry.path not in candidates:
                continue
            try:
                with entry.opener() as stream:
                    text = stream.read(MAX_WAIVER_FILE + 1).decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if not looks_like_waivers(text):
                continue
            try:
                found.append(BundledWaivers(entry.path, parse_waivers(text, entry.path)))
            except WaiverError as exc:
                found.append(BundledWaivers(entry.path, (), str(exc)))
    return found


def note_bundled(report: Report, files: Sequence[BundledWaivers], applied: bool = False) -> Report:
    """A notice per waiver file shipped in the bundle, saying what was done with it."""
    notices = list(report.notices)
    for f in files:
        if f.error:
            notices.append(LocalText(f"Fichier de dérogations invalide dans le dossier : {f.error}",
                                     f"Invalid waiver file inside the bundle: {f.error}"))
        elif applied:
            notices.append(LocalText(
                f"Le dossier contient des dérogations ({f.path}, {len(f.waivers)}) : appliquées comme demandé.",
                f"The bundle ships waivers ({f.path}, {len(f.waivers)}): applied as requested."))
        else:
            notices.append(LocalText(
                f"Le dossier contient des dérogations ({f.path}, {len(f.waivers)}) : non appliquées ; "
                "chaque constat concerné montre ce qu'elles affirment.",
                f"The bundle ships waivers ({f.path}, {len(f.waivers)}): not applied; each finding they cover "
                "shows what they claim."))
    return replace(report, notices=tuple(notices))
