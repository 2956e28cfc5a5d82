"""Checking one dossier inside a worker process.

Everything a dossier can throw is caught here and becomes an ``error`` summary: one
broken dossier never stops the batch.  The summary is a small plain dict (picklable,
JSON-able for the cache); the full report goes to the dossier's own JSON and HTML files.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Report, Status

REAL_PATIENT_RULE = "DOSSIER-REAL-PATIENT"
PROOF_RULE = "DOSSIER-PROOF-MISSING"


@dataclass(frozen=True)
class Settings:
    """What every dossier of the batch is checked with (plain values: picklable under
    any start method; resources are loaded once per worker from these paths)."""

    today: dt.date
    as_of: dt.date | None = None
    sector: str | None = None
    environment: str | None = None
    lang: str = "fr"
    trust: Path | None = None
    insi_schemas: Path | None = None
    schematron: Path | None = None
    config: Path | None = None
    apply_bundled_waivers: bool = False  # reviewer mode by default: shown, never applied

    def key(self) -> str:
        """Part of the cache key: a change of settings, or of the content of a file or
        folder they name (trust anchors, schemas, config), invalidates the cache."""
        from .cache import bundle_identity

        named = [bundle_identity(p).digest if p is not None else None
                 for p in (self.trust, self.insi_schemas, self.schematron, self.config)]
        return repr((self.as_of or self.today, self.sector, self.environment, self.lang, named,
                     self.apply_bundled_waivers))


_STATE: dict[str, Any] = {}


def init_worker(settings: Settings) -> None:
    """Load the rule pack, plugins and resources once per process (not per dossier).

    The parent calls it before starting the pool: forked workers then inherit the
    loaded state and start at once; under ``spawn`` each worker loads its own."""
    from ..resources import rules_dir
    from .cache import pack_fingerprint

    # content-aware: an edited config, trust folder or rule file reloads
    key = settings.key() + pack_fingerprint(rules_dir())
    if _STATE.get("key") == key:
        return
    from ..engine.rules import load_pack
    from ..engine.vocabulary import load_plugins
    from ..options_loader import load_resources
    from ..pipeline import CheckOptions

    load_plugins()
    config: dict[str, Any] = {}
    if settings.config is not None:
        import yaml

        loaded = yaml.safe_load(settings.config.read_text(encoding="utf-8"))
        config = loaded if isinstance(loaded, dict) else {}
    resources = load_resources(trust=settings.trust, insi_schemas=settings.insi_schemas, schematron=settings.schematron)
    _STATE["pack"] = load_pack()
    _STATE["options"] = CheckOptions(
        today=settings.today,
        sector=settings.sector,
        environment=settings.environment,
        as_of=settings.as_of,
        lang=settings.lang,
        config=config,
        resources=resources,
    )
    _STATE["settings"] = settings
    _STATE["key"] = key


def summarize(report: Report, bundled: list[str]) -> dict[str, Any]:
    """What the overview needs from a report."""
    from ..waivers import EXPIRED_RULE, STALE_RULE, WAIVER_AREA, suspicions

    fails = [r for r in report.results if r.status is Status.FAIL and r.area != WAIVER_AREA]
    by_area = Counter(r.area for r in fails if r.blocking)
    proofs = [r for r in report.results if r.rule_id == PROOF_RULE and r.status is not Status.NOT_APPLICABLE]
    waiver_results = [r for r in report.results if r.rule_id in (EXPIRED_RULE, STALE_RULE)]
    claimed = {r.waiver for r in report.results if r.waiver is not None}
    suspicious = sorted(
        {f"{w.rule} (line {w.line}): {why}" for w in claimed for why in suspicions(w, report.dossier.as_of)}
    )
    d = report.dossier
    return {
        "publisher": d.publisher,
        "software": d.software,
        "version": d.version,
        "sector": d.sector,
        "environment": d.environment,
        "as_of": d.as_of.isoformat(),
        "verdict": report.verdict,
        "blocking": report.blocking,
        "counts": report.counts,
        "blocking_by_area": dict(sorted(by_area.items())),
        "top_rules": [[rule, n] for rule, n in Counter(r.rule_id for r in fails).most_common(5)],
        "waivers_expired": sum(1 for r in waiver_results if r.rule_id == EXPIRED_RULE),
        "waivers_stale": sum(1 for r in waiver_results if r.rule_id == STALE_RULE),
        "waivers_suspicious": suspicious,
        "waivers_bundled": bundled,
        "real_patient": sum(1 for r in fails if r.rule_id == REAL_PATIENT_RULE),
        # a supplied proof awaiting a human (manual) covers its requirement
        "proofs_covered": sum(1 for r in proofs if r.status in (Status.PASS, Status.WAIVED, Status.MANUAL)),
        "proofs_total": len(proofs),
        "bundle_sha256": report.bundle_sha256,
        "rulepack_sha256": report.rulepack_sha256,
    }


def write_outputs(report: Report, folder: Path) -> tuple[str, str]:
    """The dossier's JSON and HTML reports, by the same writers as ``check`` (the HTML
    one only when this build has it)."""
    from importlib.util import find_spec

    from ..writers import write_outputs as write_all

    folder.mkdir(parents=True, exist_ok=True)
    html = folder / "report.html" if find_spec("segurcheck.report.html") is not None else None
    write_all(report, json_path=folder / "report.json", html=html)
    return "report.json", "report.html" if html is not None else ""


def check_dossier(path: str, slug: str, out: str) -> dict[str, Any]:
    """Check one dossier; never raises (the summary says what went wrong)."""
    started = time.perf_counter()
    summary: dict[str, Any] = {"path": path, "slug": slug, "status": "ok", "error": "", "json": "", "html": ""}
    try:
        from ..pipeline import run_check
        from ..waivers import apply_waivers, bundled_waivers, note_bundled

        settings: Settings = _STATE["settings"]
        report = run_check(Path(path), _STATE["options"], pack=_STATE["pack"])
        found = bundled_waivers(Path(path), report)
        waivers = tuple(w for f in found for w in f.waivers)
        if waivers:
            report = apply_waivers(report, waivers, report.dossier.as_of, ignore=not settings.apply_bundled_waivers)
        report = note_bundled(report, found, applied=settings.apply_bundled_waivers)
        summary.update(summarize(report, [f.path for f in found]))
        folder = Path(out) / "dossiers" / slug
        json_name, html_name = write_outputs(report, folder)
        summary["json"] = f"dossiers/{slug}/{json_name}"
        summary["html"] = f"dossiers/{slug}/{html_name}" if html_name else ""
    except Exception as exc:  # one broken dossier never stops the others
        summary.update(status="error", verdict="error", error=f"{type(exc).__name__}: {exc}"[:500])
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return summary


def triage_one(path: str, slug: str, out: str, previous_key: str, pack_sha: str, settings_key: str) -> dict[str, Any]:
    """Hash the bundle here, in the worker (in parallel, not in the parent), and check
    it only when its cache key differs from the previous run's."""
    from dataclasses import asdict

    from .cache import bundle_identity, cache_key

    identity = bundle_identity(Path(path))
    key = cache_key(identity.digest, pack_sha, settings_key) if identity.digest else ""
    if key and key == previous_key:
        return {"path": path, "slug": slug, "unchanged": True, "key": key, "identity": asdict(identity)}
    summary = check_dossier(path, slug, out)
    summary.update(key=key, identity=asdict(identity))
    return summary
