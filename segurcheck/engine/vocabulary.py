"""The rule vocabulary: registries of subjects, predicates and analyses.

* a **subjects** function lists what a rule is evaluated on (each CDA, each INS
  occurrence, each certificate, the dossier...);
* a **predicate** judges one subject and returns a ``Verdict`` (pure: no I/O, no clock);
* an **analysis** is computed once per run from all evidence (a chain build, the
  identity ledger, a CRL index) and shared by the predicates through ``Context``.

Areas register theirs in ``segurcheck/predicates/<area>.py``; every module of that
package is imported by ``load_plugins`` so adding a module is all it takes.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model import EvidenceItem, Status

if TYPE_CHECKING:
    from .context import Context


@dataclass(frozen=True)
class Subject:
    """What one result is about.

    ``key`` identifies the subject inside its evidence item (an INS, a certificate
    fingerprint, an element path without line numbers): with the item's content
    identity it makes the result fingerprint, so keep it stable across runs.
    """

    evidence: str
    key: str
    location: str = ""
    value: Any = None
    item: EvidenceItem | None = None


@dataclass(frozen=True)
class Verdict:
    """A predicate's judgement and the values it saw (for messages and the "why")."""

    status: Status
    observed: Mapping[str, str] = field(default_factory=dict)
    location: str = ""

    @staticmethod
    def ok(location: str = "", **observed: object) -> Verdict:
        return Verdict(Status.PASS, _strs(observed), location)

    @staticmethod
    def fail(location: str = "", **observed: object) -> Verdict:
        return Verdict(Status.FAIL, _strs(observed), location)

    @staticmethod
    def na(location: str = "", **observed: object) -> Verdict:
        return Verdict(Status.NOT_APPLICABLE, _strs(observed), location)

    @staticmethod
    def error(location: str = "", **observed: object) -> Verdict:
        return Verdict(Status.ERROR, _strs(observed), location)

    @staticmethod
    def manual(location: str = "", **observed: object) -> Verdict:
        return Verdict(Status.MANUAL, _strs(observed), location)

    @staticmethod
    def check(condition: bool, location: str = "", **observed: object) -> Verdict:
        return Verdict(Status.PASS if condition else Status.FAIL, _strs(observed), location)


def _strs(values: Mapping[str, object]) -> dict[str, str]:
    return {k: ("" if v is None else str(v)) for k, v in values.items()}


PredicateFn = Callable[..., Verdict]
SubjectsFn = Callable[["Context", Mapping[str, Any]], Iterable[Subject]]
AnalysisFn = Callable[["Context"], Any]

PREDICATES: dict[str, PredicateFn] = {}
SUBJECTS: dict[str, SubjectsFn] = {}
ANALYSES: dict[str, AnalysisFn] = {}


def _register(table: dict[str, Any], name: str, what: str) -> Callable[[Any], Any]:
    def decorate(fn: Any) -> Any:
        if name in table and table[name] is not fn:
            raise RuntimeError(f"{what} {name!r} registered twice")
        table[name] = fn
        return fn

    return decorate


def predicate(name: str) -> Callable[[PredicateFn], PredicateFn]:
    """Register ``fn(subject, ctx, **params) -> Verdict`` under ``name``."""
    return _register(PREDICATES, name, "predicate")


def subjects(name: str) -> Callable[[SubjectsFn], SubjectsFn]:
    """Register ``fn(ctx, params) -> Iterable[Subject]`` under ``name``."""
    return _register(SUBJECTS, name, "subjects")


def analysis(name: str) -> Callable[[AnalysisFn], AnalysisFn]:
    """Register ``fn(ctx) -> Any``, computed at most once per run."""
    return _register(ANALYSES, name, "analysis")


_loaded = False


def load_plugins() -> None:
    """Import every evidence parser and predicate module (idempotent)."""
    global _loaded
    if _loaded:
        return
    from .. import evidence, predicates

    for package in (evidence, predicates):
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            importlib.import_module(f"{package.__name__}.{info.name}")
    _loaded = True
