"""Loading and validating sector packs (``rules/dsr/<SECTOR>/requirements.yaml``).

A malformed pack is a broken tool (like a malformed rule): ``PackError`` names the
file, the key path and the reason.  Packs are read with ``yaml.safe_load`` only and
cached per sector, so predicates may ask for them without re-reading files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jsonschema
import yaml

from ..model import LocalText
from ..resources import rules_dir, schema

PROOF_KINDS: dict[str, LocalText] = {
    "video_or_screenshots": LocalText("vidéo ou captures d'écran", "video or screenshots"),
    "documentation": LocalText("documentation", "documentation"),
    "sworn_statement": LocalText("attestation sur l'honneur", "sworn statement"),
    "pentest_report": LocalText("rapport de test d'intrusion (PASSI)", "penetration-test report (PASSI)"),
    "config_or_code_extract": LocalText("extrait de configuration ou de code", "configuration or code extract"),
    "log_trace": LocalText("journaux ou traces", "logs or traces"),
    "tls_config": LocalText("configuration TLS", "TLS configuration"),
    "mss_test_tool_execution_id": LocalText("identifiant d'exécution de l'outil de test MSSanté", "MSSanté test tool execution id"),
    "evs_gazelle_report_link": LocalText("rapport de validation EVS/Gazelle", "EVS/Gazelle validation report"),
    "cnda_homologation_certificate": LocalText("certificat d'homologation CNDA", "CNDA homologation certificate"),
    "smtp_source": LocalText("source SMTP (.eml)", "SMTP source (.eml)"),
    "soap_message_vihf": LocalText("message SOAP avec VIHF", "SOAP message with VIHF"),
    "cda_document": LocalText("document CDA", "CDA document"),
    "xdm_archive": LocalText("archive IHE XDM", "IHE XDM archive"),
    "certificate_crl": LocalText("certificats et CRL", "certificates and CRLs"),
}


def proof_kinds_text(kinds: tuple[str, ...]) -> LocalText:
    """Human labels of proof kinds, in both languages."""
    labels = [PROOF_KINDS.get(k, LocalText(k, k)) for k in kinds]
    return LocalText(", ".join(x.fr for x in labels), ", ".join(x.en for x in labels))


class PackError(Exception):
    """A sector pack is missing or invalid."""


@dataclass(frozen=True)
class PackRequirement:
    """One requirement of a sector pack."""

    id: str
    nature: str  # mandatory | recommended | unspecified
    summary: LocalText
    rules: tuple[str, ...] = ()
    proofs: tuple[str, ...] = ()
    socle: str = ""
    condition: str = ""  # DSR profile: applies only to products with this feature
    not_covered: LocalText | None = None

    @property
    def mandatory(self) -> bool:
        return self.nature == "mandatory"

    @property
    def needs_proof(self) -> bool:
        return bool(self.proofs)


@dataclass(frozen=True)
class SectorPack:
    sector: str
    label: LocalText
    source: str
    requirements: tuple[PackRequirement, ...]
    repository: str = ""

    def get(self, requirement: str) -> PackRequirement | None:
        return next((r for r in self.requirements if r.id == requirement), None)

    @property
    def rule_ids(self) -> frozenset[str]:
        return frozenset(rule for req in self.requirements for rule in req.rules)


def _packs_root(root: Path | None) -> Path:
    return (root or rules_dir()) / "dsr"


def available_sectors(root: Path | None = None) -> tuple[str, ...]:
    """Sector codes that ship a pack (any sector may be added by dropping a folder)."""
    base = _packs_root(root)
    if not base.is_dir():
        return ()
    return tuple(sorted(p.parent.name for p in base.glob("*/requirements.yaml")))


def _text(raw: dict[str, str]) -> LocalText:
    return LocalText(raw["fr"], raw["en"])


def parse_pack(raw: object, where: str) -> SectorPack:
    """Validate a loaded YAML document against the pack schema and build the pack."""
    if not isinstance(raw, dict):
        raise PackError(f"{where}: (root): a sector pack must be a mapping")
    errors = list(jsonschema.Draft202012Validator(schema("sector-pack")).iter_errors(raw))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        path = "/".join(str(p) for p in best.absolute_path) or "(root)"
        raise PackError(f"{where}: {path}: {best.message}")
    seen: set[str] = set()
    requirements = []
    for index, item in enumerate(raw["requirements"]):
        rid = item["id"]
        if rid in seen:
            raise PackError(f"{where}: requirements/{index}/id: {rid} listed twice")
        seen.add(rid)
        summary = _text(item["summary"]) if "summary" in item else LocalText("", "")
        requirements.append(
            PackRequirement(
                id=rid,
                nature=item["nature"],
                summary=summary,
                rules=tuple(item.get("rules", ())),
                proofs=tuple(item.get("proofs", ())),
                socle=item.get("socle", ""),
                condition=item.get("condition", ""),
                not_covered=_text(item["not_covered"]) if "not_covered" in item else None,
            )
        )
    return SectorPack(
        sector=raw["sector"],
        label=_text(raw["label"]),
        source=raw["source"],
        requirements=tuple(requirements),
        repository=raw.get("repository", ""),
    )


@cache
def _load(sector: str, root: Path) -> SectorPack:
    path = root / sector / "requirements.yaml"
    where = f"dsr/{sector}/requirements.yaml"
    if not path.is_file():
        raise PackError(f"{where}: no sector pack for {sector!r}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PackError(f"{where}: cannot read YAML: {exc}".replace("\n", " ")) from None
    pack = parse_pack(raw, where)
    if pack.sector != sector:
        raise PackError(f"{where}: sector: says {pack.sector!r}, folder says {sector!r}")
    return pack


def load_sector_pack(sector: str, root: Path | None = None) -> SectorPack:
    """The pack of a sector code (DPI, PFI, LGC, RIS, BIO...); ``PackError`` if none."""
    code = sector.strip().upper()
    if not code or "/" in code or "\\" in code or code.startswith("."):
        raise PackError(f"dsr/{sector}: not a sector code")
    return _load(code, _packs_root(root).resolve())
