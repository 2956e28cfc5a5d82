"""Building a rule-engine Context from in-memory files, for the INS tests: the
items come from the pipeline's own walker (real sniffing and parsers), only the bundle
on disk and the manifest file are skipped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from segurcheck.bundle import Limits
from segurcheck.engine.context import Context, RunOptions
from segurcheck.engine.vocabulary import load_plugins
from segurcheck.evidence.base import Source
from segurcheck.model import Dossier, EvidenceItem
from segurcheck.pipeline import Walker


def build_items(files: Mapping[str, bytes]) -> tuple[EvidenceItem, ...]:
    """Evidence items exactly as the pipeline makes them (real sniffing and parsers,
    nested items included), without a bundle on disk."""
    load_plugins()
    walker = Walker(Limits(), set())
    for path, data in sorted(files.items()):
        walker.ingest(Source(path, data))
    return tuple(walker.items)


def make_context(
    files: Mapping[str, bytes],
    manifest: Mapping[str, Any] | None = None,
    env: str | None = None,
    show_identities: bool = False,
    resources: Mapping[str, Any] | None = None,
) -> Context:
    dossier_raw = dict((manifest or {}).get("dossier", {}) or {})
    dossier = Dossier(
        publisher=str(dossier_raw.get("publisher", "")),
        software=str(dossier_raw.get("software", "")),
        version=str(dossier_raw.get("version", "")),
        sector=str(dossier_raw.get("sector", "")),
        environment=env or str(dossier_raw.get("environment", "test")),
        as_of=dt.date(2026, 11, 29),
    )
    options = RunOptions(show_identities=show_identities, resources=dict(resources or {}))
    return Context(build_items(files), dossier, manifest, options)


def read_bundle(directory: Path) -> tuple[dict[str, bytes], dict[str, Any] | None]:
    files: dict[str, bytes] = {}
    manifest = None
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            rel = path.relative_to(directory).as_posix()
            if rel == "segur.yaml":
                manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
            else:
                files[rel] = path.read_bytes()
    return files, manifest
