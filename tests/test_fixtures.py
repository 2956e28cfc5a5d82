"""The generator is the source of truth: it reproduces the committed fixtures byte for
byte (deterministic keys, dates, serials, zip timestamps)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fixtures.generate import main as generate

from .conftest import BUNDLES


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_generator_reproduces_committed_fixtures(tmp_path: Path) -> None:
    out = tmp_path / "bundles"
    assert generate([str(out)]) == 0
    fresh, committed = _tree(out), _tree(BUNDLES)
    assert sorted(fresh) == sorted(committed), "run `make fixtures` and commit the result"
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert not changed, f"generator output differs from the committed fixtures: {changed[:10]}"
