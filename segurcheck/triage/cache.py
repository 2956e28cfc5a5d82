"""The triage cache: a dossier whose bundle hash, rule-pack hash and settings are
unchanged since the last run is not checked again; its summary is reused.

The cache lives in the output directory (``.triage-cache.json``), next to the reports
it vouches for; an entry whose report files vanished is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CACHE_NAME = ".triage-cache.json"
CACHE_VERSION = 1


def pack_fingerprint(root: Path) -> str:
    """A hash of every file of the rule pack, without loading it: a warm re-run must
    not pay for parsing and validating every rule (any edit changes the hash; a pack
    that became invalid is then loaded, and refused, before any dossier is checked)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _walk(root: Path) -> list[tuple[str, str, int]]:
    """(relative path, absolute path, size) of every entry under ``root``, symlinks
    included as names only (never followed), sorted by relative path."""
    found: list[tuple[str, str, int]] = []
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_symlink():
                    found.append((rel, "", -1))
                elif entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), rel + "/"))
                elif entry.is_file(follow_symlinks=False):
                    found.append((rel, entry.path, entry.stat(follow_symlinks=False).st_size))
    return sorted(found)


def bundle_digest(path: Path) -> tuple[str | None, int]:
    """A content hash of a bundle (folder: sorted paths and bytes; file: its bytes) and
    its size.  Kept apart from the pipeline's safe opening because a warm re-run must
    only read bytes, not re-validate every entry; None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        if path.is_symlink():
            return None, 0
        if path.is_file():
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            return "file:" + digest.hexdigest(), path.stat().st_size
        if not path.is_dir():
            return None, 0
        total = 0
        for rel, full, size in _walk(path):
            digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            if size >= 0:
                total += size
                with open(full, "rb") as fh:
                    for block in iter(lambda fh=fh: fh.read(1 << 20), b""):  # type: ignore[misc]
                        digest.update(block)
            digest.update(b"\0")
        return "dir:" + digest.hexdigest(), total
    except OSError:
        return None, 0


def cache_key(bundle_sha256: str, rulepack_sha256: str, settings_key: str) -> str:
    return f"{bundle_sha256}:{rulepack_sha256}:{settings_key}"


class TriageCache:
    def __init__(self, out: Path):
        self.path = out / CACHE_NAME
        self.out = out
        self.entries: dict[str, dict[str, Any]] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("version") == CACHE_VERSION and isinstance(data.get("entries"), dict):
            self.entries = {str(k): v for k, v in data["entries"].items() if isinstance(v, dict)}

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

    def put(self, dossier: str, key: str, summary: Mapping[str, Any]) -> None:
        self.entries[dossier] = {"key": key, "summary": dict(summary)}

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        payload = {"version": CACHE_VERSION, "entries": self.entries}
        tmp.write_text(json.dumps(payload, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)
