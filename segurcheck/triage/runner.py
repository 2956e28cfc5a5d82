"""Running a triage batch: each dossier in its own worker process.

Workers are processes (the checks are CPU-bound Python), created with ``fork`` where
available so the rule pack and plugins the parent imported are shared.  A dossier
that raises is reported by its worker; a dossier that kills its worker (a crash, the
kernel's OOM killer) breaks the pool: the unfinished dossiers are then retried one per
fresh single-worker pool, so the culprit is pinned and reported as ``crashed`` while
all the others complete.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import BundleIdentity, TriageCache, bundle_identity, cache_key, pack_fingerprint
from .discover import discover
from .overview import OVERVIEW_CSV, OVERVIEW_HTML, write_overview
from .worker import Settings, init_worker, triage_one

TriageSettings = Settings
Tick = Callable[[str], None]


@dataclass(frozen=True)
class TriageSummary:
    """What a batch produced: every dossier's summary, ranked, and where it went."""

    rows: tuple[dict[str, Any], ...]
    checked: int
    cached: int
    seconds: float
    overview_html: Path
    overview_csv: Path


def slug_for(path: Path) -> str:
    """A folder name per dossier: readable, and unique thanks to a hash of its path."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.name).strip("-.")[:60] or "dossier"
    digest = hashlib.sha256(str(path.absolute()).encode()).hexdigest()[:8]
    return f"{stem}-{digest}"


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else methods[0])


def _crashed(path: str, slug: str, error: str) -> dict[str, Any]:
    """A dossier whose worker died: never cached (the cause may be transient)."""
    return {"path": path, "slug": slug, "status": "error", "verdict": "error", "error": error,
            "json": "", "html": "", "seconds": 0.0, "crashed": True}


Task = tuple[str, str, str]  # dossier path, slug, previous cache key


def _run_pool(tasks: Sequence[Task], out: Path, jobs: int, settings: Settings, keys: tuple[str, str],
              tick: Tick) -> tuple[dict[str, dict[str, Any]], list[Task]]:
    """Run tasks in one pool; return the results and the tasks a broken pool lost."""
    done: dict[str, dict[str, Any]] = {}
    lost: list[Task] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=init_worker,
                             initargs=(settings,)) as pool:
        futures: dict[Future[dict[str, Any]], Task] = {
            pool.submit(triage_one, path, slug, str(out), previous, *keys): (path, slug, previous)
            for path, slug, previous in tasks
        }
        for future in as_completed(futures):
            path, slug, previous = futures[future]
            try:
                done[path] = future.result()
                tick(Path(path).name)
            except BrokenProcessPool:
                lost.append((path, slug, previous))
            except Exception as exc:  # the worker's own guard failed: still report it
                done[path] = _crashed(path, slug, f"{type(exc).__name__}: {exc}"[:500])
                tick(Path(path).name)
    return done, lost


def run_triage(
    inputs: Sequence[Path],
    out: Path,
    settings: Settings,
    jobs: int = 1,
    show_progress: bool = True,
) -> TriageSummary:
    """Check every dossier (reusing cached summaries), then write the overview.

    Raises ``RulePackError`` when the rule pack is broken (nothing can be trusted).
    """
    from ..resources import rules_dir

    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    dossiers = discover(inputs)
    pack_sha = pack_fingerprint(rules_dir())
    cache = TriageCache(out)
    rows: dict[str, dict[str, Any]] = {}
    sized: list[tuple[int, str, str, str]] = []
    keys = (pack_sha, settings.key())
    for dossier in dossiers:
        name, slug, where = str(dossier), slug_for(dossier), str(dossier.absolute())
        # only stat data here: bundles whose files did not move are answered at once,
        # the others are hashed by the workers, in parallel
        quick = bundle_identity(dossier, cache.identity(where), read=False)
        if quick.digest is not None:
            cached = cache.get(where, cache_key(quick.digest, *keys))
            if cached is not None:
                rows[name] = {**cached, "path": name, "cached": True}
                continue
        sized.append((quick.size, name, slug, cache.previous_key(where)))
    # largest first: the last dossiers to finish are small, so no worker idles long
    todo = [(name, slug, previous) for _, name, slug, previous in sorted(sized, key=lambda t: (-t[0], t[1]))]

    checked = 0
    with _progress(len(todo), show_progress) as tick:
        if todo:
            init_worker(settings)  # once in the parent: forked workers inherit it
            done, lost = _run_pool(todo, out, max(1, jobs), settings, keys, tick)
            for lost_task in lost:  # isolate whatever killed a worker
                retry, still_lost = _run_pool([lost_task], out, 1, settings, keys, tick)
                done.update(retry)
                for lost_path, lost_slug, _ in still_lost:
                    done[lost_path] = _crashed(lost_path, lost_slug, "the worker process died on this dossier")
                    tick(Path(lost_path).name)
            for name, result in done.items():
                where = str(Path(name).absolute())
                identity = BundleIdentity(**result.pop("identity")) if "identity" in result else None
                key = str(result.pop("key", ""))
                previous = cache.get(where, key) if result.pop("unchanged", False) else None
                if previous is not None:  # same content under new stat data (a fresh copy)
                    rows[name] = {**previous, "path": name, "cached": True}
                    result = previous
                else:
                    checked += 1
                    rows[name] = {**result, "cached": False}
                if key and identity is not None and not result.get("crashed"):
                    cache.put(where, key, result, identity)
    ranked = rank(list(rows.values()))
    shown = [{k: v for k, v in row.items() if k not in ("cached", "seconds")} for row in ranked]
    rows_key = hashlib.sha256(json.dumps([pack_sha, shown], sort_keys=True, default=str).encode()).hexdigest()
    html, csv_path = out / OVERVIEW_HTML, out / OVERVIEW_CSV
    if not cache.overview_is_current(rows_key, html, csv_path):  # a warm re-run rewrites nothing
        write_overview(ranked, out, pack_sha)
        cache.overview = rows_key
    cache.save()
    return TriageSummary(
        rows=tuple(ranked),
        checked=checked,
        cached=len(dossiers) - checked,
        seconds=time.perf_counter() - started,
        overview_html=html,
        overview_csv=csv_path,
    )


_VERDICT_ORDER = {"ready": 0, "incomplete": 1, "not_ready": 2, "error": 3}


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most ready first: verdict, then real-patient alerts, blocking failures, expired
    waivers, then proof coverage; ties broken by name so the order is stable."""

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        total = row.get("proofs_total") or 0
        coverage = (row.get("proofs_covered") or 0) / total if total else 1.0
        return (
            _VERDICT_ORDER.get(str(row.get("verdict")), 3),
            row.get("real_patient", 0),
            row.get("blocking", 0),
            row.get("waivers_expired", 0),
            -coverage,
            str(row.get("path")),
        )

    ranked = sorted(rows, key=key)
    for index, row in enumerate(ranked, 1):
        row["rank"] = index
    return ranked


class _progress:
    """A rich progress bar on stderr (no refresh thread: workers are forked)."""

    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.enabled = enabled and total > 0
        self._bar: Any = None

    def __enter__(self) -> Tick:
        if not self.enabled:
            return lambda name: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(TextColumn("[bold]triage"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                             TextColumn("{task.description}"), console=Console(stderr=True), auto_refresh=False)
        self._bar.start()
        task = self._bar.add_task("", total=self.total)

        def tick(name: str) -> None:
            self._bar.update(task, advance=1, description=name[:40])
            self._bar.refresh()

        return tick

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
