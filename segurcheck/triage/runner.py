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
import multiprocessing
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import TriageCache, bundle_digest, cache_key, pack_fingerprint
from .discover import discover
from .overview import write_overview
from .worker import Settings, check_dossier, init_worker

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


def _run_pool(tasks: Sequence[tuple[str, str]], out: Path, jobs: int, settings: Settings,
              tick: Tick) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """Run tasks in one pool; return the summaries and the tasks a broken pool lost."""
    done: dict[str, dict[str, Any]] = {}
    lost: list[tuple[str, str]] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=init_worker,
                             initargs=(settings,)) as pool:
        futures: dict[Future[dict[str, Any]], tuple[str, str]] = {
            pool.submit(check_dossier, path, slug, str(out)): (path, slug) for path, slug in tasks
        }
        for future in as_completed(futures):
            path, slug = futures[future]
            try:
                done[path] = future.result()
                tick(Path(path).name)
            except BrokenProcessPool:
                lost.append((path, slug))
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
    keys: dict[str, str] = {}
    sized: list[tuple[int, str, str]] = []
    settings_key = settings.key()
    for dossier in dossiers:
        name, slug = str(dossier), slug_for(dossier)
        digest, size = bundle_digest(dossier)
        if digest is not None:
            keys[name] = cache_key(digest, pack_sha, settings_key)
            cached = cache.get(str(dossier.absolute()), keys[name])
            if cached is not None:
                rows[name] = {**cached, "path": name, "cached": True}
                continue
        sized.append((size, name, slug))
    # largest first: the last dossiers to finish are small, so no worker idles long
    todo = [(name, slug) for _, name, slug in sorted(sized, key=lambda t: (-t[0], t[1]))]

    with _progress(len(todo), show_progress) as tick:
        if todo:
            init_worker(settings)  # once in the parent: forked workers inherit it
            done, lost = _run_pool(todo, out, max(1, jobs), settings, tick)
            for lost_task in lost:  # isolate whatever killed a worker
                retry, still_lost = _run_pool([lost_task], out, 1, settings, tick)
                done.update(retry)
                for lost_path, lost_slug in still_lost:
                    done[lost_path] = _crashed(lost_path, lost_slug, "the worker process died on this dossier")
                    tick(Path(lost_path).name)
            for name, summary in done.items():
                rows[name] = {**summary, "cached": False}
                if name in keys and not summary.get("crashed"):
                    cache.put(str(Path(name).absolute()), keys[name], summary)
    cache.save()
    ranked = rank(list(rows.values()))
    html, csv_path = write_overview(ranked, out, pack_sha)
    return TriageSummary(
        rows=tuple(ranked),
        checked=len(todo),
        cached=len(dossiers) - len(todo),
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
