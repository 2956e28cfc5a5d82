"""The CI examples in docs/ci and the pre-commit hook run the commands they show.

Each example is parsed, its install step is replaced by a ``segurcheck`` shim on PATH
running this checkout, and every other command runs in a repository laid out as the
example's header describes, with the environment the CI sets.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from cli_helpers import CONFIG, REPO, env, segurcheck, shim

from fixtures.gen.gate_bundles import three_failures

WAIVERS = """\
waivers:
  - rule: DOSSIER-UNKNOWN-FILE
    evidence: "notes/*"
    reason: stray notes kept for the reviewer
    owner: jane.doe@example.org
    expires: 2099-01-01
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A publisher repository: dossier/, waivers, baseline, and a rule config."""
    three_failures(tmp_path / "dossier")
    # make the stray files blocking, as the acceptance dossier expects
    shutil.copyfile(CONFIG, tmp_path / "gate-blocking.yaml")
    (tmp_path / "segur-waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    baseline = segurcheck("check", "dossier", "--config", "gate-blocking.yaml", "--json", "segurcheck-baseline.json",
                          cwd=tmp_path)
    assert baseline.returncode == 1
    shim(tmp_path / "bin")
    return tmp_path


def _commands(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith("pip install")]


def _run(repo: Path, command: str, **extra: str) -> subprocess.CompletedProcess[str]:
    # every example command gets the test's rule config appended (stray files blocking)
    if command.startswith("segurcheck check"):
        command += " --config gate-blocking.yaml"
    environment = env(PATH=f"{repo / 'bin'}{os.pathsep}{os.environ['PATH']}", **extra)
    return subprocess.run(command, shell=True, cwd=repo, env=environment, capture_output=True, text=True, timeout=300)


def test_github_actions_example(repo: Path) -> None:
    workflow = yaml.safe_load((REPO / "docs" / "ci" / "github-actions.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["dossier"]["steps"]
    runs = _commands([s["run"].strip() for s in steps if "run" in s])
    assert runs and runs[0].startswith("segurcheck check dossier/")
    summary = repo / "step-summary.md"
    first = _run(repo, runs[0], GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    # the baseline knows the three failures and the waiver covers two: nothing new
    assert first.returncode == 0, first.stdout + first.stderr
    assert "::notice file=dossier/logs/run.log" in first.stdout  # known failure, annotated as a notice
    assert summary.read_text(encoding="utf-8").startswith("## segurcheck")
    for name in ("segurcheck.json", "segurcheck.sarif", "segurcheck.md"):
        assert (repo / name).is_file(), name
    for command in runs[1:]:
        assert _run(repo, command).returncode == 0, command
    # a regression fails the job
    (repo / "dossier" / "new-stray.txt").write_text("oops\n", encoding="utf-8")
    again = _run(repo, runs[0], GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    assert again.returncode == 1
    assert "::error file=dossier/new-stray.txt" in again.stdout


def test_gitlab_ci_example(repo: Path) -> None:
    job = yaml.safe_load((REPO / "docs" / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))["segurcheck"]
    for command in _commands(job["script"]):
        done = _run(repo, command)
        assert done.returncode == 0, done.stdout + done.stderr
    reports = job["artifacts"]["reports"]
    quality = json.loads((repo / reports["codequality"]).read_text(encoding="utf-8"))
    assert {"DOSSIER-UNKNOWN-FILE"} <= {e["check_name"] for e in quality}
    assert all(e["location"]["path"].startswith("dossier/") for e in quality)
    assert (repo / reports["junit"]).read_text(encoding="utf-8").lstrip().startswith("<")
    for path in job["artifacts"]["paths"]:
        assert (repo / path).is_file(), path


def test_pre_commit_hook(repo: Path) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "segurcheck")
    assert hook["pass_filenames"] is False and hook["language"] == "python"
    command = " ".join([hook["entry"], *map(shlex.quote, hook["args"])])
    # pre-commit fails the commit on a non-zero exit: blocking stray files do that
    assert _run(repo, command).returncode == 1
    waived = _run(repo, command + " --waivers segur-waivers.yaml --baseline segurcheck-baseline.json")
    assert waived.returncode == 0
