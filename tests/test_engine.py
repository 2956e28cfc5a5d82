"""The rule engine: pack validation, every rule's own cases, and cases that really
depend on the rule's logic."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from segurcheck.engine import vocabulary
from segurcheck.engine.rules import RulePackError, load_pack
from segurcheck.engine.selftest import run_all
from segurcheck.engine.vocabulary import Verdict
from segurcheck.resources import rules_dir

PACK = load_pack()


@pytest.mark.parametrize("rule_id", [r.id for r in PACK.rules])
def test_rule_own_cases(rule_id: str) -> None:
    failures = [o for o in run_all(PACK, only=(rule_id,)) if not o.ok]
    assert not failures, "\n".join(f"{o.case}: {o.detail}" for o in failures)


def _predicates(condition: object) -> list[str]:
    if isinstance(condition, str):
        return [condition]
    assert isinstance(condition, dict)
    if "predicate" in condition:
        return [condition["predicate"]]
    if "not" in condition:
        return _predicates(condition["not"])
    return [n for sub in condition.get("all", condition.get("any", [])) for n in _predicates(sub)]


@pytest.mark.parametrize("rule_id", [r.id for r in PACK.rules])
def test_removing_the_logic_breaks_the_cases(rule_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the rule's check predicates by an always-pass: its fail case must fail."""
    rule = PACK.get(rule_id)
    assert rule is not None
    for name in _predicates(rule.check):
        monkeypatch.setitem(vocabulary.PREDICATES, name, lambda subject, ctx, **_: Verdict.ok())
    outcomes = run_all(PACK, only=(rule_id,))
    assert any(not o.ok for o in outcomes), f"{rule_id}: its cases still pass without its logic"


def _copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target)
    return target


def test_malformed_rule_names_file_key_and_reason(tmp_path: Path) -> None:
    root = _copy_pack(tmp_path)
    path = root / "dossier" / "DOSSIER-MANIFEST.yaml"
    path.write_text(path.read_text().replace("severity: major", "severity: catastrophic"))
    with pytest.raises(RulePackError) as caught:
        load_pack(root)
    text = str(caught.value)
    assert "dossier/DOSSIER-MANIFEST.yaml" in text and "severity" in text and "catastrophic" in text


def test_unknown_predicate_is_refused(tmp_path: Path) -> None:
    root = _copy_pack(tmp_path)
    path = root / "dossier" / "DOSSIER-UNKNOWN-FILE.yaml"
    path.write_text(path.read_text().replace("check: kind_recognised", "check: no_such_predicate"))
    with pytest.raises(RulePackError, match="unknown predicate 'no_such_predicate'"):
        load_pack(root)


def test_malformed_rule_is_exit_2_with_one_line(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy_pack(tmp_path)
    (root / "dossier" / "DOSSIER-BROKEN.yaml").write_text("id: DOSSIER-BROKEN\ntitle: [unclosed\n")
    monkeypatch.setenv("SEGURCHECK_RULES_DIR", str(root))
    bundle = tmp_path / "b"
    bundle.mkdir()
    code, output = cli("check", bundle)
    assert code == 2
    lines = [line for line in output.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "DOSSIER-BROKEN.yaml" in lines[0]


def test_rule_file_named_after_its_id(tmp_path: Path) -> None:
    root = _copy_pack(tmp_path)
    (root / "dossier" / "DOSSIER-MANIFEST.yaml").rename(root / "dossier" / "OTHER-NAME.yaml")
    with pytest.raises(RulePackError, match="named after the rule id"):
        load_pack(root)


def test_rules_test_command(cli) -> None:
    code, output = cli("rules", "test", "DOSSIER-MANIFEST")
    assert code == 0
    assert "0 failed" in output


def test_rules_list_and_show(cli) -> None:
    code, output = cli("rules", "list")
    assert code == 0 and "DOSSIER-MANIFEST" in output
    code, output = cli("rules", "show", "dossier-manifest", "--lang", "en")
    assert code == 0 and "Valid segur.yaml manifest" in output
    code, output = cli("rules", "show", "NOPE-RULE")
    assert code == 2 and "rules list" in output
