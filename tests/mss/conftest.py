"""Helpers for the MSS tests: generated fixture bundles and a way to evaluate rules.

``evaluate_bundle`` uses the lead's pipeline when it is available (the real walker,
sniffer and manifest loader); otherwise a minimal walker that knows only the kinds of
this area, so the area can be tested on its own.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from segurcheck.engine.context import Context, RunOptions  # noqa: E402
from segurcheck.engine.evaluate import evaluate  # noqa: E402
from segurcheck.engine.rules import Rule, load_rule  # noqa: E402
from segurcheck.evidence.base import Child, Source, parser_for  # noqa: E402
from segurcheck.model import Dossier, EvidenceItem, Kind, Result  # noqa: E402

AREA_RULES = sorted(p for area in ("mss", "usage") for p in (REPO / "rules" / area).glob("*.yaml"))


def _kind(data: bytes, forced: Kind | None) -> Kind:
    if forced is not None:
        return forced
    from segurcheck.evidence.xdm import is_xdm

    if data[:2] == b"PK":
        return Kind.XDM_ARCHIVE if is_xdm(data) else Kind.UNKNOWN
    if data.startswith(b"timestamp,channel,status,document_type,ins_status"):
        return Kind.USAGE_EXPORT
    head = data[:2048]
    if b"\nSubject:" in head or head.startswith((b"From:", b"Return-Path:", b"Received:")) or b"\nFrom:" in head:
        return Kind.MSS_MESSAGE
    return Kind.UNKNOWN


def _walk(path: str, data: bytes, forced: Kind | None, parent: str | None, out: list[EvidenceItem]) -> None:
    kind = _kind(data, forced)
    fn = parser_for(kind)
    source = Source(path, data, parent=parent)
    parsed = fn(source) if fn is not None else None
    out.append(
        EvidenceItem(
            path=path,
            kind=kind,
            size=len(data),
            sha256=source.sha256,
            identity=(parsed.identity if parsed and parsed.identity else source.sha256),
            facts=parsed.facts if parsed else None,
            problems=tuple(parsed.problems) if parsed else (),
            parent=parent,
        )
    )
    for nested in parsed.children if parsed else []:
        assert isinstance(nested, Child)
        _walk(f"{path}!{nested.name}", nested.data, nested.kind, path, out)


def local_items(bundle: Path) -> tuple[list[EvidenceItem], Dossier]:
    from segurcheck.engine.vocabulary import load_plugins

    load_plugins()
    items: list[EvidenceItem] = []
    dossier = Dossier(as_of=dt.date(2026, 11, 29))
    for file in sorted(p for p in bundle.rglob("*") if p.is_file()):
        rel = file.relative_to(bundle).as_posix()
        if rel == "segur.yaml":
            raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            d = raw.get("dossier", {})
            dossier = Dossier(product_ref=str(d.get("product_ref", "")), software=str(d.get("software", "")),
                              version=str(d.get("version", "")), as_of=dt.date(2026, 11, 29))
            continue
        _walk(rel, file.read_bytes(), None, None, items)
    return items, dossier


def evaluate_local(bundle: Path, rules: list[Rule], config: dict[str, Any] | None = None,
                   show: bool = False) -> list[Result]:
    items, dossier = local_items(bundle)
    ctx = Context(tuple(items), dossier, options=RunOptions(config=config or {}, show_identities=show))
    return evaluate(rules, ctx)


@pytest.fixture(scope="session")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated bundles, regenerated in a temporary folder (proves determinism
    against the committed copies in another test)."""
    from fixtures.gen.mss_bundles import build

    out = tmp_path_factory.mktemp("bundles")
    build(out, None)
    return out


@pytest.fixture(scope="session")
def area_rules() -> dict[str, Rule]:
    import segurcheck.engine.evaluate  # noqa: F401  (registers the default subjects)

    return {p.stem: load_rule(p, REPO / "rules") for p in AREA_RULES}


@pytest.fixture()
def run(bundles: Path, area_rules: dict[str, Rule]) -> Callable[..., list[Result]]:
    def _run(bundle: str, rule_id: str, **kwargs: Any) -> list[Result]:
        return evaluate_local(bundles / bundle, [area_rules[rule_id]], **kwargs)

    return _run


@pytest.fixture()
def shared_data() -> Iterator[Path]:
    for candidate in (REPO.parent / "shared" / "data", REPO.parents[1] / "shared" / "data", Path("/work/shared/data")):
        if candidate.is_dir():
            yield candidate
            return
    pytest.skip("shared/data (real example files) not available next to the checkout")
