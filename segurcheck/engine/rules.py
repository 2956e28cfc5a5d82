"""Loading rule packs: YAML files validated against the rule schema.

A malformed rule is a broken tool, not a finding: ``RulePackError`` names the file,
the key path and the reason, and the CLI turns it into exit status 2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..model import LocalText, Severity, Status
from ..resources import rules_dir, schema
from .vocabulary import PREDICATES, SUBJECTS, load_plugins


class RulePackError(Exception):
    """A rule file (or the pack) is invalid: the run cannot be trusted."""


@dataclass(frozen=True)
class Rule:
    id: str
    area: str
    title: LocalText
    message: LocalText
    messages: Mapping[str, LocalText]
    severity: Severity
    requirements: tuple[str, ...]
    references: tuple[str, ...]
    kinds: tuple[str, ...]
    sectors: tuple[str, ...]
    environments: tuple[str, ...]
    subjects: str
    subject_params: Mapping[str, Any]
    params: Mapping[str, Any]
    when: Any
    check: Any
    remediation: LocalText
    tests: tuple[Mapping[str, Any], ...]
    source: Path = field(default=Path())

    def message_for(self, status: Status) -> LocalText | None:
        if status is Status.FAIL:
            return self.message
        return self.messages.get(status.value)


@dataclass(frozen=True)
class RulePack:
    rules: tuple[Rule, ...]
    version: str
    sha256: str
    root: Path

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def _text(raw: Mapping[str, str]) -> LocalText:
    return LocalText(raw["fr"], raw["en"])


def _key_path(error: jsonschema.ValidationError) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(root)"


def _condition_predicates(condition: Any) -> list[str]:
    if condition is None:
        return []
    if isinstance(condition, str):
        return [condition]
    if "predicate" in condition:
        return [condition["predicate"]]
    if "not" in condition:
        return _condition_predicates(condition["not"])
    key = "all" if "all" in condition else "any"
    return [name for sub in condition[key] for name in _condition_predicates(sub)]


def load_rule(path: Path, root: Path) -> Rule:
    where = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RulePackError(f"{where}: cannot read YAML: {exc}".replace("\n", " ")) from None
    if not isinstance(raw, dict):
        raise RulePackError(f"{where}: (root): a rule must be a mapping")
    validator = jsonschema.Draft202012Validator(schema("rule"))
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise RulePackError(f"{where}: {_key_path(best)}: {best.message}")
    load_plugins()
    subjects_name = raw.get("subjects", "evidence")
    if subjects_name not in SUBJECTS:
        raise RulePackError(f"{where}: subjects: unknown subjects function {subjects_name!r}")
    for key in ("when", "check"):
        for name in _condition_predicates(raw.get(key)):
            if name not in PREDICATES:
                raise RulePackError(f"{where}: {key}: unknown predicate {name!r}")
    if path.stem != raw["id"]:
        raise RulePackError(f"{where}: id: file must be named after the rule id ({raw['id']}.yaml)")
    applies = raw["applies_to"]
    return Rule(
        id=raw["id"],
        area=raw["area"],
        title=_text(raw["title"]),
        message=_text(raw["message"]),
        messages={k: _text(v) for k, v in raw.get("messages", {}).items()},
        severity=Severity(raw["severity"]),
        requirements=tuple(raw.get("requirements", ())),
        references=tuple(raw["references"]),
        kinds=tuple(applies["kinds"]),
        sectors=tuple(applies.get("sectors", ())),
        environments=tuple(applies.get("environments", ())),
        subjects=subjects_name,
        subject_params=raw.get("subject_params", {}),
        params=raw.get("params", {}),
        when=raw.get("when"),
        check=raw["check"],
        remediation=_text(raw["remediation"]),
        tests=tuple(raw["tests"]),
        source=path,
    )


def rule_files(root: Path) -> list[Path]:
    """Every rule file of a pack (the ``dsr`` sector folders hold requirement lists)."""
    return sorted(
        p for p in root.rglob("*.yaml") if "dsr" not in p.relative_to(root).parts[:1] and p.name != "pack.yaml"
    )


def load_pack(root: Path | None = None) -> RulePack:
    """Load and validate every rule of the pack; raise ``RulePackError`` on the first bad one."""
    root = root or rules_dir()
    if not root.is_dir():
        raise RulePackError(f"{root}: rule pack folder not found")
    digest = hashlib.sha256()
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path in rule_files(root):
        rule = load_rule(path, root)
        if rule.id in seen:
            raise RulePackError(f"{path.relative_to(root)}: id: {rule.id} already defined in {seen[rule.id].relative_to(root)}")
        seen[rule.id] = path
        rules.append(rule)
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    dsr = root / "dsr"
    if dsr.is_dir():
        for path in sorted(dsr.rglob("*.yaml")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    version = "0"
    pack_file = root / "pack.yaml"
    if pack_file.is_file():
        meta = yaml.safe_load(pack_file.read_text(encoding="utf-8")) or {}
        version = str(meta.get("version", "0"))
    return RulePack(tuple(sorted(rules, key=lambda r: r.id)), version, digest.hexdigest(), root)
