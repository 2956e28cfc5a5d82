"""The triage cache: a dossier whose bundle hash, rule-pack hash and settings are
unchanged since the last run is not checked again; its summary is reused.

The cache lives in the output directory (``.triage-cache.json``), next to the reports
it vouches for; an entry whose report files vanished is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_NAME = ".triage-cache.json"
RACY_NS = 2_000_000_000
CACHE_VERSION = 1


def pack_fingerprint(root: Path) -> str:
    """A hash of every file of the rule pack, without loading it: a warm re-run must
    not pay for parsing and validating every rule (any edit changes the hash; a pack
    that became invalid is then loaded, and refused, before any dossier is checked)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


Entry = tuple[str, str, int, int, int, int]  # rel path, abs path, size, mtime_ns, ctime_ns, inode


def _stat_of(rel: str, full: str, st: os.stat_result) -> Entry:
    return rel, full, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _walk(root: Path) -> list[Entry]:
    """Every entry under ``root`` with its stat, symlinks included as names only
    (never followed, size -1), sorted by relative path."""
    found: list[Entry] = []
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_symlink():
                    found.append((rel, "", -1, 0, 0, 0))
                elif entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, rel + "/"))
                elif entry.is_file(follow_symlinks=False):
                    found.append(_stat_of(rel, entry.path, entry.stat(follow_symlinks=False)))
    return sorted(found)


def _read_into(digest: Any, full: str) -> None:
    with open(full, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)


@dataclass(frozen=True)
class BundleIdentity:
    """What the cache knows of a bundle: its content hash (None: unreadable), its size
    (to schedule the largest first) and a signature of its files' stat data."""

    digest: str | None
    size: int
    stat: str


def bundle_identity(path: Path, previous: Mapping[str, Any] | None = None, read: bool = True) -> BundleIdentity:
    """The content hash of a bundle (folder: sorted paths and bytes; file: its bytes).

    Like git's index, files are read only when their stat data (size, mtime, ctime,
    inode) changed since the previous run: ctime cannot be set back by a tool, so a
    rewritten file is always noticed.  With ``read=False`` nothing is read: the digest
    is known only when the stat data vouch for the previous one.  Kept apart from the pipeline's safe opening
    because a warm re-run must neither re-validate nor re-read every entry.
    """
    try:
        if path.is_symlink():
            return BundleIdentity(None, 0, "")
        if path.is_file():
            entries = [_stat_of("", str(path), path.stat())]
        elif path.is_dir():
            entries = _walk(path)
        else:
            return BundleIdentity(None, 0, "")
        stat = hashlib.sha256(repr([(e[0], *e[2:]) for e in entries]).encode()).hexdigest()
        size = sum(e[2] for e in entries if e[2] > 0)
        # a file changed within the last seconds may change again within the clock's
        # granularity without its stat moving ("racy git"): read such bundles
        settled = all(e[4] < time.time_ns() - RACY_NS for e in entries)
        if settled and previous and previous.get("stat") == stat and previous.get("digest"):
            return BundleIdentity(str(previous["digest"]), size, stat)
        if not read:  # the caller only wanted to know whether the stat data vouch for it
            return BundleIdentity(None, size, stat)
        digest = hashlib.sha256()
        if path.is_file():
            _read_into(digest, str(path))
            return BundleIdentity("file:" + digest.hexdigest(), size, stat)
        for rel, full, file_size, *_ in entries:
            digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            if file_size >= 0:
                _read_into(digest, full)
            digest.update(b"\0")
        return BundleIdentity("dir:" + digest.hexdigest(), size, stat)
    except OSError:
        return BundleIdentity(None, 0, "")


def cache_key(bundle_sha256: str, rulepack_sha256: str, settings_key: str) -> str:
    return f"{bundle_sha256}:{rulepack_sha256}:{settings_key}"


class TriageCache:
    def __init__(self, out: Path):
        self.path = out / CACHE_NAME
        self.out = out
        self.entries: dict[str, dict[str, Any]] = {}
        self.overview = ""  # hash of the rows the overview files were last written from
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("version") == CACHE_VERSION and isinstance(data.get("entries"), dict):
            self.entries = {str(k): v for k, v in data["entries"].items() if isinstance(v, dict)}
            self.overview = str(data.get("overview", ""))

    def identity(self, dossier: str) -> Mapping[str, Any] | None:
        """The stat signature, digest and key recorded for a dossier last time."""
        return self.entries.get(dossier)

    def previous_key(self, dossier: str) -> str:
        return str((self.entries.get(dossier) or {}).get("key", ""))

    def get(self, dossier: str, key: str) -> dict[str, Any] | None:
        """The cached summary of a dossier, if it was made with the same key and its
        report files are still there."""
        entry = self.entries.get(dossier)
        if not entry or entry.get("key") != key:
            return None
        summary = entry.get("summary")
        if not isinstance(summary, dict):
            return None
        for output in ("json", "html"):
            rel = summary.get(output)
            if rel and not (self.out / rel).is_file():
                return None
        return summary

    def put(self, dossier: str, key: str, summary: Mapping[str, Any], identity: BundleIdentity) -> None:
        self.entries[dossier] = {"key": key, "summary": dict(summary), "stat": identity.stat,
                                 "digest": identity.digest}

    def overview_is_current(self, rows_key: str, *paths: Path) -> bool:
        """True when the overview files already show exactly these rows."""
        return self.overview == rows_key and all(p.is_file() for p in paths)

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        payload = {"version": CACHE_VERSION, "entries": self.entries, "overview": self.overview}
        tmp.write_text(json.dumps(payload, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)
