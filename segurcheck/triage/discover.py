"""Which dossiers a triage run covers.

Each argument is a bundle (a directory or a .zip).  A directory that is not a bundle
itself but a shelf of bundles (no ``segur.yaml`` and only sub-folders and .zip files at
its top) stands for each bundle it holds: that is how reviewers receive dossiers.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

MANIFEST_NAMES = ("segur.yaml", "segur.yml")


def _is_shelf(path: Path) -> bool:
    if any((path / name).is_file() for name in MANIFEST_NAMES):
        return False
    children = [c for c in path.iterdir() if not c.name.startswith(".")]
    if not children:
        return False
    has_bundle_like = False
    for child in children:
        if child.is_symlink():
            continue
        if child.is_dir():
            has_bundle_like = has_bundle_like or any((child / n).is_file() for n in MANIFEST_NAMES)
        elif child.suffix.lower() == ".zip":
            has_bundle_like = True
        else:
            return False
    return has_bundle_like


def discover(arguments: Iterable[Path]) -> list[Path]:
    """The dossiers to check, each once, in a stable order."""
    found: list[Path] = []
    for argument in arguments:
        if argument.is_dir() and not argument.is_symlink() and _is_shelf(argument):
            found.extend(
                sorted(c for c in argument.iterdir() if not c.name.startswith(".") and not c.is_symlink())
            )
        else:
            found.append(argument)
    seen: set[Path] = set()
    unique = []
    for path in found:
        key = path.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique
