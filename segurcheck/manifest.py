"""Loading ``segur.yaml``: safe YAML, JSON Schema validation, errors with line numbers.

A broken manifest is a finding (DOSSIER-MANIFEST), not a crash: ``load_manifest``
always returns a ``Manifest`` whose ``errors`` name the key path and the line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import yaml

from .resources import schema

MANIFEST_NAMES = ("segur.yaml", "segur.yml")
KNOWN_SECTORS = ("DPI", "PFI", "LGC", "RIS", "BIO", "DRIMBOX")


@dataclass(frozen=True)
class ManifestError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path} (line {self.line}): {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass(frozen=True)
class CertificateUse:
    file: str
    use: str
    line: int = 0


@dataclass(frozen=True)
class ProofEntry:
    requirement: str
    files: tuple[str, ...]
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class Manifest:
    present: bool = False
    path: str = ""
    publisher: str = ""
    software: str = ""
    version: str = ""
    product_ref: str = ""
    sector: str = ""
    environment: str = ""
    as_of: dt.date | None = None
    certificates: tuple[CertificateUse, ...] = ()
    proofs: tuple[ProofEntry, ...] = ()
    errors: tuple[ManifestError, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def proof_files(self) -> set[str]:
        return {f for proof in self.proofs for f in proof.files}


def _lines(node: yaml.Node, prefix: tuple[str, ...], table: dict[tuple[str, ...], int]) -> None:
    table.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, str(key.value))
            table[path] = key.start_mark.line + 1
            _lines(value, path, table)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _lines(value, (*prefix, str(index)), table)


def _line_of(path: tuple[str, ...], table: Mapping[tuple[str, ...], int]) -> int:
    while path and path not in table:
        path = path[:-1]
    return table.get(path, 1)


def _jsonable(value: Any) -> Any:
    """YAML dates become ISO strings so the JSON Schema sees what the user wrote."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def parse_manifest(text: str, path: str = "segur.yaml") -> Manifest:
    """Parse and validate manifest text (never raises on bad content)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = _jsonable(yaml.safe_load(text))
    except ValueError as exc:  # a well-formed but impossible date (2026-02-30)
        return Manifest(present=True, path=path, errors=(ManifestError("(root)", 0, f"invalid value: {exc}"),))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        message = str(getattr(exc, "problem", None) or exc)
        return Manifest(present=True, path=path, errors=(ManifestError("(root)", line, f"invalid YAML: {message}"),))
    if not isinstance(raw, dict) or node is None:
        return Manifest(present=True, path=path, errors=(ManifestError("(root)", 1, "the manifest must be a mapping"),))
    table: dict[tuple[str, ...], int] = {}
    _lines(node, (), table)
    validator = jsonschema.Draft202012Validator(schema("manifest"), format_checker=jsonschema.FormatChecker())
    errors = []
    for error in sorted(validator.iter_errors(raw), key=lambda e: [str(p) for p in e.absolute_path]):
        key_path = tuple(str(p) for p in error.absolute_path)
        errors.append(ManifestError("/".join(key_path) or "(root)", _line_of(key_path, table), error.message))
    dossier: dict[str, Any] = raw["dossier"] if isinstance(raw.get("dossier"), dict) else {}
    sector = str(dossier.get("sector", ""))
    if sector and sector not in KNOWN_SECTORS and not errors:
        known = ", ".join(KNOWN_SECTORS)
        errors.append(ManifestError("dossier/sector", _line_of(("dossier", "sector"), table), f"unknown sector {sector!r}; known: {known}"))
    as_of = None
    if isinstance(dossier.get("as_of"), str):
        try:
            as_of = dt.date.fromisoformat(dossier["as_of"])
        except ValueError:
            pass
    certificates = tuple(
        CertificateUse(str(c.get("file", "")), str(c.get("use", "")), _line_of(("certificates", str(i)), table))
        for i, c in enumerate(raw.get("certificates") or [])
        if isinstance(c, dict)
    )
    proofs = tuple(
        ProofEntry(
            str(p.get("requirement", "")),
            tuple(str(f) for f in p.get("files") or [] if isinstance(f, str | int)),
            str(p.get("note", "")),
            _line_of(("proofs", str(i)), table),
        )
        for i, p in enumerate(raw.get("proofs") or [])
        if isinstance(p, dict)
    )
    return Manifest(
        present=True,
        path=path,
        publisher=str(dossier.get("publisher", "")),
        software=str(dossier.get("software", "")),
        version=str(dossier.get("version", "")),
        product_ref=str(dossier.get("product_ref", "")),
        sector=sector,
        environment=str(dossier.get("environment", "")),
        as_of=as_of,
        certificates=certificates,
        proofs=proofs,
        errors=tuple(errors),
        raw=raw,
    )
